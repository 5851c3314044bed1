"""Becoming a volunteer, without HTTP: applying (the ID number, the guardian under 18, the
separate consent, one person one volunteer), a coordinator's answer with its SMS, and the
audited reveal of the whole number."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal import idnumbers
from portal.audit.models import AuditEvent
from portal.errors import Forbidden, Invalid
from portal.notifications.models import SmsMessage
from portal.permissions import Role
from portal.volunteering import volunteers as service
from portal.volunteering.models import Volunteer, VolunteerState
from tests import factories

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
KEY = b"a test key"


@pytest.fixture
def tree(session):
    return factories.tree(session)


@pytest.fixture
def resident(session):
    return factories.user(session, name="李秀英")


@pytest.fixture
def coordinator(session, tree):
    return factories.user(session, Role.COORDINATOR, tree.community, name="张协调")


def apply(session, actor, community, **given):
    values = {
        "real_name": "李秀英", "id_number": factories.id_number(date(1960, 5, 1)),
        "id_consent": True, "services": ["company", "meals"], "now": NOW, "id_key": KEY,
    } | given  # fmt: skip
    return service.apply(session, actor, community=community, **values)


def count(session, model=Volunteer) -> int:
    return len(session.scalars(select(model)).all())


def audit_of(session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_resident_applies_and_the_consent_is_recorded_with_its_time(
    session, app_context, tree, resident
):
    number = factories.id_number(date(1960, 5, 1))
    made = apply(session, resident, tree.community, id_number=f" {number.lower()} ")
    assert made.state == VolunteerState.APPLIED
    assert factories.whole_id_number(made) == number and made.birth_date == date(1960, 5, 1)
    assert made.id_number_hash == idnumbers.keyed_hash(number, KEY)
    assert made.id_consent_at == NOW and made.applied_at == NOW
    assert made.services == ["meals", "company"]  # in the list's order
    assert made.guardian_name is None
    assert service.volunteer_of(session, resident) is made
    assert number not in str(audit_of(session, "volunteering.apply")[0].details)


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"id_number": "110105196005010011"}, "id_number"),
        ({"id_number": "11010519490230123" + "0"}, "id_number"),
        ({"id_number": "1101051960"}, "id_number"),
        ({"id_number": "11010519600501AB1X"}, "id_number"),
        ({"id_consent": False}, "id_consent"),
        ({"services": []}, "services"),
        ({"services": ["company", "juggling"]}, "services"),
        ({"real_name": " 李 "[1:2]}, "real_name"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_written(
    session, app_context, tree, resident, given, field
):
    with pytest.raises(Invalid) as caught:
        apply(session, resident, tree.community, **given)
    assert caught.value.details.get("field") == field
    assert count(session) == 0
    assert not [e for e in session.scalars(select(AuditEvent)) if e.action.startswith("volunteer")]


def test_a_street_is_not_a_community(session, app_context, tree, resident):
    with pytest.raises(Invalid):
        apply(session, resident, tree.street)


def test_someone_not_signed_in_cannot_apply(session, app_context, tree):
    from flask_login import AnonymousUserMixin

    with pytest.raises(Forbidden):
        apply(session, AnonymousUserMixin(), tree.community)


def test_under_18_needs_a_guardian_s_name_and_mobile(session, app_context, tree, resident):
    young = factories.id_number(date(2010, 6, 1))
    with pytest.raises(Invalid) as caught:
        apply(session, resident, tree.community, id_number=young)
    assert caught.value.details["field"] == "guardian_name"
    with pytest.raises(Invalid) as caught:
        apply(session, resident, tree.community, id_number=young, guardian_name="李父",
              guardian_phone="12345")  # fmt: skip
    assert caught.value.details["field"] == "guardian_phone"
    assert count(session) == 0
    made = apply(session, resident, tree.community, id_number=young, guardian_name="李父",
                 guardian_phone="+86 139 0000 1111")  # fmt: skip
    assert (made.guardian_name, made.guardian_phone) == ("李父", "13900001111")


def test_a_minor_s_own_phone_is_not_their_guardian_s(session, app_context, tree, resident):
    young = factories.id_number(date(2010, 6, 1))
    own = " ".join((resident.phone[:3], resident.phone[3:7], resident.phone[7:]))
    with pytest.raises(Invalid) as caught:
        apply(session, resident, tree.community, id_number=young, guardian_name="李父",
              guardian_phone=own)  # fmt: skip
    assert caught.value.details["field"] == "guardian_phone"
    assert "cannot be your own" in caught.value.message
    assert count(session) == 0


def test_every_mistake_of_an_application_is_refused_at_once(session, app_context, tree, resident):
    with pytest.raises(Invalid) as caught:
        apply(session, resident, None, real_name="", id_number=factories.id_number(date(2010, 6, 1)),
              id_consent=False, services=["nothing-offered"], guardian_phone=resident.phone)  # fmt: skip
    fields = [each.details["field"] for each in caught.value.problems]
    assert fields == ["community", "real_name", "id_consent", "services", "guardian_name",
                      "guardian_phone"]  # fmt: skip
    # Callers reading one refusal read the first.
    assert caught.value.details["field"] == "community"
    with pytest.raises(Invalid) as caught:
        apply(session, resident, tree.community, id_number="110105196005010011", id_consent=False)
    assert [each.details["field"] for each in caught.value.problems] == ["id_number", "id_consent"]
    assert count(session) == 0


def test_the_age_needing_a_guardian_is_the_district_s_rule(session, app_context, tree, resident):
    nineteen = factories.id_number(date(2007, 6, 1))
    with pytest.raises(Invalid) as caught:
        apply(session, resident, tree.community, id_number=nineteen, adult_age=20)
    assert caught.value.details["field"] == "guardian_name"


def test_eighteen_today_needs_no_guardian(session, app_context, tree, resident):
    # 24 November 2026 in Shanghai: born 24 November 2008 is 18 today.
    made = apply(session, resident, tree.community,
                 id_number=factories.id_number(date(2008, 11, 24)), guardian_name="不需要")  # fmt: skip
    assert made.guardian_name is None


def test_the_same_number_from_a_second_account_is_refused_naming_no_one(
    session, app_context, tree, resident
):
    number = factories.id_number()
    apply(session, resident, tree.community, id_number=number)
    second = factories.user(session, name="另一个手机")
    with pytest.raises(Invalid) as caught:
        apply(session, second, tree.other_community, id_number=number, real_name="王五")
    assert caught.value.details["field"] == "id_number"
    assert "registered to another account" in caught.value.message
    assert "李秀英" not in caught.value.message and resident.phone[-4:] not in caught.value.message
    assert count(session) == 1


def test_applying_twice_is_refused(session, app_context, tree, resident):
    apply(session, resident, tree.community)
    with pytest.raises(Invalid, match="applied already"):
        apply(session, resident, tree.community)


def test_a_coordinator_approves_and_the_resident_is_texted(
    session, app_context, tree, resident, coordinator
):
    made = apply(session, resident, tree.community)
    service.approve(session, coordinator, made, now=NOW + timedelta(hours=1))
    assert made.state == VolunteerState.APPROVED and made.decided_by_id == coordinator.id
    texts = session.scalars(select(SmsMessage).where(SmsMessage.phone == resident.phone)).all()
    assert [t.kind for t in texts] == ["volunteer_approved"]
    # Where to go next, not "sign in to the portal" with no address.
    assert texts[0].body.startswith("您的志愿者申请已通过")
    assert texts[0].body.endswith("/volunteering/") and len(texts[0].body) <= 60
    assert len(audit_of(session, "volunteering.approve")) == 1
    with pytest.raises(Invalid, match="answered already"):
        service.approve(session, coordinator, made, now=NOW)


def test_a_coordinator_declines_with_a_reason_and_the_resident_may_apply_again(
    session, app_context, tree, resident, coordinator
):
    made = apply(session, resident, tree.community)
    with pytest.raises(Invalid) as caught:
        service.decline(session, coordinator, made, reason=" ", now=NOW)
    assert caught.value.details["field"] == "reason" and made.state == VolunteerState.APPLIED
    service.decline(session, coordinator, made, reason="请先参加一次培训", now=NOW)
    assert made.state == VolunteerState.DECLINED and made.decline_reason == "请先参加一次培训"
    texts = session.scalars(select(SmsMessage).where(SmsMessage.phone == resident.phone)).all()
    assert [t.kind for t in texts] == ["volunteer_declined"] and len(texts[0].body) <= 60
    again = apply(session, resident, tree.community, now=NOW + timedelta(days=2))
    assert again.id == made.id and again.state == VolunteerState.APPLIED
    assert again.decline_reason is None and again.applied_at == NOW + timedelta(days=2)
    [history] = audit_of(session, "volunteering.apply_again")
    assert history.details["decline_reason"] == "请先参加一次培训"
    assert count(session) == 1


@pytest.mark.parametrize("who", ["other_coordinator", "resident", "secretary_elsewhere"])
def test_only_a_coordinator_of_the_community_answers(session, app_context, tree, resident, who):
    made = apply(session, resident, tree.community)
    actor = {
        "other_coordinator": lambda: factories.user(session, Role.COORDINATOR, tree.other_community),
        "resident": lambda: factories.user(session, name="邻居"),
        "secretary_elsewhere": lambda: factories.user(session, Role.SECRETARY, tree.other_community),
    }[who]()  # fmt: skip
    with pytest.raises(Forbidden):
        service.approve(session, actor, made, now=NOW)
    with pytest.raises(Forbidden):
        service.decline(session, actor, made, reason="不合适", now=NOW)
    with pytest.raises(Forbidden):
        service.reveal_id_number(session, actor, made, now=NOW)
    assert made.state == VolunteerState.APPLIED
    assert session.scalars(select(SmsMessage)).all() == []


def test_the_community_secretary_coordinates_too(session, app_context, tree, resident):
    secretary = factories.user(session, Role.SECRETARY, tree.community)
    made = apply(session, resident, tree.community)
    service.approve(session, secretary, made, now=NOW)
    assert made.state == VolunteerState.APPROVED


def test_a_reveal_is_audited_for_a_coordinator_and_not_for_the_owner(
    session, app_context, tree, resident, coordinator
):
    number = factories.id_number()
    made = apply(session, resident, tree.community, id_number=number)
    assert service.reveal_id_number(session, resident, made, now=NOW) == number
    assert audit_of(session, "volunteering.reveal_id_number") == []
    with pytest.raises(Invalid, match="Say why"):
        service.reveal_id_number(session, coordinator, made, reason="  ", now=NOW)
    whole = service.reveal_id_number(session, coordinator, made, reason="核对保险", now=NOW)
    assert whole == number
    [event] = audit_of(session, "volunteering.reveal_id_number")
    assert event.actor_id == coordinator.id and event.target_id == str(made.id)
    assert event.details == {"reason": "核对保险"}


def test_lists_are_paged_by_community_and_state_and_searched_by_name(
    session, app_context, tree, coordinator
):
    approved = [factories.volunteer(session, tree.community, name=f"志愿者{i}") for i in range(3)]
    factories.volunteer(session, tree.community, name="王小明", state=VolunteerState.APPLIED)
    factories.volunteer(session, tree.other_community, name="乙社区的人")
    page = service.volunteers(session, coordinator, tree.community, "1")
    assert [v.id for v in page.items] == [v.id for v in approved] and page.total == 3
    assert [v.real_name for v in service.volunteers(session, coordinator, tree.community, None,
                                                     "者1").items] == ["志愿者1"]  # fmt: skip
    assert service.volunteers(session, coordinator, tree.community, None, "%").total == 0
    waiting = service.applications(session, coordinator, tree.community, "x")
    assert [v.real_name for v in waiting.items] == ["王小明"] and waiting.number == 1
    with pytest.raises(Forbidden):
        service.volunteers(session, coordinator, tree.other_community, None)
    assert service.coordinated_communities(session, coordinator) == [tree.community]


def test_a_volunteer_s_age_on_a_day(session, tree):
    made = factories.volunteer(session, tree.community, born=date(1966, 3, 1))
    assert service.age_on(made, date(2026, 2, 28)) == 59
    assert service.age_on(made, date(2026, 3, 1)) == 60
