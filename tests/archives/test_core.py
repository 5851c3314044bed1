"""The shared core of archive queries: the clocks across holidays and while standing still,
who may read a request, and the sealed ID numbers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portal.archives import access, clocks, identity
from portal.errors import NotFound
from portal.permissions import Role
from tests import factories
from tests.archives import helpers


def shanghai(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour - 8, 0, tzinfo=UTC)


def end_of(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 15, 59, 59, 999999, tzinfo=UTC)


def test_the_review_is_due_at_the_end_of_the_next_working_day(session):
    # Tuesday 24 November 2026 → Wednesday; Friday → Monday.
    assert clocks.review_due(session, helpers.SETTINGS, shanghai(2026, 11, 24)) == end_of(
        2026, 11, 25
    )
    assert clocks.review_due(session, helpers.SETTINGS, shanghai(2026, 11, 27)) == end_of(
        2026, 11, 30
    )


def test_the_answer_clock_skips_the_national_day_holiday_and_counts_its_make_up_saturday(session):
    # Accepted on Wednesday 30 September 2026: 1–7 October are off, Saturday 10 October is a
    # make-up working day (2026's arrangement): the 3rd working day is Saturday 10 October.
    accepted = shanghai(2026, 9, 30)
    assert clocks.answer_due(session, helpers.SETTINGS, accepted) == end_of(2026, 10, 10)


def test_an_assist_has_four_working_days_and_the_receiving_archive_two_more(session):
    asked = shanghai(2026, 11, 24)  # Tuesday
    assist_due = clocks.assist_due(session, helpers.SETTINGS, asked)
    assert assist_due == end_of(2026, 11, 30)  # Wed, Thu, Fri, Mon
    own_due = end_of(2026, 11, 27)
    assert clocks.answer_due_after_assist(session, helpers.SETTINGS, own_due, assist_due) == (
        end_of(2026, 12, 2)
    )


def test_a_stopped_clock_keeps_its_working_days_and_runs_them_from_the_documents_arrival(session):
    due = end_of(2026, 11, 27)  # Friday
    left = clocks.days_left(session, due, shanghai(2026, 11, 24))  # stopped on Tuesday
    assert left == 3
    # The documents arrive on Thursday 3 December: Friday, Monday, Tuesday.
    assert clocks.resumed_due(session, left, shanghai(2026, 12, 3)) == end_of(2026, 12, 8)


def test_documents_sent_on_the_due_day_still_leave_a_working_day(session):
    due = end_of(2026, 11, 24)
    left = clocks.days_left(session, due, shanghai(2026, 11, 24, 15))
    assert left == 0
    assert clocks.resumed_due(session, left, shanghai(2026, 11, 24, 16)) == end_of(2026, 11, 25)


def test_only_the_resident_and_the_archives_working_it_read_a_request(session, app_context):
    world = helpers.world(session)
    made = helpers.request(session, world)
    now = helpers.TUESDAY_10AM
    for reader in (world.resident, world.archivist, world.second):
        assert access.request_for(session, reader, made.reference, now=now) == made
    strangers = (
        factories.user(session, name="别的居民"),
        world.street_archivist,
        world.elsewhere,
        factories.user(session, Role.SECRETARY, world.tree.community),
        factories.user(session, Role.GRID_WORKER, world.tree.grid),
        factories.user(session, Role.ADMIN, world.tree.district),
    )
    for stranger in strangers:
        with pytest.raises(NotFound, match="no such archive request"):
            access.request_for(session, stranger, made.reference, now=now)
    with pytest.raises(NotFound, match="no such archive request"):
        access.request_for(session, world.resident, "DNOSUCH1", now=now)


def test_a_member_whose_role_was_taken_back_no_longer_reads(session, app_context):
    world = helpers.world(session)
    made = helpers.request(session, world)
    world.second.grants.clear()
    session.flush()
    with pytest.raises(NotFound):
        access.request_for(session, world.second, made.reference, now=helpers.TUESDAY_10AM)


def test_the_numbers_open_only_for_the_handling_archivist(session, app_context):
    world = helpers.world(session)
    made = helpers.request(session, world)
    assert made.requester_id_masked[4:14] == "*" * 10
    numbers = identity.reveal(session, world.archivist, made, now=helpers.TUESDAY_10AM,
                              key=helpers.SEAL_KEY)  # fmt: skip
    assert numbers.requester[-4:] == made.requester_id_masked[-4:]
    assert numbers.subject[-4:] == made.subject_id_masked[-4:]
    assert made.handler_id == world.archivist.id
    for other in (world.second, world.street_archivist, world.resident):
        with pytest.raises(NotFound):
            identity.reveal(session, other, made, now=helpers.TUESDAY_10AM, key=helpers.SEAL_KEY)


def test_an_assisting_archive_sees_only_the_persons_number_while_it_searches(session, app_context):
    from portal.archives import assists

    world = helpers.world(session)
    made = helpers.request(session, world)
    from portal.archives import review

    review.accept(
        session, world.archivist, made, settings=helpers.SETTINGS, now=helpers.TUESDAY_10AM
    )
    assists.pass_to(session, world.archivist, made, world.street_archive, "请查1983年登记",
                    settings=helpers.SETTINGS, now=helpers.TUESDAY_10AM)  # fmt: skip
    numbers = identity.reveal(session, world.street_archivist, made, now=helpers.TUESDAY_10AM,
                              key=helpers.SEAL_KEY)  # fmt: skip
    assert numbers.requester == made.requester_id_masked
    assert numbers.subject[-4:] == made.subject_id_masked[-4:] and "*" not in numbers.subject


def test_nobody_sees_the_numbers_whole_once_the_request_is_closed(session, app_context):
    from portal.archives import review

    world = helpers.world(session)
    made = helpers.request(session, world)
    review.refuse(session, world.archivist, made, "材料不符", settings=helpers.SETTINGS,
                  now=helpers.TUESDAY_10AM)  # fmt: skip
    assert not identity.may_reveal(session, world.archivist, made)
    with pytest.raises(NotFound):
        identity.reveal(
            session, world.archivist, made, now=helpers.TUESDAY_10AM, key=helpers.SEAL_KEY
        )


def test_a_colleague_takes_over_when_the_handler_leaves_the_archive(session, app_context):
    from portal.archives.models import ArchiveMember

    world = helpers.world(session)
    made = helpers.request(session, world)
    identity.reveal(session, world.archivist, made, now=helpers.TUESDAY_10AM, key=helpers.SEAL_KEY)
    assert not identity.may_reveal(session, world.second, made)
    session.delete(session.get(ArchiveMember, (world.archive.id, world.archivist.id)))
    session.flush()
    assert identity.may_reveal(session, world.second, made)
    identity.reveal(session, world.second, made, now=helpers.TUESDAY_10AM, key=helpers.SEAL_KEY)
    assert made.handler_id == world.second.id
