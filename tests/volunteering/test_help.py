"""Spending hours on help for the elderly, without HTTP: asking (who may pay, and each
refusal), matching a volunteer of the community (texted), confirming the time given and paying
it in one transfer (the part over the volunteer's cap to the pool), cancelling, and the lists.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.errors import Forbidden, Invalid
from portal.ledger import services as ledger
from portal.ledger.models import LedgerTransfer, Unit
from portal.notifications.models import SmsMessage
from portal.permissions import SYSTEM, Role
from portal.volunteering import help_lists as lists
from portal.volunteering import help_requests as services
from portal.volunteering import timebank
from portal.volunteering.models import HelpPayer, HelpRequest, HelpState, VolunteerState
from portal.volunteering.timebank import TimeBankRules
from tests import factories

pytestmark = pytest.mark.usefixtures("app_context")

# Monday 7 December 2026, 08:00 in Shanghai; the help is asked for Tuesday 14:00.
NOW = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
TUESDAY_2PM = datetime(2026, 12, 8, 6, 0, tzinfo=UTC)
AFTER = TUESDAY_2PM + timedelta(hours=3)
RULES = TimeBankRules()


@pytest.fixture
def tree(session):
    return factories.tree(session)


@pytest.fixture
def coordinator(session, tree):
    return factories.user(session, Role.COORDINATOR, tree.community, name="协调员")


@pytest.fixture
def elder(session, tree):
    return factories.elder(session, tree.community, born=date(1950, 1, 1))


@pytest.fixture
def volunteer(session, tree):
    return factories.volunteer(session, tree.community, name="李志愿")


def bank(session, user, minutes, rules=RULES, *, community=None):
    """Give `user` (or `community`'s pool) stored hours, out of the district's issuer."""
    if community is not None:
        held = timebank.pool_account(session, community, now=NOW)
    else:
        held = timebank.person_account(session, user, rules, now=NOW)
    issuer = timebank.issuer_account(session, community or _any_place(session), now=NOW)
    ledger.post(session, SYSTEM, unit=Unit.MINUTES, kind=timebank.BANKED,
                legs=[(issuer, -minutes), (held, minutes)], now=NOW)  # fmt: skip
    return held


def _any_place(session):
    from portal.places.models import Place, PlaceKind

    return session.scalars(select(Place).where(Place.kind == PlaceKind.COMMUNITY)).first()


def ask(session, actor, elder, rules=RULES, **changes):
    values = {
        "service_kind": "company",
        "starts_at": TUESDAY_2PM,
        "minutes": 120,
        "location": "幸福里12栋1203室",
        "note": "陪我去医院复查",
        "payer": "own",
        "rules": rules,
        "now": NOW,
    } | changes
    return services.ask_for_help(session, actor, elder, **values)


def spend_elsewhere(session, user, minutes, rules=RULES):
    """Take `minutes` out of `user`'s stored hours by some other way than help (a gift)."""
    held = timebank.person_account(session, user, rules, now=NOW)
    issuer = timebank.issuer_account(session, _any_place(session), now=NOW)
    ledger.post(session, SYSTEM, unit=Unit.MINUTES, kind=timebank.BANKED,
                legs=[(held, -minutes), (issuer, minutes)], now=NOW)  # fmt: skip


def balance(session, user, rules=RULES):
    return timebank.person_account(session, user, rules, now=NOW).balance


def pool(session, community):
    return timebank.pool_account(session, community, now=NOW).balance


def texts(session, user, kind=None) -> list[SmsMessage]:
    query = select(SmsMessage).where(SmsMessage.phone == user.phone)
    if kind:
        query = query.where(SmsMessage.kind == kind)
    return list(session.scalars(query.order_by(SmsMessage.id)))


def requests_count(session) -> int:
    return session.scalar(select(func.count()).select_from(HelpRequest))


def matched(session, coordinator, elder, volunteer, **changes):
    made = ask(session, elder.user, elder, **changes)
    return services.match_volunteer(session, coordinator, made, volunteer=volunteer, now=NOW)


# --- asking ----------------------------------------------------------------------------------


def test_an_elder_of_sixty_asks_for_help_paid_from_their_own_hours(session, elder):
    bank(session, elder.user, 180)
    made = ask(session, elder.user, elder)
    assert (made.state, made.payer, made.minutes, made.community_id) == (
        HelpState.ASKED, HelpPayer.OWN, 120, elder.community_id,
    )  # fmt: skip
    assert made.asked_by_id == elder.user_id and made.service_kind.code == "company"
    assert balance(session, elder.user) == 180, "nothing is paid before the help is done"


def test_a_coordinator_asks_on_an_elders_behalf_and_it_is_audited(session, elder, coordinator):
    bank(session, elder.user, 120)
    with pytest.raises(Invalid) as refused:
        ask(session, coordinator, elder)
    assert refused.value.details["field"] == "payer", "only the resident spends their hours"
    elder.priority, elder.priority_reason = True, "独居高龄"
    bank(session, None, 120, community=elder.community)
    made = ask(session, coordinator, elder, payer="pool")
    assert made.asked_by_id == coordinator.id
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "volunteering.help_ask")
    ).one()
    assert event.actor_id == coordinator.id and event.target_id == str(made.id)


