"""The older residents the time bank serves, without HTTP: registering one in person (their
account found or made by mobile number, the ID card seen), the priority the rules suggest and
the coordinator marks or removes with a reason, each audited, and who may do it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.errors import Forbidden, Invalid
from portal.permissions import Role
from portal.volunteering import elders
from portal.volunteering.timebank import TimeBankRules
from portal.volunteering.volunteers import local_day
from tests import factories

pytestmark = pytest.mark.usefixtures("app_context")

NOW = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)


@pytest.fixture
def tree(session):
    return factories.tree(session)


@pytest.fixture
def coordinator(session, tree):
    return factories.user(session, Role.COORDINATOR, tree.community, name="协调员")


def register(session, actor, community, **changes):
    values = {
        "community": community,
        "phone": "138 0013 8000",
        "real_name": " 王  秀英 ",
        "birth_date": date(1941, 5, 1),
        "lives_alone": True,
        "low_income": False,
        "has_disability": False,
        "id_card_seen": True,
        "rules": TimeBankRules(),
        "now": NOW,
    } | changes
    return elders.register_elder(session, actor, **values)


def test_a_coordinator_registers_an_elder_making_their_account_and_it_is_audited(
    session, tree, coordinator
):
    elder = register(session, coordinator, tree.community)
    assert (elder.real_name, elder.user.phone, elder.community_id) == (
        "王 秀英", "13800138000", tree.community.id,
    )  # fmt: skip
    assert elder.id_card_seen_at == NOW and elder.registered_by_id == coordinator.id
    assert not elder.priority and elder.user.password_hash is None
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "volunteering.register_elder")
    ).one()
    assert event.actor_id == coordinator.id and event.details["phone"] == "138****8000"
    assert "13800138000" not in str(event.details)


def test_an_existing_account_is_used_and_a_second_registration_refused(session, tree, coordinator):
    resident = factories.user(session, phone="13800138000")
    elder = register(session, coordinator, tree.community)
    assert elder.user_id == resident.id
    assert session.scalar(select(User).where(User.phone == "13800138000")).id == resident.id
    with pytest.raises(Invalid) as refused:
        register(session, coordinator, tree.community, phone="13800138000")
    assert refused.value.details["field"] == "phone"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id_card_seen": False}, "id_card_seen"),
        ({"phone": "12345"}, "phone"),
        ({"phone": ""}, "phone"),
        ({"real_name": "  "}, "real_name"),
        ({"real_name": "王" * 31}, "real_name"),
        ({"birth_date": None}, "birth_date"),
        ({"birth_date": date(2027, 1, 1)}, "birth_date"),
        ({"birth_date": date(1850, 1, 1)}, "birth_date"),
        ({"community": None}, "community"),
    ],
)
def test_bad_registrations_are_refused_on_their_field_and_nothing_written(
    session, tree, coordinator, changes, field
):
    changes = dict(changes)
    community = changes.pop("community", tree.community)
    with pytest.raises(Invalid) as refused:
        register(session, coordinator, community, **changes)
    assert refused.value.details["field"] == field
    assert session.scalar(select(User.id).where(User.phone == "13800138000")) is None


def test_a_grid_is_not_a_community(session, tree, coordinator):
    with pytest.raises(Invalid):
        register(session, coordinator, tree.grid)


def test_residents_and_other_communities_coordinators_may_not_register(session, tree, coordinator):
    other = factories.user(session, Role.COORDINATOR, tree.other_community)
    resident = factories.user(session)
    for actor in (other, resident):
        with pytest.raises(Forbidden):
            register(session, actor, tree.community)


@pytest.mark.parametrize(
    ("born", "alone", "low_income", "disability", "suggested"),
    [
        (date(1946, 12, 7), True, False, False, True),  # 80 today, alone
        (date(1946, 12, 8), True, False, False, False),  # 79 until tomorrow
        (date(1946, 12, 8), True, True, False, True),  # 79, alone, 低保
        (date(1960, 1, 1), True, False, True, True),  # 66, alone, a disability
        (date(1940, 1, 1), False, True, True, False),  # 86, not alone
        (date(1967, 1, 1), True, True, True, False),  # 59
    ],
)
def test_the_rules_suggest_nanjings_priority_elderly(
    session, tree, born, alone, low_income, disability, suggested
):
    elder = factories.elder(
        session, tree.community, born=born, lives_alone=alone, low_income=low_income,
        has_disability=disability,
    )  # fmt: skip
    assert elders.priority_suggested(elder, local_day(NOW)) is suggested


def test_a_coordinator_marks_and_removes_priority_with_reasons_kept_and_audited(
    session, tree, coordinator
):
    elder = factories.elder(session, tree.community)
    elders.set_priority(session, coordinator, elder, priority=True, reason="独居，82岁",
                        now=NOW)  # fmt: skip
    assert elder.priority and elder.priority_reason == "独居，82岁"
    assert (elder.priority_set_at, elder.priority_set_by_id) == (NOW, coordinator.id)
    with pytest.raises(Invalid):
        elders.set_priority(session, coordinator, elder, priority=True, reason="再次", now=NOW)
    elders.set_priority(session, coordinator, elder, priority=False, reason="子女搬回同住",
                        now=NOW)  # fmt: skip
    assert not elder.priority and elder.priority_reason == "子女搬回同住"
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "volunteering.elder_priority")
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.details["priority"], e.details["suggested"]) for e in events] == [
        (True, True), (False, True),
    ]  # fmt: skip


@pytest.mark.parametrize("reason", ["", "   ", "理" * 201])
def test_priority_needs_a_reason(session, tree, coordinator, reason):
    elder = factories.elder(session, tree.community)
    with pytest.raises(Invalid) as refused:
        elders.set_priority(session, coordinator, elder, priority=True, reason=reason, now=NOW)
    assert refused.value.details["field"] == "reason" and not elder.priority


def test_only_the_communitys_coordinators_mark_priority(session, tree, coordinator):
    elder = factories.elder(session, tree.community)
    other = factories.user(session, Role.COORDINATOR, tree.other_community)
    for actor in (other, elder.user):
        with pytest.raises(Forbidden):
            elders.set_priority(session, actor, elder, priority=True, reason="独居", now=NOW)
    assert not elder.priority


def test_the_list_of_elders_is_the_communitys_newest_first(session, tree, coordinator):
    first = factories.elder(session, tree.community, name="甲")
    second = factories.elder(session, tree.community, name="乙")
    factories.elder(session, tree.other_community, name="丙")
    page = elders.elders_page(session, coordinator, tree.community)
    assert [each.id for each in page.items] == [second.id, first.id]
    with pytest.raises(Forbidden):
        elders.elders_page(session, coordinator, tree.other_community)
    assert elders.elder_of(session, first.user).id == first.id
    assert elders.elder_of(session, coordinator) is None


def test_someone_below_sixty_is_not_registered_as_an_older_resident(session, tree, coordinator):
    with pytest.raises(Invalid) as refused:
        register(session, coordinator, tree.community, birth_date=date(1990, 1, 1))
    assert refused.value.details["field"] == "birth_date"
    assert "from the age of 60: this person is 36" in refused.value.message
    assert session.scalars(select(User).where(User.phone == "13800138000")).all() == []
    # Sixty today is old enough.
    assert register(session, coordinator, tree.community, birth_date=date(1966, 12, 7))


def test_a_district_spending_hours_younger_registers_from_that_age(session, tree, coordinator):
    younger = TimeBankRules(spending_age=55)
    assert register(session, coordinator, tree.community, birth_date=date(1970, 1, 1),
                    rules=younger)  # fmt: skip
    with pytest.raises(Invalid):
        register(session, coordinator, tree.community, birth_date=date(1975, 1, 1),
                 phone="13800138001", rules=TimeBankRules(spending_age=70))  # fmt: skip
