"""Giving and donating stored hours without HTTP: declaring a relative, a coordinator's decision
(recorded, audited, texted), gifts in half hours to confirmed relatives only, the relative's
cap, donations to the pool, and every refusal leaving the ledger as it was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.errors import Forbidden, Invalid, NotFound
from portal.ledger import services as ledger
from portal.ledger.models import LedgerMovement, LedgerTransfer, Unit
from portal.notifications.models import SmsMessage
from portal.permissions import SYSTEM, Role
from portal.volunteering import giving, timebank
from portal.volunteering.models import (
    Evidence,
    Kinship,
    Relative,
    RelativeState,
    SignUp,
    SignUpState,
    VolunteerState,
)
from portal.volunteering.timebank import TimeBankRules
from tests import factories

pytestmark = pytest.mark.usefixtures("app_context")

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
RULES = TimeBankRules(cap_minutes=600)


@pytest.fixture
def tree(session):
    return factories.tree(session)


@pytest.fixture
def coordinator(session, tree):
    return factories.user(session, Role.COORDINATOR, tree.community, name="协调员")


@pytest.fixture
def volunteer(session, tree):
    return factories.volunteer(session, tree.community, name="张三丰")


def bank(session, user, minutes, community, *, title="陪伴独居老人", rules=RULES, now=NOW):
    """Bank `minutes` for `user` as a confirmed attendance does: a sign-up at an activity
    serving the elderly, confirmed, and a transfer from the district's issuer."""
    volunteer = session.scalar(
        select(factories.Volunteer).where(factories.Volunteer.user_id == user.id)
    )
    activity = factories.activity(
        session, community, starts_at=now - timedelta(days=2), title=title
    )
    sign_up = SignUp(
        activity_id=activity.id, volunteer_id=volunteer.id, state=SignUpState.SEATED,
        signed_up_at=now - timedelta(days=3), confirmed_minutes=minutes, confirmed_at=now,
    )  # fmt: skip
    session.add(sign_up)
    session.flush()
    issuer = timebank.issuer_account(session, community, now=now)
    own = timebank.person_account(session, user, rules, now=now)
    ledger.post(
        session, SYSTEM, unit=Unit.MINUTES, kind=timebank.BANKED,
        legs=[(issuer, -minutes), (own, minutes)], subject=f"volunteering.sign_up:{sign_up.id}",
        now=now,
    )  # fmt: skip
    return sign_up


relative = factories.relative


def held(session, user) -> int:
    return timebank.person_account(session, user, RULES, now=NOW).balance


def ledger_size(session) -> tuple[int, int]:
    return (
        session.scalar(select(func.count()).select_from(LedgerTransfer)),
        session.scalar(select(func.count()).select_from(LedgerMovement)),
    )


def texts_to(session, phone) -> list[SmsMessage]:
    return list(session.scalars(select(SmsMessage).where(SmsMessage.phone == phone)))


# --- declaring and deciding ------------------------------------------------------------------


def test_a_volunteer_declares_a_parent_whose_account_is_made_by_phone(session, volunteer):
    made = giving.declare_relative(
        session, volunteer.user, kinship="parent", name=" 李秀英 ", phone="１３８ ００１３ ８０００",
        now=NOW,
    )  # fmt: skip
    assert (made.kinship, made.name, made.state) == (
        Kinship.PARENT,
        "李秀英",
        RelativeState.DECLARED,
    )
    assert made.user.phone == "13800138000"
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "volunteering.relative_declare")
    ).one()
    assert event.details["phone"] == "138****8000"


def test_a_relative_with_an_account_already_keeps_it(session, volunteer):
    existing = factories.user(session, name="李秀英")
    made = giving.declare_relative(session, volunteer.user, kinship="spouse", name="李秀英",
                                   phone=existing.phone, now=NOW)  # fmt: skip
    assert made.user_id == existing.id
    assert (
        session.scalar(select(func.count()).select_from(User).where(User.phone == existing.phone))
        == 1
    )


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kinship": "friend"}, "kinship"),
        ({"kinship": ""}, "kinship"),
        ({"name": "  "}, "name"),
        ({"name": "李" * 31}, "name"),
        ({"phone": "12345"}, "phone"),
        ({"phone": "abc"}, "phone"),
    ],
)
def test_a_declaration_with_a_wrong_value_is_refused_on_its_field(
    session, volunteer, values, field
):
    before = session.scalar(select(func.count()).select_from(Relative))
    with pytest.raises(Invalid) as refused:
        giving.declare_relative(session, volunteer.user, **({"kinship": "parent", "name": "李秀英",
                                "phone": "13800138000"} | values), now=NOW)  # fmt: skip
    assert refused.value.details["field"] == field
    assert session.scalar(select(func.count()).select_from(Relative)) == before