def test_own_hours_are_refused_before_the_spending_age(session, tree):
    young = factories.elder(session, tree.community, born=date(1967, 1, 1))
    bank(session, young.user, 600)
    with pytest.raises(Invalid) as refused:
        ask(session, young.user, young)
    assert refused.value.details["field"] == "payer"
    assert "60" in refused.value.message
    assert requests_count(session) == 0


def test_the_spending_age_is_the_districts_rule(session, tree):
    elder = factories.elder(session, tree.community, born=date(1963, 1, 1))  # 63
    rules = TimeBankRules(spending_age=65)
    bank(session, elder.user, 600, rules)
    with pytest.raises(Invalid) as refused:
        ask(session, elder.user, elder, rules)
    assert "65" in refused.value.message


def test_own_hours_that_do_not_cover_the_time_asked_are_refused(session, elder):
    bank(session, elder.user, 90)
    with pytest.raises(Invalid) as refused:
        ask(session, elder.user, elder, minutes=120)
    assert refused.value.details["field"] == "minutes"
    assert "1.5" in refused.value.message
    assert requests_count(session) == 0
    assert ask(session, elder.user, elder, minutes=90).minutes == 90


def test_the_pool_pays_only_for_priority_elderly(session, tree, elder):
    bank(session, None, 600, community=tree.community)
    with pytest.raises(Invalid) as refused:
        ask(session, elder.user, elder, payer="pool")
    assert refused.value.details["field"] == "payer"
    elder.priority = True
    made = ask(session, elder.user, elder, payer="pool")
    assert made.payer is HelpPayer.POOL


def test_a_pool_that_does_not_cover_the_time_is_refused(session, tree):
    elder = factories.elder(session, tree.community, priority=True)
    bank(session, None, 60, community=tree.community)
    with pytest.raises(Invalid) as refused:
        ask(session, elder.user, elder, payer="pool", minutes=120)
    assert refused.value.details["field"] == "minutes"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"minutes": 0}, "minutes"),
        ({"minutes": -30}, "minutes"),
        ({"minutes": 45}, "minutes"),
        ({"minutes": 30.5}, "minutes"),
        ({"minutes": 60.0}, "minutes"),
        ({"minutes": True}, "minutes"),
        ({"minutes": 9 * 60}, "minutes"),
        ({"starts_at": NOW}, "day"),
        ({"starts_at": NOW + timedelta(days=91)}, "day"),
        ({"location": "  "}, "location"),
        ({"location": "楼" * 101}, "location"),
        ({"note": "话" * 501}, "note"),
        ({"service_kind": "money"}, "service_kind"),
        ({"payer": "cash"}, "payer"),
    ],
)
def test_bad_requests_are_refused_on_their_field(session, elder, changes, field):
    bank(session, elder.user, 600)
    with pytest.raises(Invalid) as refused:
        ask(session, elder.user, elder, **changes)
    assert refused.value.details["field"] == field
    assert requests_count(session) == 0


