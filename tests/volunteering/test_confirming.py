"""A coordinator confirming hours after an activity: as recorded, corrected with a reason, all
at once, by hand with a reason; banked on the ledger at once for activities serving the
elderly (over the cap to the community's pool, and the volunteer texted), never for others;
a wrong confirmation reversed, and confirmed again."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.errors import Forbidden, Invalid
from portal.ledger import services as ledger
from portal.ledger.models import AccountKind, LedgerAccount, LedgerTransfer, Unit
from portal.permissions import Role
from portal.volunteering import checkin, confirming, timebank
from tests import factories
from tests.volunteering.attendance_world import AFTER, STARTS, attended, seat, world

pytestmark = pytest.mark.usefixtures("app_context")


@pytest.fixture
def w(session):
    made = world(session)
    made.sign_up.checked_in_at = STARTS - timedelta(minutes=10)
    made.sign_up.checked_out_at = STARTS + timedelta(minutes=100)  # 90 minutes recorded
    session.flush()
    return made


def balance_of(session, kind, *, user=None, place=None) -> int:
    owner = LedgerAccount.user_id == user.id if user else LedgerAccount.place_id == place.id
    found = session.scalar(
        select(LedgerAccount.balance).where(
            LedgerAccount.unit == Unit.MINUTES, LedgerAccount.kind == kind, owner
        )
    )
    return found or 0


def person(session, w, volunteer=None) -> int:
    return balance_of(session, AccountKind.PERSON, user=(volunteer or w.volunteer).user)


def actions(session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_confirming_as_recorded_banks_the_hours_from_the_district(session, w):
    confirming.confirm(session, w.coordinator, w.sign_up, now=AFTER)
    assert w.sign_up.confirmed_minutes == 90 and w.sign_up.confirmed_at == AFTER
    assert w.sign_up.confirmed_by_id == w.coordinator.id and not w.sign_up.recorded_by_hand
    assert person(session, w) == 90
    assert balance_of(session, AccountKind.ISSUER, place=w.tree.district) == -90
    transfer = ledger.transfer_about(
        session, "hours.banked", f"volunteering.sign_up:{w.sign_up.id}"
    )
    assert transfer is not None and transfer.memo == w.activity.title
    assert "volunteering.hours_confirmed" in actions(session)
    assert ledger.mismatches(session) == [] and ledger.unbalanced_transfers(session) == []


def test_confirming_twice_is_refused_and_banks_once(session, w):
    confirming.confirm(session, w.coordinator, w.sign_up, now=AFTER)
    with pytest.raises(Invalid, match="already confirmed"):
        confirming.confirm(session, w.coordinator, w.sign_up, now=AFTER)
    assert person(session, w) == 90


def test_a_correction_needs_a_reason_and_is_audited(session, w):
    with pytest.raises(Invalid, match="Say why"):
        confirming.confirm(session, w.coordinator, w.sign_up, minutes=120, now=AFTER)
    assert w.sign_up.confirmed_at is None and person(session, w) == 0
    confirming.confirm(session, w.coordinator, w.sign_up, minutes=120,
                       reason="签到晚了，实际全程参加", now=AFTER)  # fmt: skip
    assert w.sign_up.confirmed_minutes == 120 and w.sign_up.correction_reason
    assert person(session, w) == 120
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "volunteering.hours_corrected")
    ).one()
    assert event.details["recorded"] == 90 and event.details["minutes"] == 120


@pytest.mark.parametrize(
    ("minutes", "message"),
    [(45, "half hours"), (-30, "half hours"), (150, "at most 2 hours"), (True, "Choose the hours")],
)
def test_a_correction_must_be_whole_half_hours_within_the_worth(session, w, minutes, message):
    with pytest.raises(Invalid, match=message):
        confirming.confirm(session, w.coordinator, w.sign_up, minutes=minutes, reason="因为",
                           now=AFTER)  # fmt: skip
    assert w.sign_up.confirmed_at is None and person(session, w) == 0


def test_hours_are_confirmed_only_after_the_activity(session, w):
    with pytest.raises(Invalid, match="after the activity has ended"):
        confirming.confirm(session, w.coordinator, w.sign_up, now=STARTS + timedelta(hours=1))
    with pytest.raises(Invalid, match="after the activity has ended"):
        confirming.confirm_all(session, w.coordinator, w.activity, now=STARTS)


def test_confirm_all_confirms_those_recorded_and_leaves_the_rest(session, w):
    second = attended(session, w.activity, factories.volunteer(session, w.tree.community), 60)
    corrected = attended(session, w.activity, factories.volunteer(session, w.tree.community), 30)
    absent = seat(session, w.activity, factories.volunteer(session, w.tree.community))
    confirming.confirm(session, w.coordinator, corrected, minutes=60, reason="帮忙收拾到最后",
                       now=AFTER)  # fmt: skip
    done = confirming.confirm_all(session, w.coordinator, w.activity, now=AFTER)
    assert (done.confirmed, done.left) == (2, 1)
    assert [w.sign_up.confirmed_minutes, second.confirmed_minutes, corrected.confirmed_minutes,
            absent.confirmed_minutes] == [90, 60, 60, None]  # fmt: skip
    assert person(session, w, second.volunteer) == 60
    assert person(session, w, corrected.volunteer) == 60, "the correction is not banked again"
    assert balance_of(session, AccountKind.ISSUER, place=w.tree.district) == -210
    again = confirming.confirm_all(session, w.coordinator, w.activity, now=AFTER)
    assert (again.confirmed, again.left) == (0, 1)


def test_hours_by_hand_need_a_reason_and_are_marked_and_audited(session, w):
    absent = seat(session, w.activity, factories.volunteer(session, w.tree.community))
    with pytest.raises(Invalid, match="Nothing was recorded"):
        confirming.confirm(session, w.coordinator, absent, now=AFTER)
    with pytest.raises(Invalid, match="Say why"):
        confirming.record_by_hand(session, w.coordinator, absent, minutes=60, reason=" ",
                                  now=AFTER)  # fmt: skip
    confirming.record_by_hand(session, w.coordinator, absent, minutes=60,
                              reason="手机没电，无法扫码", now=AFTER)  # fmt: skip
    assert absent.recorded_by_hand and absent.confirmed_minutes == 60
    assert person(session, w, absent.volunteer) == 60
    assert "volunteering.hours_recorded_by_hand" in actions(session)


def test_a_correction_for_someone_with_no_check_in_is_by_hand(session, w):
    absent = seat(session, w.activity, factories.volunteer(session, w.tree.community))
    confirming.confirm(session, w.coordinator, absent, minutes=30, reason="到场但未签到",
                       now=AFTER)  # fmt: skip
    assert absent.recorded_by_hand


def test_by_hand_is_refused_for_someone_who_checked_in(session, w):
    with pytest.raises(Invalid, match="checked in"):
        confirming.record_by_hand(session, w.coordinator, w.sign_up, minutes=60, reason="x",
                                  now=AFTER)  # fmt: skip


def test_hours_of_an_activity_not_for_the_elderly_are_not_banked(session):
    w = world(session, serves_elderly=False)
    attended_one = attended(
        session, w.activity, factories.volunteer(session, w.tree.community), 120
    )
    confirming.confirm(session, w.coordinator, attended_one, now=AFTER)
    assert attended_one.confirmed_minutes == 120
    assert session.scalar(select(LedgerTransfer.id)) is None
    assert person(session, w, attended_one.volunteer) == 0


def test_hours_over_the_cap_go_to_the_pool_and_the_volunteer_is_texted(session, w, sms, app):
    cap = app.extensions[timebank.RULES].cap_minutes
    held = ledger.account(session, Unit.MINUTES, AccountKind.PERSON, user=w.volunteer.user,
                          cap=cap, now=STARTS)  # fmt: skip
    issuer = ledger.account(session, Unit.MINUTES, AccountKind.ISSUER, place=w.tree.district,
                            now=STARTS)  # fmt: skip
    ledger.post(session, w.coordinator, unit=Unit.MINUTES, kind="test.earlier",
                legs=[(issuer, -(cap - 30)), (held, cap - 30)], now=STARTS)  # fmt: skip
    confirming.confirm(session, w.coordinator, w.sign_up, now=AFTER)
    assert person(session, w) == cap
    assert balance_of(session, AccountKind.POOL, place=w.tree.community) == 60
    (message,) = sms.recent(w.volunteer.user.phone)
    assert message.kind == "volunteer_hours_donated" and message.params == {"minutes": 60}
    assert "互助池" in message.body or "pool" in message.body
    assert ledger.mismatches(session) == []


def test_all_over_the_cap_goes_to_the_pool(session, w, sms, app):
    rules = app.extensions[timebank.RULES]
    app.extensions[timebank.RULES] = replace(rules, cap_minutes=0)
    try:
        confirming.confirm(session, w.coordinator, w.sign_up, now=AFTER)
    finally:
        app.extensions[timebank.RULES] = rules
    assert person(session, w) == 0
    assert balance_of(session, AccountKind.POOL, place=w.tree.community) == 90
    assert len(sms.recent(w.volunteer.user.phone)) == 1


def test_a_wrong_confirmation_is_reversed_then_confirmed_again(session, w):
    confirming.confirm(session, w.coordinator, w.sign_up, minutes=120, reason="看错了",
                       now=AFTER)  # fmt: skip
    with pytest.raises(Invalid, match="Say why"):
        confirming.reverse_confirmation(session, w.coordinator, w.sign_up, reason="", now=AFTER)
    confirming.reverse_confirmation(session, w.coordinator, w.sign_up,
                                    reason="确认错了，应为一个半小时", now=AFTER)  # fmt: skip
    assert w.sign_up.confirmed_at is None and person(session, w) == 0
    transfers = session.scalars(select(LedgerTransfer).order_by(LedgerTransfer.id)).all()
    assert [t.kind for t in transfers] == ["hours.banked", "ledger.reversal"]
    assert transfers[1].reverses_id == transfers[0].id, "reversed, never edited or deleted"
    confirming.confirm(session, w.coordinator, w.sign_up, now=AFTER)
    assert person(session, w) == 90
    second = ledger.transfer_about(session, "hours.banked",
                                   f"volunteering.sign_up:{w.sign_up.id}:2")  # fmt: skip
    assert second is not None
    assert "volunteering.confirmation_reversed" in actions(session)
    assert ledger.mismatches(session) == [] and ledger.unbalanced_transfers(session) == []


def test_reversing_what_is_not_confirmed_is_refused(session, w):
    with pytest.raises(Invalid, match="nothing to undo"):
        confirming.reverse_confirmation(session, w.coordinator, w.sign_up, reason="x", now=AFTER)


def test_reversing_hours_not_banked_clears_the_record(session):
    w = world(session, serves_elderly=False)
    w.sign_up.checked_in_at, w.sign_up.checked_out_at = STARTS, STARTS + timedelta(hours=1)
    confirming.confirm(session, w.coordinator, w.sign_up, now=AFTER)
    confirming.reverse_confirmation(session, w.coordinator, w.sign_up, reason="错了", now=AFTER)
    assert w.sign_up.confirmed_minutes is None


@pytest.mark.parametrize("role", [None, Role.COORDINATOR])
def test_only_the_communitys_coordinators_confirm(session, w, role):
    other = factories.user(session, role, w.tree.other_community)
    with pytest.raises(Forbidden):
        confirming.confirm(session, other, w.sign_up, now=AFTER)
    with pytest.raises(Forbidden):
        confirming.confirm_all(session, other, w.activity, now=AFTER)
    with pytest.raises(Forbidden):
        confirming.record_by_hand(session, other, w.sign_up, minutes=30, reason="x", now=AFTER)
    confirming.confirm(session, w.coordinator, w.sign_up, now=AFTER)
    with pytest.raises(Forbidden):
        confirming.reverse_confirmation(session, other, w.sign_up, reason="x", now=AFTER)
    with pytest.raises(Forbidden):
        confirming.confirm(session, w.volunteer.user, w.sign_up, now=AFTER)
    assert person(session, w) == 90


def test_hours_spent_since_cannot_be_reversed(session, w):
    confirming.confirm(session, w.coordinator, w.sign_up, now=AFTER)
    held = ledger.account(session, Unit.MINUTES, AccountKind.PERSON, user=w.volunteer.user)
    pool = ledger.account(session, Unit.MINUTES, AccountKind.POOL, place=w.tree.community)
    ledger.post(session, w.volunteer.user, unit=Unit.MINUTES, kind="test.donated",
                legs=[(held, -60), (pool, 60)], now=AFTER)  # fmt: skip
    with pytest.raises(Invalid, match="not enough hours"):
        confirming.reverse_confirmation(session, w.coordinator, w.sign_up, reason="错了",
                                        now=AFTER)  # fmt: skip
    assert w.sign_up.confirmed_minutes == 90, "refused before the confirmation was touched"
    assert person(session, w) == 30


def test_only_time_scanned_by_the_volunteer_counts_as_credit_hours(session, w):
    """More time than the scans recorded, or a check-in by name, is the organiser's record: it
    is kept as hours recorded by hand, never added to the credit hours."""
    confirming.confirm(session, w.coordinator, w.sign_up, minutes=60, reason="中途离开", now=AFTER)
    assert not w.sign_up.recorded_by_hand, "less than scanned stays the volunteer's own"
    other = factories.volunteer(session, w.tree.community, name="王志愿")
    more = attended(session, w.activity, other, 30)
    confirming.confirm(session, w.coordinator, more, minutes=120, reason="签到晚了", now=AFTER)
    assert more.recorded_by_hand
    third = factories.volunteer(session, w.tree.community, name="赵志愿")
    by_name = seat(session, w.activity, third)
    checkin.check_in_by_name(session, w.coordinator, by_name, now=STARTS)
    checkin.check_out_by_name(session, w.coordinator, by_name, now=STARTS + timedelta(hours=1))
    confirming.confirm(session, w.coordinator, by_name, now=AFTER)
    assert by_name.confirmed_minutes == 60 and by_name.recorded_by_hand
    assert {"volunteering.checked_in_by_name", "volunteering.checked_out_by_name"} <= set(
        actions(session)
    )