def test_every_mistake_of_a_declaration_is_refused_at_once(session, volunteer):
    with pytest.raises(Invalid) as caught:
        giving.declare_relative(session, volunteer.user, kinship="cousin", name="",
                                phone=volunteer.user.phone, now=NOW)  # fmt: skip
    assert [each.details["field"] for each in caught.value.problems] == ["kinship", "name", "phone"]
    assert session.scalar(select(func.count()).select_from(Relative)) == 0


def test_a_district_that_allows_only_parents_refuses_a_spouse(session, volunteer):
    with pytest.raises(Invalid):
        giving.declare_relative(session, volunteer.user, kinship="spouse", name="李秀英",
                                phone="13800138000", allowed={Kinship.PARENT}, now=NOW)  # fmt: skip
    assert giving.kinships_from_config({"TIME_BANK_RELATIVES": ["parent"]}) == {Kinship.PARENT}
    assert giving.kinships_from_config({}) == set(Kinship)


def test_never_oneself_and_never_twice(session, volunteer):
    with pytest.raises(Invalid, match="own number"):
        giving.declare_relative(session, volunteer.user, kinship="parent", name="张三丰",
                                phone=volunteer.user.phone, now=NOW)  # fmt: skip
    giving.declare_relative(session, volunteer.user, kinship="parent", name="李秀英",
                            phone="13800138000", now=NOW)  # fmt: skip
    with pytest.raises(Invalid, match="already"):
        giving.declare_relative(session, volunteer.user, kinship="parent", name="李秀英",
                                phone="13800138000", now=NOW)  # fmt: skip


def test_only_approved_volunteers_declare(session, tree):
    applied = factories.volunteer(session, tree.community, state=VolunteerState.APPLIED)
    for actor in (applied.user, factories.user(session)):
        with pytest.raises(Forbidden):
            giving.declare_relative(session, actor, kinship="parent", name="李秀英",
                                    phone="13800138000", now=NOW)  # fmt: skip


def test_a_coordinator_confirms_having_seen_the_register_and_the_volunteer_is_texted(
    session, volunteer, coordinator
):
    made = relative(session, volunteer, state=RelativeState.DECLARED)
    assert giving.waiting_relatives(session, coordinator, volunteer.community) == [made]
    giving.confirm_relative(session, coordinator, made, evidence="household_register", now=NOW)
    assert (made.state, made.evidence, made.decided_by_id) == (
        RelativeState.CONFIRMED, Evidence.HOUSEHOLD_REGISTER, coordinator.id,
    )  # fmt: skip
    assert [m.kind for m in texts_to(session, volunteer.user.phone)] == [
        "time_bank_relative_confirmed"
    ]
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "volunteering.relative_confirm")
    ).one()
    assert event.details == {"evidence": "household_register"}
    assert giving.waiting_relatives(session, coordinator, volunteer.community) == []
    with pytest.raises(Invalid, match="decided"):
        giving.refuse_relative(session, coordinator, made, reason="看错了", now=NOW)


def test_a_refusal_needs_a_reason_is_texted_and_may_be_declared_again(
    session, volunteer, coordinator
):
    made = relative(session, volunteer, state=RelativeState.DECLARED)
    with pytest.raises(Invalid) as refused:
        giving.refuse_relative(session, coordinator, made, reason=" ", now=NOW)
    assert refused.value.details["field"] == "reason"
    with pytest.raises(Invalid) as refused:
        giving.confirm_relative(session, coordinator, made, evidence="hearsay", now=NOW)
    assert refused.value.details["field"] == "evidence"
    giving.refuse_relative(session, coordinator, made, reason="户口簿上的姓名不同", now=NOW)
    assert (made.state, made.refuse_reason) == (RelativeState.REFUSED, "户口簿上的姓名不同")
    (text,) = texts_to(session, volunteer.user.phone)
    assert text.kind == "time_bank_relative_refused" and "户口簿上的" in text.body
    again = giving.declare_relative(session, volunteer.user, kinship="parent", name="李秀英",
                                    phone=made.user.phone, now=NOW)  # fmt: skip
    assert (again.id, again.state, again.refuse_reason) == (made.id, RelativeState.DECLARED, None)


def test_another_communitys_coordinator_may_not_decide(session, tree, volunteer):
    other = factories.user(session, Role.COORDINATOR, tree.other_community)
    made = relative(session, volunteer, state=RelativeState.DECLARED)
    with pytest.raises(Forbidden):
        giving.confirm_relative(session, other, made, evidence="certificate", now=NOW)
    with pytest.raises(Forbidden):
        giving.waiting_relatives(session, other, tree.community)
    assert made.state is RelativeState.DECLARED


# --- giving ----------------------------------------------------------------------------------


