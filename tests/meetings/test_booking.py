"""Booking a meeting, as the engine does it without HTTP: free times, refusals that say why and
offer the nearest free times, moving, cancelling, marking, and who may do each."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.errors import Forbidden, Invalid, NotFound
from portal.meetings import booking as engine
from portal.meetings import slots
from portal.meetings.models import (
    BookingEvent,
    BookingEventKind,
    BookingState,
    Closure,
    MeetingKind,
    Venue,
)
from portal.permissions import Role
from tests import factories
from tests.meetings.conftest import MONDAY_8AM, schedule_for, shanghai

pytestmark = pytest.mark.usefixtures("app_context")

RESIDENT = engine.Booker(phone="13800138000", name="李阿姨")
NEIGHBOUR = engine.Booker(phone="13900139000")


def starts(times) -> list:
    return [slot.start for slot in times]


def test_the_free_times_follow_the_plan_and_open_after_the_notice(session, schedule):
    free = engine.free_times(session, schedule, MONDAY_8AM, limit=9)
    assert starts(free) == [
        shanghai(7, 9, 0), shanghai(7, 9, 20), shanghai(7, 9, 40), shanghai(7, 10, 0),
        shanghai(7, 10, 20), shanghai(7, 10, 40), shanghai(7, 11, 0),
        shanghai(7, 14, 0), shanghai(7, 14, 20),
    ]  # fmt: skip
    later = engine.free_times(session, schedule, shanghai(7, 8, 45), limit=1)
    assert starts(later) == [shanghai(7, 9, 20)], "09:00 is within the 30 minutes' notice"
    saturday = engine.free_times(session, schedule, MONDAY_8AM, first=shanghai(12, 9).date())
    assert saturday[0].start == shanghai(14, 9), "no one receives at the weekend"


def test_a_booking_takes_its_time_and_the_buffer_around_it(session, schedule):
    made = engine.book(
        session, RESIDENT, schedule.id, shanghai(7, 9, 40), about="加装电梯", now=MONDAY_8AM
    )
    assert made.reference.startswith("M") and len(made.reference) == 8
    assert (made.starts_at, made.ends_at) == (shanghai(7, 9, 40), shanghai(7, 10, 0))
    assert made.state is BookingState.BOOKED and made.place_id == schedule.place_id
    free = starts(engine.free_times(session, schedule, MONDAY_8AM, limit=4))
    # 09:20 would end at 09:40 and 10:00 start as it ends: both inside the 10 minutes.
    assert free == [shanghai(7, 9, 0), shanghai(7, 10, 20), shanghai(7, 10, 40), shanghai(7, 11)]
    events = session.query(BookingEvent).filter_by(booking_id=made.id).all()
    assert [event.kind for event in events] == [BookingEventKind.BOOKED]


def test_a_time_taken_is_refused_with_the_nearest_free_ones(session, schedule):
    engine.book(session, RESIDENT, schedule.id, shanghai(7, 10, 0), now=MONDAY_8AM)
    with pytest.raises(engine.Unavailable) as taken:
        engine.book(session, NEIGHBOUR, schedule.id, shanghai(7, 10, 0), now=MONDAY_8AM)
    assert taken.value.refusal is slots.Refusal.TAKEN
    assert taken.value.message == "Someone has just booked that time."
    # The nearest, shown in time order: 09:00 ties with 11:00 and the earlier wins.
    assert starts(taken.value.offers) == [shanghai(7, 9), shanghai(7, 9, 20), shanghai(7, 10, 40)]
    with pytest.raises(engine.Unavailable) as close:
        engine.book(session, NEIGHBOUR, schedule.id, shanghai(7, 10, 20), now=MONDAY_8AM)
    assert close.value.refusal is slots.Refusal.BUFFER


@pytest.mark.parametrize(
    ("start", "refusal"),
    [
        (shanghai(4, 9, 0), slots.Refusal.PAST),
        (shanghai(7, 8, 20), slots.Refusal.PAST),
        (shanghai(7, 8, 20) + timedelta(minutes=20), slots.Refusal.TOO_SOON),
        (shanghai(30, 9, 0), slots.Refusal.BEYOND_HORIZON),
        (shanghai(12, 10, 0), slots.Refusal.CLOSED),
        (shanghai(7, 12, 0), slots.Refusal.CLOSED),
        (shanghai(7, 9, 10), slots.Refusal.NOT_A_SLOT),
    ],
)
def test_a_time_that_cannot_be_booked_says_why(session, schedule, start, refusal):
    now = shanghai(7, 8, 30)
    with pytest.raises(engine.Unavailable) as refused:
        engine.book(session, RESIDENT, schedule.id, start, now=now)
    assert refused.value.refusal is refusal
    assert refused.value.offers and all(offer.start >= now for offer in refused.value.offers)


def test_a_day_takes_no_more_than_its_cap(session, schedule):
    for hour in (9, 10, 11, 14, 15):
        booker = engine.Booker(phone=f"1380013{hour:04d}")
        engine.book(session, booker, schedule.id, shanghai(8, hour), now=MONDAY_8AM)
    with pytest.raises(engine.Unavailable) as full:
        engine.book(session, RESIDENT, schedule.id, shanghai(8, 16), now=MONDAY_8AM)
    assert full.value.refusal is slots.Refusal.FULL_DAY
    assert all(
        slots.local_date(offer.start) != shanghai(8, 9).date() for offer in full.value.offers
    )
    tuesday = engine.free_times(session, schedule, MONDAY_8AM, first=shanghai(8, 9).date())
    assert tuesday[0].start == shanghai(9, 9)


def test_leave_closes_the_host_s_days(session, schedule, secretary):
    session.add(Closure(host_id=secretary.id, first_day=shanghai(7, 9).date(),
                        last_day=shanghai(8, 9).date(), reason="年假"))  # fmt: skip
    session.flush()
    assert engine.free_times(session, schedule, MONDAY_8AM, limit=1)[0].start == shanghai(9, 9)
    with pytest.raises(engine.Unavailable) as closed:
        engine.book(session, RESIDENT, schedule.id, shanghai(8, 9), now=MONDAY_8AM)
    assert closed.value.refusal is slots.Refusal.CLOSED


def test_a_resident_holds_at_most_two_meetings_waiting(session, schedule):
    engine.book(session, RESIDENT, schedule.id, shanghai(7, 9), now=MONDAY_8AM)
    engine.book(session, RESIDENT, schedule.id, shanghai(8, 9), now=MONDAY_8AM)
    with pytest.raises(Invalid, match="You already have 2 meetings booked"):
        engine.book(session, RESIDENT, schedule.id, shanghai(9, 9), now=MONDAY_8AM)


def test_a_cancelled_time_is_free_again(session, schedule):
    made = engine.book(session, RESIDENT, schedule.id, shanghai(7, 10), now=MONDAY_8AM)
    engine.cancel(session, made, booker=RESIDENT, now=MONDAY_8AM)
    assert made.state is BookingState.CANCELLED and not made.is_live
    again = engine.book(session, NEIGHBOUR, schedule.id, shanghai(7, 10), now=MONDAY_8AM)
    assert again.is_live and again.starts_at == made.starts_at
    with pytest.raises(Invalid, match="can no longer be changed"):
        engine.cancel(session, made, booker=RESIDENT, now=MONDAY_8AM)


def test_a_resident_changes_their_meeting_until_the_notice_the_host_at_any_time(
    session, schedule, secretary
):
    made = engine.book(session, RESIDENT, schedule.id, shanghai(7, 10), now=MONDAY_8AM)
    made.reminded_day_before_at = MONDAY_8AM
    moved = engine.move(session, made, shanghai(8, 14), booker=RESIDENT, now=MONDAY_8AM)
    assert (moved.starts_at, moved.day) == (shanghai(8, 14), shanghai(8, 14).date())
    assert moved.reminded_day_before_at is None, "the reminders are for the new time"
    assert engine.free_times(session, schedule, MONDAY_8AM, limit=1)[0].start == shanghai(7, 9)
    late = shanghai(8, 13, 40)
    with pytest.raises(Invalid, match="too late to change"):
        engine.move(session, made, shanghai(9, 9), booker=RESIDENT, now=late)
    with pytest.raises(Invalid, match="too late to cancel"):
        engine.cancel(session, made, booker=RESIDENT, now=late)
    with pytest.raises(Invalid, match="Say why"):
        engine.cancel(session, made, actor=secretary, now=late)
    engine.cancel(session, made, actor=secretary, reason="临时开会", now=late)
    assert made.cancel_reason == "临时开会"
    kinds = [e.kind for e in session.query(BookingEvent).filter_by(booking_id=made.id)]
    assert kinds == [BookingEventKind.BOOKED, BookingEventKind.MOVED, BookingEventKind.CANCELLED]


def test_a_move_to_a_taken_time_keeps_the_booking_where_it_was(session, schedule):
    mine = engine.book(session, RESIDENT, schedule.id, shanghai(7, 10), now=MONDAY_8AM)
    engine.book(session, NEIGHBOUR, schedule.id, shanghai(7, 14), now=MONDAY_8AM)
    with pytest.raises(engine.Unavailable) as taken:
        engine.move(session, mine, shanghai(7, 14), booker=RESIDENT, now=MONDAY_8AM)
    assert taken.value.refusal is slots.Refusal.TAKEN and taken.value.offers
    assert mine.starts_at == shanghai(7, 10)


def test_the_host_marks_a_meeting_once_its_time_has_come(session, schedule, secretary):
    made = engine.book(session, RESIDENT, schedule.id, shanghai(7, 10), now=MONDAY_8AM)
    with pytest.raises(Invalid, match="once its time has come"):
        engine.mark(session, secretary, made, BookingState.HELD, now=MONDAY_8AM)
    engine.mark(session, secretary, made, BookingState.HELD, note=" 已答复 ", now=shanghai(7, 10))
    assert (made.state, made.outcome_note) == (BookingState.HELD, "已答复")
    with pytest.raises(Invalid):
        engine.cancel(session, made, actor=secretary, reason="x", now=shanghai(7, 11))


def test_only_the_resident_the_host_and_the_host_s_secretary_reach_a_booking(
    session, tree, schedule, secretary
):
    deputy_schedule_host = factories.user(session, Role.SECRETARY, tree.community, name="副")
    theirs = schedule_for(session, deputy_schedule_host, tree.community)
    made = engine.book(session, RESIDENT, theirs.id, shanghai(7, 10), now=MONDAY_8AM)
    ref = made.reference
    assert engine.get_booking(session, ref.lower(), booker=RESIDENT) is made
    assert engine.get_booking(session, ref, actor=deputy_schedule_host) is made
    assert engine.get_booking(session, ref, actor=secretary) is made, "the secretary leads"
    elsewhere = factories.user(session, Role.SECRETARY, tree.other_community)
    grid_worker = factories.user(session, Role.GRID_WORKER, tree.grid)
    for actor in (elsewhere, grid_worker):
        with pytest.raises(NotFound):
            engine.get_booking(session, ref, actor=actor)
        with pytest.raises(NotFound):
            engine.cancel(session, made, actor=actor, reason="x", now=MONDAY_8AM)
        with pytest.raises(NotFound):
            engine.mark(session, actor, made, BookingState.HELD, now=shanghai(7, 11))
    with pytest.raises(NotFound):
        engine.get_booking(session, ref, booker=NEIGHBOUR)
    with pytest.raises(NotFound):
        engine.move(session, made, shanghai(8, 9), booker=NEIGHBOUR, now=MONDAY_8AM)


def test_a_secretary_does_not_lead_the_legal_adviser_at_the_community(session, tree, secretary):
    adviser = factories.user(session, Role.LEGAL_ADVISER, tree.community)
    legal = schedule_for(session, adviser, tree.community, kind=MeetingKind.LEGAL)
    made = engine.book(session, RESIDENT, legal.id, shanghai(7, 10), now=MONDAY_8AM)
    assert engine.get_booking(session, made.reference, actor=adviser) is made
    with pytest.raises(NotFound):
        engine.get_booking(session, made.reference, actor=secretary)


def test_the_host_adds_a_walk_in_at_any_free_time_on_the_day(session, tree, schedule, secretary):
    walk_in = engine.book(
        session, RESIDENT, schedule.id, shanghai(7, 9, 5), now=shanghai(7, 9),
        actor=secretary, walk_in=True,
    )  # fmt: skip
    assert walk_in.walk_in and walk_in.starts_at == shanghai(7, 9, 5)
    with pytest.raises(engine.Unavailable):
        engine.book(session, NEIGHBOUR, schedule.id, shanghai(7, 9, 15), now=shanghai(7, 9),
                    actor=secretary, walk_in=True)  # fmt: skip
    resident_account = factories.user(session, Role.RESIDENT, tree.community)
    with pytest.raises(Forbidden):
        engine.book(session, NEIGHBOUR, schedule.id, shanghai(7, 10), now=shanghai(7, 9),
                    actor=resident_account, walk_in=True)  # fmt: skip


def test_many_hosts_free_times_are_read_in_three_queries(session, tree, schedule):
    from sqlalchemy import event

    hosts = [factories.user(session, Role.LEGAL_ADVISER, tree.community) for _ in range(4)]
    legal = [schedule_for(session, host, tree.community, kind=MeetingKind.LEGAL) for host in hosts]
    engine.book(session, RESIDENT, legal[1].id, shanghai(7, 10), now=MONDAY_8AM)
    session.flush()
    statements = []
    connection = session.connection()
    count = lambda *_args: statements.append(1)  # noqa: E731
    event.listen(connection, "before_cursor_execute", count)
    try:
        together = engine.free_times_of(session, [schedule, *legal], MONDAY_8AM)
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert len(statements) == 3
    for each in [schedule, *legal]:
        assert together[each.id] == engine.free_times(session, each, MONDAY_8AM)
    assert shanghai(7, 10) not in starts(together[legal[1].id])
    assert shanghai(7, 10) in starts(together[legal[0].id])


def test_a_resident_meets_a_host_once_a_day(session, schedule):
    first = engine.book(session, RESIDENT, schedule.id, shanghai(7, 9), now=MONDAY_8AM)
    with pytest.raises(
        Invalid, match=f"already have a meeting with this host that day .{first.reference}"
    ):
        engine.book(session, RESIDENT, schedule.id, shanghai(7, 14), now=MONDAY_8AM)
    # Another day, or once the first is cancelled, is fine.
    engine.book(session, RESIDENT, schedule.id, shanghai(8, 9), now=MONDAY_8AM)
    engine.cancel(session, first, booker=RESIDENT, now=MONDAY_8AM)
    engine.book(session, RESIDENT, schedule.id, shanghai(7, 14), now=MONDAY_8AM)


def test_moving_keeps_one_meeting_a_day_with_a_host(session, schedule):
    engine.book(session, RESIDENT, schedule.id, shanghai(7, 9), now=MONDAY_8AM)
    tuesday = engine.book(session, RESIDENT, schedule.id, shanghai(8, 9), now=MONDAY_8AM)
    with pytest.raises(Invalid, match="already have a meeting with this host that day"):
        engine.move(session, tuesday, shanghai(7, 14), booker=RESIDENT, now=MONDAY_8AM)
    engine.move(session, tuesday, shanghai(8, 14), booker=RESIDENT, now=MONDAY_8AM)


def test_a_legal_schedule_open_to_either_receives_its_bookings_at_the_centre(session, tree):
    adviser = factories.user(session, Role.LEGAL_ADVISER, tree.community)
    legal = schedule_for(session, adviser, tree.community, kind=MeetingKind.LEGAL,
                         venue=Venue.EITHER)  # fmt: skip
    made = engine.book(session, RESIDENT, legal.id, shanghai(7, 10), now=MONDAY_8AM)
    assert made.venue is Venue.CENTRE
