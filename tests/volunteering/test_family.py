"""Asking for help on an older resident's behalf, without HTTP: a coordinator adds a family
member (the elder agreed in person) and removes one; the family member asks with the elder's
own hours or the pool, and cancels; a grid worker of a grid in the community asks with the
pool; and everyone else is refused, with nothing written."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.errors import Forbidden, Invalid
from portal.permissions import Role
from portal.volunteering import family, help_lists
from portal.volunteering import help_requests as services
from portal.volunteering.models import FamilyMember, FamilyTie, HelpPayer, HelpState
from tests import factories
from tests.volunteering.test_help import (
    NOW,
    TUESDAY_2PM,
    ask,
    balance,
    bank,
    requests_count,
    texts,
)

pytestmark = pytest.mark.usefixtures("app_context")


@pytest.fixture
def tree(session):
    return factories.tree(session)


@pytest.fixture
def coordinator(session, tree):
    return factories.user(session, Role.COORDINATOR, tree.community, name="协调员")


@pytest.fixture
def elder(session, tree):
    return factories.elder(session, tree.community, name="王秀英", born=date(1950, 1, 1))


@pytest.fixture
def son(session, elder):
    return factories.family_member(session, elder, name="李建国")


def add(session, actor, elder, **changes):
    values = {
        "phone": "139 1234 5678",
        "name": "李建国",
        "tie": "parent",
        "elder_agreed": True,
        "now": NOW,
    } | changes
    return family.add_family_member(session, actor, elder, **values)


def members_count(session) -> int:
    return session.scalar(select(func.count()).select_from(FamilyMember))


# --- adding and removing ---------------------------------------------------------------------


def test_a_coordinator_adds_a_family_member_the_elder_agreed_to(session, coordinator, elder):
    made = add(session, coordinator, elder)
    assert made.user.phone == "13912345678" and made.user.display_name == "李建国"
    assert (made.tie, made.elder_agreed_at, made.added_by_id) == (
        FamilyTie.PARENT, NOW, coordinator.id,
    )  # fmt: skip
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "volunteering.family_add")
    ).one()
    assert event.actor_id == coordinator.id and event.details["phone"] == "139****5678"
    assert family.asking_for(session, made.user) == [made]
    # An account of their own already: found by the number, not made twice.
    other = factories.elder(session, elder.community, name="张桂兰")
    again = add(session, coordinator, other)
    assert again.user_id == made.user_id
    assert [each.elder.real_name for each in family.asking_for(session, made.user)] == [
        "张桂兰", "王秀英",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"elder_agreed": False}, "elder_agreed"),
        ({"phone": "12345"}, "phone"),
        ({"name": "  "}, "name"),
        ({"name": "李" * 31}, "name"),
        ({"tie": "boss"}, "tie"),
    ],
)
def test_a_family_member_is_refused_on_the_field_that_is_wrong(
    session, coordinator, elder, changes, field
):
    with pytest.raises(Invalid) as refused:
        add(session, coordinator, elder, **changes)
    assert refused.value.details["field"] == field
    assert members_count(session) == 0


def test_the_elder_themself_or_the_same_person_twice_is_refused(session, coordinator, elder):
    with pytest.raises(Invalid) as refused:
        add(session, coordinator, elder, phone=elder.user.phone)
    assert refused.value.details["field"] == "phone"
    add(session, coordinator, elder)
    with pytest.raises(Invalid) as refused:
        add(session, coordinator, elder, name="李二")
    assert "already" in refused.value.message
    assert members_count(session) == 1


def test_only_a_coordinator_of_the_community_adds_or_removes(session, tree, elder, son):
    for actor in (
        elder.user,
        son.user,
        factories.user(session, Role.COORDINATOR, tree.other_community),
        factories.user(session, Role.GRID_WORKER, tree.grid),
    ):
        with pytest.raises(Forbidden):
            add(session, actor, elder, phone="13700000001")
        with pytest.raises(Forbidden):
            family.remove_family_member(session, actor, son, now=NOW)
    assert members_count(session) == 1 and son.removed_at is None


def test_removing_keeps_the_row_and_who_removed_it(session, coordinator, elder, son):
    family.remove_family_member(session, coordinator, son, now=NOW)
    assert (son.removed_at, son.removed_by_id) == (NOW, coordinator.id)
    assert family.asking_for(session, son.user) == []
    assert family.family_of(session, coordinator, elder) == [son]
    with pytest.raises(Invalid):
        family.remove_family_member(session, coordinator, son, now=NOW)
    assert session.scalars(
        select(AuditEvent).where(AuditEvent.action == "volunteering.family_remove")
    ).one()
    # Added again later: a new entry, the old one kept.
    again = add(session, coordinator, elder, phone=son.user.phone)
    assert again.id != son.id and members_count(session) == 2


# --- a family member asks --------------------------------------------------------------------


def test_a_family_member_asks_with_the_elders_own_hours_and_the_elder_is_texted(
    session, elder, son
):
    bank(session, elder.user, 180)
    made = ask(session, son.user, elder)
    assert (made.payer, made.asked_by_id, made.state) == (
        HelpPayer.OWN, son.user_id, HelpState.ASKED,
    )  # fmt: skip
    assert balance(session, elder.user) == 180, "nothing is paid before the help is done"
    (text,) = texts(session, elder.user, "time_bank_help_asked_for_you")
    assert "李建国" in text.body and "12月8日" in text.body
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "volunteering.help_ask")
    ).one()
    assert event.details["family_member"] == son.id
    assert help_lists.asked_for_others(session, son.user) == [made]
    assert help_lists.asked_for_others(session, elder.user) == []


def test_a_family_member_is_held_to_the_elders_hours(session, elder, son):
    bank(session, elder.user, 60)
    with pytest.raises(Invalid) as refused:
        ask(session, son.user, elder, minutes=120)
    assert refused.value.details["field"] == "minutes"
    assert refused.value.message.startswith("Their stored hours (1 hours)")
    assert requests_count(session) == 0


def test_a_family_member_asks_the_pool_for_a_priority_elder(session, tree, elder, son):
    bank(session, None, 120, community=tree.community)
    with pytest.raises(Invalid) as refused:
        ask(session, son.user, elder, payer="pool")
    assert refused.value.details["field"] == "payer", "the pool pays for priority elderly only"
    elder.priority = True
    assert ask(session, son.user, elder, payer="pool").payer is HelpPayer.POOL


def test_a_removed_family_member_or_someone_elses_is_refused(
    session, tree, coordinator, elder, son
):
    bank(session, elder.user, 600)
    elsewhere = factories.family_member(
        session, factories.elder(session, tree.community, name="张桂兰"), name="张小红"
    )
    family.remove_family_member(session, coordinator, son, now=NOW)
    for actor in (son.user, elsewhere.user):
        with pytest.raises(Forbidden):
            ask(session, actor, elder)
        with pytest.raises(Forbidden):
            ask(session, actor, elder, payer="pool")
    assert requests_count(session) == 0
    assert texts(session, elder.user) == []


def test_a_family_member_cancels_what_they_asked_and_the_elder_is_told(
    session, coordinator, elder, son
):
    bank(session, elder.user, 300)
    made = ask(session, son.user, elder)
    services.cancel_help(session, son.user, made, reason="", now=NOW)
    assert (made.state, made.cancelled_by_id) == (HelpState.CANCELLED, son.user_id)
    assert texts(session, elder.user, "time_bank_help_cancelled")
    # Removed, they no longer cancel what they asked for; the elder's own requests never.
    second = ask(session, son.user, elder, starts_at=TUESDAY_2PM + timedelta(hours=1))
    own = ask(session, elder.user, elder, starts_at=TUESDAY_2PM + timedelta(hours=2))
    assert not services.resident_may_cancel(session, son.user, own)
    with pytest.raises(Forbidden):
        services.cancel_help(session, son.user, own, reason="", now=NOW)
    family.remove_family_member(session, coordinator, son, now=NOW)
    assert not services.resident_may_cancel(session, son.user, second)
    with pytest.raises(Forbidden):
        services.cancel_help(session, son.user, second, reason="", now=NOW)
    assert (second.state, own.state) == (HelpState.ASKED, HelpState.ASKED)


# --- grid workers ----------------------------------------------------------------------------


def test_a_grid_worker_of_a_grid_in_the_community_asks_with_the_pool_only(session, tree, elder):
    worker = factories.user(session, Role.GRID_WORKER, tree.grid, name="网格员")
    bank(session, elder.user, 600)
    bank(session, None, 600, community=tree.community)
    elder.priority = True
    with pytest.raises(Invalid) as refused:
        ask(session, worker, elder)
    assert refused.value.details["field"] == "payer", "never the elder's own hours"
    made = ask(session, worker, elder, payer="pool")
    assert (made.payer, made.asked_by_id) == (HelpPayer.POOL, worker.id)
    (text,) = texts(session, elder.user, "time_bank_help_asked_for_you")
    assert "社区为您申请" in text.body


def test_a_grid_worker_of_another_community_is_refused(session, tree, elder):
    elder.priority = True
    bank(session, None, 600, community=tree.community)
    for actor in (
        factories.user(session, Role.GRID_WORKER, tree.other_grid),
        factories.user(session, Role.DEPUTY_SECRETARY, tree.community),
        factories.user(session, Role.VOLUNTEER, tree.community),
    ):
        with pytest.raises(Forbidden):
            ask(session, actor, elder, payer="pool")
    assert requests_count(session) == 0