def test_another_resident_or_communitys_coordinator_may_not_ask(session, tree, elder):
    bank(session, elder.user, 600)
    for actor in (
        factories.user(session),
        factories.user(session, Role.COORDINATOR, tree.other_community),
    ):
        with pytest.raises(Forbidden):
            ask(session, actor, elder)
    assert requests_count(session) == 0


# --- matching --------------------------------------------------------------------------------


def test_a_coordinator_matches_a_volunteer_who_is_texted(session, coordinator, elder, volunteer):
    bank(session, elder.user, 120)
    made = matched(session, coordinator, elder, volunteer)
    assert (made.state, made.volunteer_id, made.matched_by_id) == (
        HelpState.MATCHED, volunteer.id, coordinator.id,
    )  # fmt: skip
    (text,) = texts(session, volunteer.user, "time_bank_help_matched")
    assert "陪伴" in text.body and "12月8日" in text.body
    assert session.scalars(
        select(AuditEvent).where(AuditEvent.action == "volunteering.help_match")
    ).one()


def test_a_volunteer_of_another_community_or_not_approved_is_refused(
    session, tree, coordinator, elder
):
    bank(session, elder.user, 120)
    made = ask(session, elder.user, elder)
    for wrong in (
        factories.volunteer(session, tree.other_community),
        factories.volunteer(session, tree.community, state=VolunteerState.APPLIED),
        None,
    ):
        with pytest.raises(Invalid) as refused:
            services.match_volunteer(session, coordinator, made, volunteer=wrong, now=NOW)
        assert refused.value.details["field"] == "volunteer"
    assert made.state is HelpState.ASKED


def test_an_elder_is_never_matched_to_help_themselves(session, tree, coordinator, elder):
    bank(session, elder.user, 120)
    themselves = factories.volunteer(session, tree.community, user=elder.user)
    made = ask(session, elder.user, elder)
    with pytest.raises(Invalid):
        services.match_volunteer(session, coordinator, made, volunteer=themselves, now=NOW)
    assert themselves not in lists.volunteers_for(session, coordinator, made)


def test_matching_twice_is_refused(session, coordinator, elder, volunteer):
    bank(session, elder.user, 120)
    made = matched(session, coordinator, elder, volunteer)
    with pytest.raises(Invalid):
        services.match_volunteer(session, coordinator, made, volunteer=volunteer, now=NOW)


def test_residents_and_other_coordinators_may_not_match(session, tree, elder, volunteer):
    bank(session, elder.user, 120)
    made = ask(session, elder.user, elder)
    for actor in (
        elder.user,
        volunteer.user,
        factories.user(session, Role.COORDINATOR, tree.other_community),
    ):
        with pytest.raises(Forbidden):
            services.match_volunteer(session, actor, made, volunteer=volunteer, now=NOW)
    assert made.state is HelpState.ASKED


# --- confirming and paying -------------------------------------------------------------------


def test_confirming_pays_the_volunteer_from_the_elders_hours_in_one_transfer(
    session, coordinator, elder, volunteer
):
    bank(session, elder.user, 180)
    made = matched(session, coordinator, elder, volunteer)
    services.confirm_done(session, coordinator, made, minutes=90, rules=RULES, now=AFTER)
    assert (made.state, made.done_minutes, made.done_by_id) == (
        HelpState.DONE, 90, coordinator.id,
    )  # fmt: skip
    assert balance(session, elder.user) == 90 and balance(session, volunteer.user) == 90
    transfer = session.get(LedgerTransfer, made.transfer_id)
    assert (transfer.kind, transfer.subject) == (timebank.SPENT, f"volunteering.help:{made.id}")
    assert sorted(m.amount for m in transfer.movements) == [-90, 90]
    (text,) = texts(session, volunteer.user, "time_bank_help_paid")
    assert "1.5" in text.body
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "volunteering.help_done")
    ).one()
    assert event.details["minutes"] == 90 and event.details["over_cap_to_pool"] == 0
    assert ledger.mismatches(session) == [] and ledger.unbalanced_transfers(session) == []


