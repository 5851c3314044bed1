"""Check-in and check-out by the activity's rotating QR code, and by name: tokens valid in
their window and the one before and no longer, another activity's or a tampered token
refused, the five-minute grace for the session that scanned, and check-out before check-in."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.errors import Forbidden, Invalid, NotFound
from portal.permissions import Role
from portal.volunteering import checkin
from portal.volunteering.checkin import Scanned
from tests import factories
from tests.volunteering.attendance_world import STARTS, seat, world

pytestmark = pytest.mark.usefixtures("app_context")

AT = STARTS + timedelta(minutes=2)


@pytest.fixture
def w(session):
    return world(session)


def scan(session, w, token, now, **kwargs):
    return checkin.scan(session, w.volunteer.user, w.activity, token=token, now=now, **kwargs)


def test_a_fresh_token_checks_in_then_a_later_scan_checks_out(session, w):
    outcome, sign_up = scan(session, w, checkin.make_token(w.activity, AT), AT)
    assert outcome is Scanned.CHECKED_IN and sign_up.checked_in_at == AT
    assert sign_up.checked_in_by_id is None, "by scanning, not by a coordinator"
    later = AT + timedelta(hours=1, minutes=40)
    outcome, sign_up = scan(session, w, checkin.make_token(w.activity, later), later)
    assert outcome is Scanned.CHECKED_OUT and sign_up.checked_out_at == later


def test_a_second_scan_within_minutes_asks_instead_of_checking_out(session, w):
    scan(session, w, checkin.make_token(w.activity, AT), AT)
    soon = AT + timedelta(minutes=2)
    outcome, sign_up = scan(session, w, checkin.make_token(w.activity, soon), soon)
    assert outcome is Scanned.STILL_IN and sign_up.checked_out_at is None
    checkin.check_out(session, w.volunteer.user, w.activity,
                      token=checkin.make_token(w.activity, soon), now=soon)  # fmt: skip
    assert sign_up.checked_out_at == soon


def test_the_token_of_the_window_before_still_works_at_the_edge(session, w):
    edge = STARTS + timedelta(seconds=29)
    token = checkin.make_token(w.activity, edge)
    outcome, _ = scan(session, w, token, edge + timedelta(seconds=2))
    assert outcome is Scanned.CHECKED_IN


@pytest.mark.parametrize("seconds_later", [60, 90, 3600])
def test_an_expired_token_is_refused(session, w, seconds_later):
    token = checkin.make_token(w.activity, AT)
    with pytest.raises(Invalid, match="expired"):
        scan(session, w, token, AT + timedelta(seconds=seconds_later))
    assert w.sign_up.checked_in_at is None


def test_a_token_from_a_later_window_is_refused(session, w):
    token = checkin.make_token(w.activity, AT + timedelta(minutes=1))
    with pytest.raises(Invalid, match="expired"):
        scan(session, w, token, AT)


def test_another_activitys_token_is_refused(session, w):
    other = factories.activity(session, w.tree.community, starts_at=STARTS)
    with pytest.raises(Invalid, match="not a check-in code"):
        scan(session, w, checkin.make_token(other, AT), AT)
    # Its id put in front of this activity's signature fails the signature.
    forged = checkin.make_token(w.activity, AT).replace(str(w.activity.id), str(other.id), 1)
    with pytest.raises(Invalid, match="not a check-in code"):
        checkin.scan(session, w.volunteer.user, other, token=forged, now=AT)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature changed
        lambda t: "-".join([t.split("-")[0], str(int(t.split("-")[1]) + 1), t.split("-")[2]]),
        # Signature removed (it may hold a "-" itself: cut after the first two parts).
        lambda t: "-".join(t.split("-")[:2]) + "-",
    ],
)
def test_a_tampered_token_is_refused(session, w, tamper):
    with pytest.raises(Invalid):
        scan(session, w, tamper(checkin.make_token(w.activity, AT)), AT)
    assert w.sign_up.checked_in_at is None


@pytest.mark.parametrize("token", ["", "abc", "1", "x-1-abc", "0-1-a", "9" * 90])
def test_something_that_is_not_a_token_is_not_found(session, token):
    with pytest.raises(NotFound):
        checkin.activity_of_token(session, token)


def test_a_scan_kept_by_the_session_is_honoured_for_five_minutes(session, w):
    token = checkin.make_token(w.activity, AT)
    four_minutes = AT + timedelta(minutes=4, seconds=50)
    outcome, _ = scan(session, w, token, four_minutes, scanned_at=AT)
    assert outcome is Scanned.CHECKED_IN


def test_the_grace_ends_after_five_minutes(session, w):
    token = checkin.make_token(w.activity, AT)
    with pytest.raises(Invalid, match="expired"):
        scan(session, w, token, AT + timedelta(minutes=5, seconds=10), scanned_at=AT)


def test_the_grace_is_for_the_token_that_was_scanned_in_its_window(session, w):
    old = checkin.make_token(w.activity, AT - timedelta(minutes=3))
    with pytest.raises(Invalid, match="expired"):
        scan(session, w, old, AT + timedelta(minutes=1), scanned_at=AT)


def test_check_out_before_check_in_is_refused(session, w):
    with pytest.raises(Invalid, match="Not checked in yet"):
        checkin.check_out(session, w.volunteer.user, w.activity,
                          token=checkin.make_token(w.activity, AT), now=AT)  # fmt: skip
    assert w.sign_up.checked_out_at is None


def test_a_volunteer_without_a_seat_is_told_so(session, w):
    stranger = factories.volunteer(session, w.tree.community, name="赵路人")
    with pytest.raises(Invalid, match="do not have a seat"):
        checkin.scan(session, stranger.user, w.activity,
                     token=checkin.make_token(w.activity, AT), now=AT)  # fmt: skip
    resident = factories.user(session)
    with pytest.raises(Invalid, match="do not have a seat"):
        checkin.scan(session, resident, w.activity,
                     token=checkin.make_token(w.activity, AT), now=AT)  # fmt: skip


def test_check_in_closes_when_the_activity_ends(session, w):
    late = STARTS + timedelta(hours=2, minutes=1)
    with pytest.raises(Invalid, match="over"):
        scan(session, w, checkin.make_token(w.activity, late), late)
    early = STARTS - timedelta(hours=2)
    with pytest.raises(Invalid, match="opens an hour before"):
        scan(session, w, checkin.make_token(w.activity, early), early)


def test_a_coordinator_checks_in_and_out_by_name(session, w):
    checkin.check_in_by_name(session, w.coordinator, w.sign_up, now=AT)
    assert w.sign_up.checked_in_by_id == w.coordinator.id
    with pytest.raises(Invalid, match="Already checked in"):
        checkin.check_in_by_name(session, w.coordinator, w.sign_up, now=AT)
    checkin.check_out_by_name(session, w.coordinator, w.sign_up, now=AT + timedelta(hours=1))
    assert w.sign_up.checked_out_by_id == w.coordinator.id
    assert w.sign_up.checked_out_at == AT + timedelta(hours=1)


def test_check_out_by_name_before_check_in_is_refused(session, w):
    with pytest.raises(Invalid, match="Not checked in yet"):
        checkin.check_out_by_name(session, w.coordinator, w.sign_up, now=AT)


def test_a_coordinator_of_another_community_may_not_check_in(session, w):
    other = factories.user(session, Role.COORDINATOR, w.tree.other_community)
    with pytest.raises(Forbidden):
        checkin.check_in_by_name(session, other, w.sign_up, now=AT)
    volunteer = w.volunteer.user
    with pytest.raises(Forbidden):
        checkin.check_in_by_name(session, volunteer, w.sign_up, now=AT)
    assert w.sign_up.checked_in_at is None


def test_a_secretary_coordinates_too(session, w):
    secretary = factories.user(session, Role.SECRETARY, w.tree.community)
    other = factories.volunteer(session, w.tree.community, name="钱志愿")
    made = checkin.check_in_by_name(session, secretary, seat(session, w.activity, other), now=AT)
    assert made.checked_in_at == AT and made.checked_in_by_id == secretary.id