def test_a_gift_moves_half_hours_to_the_relative_who_is_texted(session, tree, volunteer):
    bank(session, volunteer.user, 300, tree.community)
    parent = relative(session, volunteer)
    transfer = giving.give_hours(session, volunteer.user, parent, minutes=90, rules=RULES, now=NOW)
    assert transfer.kind == timebank.GIVEN
    assert (held(session, volunteer.user), held(session, parent.user)) == (210, 90)
    (text,) = texts_to(session, parent.user.phone)
    # From their own family: named whole, with where to see it.
    assert text.kind == "time_bank_hours_received" and "张三丰" in text.body and "1.5" in text.body
    assert text.body.endswith("/volunteering/hours")
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "volunteering.give")
    ).one()
    assert event.details == {"minutes": 90, "transfer": transfer.id}
    assert ledger.mismatches(session) == []


@pytest.mark.parametrize("minutes", [0, -30, 45, 1.5, 90.0, True, 31])
def test_an_amount_not_in_whole_half_hours_above_zero_is_refused(session, tree, volunteer, minutes):
    bank(session, volunteer.user, 300, tree.community)
    parent = relative(session, volunteer)
    before = ledger_size(session)
    with pytest.raises(Invalid) as refused:
        giving.give_hours(session, volunteer.user, parent, minutes=minutes, rules=RULES, now=NOW)
    assert refused.value.details["field"] == "hours"
    assert ledger_size(session) == before
    assert texts_to(session, parent.user.phone) == []


@pytest.mark.parametrize("state", [RelativeState.DECLARED, RelativeState.REFUSED])
def test_nothing_is_given_to_an_unconfirmed_relative(session, tree, volunteer, state):
    bank(session, volunteer.user, 300, tree.community)
    parent = relative(session, volunteer, state=state)
    before = ledger_size(session)
    with pytest.raises(Invalid, match="not confirmed"):
        giving.give_hours(session, volunteer.user, parent, minutes=60, rules=RULES, now=NOW)
    assert ledger_size(session) == before


def test_more_than_held_is_refused_saying_how_much_is_held(session, tree, volunteer):
    bank(session, volunteer.user, 150, tree.community)
    parent = relative(session, volunteer)
    before = ledger_size(session)
    with pytest.raises(Invalid, match=r"You hold 2\.5 hours"):
        giving.give_hours(session, volunteer.user, parent, minutes=180, rules=RULES, now=NOW)
    assert ledger_size(session) == before
    assert held(session, volunteer.user) == 150


def test_a_gift_over_the_relatives_cap_is_refused_saying_how_much_fits(session, tree, volunteer):
    bank(session, volunteer.user, 300, tree.community)
    parent = relative(session, volunteer)
    own = factories.volunteer(session, tree.other_community, user=parent.user, name="李秀英")
    bank(session, own.user, 540, tree.other_community)
    before = ledger_size(session)
    with pytest.raises(Invalid, match="at most 10 hours, so they can take 1 more"):
        giving.give_hours(session, volunteer.user, parent, minutes=90, rules=RULES, now=NOW)
    assert ledger_size(session) == before
    giving.give_hours(session, volunteer.user, parent, minutes=60, rules=RULES, now=NOW)
    assert held(session, parent.user) == 600


def test_only_the_volunteer_who_declared_gives_to_the_relative(session, tree, volunteer):
    parent = relative(session, volunteer)
    other = factories.volunteer(session, tree.community, name="王五")
    bank(session, other.user, 300, tree.community)
    with pytest.raises(NotFound):
        giving.give_hours(session, other.user, parent, minutes=60, rules=RULES, now=NOW)
    with pytest.raises(Forbidden):
        giving.give_hours(session, parent.user, parent, minutes=60, rules=RULES, now=NOW)


# --- donating --------------------------------------------------------------------------------


def test_a_donation_goes_to_the_volunteers_community_pool(session, tree, volunteer):
    bank(session, volunteer.user, 300, tree.community)
    transfer = giving.donate_hours(session, volunteer.user, minutes=120, rules=RULES, now=NOW)
    assert transfer.kind == timebank.DONATED
    assert timebank.pool_account(session, tree.community, now=NOW).balance == 120
    assert held(session, volunteer.user) == 180
    assert session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "volunteering.donate")
    ).all()


def test_a_donation_of_more_than_held_or_not_in_half_hours_writes_nothing(session, tree, volunteer):
    bank(session, volunteer.user, 60, tree.community)
    before = ledger_size(session)
    for minutes in (90, 20, -60):
        with pytest.raises(Invalid):
            giving.donate_hours(session, volunteer.user, minutes=minutes, rules=RULES, now=NOW)
    assert ledger_size(session) == before


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [("2", 120), ("1.5", 90), ("１.５", 90), ("0.5", 30), (" 3 ", 180), ("0.25", 15), ("-1", None),
     ("abc", None), ("1,5", None), ("", None), ("1.5.1", None)],
)  # fmt: skip
def test_hours_are_read_as_typed(typed, minutes):
    if minutes is None:
        with pytest.raises(ValueError):
            giving.minutes_from_hours(typed)
    else:
        assert giving.minutes_from_hours(typed) == minutes