def test_confirming_twice_pays_once(session, coordinator, elder, volunteer):
    bank(session, elder.user, 300)
    made = matched(session, coordinator, elder, volunteer)
    services.confirm_done(session, coordinator, made, minutes=120, rules=RULES, now=AFTER)
    with pytest.raises(Invalid) as refused:
        services.confirm_done(session, coordinator, made, minutes=120, rules=RULES, now=AFTER)
    assert "already" in refused.value.message
    assert balance(session, elder.user) == 180 and balance(session, volunteer.user) == 120


@pytest.mark.parametrize("minutes", [0, -30, 45, 30.5, 60.0, "60", None, 9 * 60])
def test_confirmed_time_must_be_whole_half_hours(session, coordinator, elder, volunteer, minutes):
    bank(session, elder.user, 600)
    made = matched(session, coordinator, elder, volunteer)
    with pytest.raises(Invalid) as refused:
        services.confirm_done(session, coordinator, made, minutes=minutes, rules=RULES, now=AFTER)
    assert refused.value.details["field"] == "minutes"
    assert made.state is HelpState.MATCHED and balance(session, elder.user) == 600


def test_more_than_the_payer_holds_is_refused_and_nothing_written(
    session, coordinator, elder, volunteer
):
    bank(session, elder.user, 120)
    made = matched(session, coordinator, elder, volunteer)
    with pytest.raises(Invalid) as refused:
        services.confirm_done(session, coordinator, made, minutes=150, rules=RULES, now=AFTER)
    assert refused.value.details["field"] == "minutes" and "2 hours" in refused.value.message
    assert made.state is HelpState.MATCHED
    assert balance(session, elder.user) == 120 and balance(session, volunteer.user) == 0
    assert ledger.transfer_about(session, timebank.SPENT, services.subject_of(made)) is None


def test_the_elder_spending_elsewhere_meanwhile_leaves_too_little(
    session, coordinator, elder, volunteer
):
    bank(session, elder.user, 180)
    first = matched(session, coordinator, elder, volunteer)
    second = matched(session, coordinator, elder, volunteer, minutes=60,
                     starts_at=TUESDAY_2PM + timedelta(hours=1))  # fmt: skip
    spend_elsewhere(session, elder.user, 60)
    services.confirm_done(session, coordinator, first, minutes=120, rules=RULES, now=AFTER)
    with pytest.raises(Invalid):
        services.confirm_done(session, coordinator, second, minutes=60, rules=RULES, now=AFTER)
    assert balance(session, elder.user) == 0 and second.state is HelpState.MATCHED


def test_hours_over_the_volunteers_cap_go_to_the_pool_and_they_are_told(
    session, tree, coordinator, elder, volunteer
):
    rules = TimeBankRules(cap_minutes=120)
    bank(session, elder.user, 120, rules)
    bank(session, volunteer.user, 90, rules)
    made = matched(session, coordinator, elder, volunteer)
    services.confirm_done(session, coordinator, made, minutes=90, rules=rules, now=AFTER)
    assert balance(session, volunteer.user, rules) == 120
    assert pool(session, tree.community) == 60 and balance(session, elder.user, rules) == 30
    transfer = session.get(LedgerTransfer, made.transfer_id)
    assert sorted(m.amount for m in transfer.movements) == [-90, 30, 60]
    (text,) = texts(session, volunteer.user, "time_bank_help_paid")
    assert "0.5小时已存入" in text.body and "超出上限的1小时转入社区互助池" in text.body
    assert ledger.mismatches(session) == []


def test_the_pool_pays_for_priority_elderly_netting_what_comes_back_over_the_cap(
    session, tree, coordinator, volunteer
):
    rules = TimeBankRules(cap_minutes=120)
    elder = factories.elder(session, tree.community, priority=True)
    bank(session, None, 300, community=tree.community)
    bank(session, volunteer.user, 60, rules)
    made = matched(session, coordinator, elder, volunteer, payer="pool")
    services.confirm_done(session, coordinator, made, minutes=120, rules=rules, now=AFTER)
    # 60 fit under the cap; the other 60 stay in the pool: one leg each, netted.
    transfer = session.get(LedgerTransfer, made.transfer_id)
    assert sorted(m.amount for m in transfer.movements) == [-60, 60]
    assert pool(session, tree.community) == 240 and balance(session, volunteer.user, rules) == 120


