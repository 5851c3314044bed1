"""书记在线 as the services keep it, without HTTP: a resident asks, a host marks the request
seen (the resident is told who), a host books the meeting (the resident is told when), and
the sweep passes on every promise broken."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.errors import Invalid, NotFound
from portal.meetings import booking as engine
from portal.meetings import secretary as online
from portal.meetings.models import RequestState
from portal.permissions import Role
from tests import factories
from tests.meetings.conftest import shanghai

pytestmark = pytest.mark.usefixtures("app_context")

SETTINGS = online.MeetingSettings(base_url="https://portal.example")
RESIDENT = engine.Booker(phone="13800138000", name="李阿姨", locale="zh_Hans_CN")
ASKED = shanghai(7, 10, 3)  # a Monday morning: the community is online


@pytest.fixture
def community(session, tree):
    tree.community.phone = "025-84561234"
    session.flush()
    return tree.community


@pytest.fixture
def deputy(session, community):
    return factories.user(session, Role.DEPUTY_SECRETARY, community, name="赵副书记")


@pytest.fixture
def officer(session, tree):
    return factories.user(session, Role.OFFICER, tree.street, name="街道干部")


def ask(session, community, asker=RESIDENT, **fields):
    values = {"about": "想谈谈小区停车的事", "suits": "工作日下午", "now": ASKED} | fields
    return online.ask(session, community, asker, **values)


def test_a_request_texts_the_secretary_and_starts_its_clocks(session, community, secretary, sms):
    made = ask(session, community)
    assert made.state is RequestState.WAITING and made.reference.startswith("S")
    assert (made.clocks_start_at, made.seen_due_at, made.arranged_due_at) == (
        ASKED, ASKED + timedelta(minutes=10), ASKED + timedelta(minutes=30)
    )  # fmt: skip
    [told] = sms.recent(secretary.phone)
    assert made.reference in told.body and "10分钟内" in told.body
    assert not sms.recent(RESIDENT.phone), "a 'received' message keeps no promise"


def test_a_request_at_night_waits_for_the_online_hours(session, community, secretary):
    made = ask(session, community, now=shanghai(7, 22))
    assert made.clocks_start_at == shanghai(8, 8, 30)
    assert made.seen_due_at == shanghai(8, 8, 40) and made.sweep_at == made.seen_due_at


@pytest.mark.parametrize(
    ("about", "message"), [(" 好 ", "Say in a few words"), ("长" * 301, "shorter")]
)
def test_a_request_must_say_what_it_is_about(session, community, about, message):
    with pytest.raises(Invalid, match=message):
        ask(session, community, about=about)


def test_a_request_goes_to_a_community(session, tree):
    with pytest.raises(Invalid):
        ask(session, tree.street)


def test_marking_it_seen_tells_the_resident_who_and_the_community_s_number(
    session, community, secretary, sms
):
    made = ask(session, community)
    online.mark_seen(session, secretary, made, now=ASKED + timedelta(minutes=4))
    assert made.state is RequestState.SEEN and made.seen_by_id == secretary.id
    assert made.sweep_at == made.arranged_due_at
    [told] = sms.recent(RESIDENT.phone)
    assert "王书记" in told.body and "025-84561234" in told.body
    assert secretary.phone not in told.body and secretary.phone[-4:] not in told.body
    with pytest.raises(Invalid, match="seen already"):
        online.mark_seen(session, secretary, made, now=ASKED + timedelta(minutes=5))


def test_only_the_community_s_secretary_and_deputies_answer(session, tree, community, deputy):
    made = ask(session, community)
    assert online.get_request(session, deputy, made.reference) is made
    others = [
        factories.user(session, Role.SECRETARY, tree.other_community),
        factories.user(session, Role.GRID_WORKER, tree.grid),
        factories.user(session, Role.LEGAL_ADVISER, community),
    ]
    for other in others:
        with pytest.raises(NotFound):
            online.get_request(session, other, made.reference)


def test_a_host_arranges_the_meeting_and_the_resident_is_texted_its_time(
    session, community, secretary, schedule, sms
):
    made = ask(session, community)
    booked = online.arrange(
        session, SETTINGS, secretary, made, shanghai(7, 14), now=ASKED + timedelta(minutes=8)
    )
    assert made.state is RequestState.ARRANGED and made.booking_id == booked.id
    assert made.seen_at == ASKED + timedelta(minutes=8), "arranging says it was seen"
    assert made.sweep_at is None
    assert booked.phone == RESIDENT.phone and booked.about == made.about
    [told] = sms.recent(RESIDENT.phone)
    assert "12月7日周一 14:00" in told.body and "王书记" in told.body
    assert f"/m/{booked.reference}" in told.body
    with pytest.raises(Invalid, match="arranged for this request already"):
        online.arrange(session, SETTINGS, secretary, made, shanghai(7, 15), now=ASKED)


def test_a_host_without_times_of_their_own_is_asked_to_set_them(session, community, deputy):
    made = ask(session, community)
    with pytest.raises(Invalid, match="Set the times"):
        online.arrange(session, SETTINGS, deputy, made, shanghai(7, 14), now=ASKED)


def test_unseen_at_ten_minutes_the_deputies_are_texted(
    session, community, secretary, deputy, officer, sms
):
    made = ask(session, community)
    assert online.sweep(session, ASKED + timedelta(minutes=9)) == 0
    assert online.sweep(session, ASKED + timedelta(minutes=10)) == 1
    [told] = sms.recent(deputy.phone)
    assert "10分钟" in told.body and made.reference in told.body
    assert len(sms.recent(secretary.phone)) == 1, "the secretary was texted when it came"
    assert not sms.recent(officer.phone)
    assert made.sweep_at == made.arranged_due_at
    online.sweep(session, ASKED + timedelta(minutes=11))
    assert len(sms.recent(deputy.phone)) == 1, "once"


def test_unarranged_at_thirty_minutes_the_street_s_officers_are_texted(
    session, community, secretary, deputy, officer, sms
):
    made = ask(session, community)
    online.mark_seen(session, deputy, made, now=ASKED + timedelta(minutes=3))
    online.sweep(session, ASKED + timedelta(minutes=10))
    assert not sms.recent(deputy.phone), "seen in time: nobody is chased"
    online.sweep(session, ASKED + timedelta(minutes=30))
    [told] = sms.recent(officer.phone)
    assert "30分钟" in told.body and made.reference in told.body
    assert made.sweep_at is None and made.arranged_escalated_at is not None


def test_arranged_in_time_nobody_is_chased(session, community, secretary, schedule, officer, sms):
    made = ask(session, community)
    online.arrange(session, SETTINGS, secretary, made, shanghai(7, 14), now=ASKED)
    assert online.sweep(session, ASKED + timedelta(hours=1)) == 0
    assert not sms.recent(officer.phone)


def test_the_queue_puts_the_promise_nearest_its_deadline_first(session, community, secretary):
    early = ask(session, community, now=ASKED)
    later = ask(
        session, community, engine.Booker(phone="13900139000"), now=ASKED + timedelta(minutes=5)
    )
    online.mark_seen(session, secretary, early, now=ASKED + timedelta(minutes=1))
    # early now waits to be arranged by 10:33; later to be read by 10:18.
    assert online.requests_to_answer(session, secretary) == [later, early]


def test_a_request_at_night_is_chased_only_once_the_community_has_been_online_ten_minutes(
    session, community, secretary, deputy, officer, sms
):
    made = ask(session, community, now=shanghai(7, 22))
    assert online.sweep(session, shanghai(7, 22, 30)) == 0
    assert online.sweep(session, shanghai(8, 8, 39)) == 0
    assert not sms.recent(deputy.phone)
    online.sweep(session, shanghai(8, 8, 40))
    assert len(sms.recent(deputy.phone)) == 1
    online.sweep(session, shanghai(8, 8, 59))
    assert not sms.recent(officer.phone)
    online.sweep(session, shanghai(8, 9, 0))
    assert len(sms.recent(officer.phone)) == 1 and made.sweep_at is None


def test_a_second_request_while_one_waits_leads_to_the_first_and_texts_nobody(
    session, community, secretary, sms
):
    first = ask(session, community)
    with pytest.raises(online.AlreadyAsked) as again:
        ask(session, community, about="再问一次")
    assert again.value.request is first
    assert len(sms.recent(secretary.phone)) == 1
    online.withdraw(session, factories.user(session, phone=RESIDENT.phone), first, now=ASKED)
    assert ask(session, community).reference != first.reference


def test_at_night_the_secretary_is_texted_when_the_community_is_online_again(
    session, community, secretary, sms
):
    ask(session, community, now=shanghai(7, 22))
    [told] = sms.recent(secretary.phone)
    assert told.next_attempt_at == shanghai(8, 8, 30)


def test_a_night_request_withdrawn_is_never_texted_to_the_secretary(
    session, community, secretary, sms
):
    made = ask(session, community, now=shanghai(7, 22))
    online.withdraw(
        session, factories.user(session, phone=RESIDENT.phone), made, now=shanghai(7, 23)
    )
    [held] = sms.recent(secretary.phone)
    assert held.expires_at == shanghai(7, 23)
