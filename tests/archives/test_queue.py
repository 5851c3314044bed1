"""An archive's queue, without HTTP: each tab holds what its name says, soonest due first (or
longest waiting, or newest closed), paged; rows come with their kind and archive in the same
queries however many there are; an archivist of several archives chooses one, and someone who
works none finds no queue."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.archives import answering, assists, queue, review
from portal.archives.models import Delivery, Outcome
from portal.archives.queue import Tab
from portal.errors import NotFound
from portal.permissions import Role
from tests import factories
from tests.archives import helpers
from tests.archives.helpers import SETTINGS, TUESDAY_10AM
from tests.archives.test_answering import LATER, answered

HOUR = timedelta(hours=1)


def tab(session, actor, shown: Tab, page: str | None = None, code: str | None = None):
    return queue.archive_queue(session, actor, code, shown.value, page)


def references(listing) -> list[str]:
    return [
        (item.request if hasattr(item, "request_id") else item).reference for item in listing.items
    ]


@contextmanager
def statements(session):
    """Count the SQL statements run on the test's connection."""
    ran: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        # The savepoints of a session joining the test's transaction are no queries.
        if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            ran.append(statement)

    engine = session.get_bind().engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield ran
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_each_tab_holds_its_requests_soonest_due_first(session, app_context):
    world = helpers.world(session)
    # Sent on Friday: due on Monday; on Tuesday: due on Wednesday.
    tuesday = helpers.request(session, world)
    friday = helpers.request(session, world, now=TUESDAY_10AM - timedelta(days=4))
    monday = helpers.request(session, world, now=TUESDAY_10AM - timedelta(days=1))
    to_answer = helpers.request(session, world)
    review.accept(session, world.archivist, to_answer, settings=SETTINGS, now=TUESDAY_10AM)
    waiting = helpers.request(session, world)
    review.ask_for_more(session, world.archivist, waiting, "请补充", settings=SETTINGS,
                        now=TUESDAY_10AM)  # fmt: skip
    elsewhere = helpers.request(session, world, archive_=world.street_archive)

    shown = tab(session, world.second, Tab.REVIEW)
    assert shown.archive == world.archive and shown.tab is Tab.REVIEW
    assert references(shown.listing) == [friday.reference, monday.reference, tuesday.reference]
    assert elsewhere.reference not in references(shown.listing)
    assert shown.counts == {Tab.REVIEW: 3, Tab.ANSWER: 1, Tab.WAITING: 1, Tab.ASSISTS: 0}
    assert shown.listing.total == 3 and shown.listing.pages == 1
    assert references(tab(session, world.second, Tab.ANSWER).listing) == [to_answer.reference]
    assert references(tab(session, world.second, Tab.WAITING).listing) == [waiting.reference]
    # Anything else asked for is the first tab.
    assert tab(session, world.second, Tab.REVIEW, "x").listing.number == 1
    assert queue.archive_queue(session, world.second, None, "nonsense", None).tab is Tab.REVIEW


def test_requests_passed_for_help_are_in_the_helping_archives_tab_until_answered(
    session, app_context
):
    world = helpers.world(session)
    early = helpers.request(session, world)
    review.accept(session, world.archivist, early, settings=SETTINGS, now=TUESDAY_10AM)
    later = helpers.request(session, world)
    review.accept(session, world.archivist, later, settings=SETTINGS, now=TUESDAY_10AM)
    late_assist = assists.pass_to(session, world.archivist, later, world.street_archive, "请查",
                                  settings=SETTINGS, now=TUESDAY_10AM + HOUR)  # fmt: skip
    assists.pass_to(session, world.archivist, early, world.street_archive, "请查",
                    settings=SETTINGS, now=TUESDAY_10AM - timedelta(days=1))  # fmt: skip
    shown = tab(session, world.street_archivist, Tab.ASSISTS)
    assert references(shown.listing) == [early.reference, later.reference]
    assert shown.counts[Tab.ASSISTS] == 2
    # The receiving archive's own queue still has them to answer.
    assert tab(session, world.archivist, Tab.ANSWER).counts[Tab.ASSISTS] == 0
    assists.answer_assist(session, world.street_archivist, late_assist, outcome=Outcome.NOT_FOUND,
                          file_number="", summary="", scans=[], settings=SETTINGS,
                          now=LATER)  # fmt: skip
    review.refuse(session, world.archivist, early, "申请人撤回", settings=SETTINGS, now=LATER)
    assert references(tab(session, world.street_archivist, Tab.ASSISTS).listing) == []


def test_paper_results_wait_to_be_posted_or_handed_over(session, app_context):
    world = helpers.world(session)
    to_post = answered(session, world, Delivery.POST)
    to_hand = answered(session, world, Delivery.PICKUP)
    online = answered(session, world, Delivery.ONLINE)
    posted = answered(session, world, Delivery.POST)
    answering.record_dispatch(session, world.archivist, posted, "EMS 1", now=LATER)
    withdrawn = answered(session, world, Delivery.POST)
    answering.withdraw_letter(
        session, world.archivist, withdrawn, "有误", settings=SETTINGS, now=LATER
    )
    shown = tab(session, world.archivist, Tab.DELIVER)
    assert references(shown.listing) == [to_post.reference, to_hand.reference]
    assert shown.listing.total is None
    assert online.reference not in references(shown.listing)