def test_the_pool_paying_a_volunteer_at_their_cap_moves_nothing(
    session, tree, coordinator, volunteer
):
    rules = TimeBankRules(cap_minutes=120)
    elder = factories.elder(session, tree.community, priority=True)
    bank(session, None, 300, community=tree.community)
    bank(session, volunteer.user, 120, rules)
    made = matched(session, coordinator, elder, volunteer, payer="pool")
    services.confirm_done(session, coordinator, made, minutes=60, rules=rules, now=AFTER)
    assert made.state is HelpState.DONE and made.transfer_id is None
    assert pool(session, tree.community) == 300
    with pytest.raises(Invalid):
        services.confirm_done(session, coordinator, made, minutes=60, rules=rules, now=AFTER)


def test_confirming_before_the_help_or_before_a_match_is_refused(
    session, coordinator, elder, volunteer
):
    bank(session, elder.user, 300)
    asked = ask(session, elder.user, elder)
    with pytest.raises(Invalid):
        services.confirm_done(session, coordinator, asked, minutes=60, rules=RULES, now=AFTER)
    made = services.match_volunteer(session, coordinator, asked, volunteer=volunteer, now=NOW)
    with pytest.raises(Invalid):
        services.confirm_done(session, coordinator, made, minutes=60, rules=RULES, now=NOW)
    assert balance(session, elder.user) == 300


def test_residents_and_other_coordinators_may_not_confirm(
    session, tree, coordinator, elder, volunteer
):
    bank(session, elder.user, 300)
    made = matched(session, coordinator, elder, volunteer)
    for actor in (
        elder.user,
        volunteer.user,
        factories.user(session, Role.COORDINATOR, tree.other_community),
    ):
        with pytest.raises(Forbidden):
            services.confirm_done(session, actor, made, minutes=60, rules=RULES, now=AFTER)
    assert balance(session, elder.user) == 300 and made.state is HelpState.MATCHED


# --- cancelling ------------------------------------------------------------------------------


def test_the_elder_cancels_and_the_matched_volunteer_is_texted(
    session, coordinator, elder, volunteer
):
    bank(session, elder.user, 300)
    made = matched(session, coordinator, elder, volunteer)
    services.cancel_help(session, elder.user, made, reason="", now=NOW)
    assert made.state is HelpState.CANCELLED and made.cancelled_by_id == elder.user_id
    (text,) = texts(session, volunteer.user, "time_bank_help_cancelled")
    assert text.body.startswith("求助已取消") and "原因" not in text.body
    assert texts(session, elder.user, "time_bank_help_cancelled") == []
    with pytest.raises(Invalid):
        services.cancel_help(session, elder.user, made, reason="", now=NOW)


def test_a_coordinator_cancels_with_a_reason_and_both_are_texted(
    session, coordinator, elder, volunteer
):
    bank(session, elder.user, 300)
    made = matched(session, coordinator, elder, volunteer)
    with pytest.raises(Invalid) as refused:
        services.cancel_help(session, coordinator, made, reason=" ", now=NOW)
    assert refused.value.details["field"] == "reason"
    services.cancel_help(session, coordinator, made, reason="志愿者生病", now=NOW)
    for person in (elder.user, volunteer.user):
        (text,) = texts(session, person, "time_bank_help_cancelled")
        assert "志愿者生病" in text.body
    assert made.cancel_reason == "志愿者生病"


def test_done_help_is_not_cancelled_and_others_may_not_cancel(
    session, tree, coordinator, elder, volunteer
):
    bank(session, elder.user, 300)
    made = matched(session, coordinator, elder, volunteer)
    for actor in (
        volunteer.user,
        factories.user(session, Role.COORDINATOR, tree.other_community),
    ):
        with pytest.raises(Forbidden):
            services.cancel_help(session, actor, made, reason="不需要了", now=NOW)
    services.confirm_done(session, coordinator, made, minutes=60, rules=RULES, now=AFTER)
    with pytest.raises(Invalid):
        services.cancel_help(session, elder.user, made, reason="", now=AFTER)
    assert made.state is HelpState.DONE


# --- lists -----------------------------------------------------------------------------------


