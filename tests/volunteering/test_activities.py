"""Volunteer activities without HTTP: the rules of publishing, signing up for a seat or the
waiting list, the line moving up by itself (and texting the one moved up), changing and
cancelling an activity, and the lists residents and coordinators read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.errors import Forbidden, Invalid, NotFound
from portal.notifications.models import SmsMessage
from portal.permissions import Role
from portal.volunteering import activities as services
from portal.volunteering import activity_lists as lists
from portal.volunteering import volunteers as registry
from portal.volunteering.models import Activity, ActivityState, SignUp, SignUpState, VolunteerState
from tests import factories

pytestmark = pytest.mark.usefixtures("app_context")

# Monday 7 December 2026, 08:00 in Shanghai.
NOW = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
# Tuesday 8 December, 14:00–16:00 in Shanghai.
TUESDAY_2PM = datetime(2026, 12, 8, 6, 0, tzinfo=UTC)


@pytest.fixture
def tree(session):
    return factories.tree(session)


@pytest.fixture
def coordinator(session, tree):
    return factories.user(session, Role.COORDINATOR, tree.community, name="协调员")


def publish(session, actor, community, **changes):
    values = {
        "community": community,
        "title": "陪伴独居老人",
        "description": "陪老人聊天、读报",
        "service_kind": "company",
        "location": "社区服务中心二楼活动室",
        "starts_at": TUESDAY_2PM,
        "ends_at": TUESDAY_2PM + timedelta(hours=2),
        "seats": 2,
        "worth_minutes": 120,
        "serves_elderly": True,
        "now": NOW,
    } | changes
    return services.publish(session, actor, **values)


@pytest.fixture
def activity(session, tree, coordinator):
    return publish(session, coordinator, tree.community)


def volunteers(session, tree, count):
    return [factories.volunteer(session, tree.community, name=f"志愿者{i}") for i in range(count)]


def texts_to(session, user) -> list[SmsMessage]:
    return list(
        session.scalars(
            select(SmsMessage).where(SmsMessage.phone == user.phone).order_by(SmsMessage.id)
        )
    )


# --- publishing ------------------------------------------------------------------------------


def test_a_coordinator_publishes_an_activity_with_its_own_secret_and_it_is_audited(
    session, activity, coordinator
):
    assert activity.state is ActivityState.PUBLISHED and activity.seats_taken == 0
    assert len(activity.check_in_secret) == 64
    int(activity.check_in_secret, 16)
    assert activity.created_by_id == coordinator.id and activity.service_kind.code == "company"
    audited = session.scalars(select(AuditEvent).where(AuditEvent.action == "volunteering.publish"))
    assert [e.target_id for e in audited] == [str(activity.id)]


def test_two_activities_have_different_secrets(session, tree, coordinator, activity):
    other = publish(session, coordinator, tree.community)
    assert other.check_in_secret != activity.check_in_secret


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "  "}, "title", "Give the activity a title."),
        ({"title": "长" * 61}, "title", "Keep the title within 60 characters."),
        ({"location": ""}, "location", "Say where the activity is."),
        ({"location": "地" * 101}, "location", "Keep the place within 100 characters."),
        ({"description": "字" * 2001}, "description", "within 2,000 characters"),
        ({"service_kind": "flying"}, "service_kind", "Choose a kind of service."),
        ({"starts_at": NOW, "ends_at": NOW + timedelta(hours=1)}, "starts_at", "in the future"),
        ({"starts_at": NOW - timedelta(days=1)}, "starts_at", "in the future"),
        ({"ends_at": TUESDAY_2PM}, "ends_at", "end after it starts"),
        ({"ends_at": TUESDAY_2PM - timedelta(hours=1)}, "ends_at", "end after it starts"),
        ({"ends_at": TUESDAY_2PM + timedelta(hours=12, minutes=30)}, "ends_at", "12 hours"),
        ({"seats": 0}, "seats", "between 1 and 500"),
        ({"seats": -3}, "seats", "between 1 and 500"),
        ({"seats": 501}, "seats", "between 1 and 500"),
        ({"worth_minutes": 0}, "worth_minutes", "half hours"),
        ({"worth_minutes": -60}, "worth_minutes", "half hours"),
        ({"worth_minutes": 45}, "worth_minutes", "half hours"),
        ({"worth_minutes": 150}, "worth_minutes", "at most as long as it lasts"),
    ],
)
def test_publishing_refuses_each_bad_value_on_its_field(
    session, tree, coordinator, changes, field, message
):
    with pytest.raises(Invalid) as refused:
        publish(session, coordinator, tree.community, **changes)
    assert message in refused.value.message and refused.value.details["field"] == field


def test_a_twelve_hour_night_patrol_across_midnight_is_allowed(session, tree, coordinator):
    night = TUESDAY_2PM + timedelta(hours=6)  # 20:00
    made = publish(session, coordinator, tree.community, starts_at=night,
                   ends_at=night + timedelta(hours=12), worth_minutes=720)  # fmt: skip
    assert made.ends_at - made.starts_at == timedelta(hours=12)


def test_a_retired_kind_of_service_cannot_be_chosen(session, tree, coordinator):
    kind = next(k for k in registry.service_kinds(session) if k.code == "patrol")
    kind.retired_at = NOW
    with pytest.raises(Invalid, match="kind of service"):
        publish(session, coordinator, tree.community, service_kind="patrol")
    assert "patrol" not in {k.code for k in registry.service_kinds(session)}


def test_a_coordinator_of_another_community_or_a_resident_is_refused(session, tree):
    other = factories.user(session, Role.COORDINATOR, tree.other_community)
    resident = factories.user(session, name="居民")
    for actor in (other, resident):
        with pytest.raises(Forbidden):
            publish(session, actor, tree.community)


def test_a_secretary_publishes_for_their_community_and_only_for_a_community(session, tree):
    secretary = factories.user(session, Role.SECRETARY, tree.community)
    assert publish(session, secretary, tree.community).community_id == tree.community.id
    with pytest.raises(Invalid, match="Choose a community"):
        publish(session, secretary, tree.grid)


# --- signing up ------------------------------------------------------------------------------


def test_the_first_take_the_seats_and_the_rest_wait_in_order(session, tree, activity):
    people = volunteers(session, tree, 4)
    made = [services.sign_up(session, p.user, activity, now=NOW) for p in people]
    assert [m.state for m in made] == [SignUpState.SEATED] * 2 + [SignUpState.WAITING] * 2
    assert made[0].seated_at == NOW and made[2].seated_at is None
    session.refresh(activity)
    assert activity.seats_taken == 2
    assert lists.places_in_line(session, made[2:]) == {made[2].id: 1, made[3].id: 2}


def test_the_waiting_list_is_as_long_as_the_seats_and_at_least_ten(session, tree, activity):
    # Two seats, so ten may wait: the thirteenth is told the line is full, and nothing is kept.
    people = volunteers(session, tree, 13)
    for person in people[:12]:
        services.sign_up(session, person.user, activity, now=NOW)
    with pytest.raises(Invalid, match="waiting list is full"):
        services.sign_up(session, people[12].user, activity, now=NOW)
    assert session.scalar(select(SignUp).where(SignUp.volunteer_id == people[12].id)) is None
    # Someone leaving the line makes room again.
    mine = session.scalar(select(SignUp).where(SignUp.volunteer_id == people[11].id))
    services.cancel_sign_up(session, people[11].user, mine, now=NOW)
    assert (
        services.sign_up(session, people[12].user, activity, now=NOW).state is SignUpState.WAITING
    )


def test_a_cancelled_seat_goes_to_the_first_waiting_who_is_texted(session, tree, activity):
    people = volunteers(session, tree, 4)
    made = [services.sign_up(session, p.user, activity, now=NOW) for p in people]
    later = NOW + timedelta(hours=1)
    services.cancel_sign_up(session, people[0].user, made[0], now=later)
    assert made[0].state is SignUpState.CANCELLED and made[0].cancelled_at == later
    assert made[2].state is SignUpState.SEATED and made[2].seated_at == later
    assert made[3].state is SignUpState.WAITING
    session.refresh(activity)
    assert activity.seats_taken == 2
    [text] = texts_to(session, people[2].user)
    assert text.kind == "volunteer_activity_seated" and text.body.startswith("候补成功")
    assert texts_to(session, people[3].user) == [] and texts_to(session, people[0].user) == []
    assert lists.places_in_line(session, [made[3]]) == {made[3].id: 1}


def test_a_cancelled_seat_with_nobody_waiting_is_free_again(session, tree, activity):
    first, second = volunteers(session, tree, 2)
    made = services.sign_up(session, first.user, activity, now=NOW)
    services.cancel_sign_up(session, first.user, made, now=NOW)
    session.refresh(activity)
    assert activity.seats_taken == 0
    assert services.sign_up(session, second.user, activity, now=NOW).state is SignUpState.SEATED


def test_leaving_the_waiting_list_frees_no_seat(session, tree, activity):
    people = volunteers(session, tree, 4)
    made = [services.sign_up(session, p.user, activity, now=NOW) for p in people]
    services.cancel_sign_up(session, people[2].user, made[2], now=NOW)
    session.refresh(activity)
    assert activity.seats_taken == 2 and made[3].state is SignUpState.WAITING
    assert lists.places_in_line(session, [made[3]]) == {made[3].id: 1}


def test_signing_up_again_after_cancelling_reuses_the_row_at_the_end_of_the_line(
    session, tree, activity
):
    people = volunteers(session, tree, 3)
    made = [services.sign_up(session, p.user, activity, now=NOW) for p in people]
    services.cancel_sign_up(session, people[0].user, made[0], now=NOW)
    again = services.sign_up(session, people[0].user, activity, now=NOW + timedelta(minutes=5))
    assert again.id == made[0].id and again.state is SignUpState.WAITING
    assert again.cancelled_at is None and again.signed_up_at == NOW + timedelta(minutes=5)
    count = session.scalars(select(SignUp).where(SignUp.activity_id == activity.id)).all()
    assert len(count) == 3


def test_signing_up_twice_is_refused(session, tree, activity):
    [person] = volunteers(session, tree, 1)
    services.sign_up(session, person.user, activity, now=NOW)
    with pytest.raises(Invalid, match="signed up for this activity already"):
        services.sign_up(session, person.user, activity, now=NOW)


@pytest.mark.parametrize("state", [VolunteerState.APPLIED, VolunteerState.DECLINED])
def test_a_volunteer_not_approved_is_refused(session, tree, activity, state):
    waiting = factories.volunteer(session, tree.community, state=state)
    with pytest.raises(Forbidden, match="approved volunteers"):
        services.sign_up(session, waiting.user, activity, now=NOW)


def test_a_resident_who_is_no_volunteer_is_refused(session, activity):
    resident = factories.user(session, name="居民")
    with pytest.raises(Forbidden, match="approved volunteers"):
        services.sign_up(session, resident, activity, now=NOW)


def test_a_volunteer_of_any_community_may_sign_up(session, tree, activity):
    elsewhere = factories.volunteer(session, tree.other_community)
    assert services.sign_up(session, elsewhere.user, activity, now=NOW).state is SignUpState.SEATED


def test_signing_up_or_cancelling_after_the_start_is_refused(session, tree, activity):
    first, second = volunteers(session, tree, 2)
    made = services.sign_up(session, first.user, activity, now=NOW)
    with pytest.raises(Invalid, match="has started"):
        services.sign_up(session, second.user, activity, now=activity.starts_at)
    with pytest.raises(Invalid, match="has started"):
        services.cancel_sign_up(session, first.user, made, now=activity.starts_at)
    assert made.state is SignUpState.SEATED


def test_only_the_volunteer_cancels_their_own_sign_up(session, tree, activity):
    first, second = volunteers(session, tree, 2)
    made = services.sign_up(session, first.user, activity, now=NOW)
    with pytest.raises(NotFound):
        services.cancel_sign_up(session, second.user, made, now=NOW)
    services.cancel_sign_up(session, first.user, made, now=NOW)
    with pytest.raises(Invalid, match="cancelled already"):
        services.cancel_sign_up(session, first.user, made, now=NOW)


# --- changing and cancelling -----------------------------------------------------------------


def test_seats_added_go_to_the_waiting_list_in_order_and_they_are_texted(
    session, tree, activity, coordinator
):
    people = volunteers(session, tree, 5)
    made = [services.sign_up(session, p.user, activity, now=NOW) for p in people]
    services.edit(session, coordinator, activity, starts_at=activity.starts_at,
                  ends_at=activity.ends_at, location=activity.location, seats=4, now=NOW)  # fmt: skip
    assert [m.state for m in made] == [SignUpState.SEATED] * 4 + [SignUpState.WAITING]
    assert activity.seats_taken == 4
    assert [t.kind for t in texts_to(session, people[2].user)] == ["volunteer_activity_seated"]
    assert texts_to(session, people[0].user) == [], "the time and place did not change"


def test_seats_never_drop_below_those_taken(session, tree, activity, coordinator):
    for person in volunteers(session, tree, 2):
        services.sign_up(session, person.user, activity, now=NOW)
    with pytest.raises(Invalid, match="2 volunteers have a seat already") as refused:
        services.edit(session, coordinator, activity, starts_at=activity.starts_at,
                      ends_at=activity.ends_at, location=activity.location, seats=1, now=NOW)  # fmt: skip
    assert refused.value.details["field"] == "seats"


def test_a_new_time_or_place_texts_the_seated_not_the_waiting(session, tree, activity, coordinator):
    people = volunteers(session, tree, 3)
    made = [services.sign_up(session, p.user, activity, now=NOW) for p in people]
    made[0].reminded_at = NOW
    later = activity.starts_at + timedelta(hours=1)
    services.edit(session, coordinator, activity, starts_at=later,
                  ends_at=later + timedelta(hours=2), location="社区广场", seats=2, now=NOW)  # fmt: skip
    for person in people[:2]:
        [text] = texts_to(session, person.user)
        assert text.kind == "volunteer_activity_changed" and "社区广场" in text.body
    assert texts_to(session, people[2].user) == []
    session.refresh(made[0])
    assert made[0].reminded_at is None, "the new time is reminded again"
    audited = session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_id == str(activity.id))
    )
    assert "volunteering.edit" in list(audited)


def test_an_edit_keeps_the_activity_as_long_as_its_worth(session, activity, coordinator):
    with pytest.raises(Invalid, match="worth 2 hours"):
        services.edit(session, coordinator, activity, starts_at=activity.starts_at,
                      ends_at=activity.starts_at + timedelta(hours=1), location="社区广场",
                      seats=2, now=NOW)  # fmt: skip


def test_another_community_s_coordinator_cannot_change_or_cancel(session, tree, activity):
    other = factories.user(session, Role.COORDINATOR, tree.other_community)
    with pytest.raises(Forbidden):
        services.edit(session, other, activity, starts_at=activity.starts_at,
                      ends_at=activity.ends_at, location="别处", seats=5, now=NOW)  # fmt: skip
    with pytest.raises(Forbidden):
        services.cancel(session, other, activity, reason="下雨", now=NOW)
    with pytest.raises(Forbidden):
        lists.roster(session, other, activity)


def test_cancelling_texts_everyone_seated_and_waiting_with_the_reason(
    session, tree, activity, coordinator
):
    people = volunteers(session, tree, 3)
    made = [services.sign_up(session, p.user, activity, now=NOW) for p in people]
    services.cancel_sign_up(session, people[2].user, made[2], now=NOW)
    extra = volunteers(session, tree, 2)
    for person in extra:
        services.sign_up(session, person.user, activity, now=NOW)
    with pytest.raises(Invalid, match="Say why"):
        services.cancel(session, coordinator, activity, reason=" ", now=NOW)
    services.cancel(session, coordinator, activity, reason="暴雨预警", now=NOW)
    assert activity.state is ActivityState.CANCELLED and activity.cancel_reason == "暴雨预警"
    for person in [*people[:2], *extra]:
        [text] = [
            t for t in texts_to(session, person.user) if t.kind != "volunteer_activity_seated"
        ]
        assert text.kind == "volunteer_activity_cancelled" and "暴雨预警" in text.body
    assert texts_to(session, people[2].user) == [], "who cancelled is not told"
    with pytest.raises(Invalid, match="cancelled"):
        services.sign_up(session, volunteers(session, tree, 1)[0].user, activity, now=NOW)
    with pytest.raises(Invalid, match="cancelled"):
        services.cancel(session, coordinator, activity, reason="再取消", now=NOW)


# --- lists -----------------------------------------------------------------------------------


def test_upcoming_lists_published_activities_not_started_soonest_first(
    session, tree, coordinator, activity
):
    sooner = publish(session, coordinator, tree.community, starts_at=NOW + timedelta(hours=2),
                     ends_at=NOW + timedelta(hours=4), service_kind="meals")  # fmt: skip
    other_coordinator = factories.user(session, Role.COORDINATOR, tree.other_community)
    elsewhere = publish(session, other_coordinator, tree.other_community)
    gone = publish(session, coordinator, tree.community)
    services.cancel(session, coordinator, gone, reason="取消", now=NOW)
    assert lists.upcoming(session, after=NOW).items == [sooner, activity, elsewhere]
    assert lists.upcoming(session, community=tree.community, after=NOW).items == [sooner, activity]
    meals = next(k for k in registry.service_kinds(session) if k.code == "meals")
    assert lists.upcoming(session, kind=meals, after=NOW).items == [sooner]
    assert lists.upcoming(session, after=NOW + timedelta(hours=3)).items == [activity, elsewhere]
    paged = lists.upcoming(session, after=NOW, page="2")
    assert paged.number == 2 and paged.items == [] and paged.total == 3


def test_mine_lists_a_volunteer_s_coming_and_past_activities(session, tree, coordinator, activity):
    people = volunteers(session, tree, 3)
    later = publish(session, coordinator, tree.community, starts_at=TUESDAY_2PM + timedelta(days=1),
                    ends_at=TUESDAY_2PM + timedelta(days=1, hours=2))  # fmt: skip
    for person in people[:2]:
        services.sign_up(session, person.user, later, now=NOW)
    for person in people:
        services.sign_up(session, person.user, activity, now=NOW)
    theirs = lists.mine(session, people[2].user, now=NOW)
    assert [(s.activity_id, place) for s, place in theirs.coming] == [(activity.id, 1)]
    first = lists.mine(session, people[0].user, now=NOW)
    assert [(s.activity_id, place) for s, place in first.coming] == [
        (activity.id, None),
        (later.id, None),
    ]
    assert theirs.past == []
    after = lists.mine(session, people[2].user, now=activity.ends_at)
    assert [s.activity_id for s in after.past] == [activity.id]
    assert lists.mine(session, factories.user(session), now=NOW).coming == []


def test_the_roster_shows_the_seated_then_the_waiting_with_their_phones(
    session, tree, activity, coordinator
):
    people = volunteers(session, tree, 3)
    for person in people:
        services.sign_up(session, person.user, activity, now=NOW)
    lines = lists.roster(session, coordinator, activity)
    assert [(line.name, line.place_in_line) for line in lines] == [
        ("志愿者0", None),
        ("志愿者1", None),
        ("志愿者2", 1),
    ]
    phone = people[0].user.phone
    assert lines[0].phone == phone, "whole, for the coordinator to call one who is late"


def test_coordinators_see_the_activities_of_their_communities(session, tree, activity):
    other = factories.user(session, Role.COORDINATOR, tree.other_community)
    mine = factories.user(session, Role.SECRETARY, tree.community)
    assert lists.coordinators_activities(session, mine, now=NOW).items == [activity]
    assert lists.coordinators_activities(session, other, now=NOW).items == []
    with pytest.raises(Forbidden):
        lists.coordinators_activities(session, factories.user(session), now=NOW)


def test_an_activity_that_has_started_is_neither_changed_nor_cancelled(
    session, activity, coordinator
):
    started = activity.starts_at + timedelta(minutes=1)
    with pytest.raises(Invalid, match="has started"):
        services.edit(session, coordinator, activity, starts_at=activity.starts_at,
                      ends_at=activity.ends_at, location="社区广场", seats=5, now=started)  # fmt: skip
    with pytest.raises(Invalid, match="has started"):
        services.cancel(session, coordinator, activity, reason="下雨", now=started)
    assert activity.state is ActivityState.PUBLISHED and activity.seats == 2


def test_a_district_coordinator_publishes_in_every_community_of_the_district(session, tree):
    district = factories.user(session, Role.COORDINATOR, tree.district)
    assert {c.id for c in registry.coordinated_communities(session, district)} >= {
        tree.community.id,
        tree.other_community.id,
    }
    assert all(c.kind == "community" for c in registry.coordinated_communities(session, district))
    mine = factories.user(session, Role.COORDINATOR, tree.community)
    assert registry.coordinated_communities(session, mine) == [tree.community]
    assert registry.coordinated_communities(session, factories.user(session)) == []


def test_every_mistake_of_a_new_activity_is_refused_at_once(session, tree, coordinator):
    with pytest.raises(Invalid) as caught:
        publish(session, coordinator, tree.community, title=" ", service_kind="juggling",
                location="", starts_at=NOW - timedelta(hours=1), ends_at=NOW, seats=0,
                worth_minutes=45)  # fmt: skip
    fields = [each.details["field"] for each in caught.value.problems]
    assert fields == ["title", "service_kind", "location", "starts_at", "seats", "worth_minutes"]
    assert session.scalars(select(Activity)).all() == []
