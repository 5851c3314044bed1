"""The receiving archive's review, without HTTP and with time passed in: accepting starts the
answer clock (across the National Day holiday and its make-up Saturday), asking for more
documents stops the clock until they come, refusing closes the request with the reason the
resident reads; a second tap is told the request moved on; bad input changes nothing; and
only the receiving archive's archivists may act."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.archives import clocks, review, steps
from portal.archives.models import ArchiveRequest, RequestState, StepKind
from portal.audit.models import AuditEvent
from portal.errors import Invalid, NotFound
from portal.permissions import Role
from tests import factories
from tests.archives import helpers
from tests.archives.helpers import SETTINGS, TUESDAY_10AM


def shanghai(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour - 8, 0, tzinfo=UTC)


def end_of(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 15, 59, 59, 999999, tzinfo=UTC)


def documents_arrive(session, made: ArchiveRequest, now: datetime) -> None:
    """What the resident's side does when the documents asked for come (follow_up.
    add_documents, by the contract between the parts): the clock runs again with the working
    days it had left."""
    made.state = RequestState.ACCEPTED if made.accepted_at else RequestState.SUBMITTED
    made.due_at = clocks.resumed_due(session, made.days_left or 0, now)
    made.days_left = None
    steps.record_step(session, made, StepKind.DOCUMENTS_ADDED, actor=made.user, now=now)


def actions(session, world, made):
    """Each action of the review, by `actor`, as a function of the actor."""
    return {
        "accept": lambda actor: review.accept(session, actor, made, settings=SETTINGS,
                                              now=TUESDAY_10AM),
        "ask_for_more": lambda actor: review.ask_for_more(session, actor, made, "请补充户口簿",
                                                          settings=SETTINGS, now=TUESDAY_10AM),
        "refuse": lambda actor: review.refuse(session, actor, made, "不符合查档条件",
                                              settings=SETTINGS, now=TUESDAY_10AM),
    }  # fmt: skip


def audited(session, made) -> list[str]:
    return list(
        session.scalars(
            select(AuditEvent.action)
            .where(
                AuditEvent.target_type == "archive_requests", AuditEvent.target_id == str(made.id)
            )
            .order_by(AuditEvent.id)
        )
    )


def test_accepting_starts_the_answer_clock_across_the_national_day_holiday(session, app_context):
    world = helpers.world(session)
    made = helpers.request(session, world, now=shanghai(2026, 9, 29))
    # Accepted on Wednesday 30 September 2026: 1–7 October are off; Saturday 10 October is a
    # make-up working day, the third.
    review.accept(session, world.second, made, settings=SETTINGS, now=shanghai(2026, 9, 30))
    assert made.state is RequestState.ACCEPTED
    assert made.accepted_at == shanghai(2026, 9, 30)
    assert made.due_at == end_of(2026, 10, 10)
    # The first to act handles it: the one who may see the ID numbers whole.
    assert made.handler_id == world.second.id
    assert [step.kind for step in steps.history(session, made)] == [
        StepKind.SENT,
        StepKind.ACCEPTED,
    ]
    assert audited(session, made) == ["archives.request.accepted"]


def test_asking_for_more_on_tuesday_stops_the_clock_until_monday_keeping_its_days(
    session, app_context, sms
):
    world = helpers.world(session)
    made = helpers.request(session, world)
    review.accept(session, world.archivist, made, settings=SETTINGS, now=TUESDAY_10AM)
    assert made.due_at == end_of(2026, 11, 27)  # Wednesday, Thursday, Friday
    later = shanghai(2026, 11, 24, 15)
    review.ask_for_more(session, world.archivist, made, "  请补充您与父亲关系的户口簿页。 ",
                        settings=SETTINGS, now=later)  # fmt: skip
    assert made.state is RequestState.AWAITING_DOCUMENTS
    assert made.due_at is None and made.days_left == 3
    assert made.more_asked == "请补充您与父亲关系的户口簿页。"
    text = sms.recent(world.resident.phone)[0]
    assert text.kind == "archives_more_documents"
    assert f"https://portal.example/archives/requests/{made.reference}" in text.body
    assert steps.history(session, made)[-1].note == made.more_asked

    # The documents come the next Monday: Tuesday, Wednesday, Thursday.
    documents_arrive(session, made, shanghai(2026, 11, 30))
    assert made.state is RequestState.ACCEPTED
    assert made.due_at == end_of(2026, 12, 3)


def test_a_request_sent_back_before_review_is_reviewed_again_when_the_documents_come(
    session, app_context
):
    world = helpers.world(session)
    made = helpers.request(session, world)  # Tuesday: to review by the end of Wednesday
    review.ask_for_more(session, world.archivist, made, "请补充死亡证明", settings=SETTINGS,
                        now=TUESDAY_10AM)  # fmt: skip
    assert made.days_left == 1
    documents_arrive(session, made, shanghai(2026, 11, 30))
    assert made.state is RequestState.SUBMITTED
    assert made.due_at == end_of(2026, 12, 1)
    review.accept(session, world.archivist, made, settings=SETTINGS, now=shanghai(2026, 12, 1))
    assert made.due_at == end_of(2026, 12, 4)


def test_refusing_closes_the_request_with_the_reason_the_resident_reads(session, app_context, sms):
    world = helpers.world(session)
    made = helpers.request(session, world)
    review.ask_for_more(session, world.archivist, made, "请补充委托书", settings=SETTINGS,
                        now=TUESDAY_10AM)  # fmt: skip
    # Waiting for documents is still open: it may be refused.
    review.refuse(session, world.second, made, "委托书不是本人签字，无法受理。", settings=SETTINGS,
                  now=shanghai(2026, 11, 26))  # fmt: skip
    assert made.state is RequestState.REFUSED
    assert made.refusal_reason == "委托书不是本人签字，无法受理。"
    assert made.closed_at == shanghai(2026, 11, 26)
    assert made.due_at is None and made.days_left is None
    assert sms.recent(world.resident.phone)[0].kind == "archives_refused"
    assert steps.history(session, made)[-1].note == made.refusal_reason
    # The first archivist handles it still.
    assert made.handler_id == world.archivist.id
    assert audited(session, made) == [
        "archives.request.more_asked",
        "archives.request.refused",
    ]


def test_a_second_tap_or_a_colleagues_action_is_told_the_request_moved_on(session, app_context):
    world = helpers.world(session)
    made = helpers.request(session, world)
    review.accept(session, world.archivist, made, settings=SETTINGS, now=TUESDAY_10AM)
    with pytest.raises(Invalid, match="This request has moved on"):
        review.accept(session, world.second, made, settings=SETTINGS, now=TUESDAY_10AM)
    review.refuse(session, world.archivist, made, "查无此人", settings=SETTINGS, now=TUESDAY_10AM)
    for action in ("accept", "ask_for_more", "refuse"):
        with pytest.raises(Invalid, match="moved on"):
            actions(session, world, made)[action](world.second)
    assert made.state is RequestState.REFUSED and made.refusal_reason == "查无此人"


@pytest.mark.parametrize(
    ("call", "field", "message"),
    [
        ("more", "", "Say which document is missing"),
        ("more", "户", "Say which document is missing"),
        ("more", "户" * 301, "within 300 characters"),
        ("refuse", "   ", "Give the reason"),
        ("refuse", "因" * 501, "within 500 characters"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_changes_nothing(
    session, app_context, sms, call, field, message
):
    world = helpers.world(session)
    made = helpers.request(session, world)
    due = made.due_at
    with pytest.raises(Invalid, match=message) as refused:
        if call == "more":
            review.ask_for_more(session, world.archivist, made, field, settings=SETTINGS,
                                now=TUESDAY_10AM)  # fmt: skip
        else:
            review.refuse(session, world.archivist, made, field, settings=SETTINGS,
                          now=TUESDAY_10AM)  # fmt: skip
    assert refused.value.details["field"] == ("note" if call == "more" else "reason")
    assert made.state is RequestState.SUBMITTED and made.due_at == due
    assert made.handler_id is None and sms.recent(world.resident.phone) == []


def test_only_the_receiving_archives_archivists_review(session, app_context):
    world = helpers.world(session)
    made = helpers.request(session, world)
    strangers = {
        "another archive's archivist": world.street_archivist,
        "another district's archivist": world.elsewhere,
        "a secretary": factories.user(session, Role.SECRETARY, world.tree.community),
        "a grid worker": factories.user(session, Role.GRID_WORKER, world.tree.grid),
        "an administrator": factories.user(session, Role.ADMIN, world.tree.district),
        "the resident": world.resident,
    }
    for who, stranger in strangers.items():
        for name, action in actions(session, world, made).items():
            with pytest.raises(NotFound, match="no such archive request"):
                action(stranger)
                pytest.fail(f"{who} could {name}")
    assert made.state is RequestState.SUBMITTED and made.handler_id is None
    assert audited(session, made) == []