def test_the_lists_of_an_elder_and_of_a_community(session, tree, coordinator, elder, volunteer):
    bank(session, elder.user, 600)
    first = ask(session, elder.user, elder)
    second = matched(session, coordinator, elder, volunteer,
                     starts_at=TUESDAY_2PM + timedelta(hours=1))  # fmt: skip
    third = ask(session, elder.user, elder, starts_at=TUESDAY_2PM + timedelta(hours=2))
    services.cancel_help(session, elder.user, third, reason="", now=NOW)
    other = factories.elder(session, tree.other_community)
    # By when the help happens: the soonest first.
    assert [each.id for each in lists.mine(session, elder.user, now=NOW).items] == [
        first.id, second.id, third.id,
    ]  # fmt: skip
    assert lists.mine(session, other.user, now=NOW).items == []
    assert lists.mine(session, volunteer.user, now=NOW) is None
    open_ones = lists.for_community(session, coordinator, tree.community)
    assert [each.id for each in open_ones.items] == [first.id, second.id]
    asked = lists.for_community(session, coordinator, tree.community, state=HelpState.ASKED)
    assert [each.id for each in asked.items] == [first.id]
    closed = lists.for_community(session, coordinator, tree.community, state=HelpState.CANCELLED)
    assert [each.id for each in closed.items] == [third.id]
    with pytest.raises(Forbidden):
        lists.for_community(session, coordinator, tree.other_community)
    with pytest.raises(Forbidden):
        lists.for_community(session, elder.user, tree.community)
    assert lists.volunteers_for(session, coordinator, first) == [volunteer]


def test_a_coordinator_cannot_take_over_a_volunteer_of_another_community(
    session, tree, coordinator
):
    """Registering someone's phone as an elder with a made-up birth date would let their hours
    be spent: a volunteer's age is their ID number's, and only their own community registers
    them."""
    from portal.volunteering import elders

    young = factories.volunteer(session, tree.other_community, name="年轻人", born=date(1995, 1, 1))
    with pytest.raises(Invalid) as refused:
        elders.register_elder(
            session, coordinator, community=tree.community, phone=young.user.phone,
            real_name="年轻人", birth_date=date(1940, 1, 1), lives_alone=True, low_income=False,
            has_disability=False, id_card_seen=True, rules=RULES, now=NOW,
        )  # fmt: skip
    assert "another community" in refused.value.message
    also_young = factories.volunteer(session, tree.community, name="也年轻", born=date(1990, 1, 1))
    with pytest.raises(Invalid) as refused:
        elders.register_elder(
            session, coordinator, community=tree.community, phone=also_young.user.phone,
            real_name="也年轻", birth_date=date(1940, 1, 1), lives_alone=True, low_income=False,
            has_disability=False, id_card_seen=True, rules=RULES, now=NOW,
        )  # fmt: skip
    assert "this person is 36" in refused.value.message
    here = factories.volunteer(session, tree.community, name="本社区", born=date(1960, 1, 1))
    registered = elders.register_elder(
        session, coordinator, community=tree.community, phone=here.user.phone,
        real_name="本社区", birth_date=date(1940, 1, 1), lives_alone=True, low_income=False,
        has_disability=False, id_card_seen=True, rules=RULES, now=NOW,
    )  # fmt: skip
    assert registered.birth_date == date(1960, 1, 1), (
        "the ID number's birth date, not the typed one"
    )


def test_confirming_pays_no_more_than_asked_and_the_pool_only_a_priority_resident(
    session, elder, coordinator
):
    elder.priority, elder.priority_reason = True, "独居高龄"
    bank(session, None, 600, community=elder.community)
    made = ask(session, coordinator, elder, payer="pool", minutes=60)
    volunteer = factories.volunteer(session, elder.community)
    services.match_volunteer(session, coordinator, made, volunteer=volunteer, now=NOW)
    later = TUESDAY_2PM + timedelta(hours=2)
    with pytest.raises(Invalid, match="asked for"):
        services.confirm_done(session, coordinator, made, minutes=120, rules=RULES, now=later)
    elder.priority = False
    with pytest.raises(Invalid, match="priority"):
        services.confirm_done(session, coordinator, made, minutes=60, rules=RULES, now=later)