def test_closed_requests_newest_first_across_answers_and_refusals_paged(
    session, app_context, monkeypatch
):
    monkeypatch.setattr(queue, "PER_PAGE", 2)
    world = helpers.world(session)
    closed = []
    for hours in range(5):
        made = helpers.request(session, world)
        if hours % 2:
            review.refuse(session, world.archivist, made, "不予受理", settings=SETTINGS,
                          now=LATER + hours * HOUR)  # fmt: skip
        else:
            review.accept(session, world.archivist, made, settings=SETTINGS, now=TUESDAY_10AM)
            answering.record_result(session, world.archivist, made, outcome=Outcome.NOT_FOUND,
                                    file_number="", summary="", scans=[], settings=SETTINGS,
                                    now=LATER + hours * HOUR)  # fmt: skip
        closed.append(made.reference)
    newest = list(reversed(closed))
    pages = [tab(session, world.archivist, Tab.CLOSED, str(number)) for number in (1, 2, 3)]
    assert [references(page.listing) for page in pages] == [newest[:2], newest[2:4], newest[4:]]
    assert [page.listing.has_next for page in pages] == [True, True, False]
    assert pages[1].listing.has_previous and not pages[0].listing.has_previous


@pytest.mark.parametrize("shown", list(Tab))
def test_a_page_of_rows_takes_as_many_queries_as_a_page_of_one(session, app_context, shown):
    world = helpers.world(session)

    def add_row(number: int) -> None:
        # Rows of two kinds of record, from different residents.
        made = helpers.request(
            session, world, delivery=Delivery.POST, resident=factories.user(session),
            kind_code=("marriage", "schooling")[number % 2],
        )  # fmt: skip
        if shown is Tab.REVIEW:
            return
        if shown is Tab.WAITING:
            review.ask_for_more(session, world.archivist, made, "请补充", settings=SETTINGS,
                                now=TUESDAY_10AM)  # fmt: skip
            return
        review.accept(session, world.archivist, made, settings=SETTINGS, now=TUESDAY_10AM)
        if shown is Tab.ASSISTS:
            assists.pass_to(session, world.archivist, made, world.street_archive, "请查",
                            settings=SETTINGS, now=TUESDAY_10AM)  # fmt: skip
        elif shown in (Tab.DELIVER, Tab.CLOSED):
            answering.record_result(session, world.archivist, made, outcome=Outcome.NOT_FOUND,
                                    file_number="", summary="", scans=[], settings=SETTINGS,
                                    now=LATER)  # fmt: skip

    reader = world.street_archivist if shown is Tab.ASSISTS else world.archivist

    def queries(rows: int) -> int:
        # A session of its own, which has loaded nothing yet.
        reading = Session(bind=session.connection())
        with statements(session) as ran:
            listing = tab(reading, reader, shown).listing
            assert len(listing.items) == rows
            for item in listing.items:
                made = item.request if shown is Tab.ASSISTS else item
                # What a row shows: its kind, the archive it was sent to, whose it is.
                assert made.kind.name_zh and made.archive.name_zh and made.requester_name
        reading.close()
        return len(ran)

    add_row(0)
    # The archivist's archives, the counts of the open tabs and of the assists, the page.
    assert queries(1) == 4
    for number in range(1, 5):
        add_row(number)
    assert queries(5) == 4


def test_an_archivist_of_two_archives_chooses_and_nobody_else_has_a_queue(session, app_context):
    world = helpers.world(session)
    both = helpers.member(session, world.street_archive, world.archivist)
    shown = queue.archive_queue(session, both, "street-archive", "review", None)
    assert shown.archive == world.street_archive
    assert {archive.code for archive in shown.archives} == {"district-archive", "street-archive"}
    # The first by name, when none is asked for.
    assert queue.archive_queue(session, both, None, None, None).archive == shown.archives[0]
    with pytest.raises(NotFound):
        queue.archive_queue(session, both, "elsewhere-archive", None, None)
    for nobody in (
        world.resident,
        factories.user(session, Role.SECRETARY, world.tree.community),
        factories.user(session, Role.ADMIN, world.tree.district),
        # An archivist by role who is no archive's member.
        factories.user(session, Role.ARCHIVIST, world.tree.district),
    ):
        with pytest.raises(NotFound):
            queue.archive_queue(session, nobody, None, None, None)
    world.second.grants.clear()
    session.flush()
    with pytest.raises(NotFound):
        queue.archive_queue(session, world.second, None, None, None)


def test_an_archive_asked_to_help_opens_on_its_assists(session, app_context):
    from tests.archives.test_assists import passed

    world = helpers.world(session)
    passed(session, world)
    queue_ = queue.archive_queue(session, world.street_archivist, None, None, None)
    assert queue_.tab is queue.Tab.ASSISTS and len(queue_.listing.items) == 1
    assert queue.archive_queue(session, world.archivist, None, None, None).tab is queue.Tab.ANSWER
