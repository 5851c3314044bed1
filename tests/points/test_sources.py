"""Grid points from the portal's built-in sources, without HTTP: confirming hours, rating an
appeal and marking a meeting held each earn the district's rule in the cause's own
transaction (the award, the ledger, the SMS), once per cause, within the rule's limits, and
nothing at all when no rule is in force or the cause does not qualify."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask import current_app
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.appeals import appeal_settings
from portal.appeals import services as appeals
from portal.appeals.events import AppealRated
from portal.appeals.models import Rating
from portal.appeals.services.review import phone_proven
from portal.audit.models import AuditEvent
from portal.catalogue.services import seed_catalogue
from portal.errors import Invalid
from portal.events import publish
from portal.ledger import services as ledger
from portal.ledger.models import Unit
from portal.meetings import booking as meetings
from portal.meetings.models import BookingState, MeetingKind
from portal.permissions import SYSTEM, Role
from portal.points import accounts, awards, earning_rules
from portal.points.models import AwardState, PointsAward, PointsSource
from portal.volunteering import confirming, timebank
from portal.volunteering import help_requests as helping
from portal.volunteering.timebank import TimeBankRules
from tests import factories
from tests.accounts.test_views import EN, page
from tests.appeals.conftest import RESIDENT, code_sent, file_appeal, file_for, resolved
from tests.meetings.conftest import MONDAY_8AM, schedule_for, shanghai
from tests.meetings.test_legal import legal_schedule_for
from tests.points.test_views import as_staff
from tests.points.world import NOW, make_world, rule
from tests.volunteering.attendance_world import AFTER, STARTS, attended


@pytest.fixture
def world(session, app_context):
    return make_world(session)


def source_rule(session, world, source: PointsSource, **values):
    names = {
        PointsSource.VOLUNTEER_HOURS: ("志愿服务时长", "Volunteer service hours", 10),
        PointsSource.APPEAL_RATED: ("诉求办结获满意评价", "Appeal rated satisfied", 5),
        PointsSource.MEETING_ATTENDED: ("参加书记在线会面", "Secretary meeting attended", 5),
        PointsSource.LEGAL_DAY_ATTENDED: ("参加遇8有约", "Legal service day attended", 5),
    }
    name_zh, name_en, points = names[source]
    checked = earning_rules.check_values(
        **({"name_zh": name_zh, "name_en": name_en, "points": points, "needs_review": False}
           | values)
    )  # fmt: skip
    return earning_rules.add_rule(
        session, world.admin, world.tree.district, checked, source=source, now=NOW
    )


def awards_made(session) -> list[PointsAward]:
    return list(session.scalars(select(PointsAward).order_by(PointsAward.id)))


def balance_of(session, user) -> int:
    held = accounts.held_account(session, user.id)
    return ledger.balance(session, held) if held else 0


def account_of(session, phone: str) -> User | None:
    return session.scalar(select(User).where(User.phone == phone))


# --- volunteer hours -------------------------------------------------------------------------


def activity_of(session, world, *minutes: int):
    """An activity of the world's community that has ended, with volunteers who attended."""
    made = factories.activity(session, world.tree.community, starts_at=STARTS)
    return made, [
        attended(session, made, factories.volunteer(session, world.tree.community,
                                                    name=f"志愿{i}"), spent)
        for i, spent in enumerate(minutes)
    ]  # fmt: skip


def test_confirmed_hours_earn_the_rules_points_by_the_hour_at_once(session, world, sms):
    source_rule(session, world, PointsSource.VOLUNTEER_HOURS)
    _activity, [sign_up] = activity_of(session, world, 90)
    confirming.confirm(session, world.coordinator, sign_up, now=AFTER)
    [award] = awards_made(session)
    # 90 minutes at 10 an hour: 15.
    assert (award.points, award.state, award.source_key) == (15, AwardState.CREDITED,
                                                            f"service:{sign_up.id}")  # fmt: skip
    assert award.community_id == world.tree.community.id and award.grid_id is None
    assert award.proposed_by_id is None and award.reason == "1.5 h · 陪伴独居老人"
    volunteer = sign_up.volunteer.user
    assert award.user_id == volunteer.id and balance_of(session, volunteer) == 15
    [text] = [m for m in sms.recent(volunteer.phone) if m.kind == "points_credited"]
    assert "志愿服务时长" in text.body and "15" in text.body
    logged = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "points.award")
    ).one()  # fmt: skip
    assert logged.actor_id is None and logged.details["cause"] == f"service:{sign_up.id}"
    assert ledger.mismatches(session) == [] and ledger.unbalanced_transfers(session) == []


def test_confirming_a_whole_activity_earns_for_each_record_and_half_an_hour_rounds_down(
    session, world
):
    source_rule(session, world, PointsSource.VOLUNTEER_HOURS, points=3)
    _activity, sign_ups = activity_of(session, world, 120, 30)
    confirming.confirm_all(session, world.coordinator, sign_ups[0].activity, now=AFTER)
    # Two hours at 3: 6; half an hour at 3: 1.5, rounded down to 1.
    assert {a.source_key: a.points for a in awards_made(session)} == {
        f"service:{sign_ups[0].id}": 6, f"service:{sign_ups[1].id}": 1,
    }  # fmt: skip


def test_a_confirmation_undone_takes_its_points_back_and_confirming_again_earns_afresh(
    session, world
):
    source_rule(session, world, PointsSource.VOLUNTEER_HOURS)
    _activity, [sign_up] = activity_of(session, world, 120)
    volunteer = sign_up.volunteer.user
    confirming.confirm(session, world.coordinator, sign_up, now=AFTER)
    assert balance_of(session, volunteer) == 20
    confirming.reverse_confirmation(session, world.coordinator, sign_up, reason="时长记错了",
                                    now=AFTER)  # fmt: skip
    [undone] = awards_made(session)
    assert (undone.state, undone.rejection) == (AwardState.REJECTED, "时长记错了")
    assert balance_of(session, volunteer) == 0
    # Confirmed again, corrected to 90 minutes: the corrected hours earn, once.
    confirming.confirm(session, world.coordinator, sign_up, minutes=90, reason="实际一个半小时",
                       now=AFTER)  # fmt: skip
    again = awards_made(session)[-1]
    assert (again.points, again.source_key) == (15, f"service:{sign_up.id}")
    assert balance_of(session, volunteer) == 15
    assert ledger.mismatches(session) == [] and ledger.unbalanced_transfers(session) == []


def test_points_already_spent_stay_spent_when_the_hours_are_undone(session, world):
    source_rule(session, world, PointsSource.VOLUNTEER_HOURS)
    _activity, [sign_up] = activity_of(session, world, 120)
    volunteer = sign_up.volunteer.user
    confirming.confirm(session, world.coordinator, sign_up, now=AFTER)
    own = accounts.person_account(session, volunteer, now=AFTER)
    issuer = accounts.issuer_account(session, world.tree.community, now=AFTER)
    ledger.post(session, SYSTEM, unit=Unit.POINTS, kind="tests.spent",
                legs=[(own, -15), (issuer, 15)], now=AFTER)  # fmt: skip
    confirming.reverse_confirmation(session, world.coordinator, sign_up, reason="时长记错了",
                                    now=AFTER)  # fmt: skip
    [kept] = awards_made(session)
    assert kept.state is AwardState.CREDITED and balance_of(session, volunteer) == 5
    assert sign_up.confirmed_at is None


def test_hours_earn_nothing_with_no_rule_in_force_or_no_whole_point(session, world):
    _activity, [first, none] = activity_of(session, world, 90, 90)
    confirming.confirm(session, world.coordinator, first, now=AFTER)
    assert awards_made(session) == []
    made = source_rule(session, world, PointsSource.VOLUNTEER_HOURS)
    earning_rules.retire_rule(session, world.admin, made, retired=True, now=NOW)
    confirming.confirm(session, world.coordinator, none, now=AFTER)
    assert awards_made(session) == []
    _activity, [short] = activity_of(session, world, 120)
    source_rule(session, world, PointsSource.VOLUNTEER_HOURS, points=1)
    confirming.confirm(session, world.coordinator, short, minutes=0, reason="未实际参加",
                       now=AFTER)  # fmt: skip
    assert awards_made(session) == []


def test_help_given_to_an_older_resident_earns_for_its_hours(session, world):
    source_rule(session, world, PointsSource.VOLUNTEER_HOURS)
    volunteer = factories.volunteer(session, world.tree.community, name="帮手")
    elder = factories.elder(session, world.tree.community, priority=True)
    help_request = factories.help_request(
        session, elder, starts_at=STARTS, minutes=60, payer=helping.HelpPayer.POOL
    )
    helping.match_volunteer(session, world.coordinator, help_request, volunteer=volunteer,
                            now=STARTS - timedelta(days=1))  # fmt: skip
    pool = timebank.pool_account(session, world.tree.community, now=NOW)
    issuer = timebank.issuer_account(session, world.tree.community, now=NOW)
    ledger.post(session, SYSTEM, unit=Unit.MINUTES, kind=timebank.BANKED,
                legs=[(issuer, -60), (pool, 60)], now=NOW)  # fmt: skip
    helping.confirm_done(session, world.coordinator, help_request, minutes=60,
                         rules=TimeBankRules(), now=AFTER)  # fmt: skip
    [award] = awards_made(session)
    assert (award.source_key, award.points, award.user_id) == (
        f"help:{help_request.id}", 10, volunteer.user_id,
    )  # fmt: skip


# --- appeals ---------------------------------------------------------------------------------


@pytest.fixture
def grid_worker(session, world):
    seed_catalogue(session)
    return SimpleNamespace(
        grid_worker=factories.user(session, Role.GRID_WORKER, world.tree.grid, name="王网格")
    )


def rate(session, appeal, rating: str, now):
    appeals.review(session, appeal, rating, "", now=now,
                   settings=appeals_settings())  # fmt: skip


def appeals_settings():
    return appeal_settings(current_app)


def test_an_appeal_rated_satisfied_earns_once_for_the_phone_that_proved_it(
    session, world, grid_worker, sms
):
    source_rule(session, world, PointsSource.APPEAL_RATED)
    appeal = resolved(session, world.tree, grid_worker, NOW)
    assert account_of(session, RESIDENT) is None
    rate(session, appeal, "basically_satisfied", NOW + timedelta(hours=1))
    [award] = awards_made(session)
    resident = account_of(session, RESIDENT)  # made for the points
    assert (award.user_id, award.points, award.source_key) == (resident.id, 5,
                                                               f"appeal:{appeal.id}")  # fmt: skip
    assert award.grid_id == world.tree.grid.id and award.community_id == world.tree.community.id
    assert award.reason == "2026-12-04" and balance_of(session, resident) == 5
    assert any(m.kind == "points_credited" for m in sms.recent(RESIDENT))
    # However often the rating is told again, the appeal earns once.
    publish(session, AppealRated(appeal, Rating.SATISFIED, NOW + timedelta(hours=2)))
    assert len(awards_made(session)) == 1 and balance_of(session, resident) == 5


def test_a_dissatisfied_rating_earns_nothing_and_the_rerated_appeal_earns_once(
    session, world, grid_worker
):
    source_rule(session, world, PointsSource.APPEAL_RATED)
    appeal = resolved(session, world.tree, grid_worker, NOW)
    rate(session, appeal, "dissatisfied", NOW + timedelta(hours=1))
    assert awards_made(session) == []
    secretary = world.secretary
    later = NOW + timedelta(hours=2)
    appeals.accept(session, secretary, appeal, now=later)
    appeals.resolve(session, secretary, appeal, "已清运", now=later, settings=appeals_settings())
    rate(session, appeal, "satisfied", later + timedelta(hours=1))
    assert [a.source_key for a in awards_made(session)] == [f"appeal:{appeal.id}"]


def test_an_appeal_set_aside_as_spam_or_merged_earns_nothing(session, world, grid_worker):
    source_rule(session, world, PointsSource.APPEAL_RATED)
    # Set aside, then put back, handled and rated: it was set aside once, so it earns nothing.
    spam = file_appeal(session, world.tree.building, NOW)
    appeals.hide(session, world.secretary, spam, "广告", now=NOW + timedelta(minutes=1))
    appeals.restore(session, world.secretary, spam, now=NOW + timedelta(minutes=2),
                    settings=appeals_settings())  # fmt: skip
    appeals.accept(session, grid_worker.grid_worker, spam, now=NOW + timedelta(minutes=3))
    appeals.resolve(session, grid_worker.grid_worker, spam, "已处理",
                    now=NOW + timedelta(minutes=4), settings=appeals_settings())  # fmt: skip
    rate(session, spam, "satisfied", NOW + timedelta(hours=1))
    # A duplicate merged into another is never rated itself; told of a rating, it earns nothing.
    survivor = file_appeal(session, world.tree.building, NOW, phone="13698765432")
    duplicate = file_appeal(session, world.tree.building, NOW, phone="13611112222")
    appeals.merge(session, world.secretary, duplicate, survivor.tracking, now=NOW,
                  settings=appeals_settings())  # fmt: skip
    publish(session, AppealRated(duplicate, Rating.SATISFIED, NOW + timedelta(hours=1)))
    assert awards_made(session) == []


def test_an_appeal_filed_for_a_resident_on_their_word_alone_earns_nothing(
    session, world, grid_worker
):
    source_rule(session, world, PointsSource.APPEAL_RATED)
    worker = grid_worker.grid_worker
    # Filed with the resident's consent: no code ever proved the phone.
    on_word = file_for(session, world.tree, worker, NOW, consent=True)
    for step, action in enumerate([appeals.accept, appeals.start]):
        action(session, worker, on_word, now=NOW + timedelta(minutes=step + 1))
    appeals.resolve(session, worker, on_word, "已处理", now=NOW + timedelta(minutes=3),
                    settings=appeals_settings())  # fmt: skip
    rate(session, on_word, "satisfied", NOW + timedelta(hours=1))
    assert awards_made(session) == []
    assert phone_proven(session, on_word) is False
    # Filed for them without consent, the resident read out the code sent to their phone.
    by_code = file_for(session, world.tree, worker, NOW, consent=False)
    appeals.confirm(session, by_code, code_sent(session, RESIDENT), now=NOW,
                    settings=appeals_settings())  # fmt: skip
    assert phone_proven(session, by_code) is True


def test_an_appeal_rated_satisfied_earns_at_most_three_a_month(session, world, grid_worker):
    source_rule(session, world, PointsSource.APPEAL_RATED, per_month=3)
    for day in range(4):
        appeal = resolved(session, world.tree, grid_worker, NOW + timedelta(days=day))
        rate(session, appeal, "satisfied", NOW + timedelta(days=day, hours=1))
    assert len(awards_made(session)) == 3
    resident = account_of(session, RESIDENT)
    assert balance_of(session, resident) == 15
    # Shanghai's next month: 1 January 2027.
    january = NOW.replace(year=2027, month=1, day=1)
    appeal = resolved(session, world.tree, grid_worker, january)
    rate(session, appeal, "satisfied", january + timedelta(hours=1))
    assert len(awards_made(session)) == 4 and balance_of(session, resident) == 20


# --- meetings and legal service days ---------------------------------------------------------


def test_a_meeting_and_a_legal_day_marked_held_earn_their_own_rules(session, world, sms):
    source_rule(session, world, PointsSource.MEETING_ATTENDED)
    source_rule(session, world, PointsSource.LEGAL_DAY_ATTENDED, points=8)
    secretary = schedule_for(session, world.secretary, world.tree.community)
    adviser = factories.user(session, Role.LEGAL_ADVISER, world.tree.community, name="赵律师")
    legal = legal_schedule_for(session, adviser, world.tree.community)
    resident = meetings.Booker(phone=world.resident.phone, user_id=world.resident.id)
    met = meetings.book(session, resident, secretary.id, shanghai(7, 10), now=MONDAY_8AM)
    advised = meetings.book(session, resident, legal.id, shanghai(8, 9), now=MONDAY_8AM)
    missed = meetings.book(
        session, meetings.Booker(phone="13900139000"), secretary.id, shanghai(9, 10),
        now=MONDAY_8AM,
    )  # fmt: skip
    meetings.mark(session, world.secretary, met, BookingState.HELD, now=shanghai(7, 11))
    meetings.mark(session, adviser, advised, BookingState.HELD, now=shanghai(8, 10))
    meetings.mark(session, world.secretary, missed, BookingState.NO_SHOW, now=shanghai(9, 11))
    made = {a.source_key: (a.rule.source, a.points, a.user_id) for a in awards_made(session)}
    assert made == {
        f"booking:{met.id}": (PointsSource.MEETING_ATTENDED, 5, world.resident.id),
        f"booking:{advised.id}": (PointsSource.LEGAL_DAY_ATTENDED, 8, world.resident.id),
    }
    assert balance_of(session, world.resident) == 13
    # The day of the meeting, not its reference, names it on a public notice.
    assert {a.reason for a in awards_made(session)} == {"2026-12-07", "2026-12-08"}
    assert advised.kind is MeetingKind.LEGAL
    assert len([m for m in sms.recent(world.resident.phone) if m.kind == "points_credited"]) == 2


def test_a_rule_needing_review_waits_in_the_queue_with_no_one_as_proposer(session, world):
    source_rule(session, world, PointsSource.MEETING_ATTENDED, needs_review=True)
    secretary = schedule_for(session, world.secretary, world.tree.community)
    booking = meetings.book(session, meetings.Booker(phone="13900139000"), secretary.id,
                            shanghai(7, 10), now=MONDAY_8AM)  # fmt: skip
    meetings.mark(session, world.secretary, booking, BookingState.HELD, now=shanghai(7, 11))
    [award] = awards_made(session)
    assert award.state is AwardState.REVIEWING and award.proposed_by_id is None
    assert award.user.phone == "13900139000" and balance_of(session, award.user) == 0
    # Any coordinator of the community may review it: no one proposed it.
    awards.approve_award(session, world.coordinator, award.id, notice_days=5, now=NOW)
    assert award.state is AwardState.NOTICE


# --- the rules -------------------------------------------------------------------------------


def test_a_second_rule_in_force_of_one_source_is_refused(session, world):
    first = source_rule(session, world, PointsSource.APPEAL_RATED)
    with pytest.raises(Invalid) as refused:
        source_rule(session, world, PointsSource.APPEAL_RATED, name_zh="满意评价")
    assert refused.value.details["field"] == "source"
    assert "in force already" in refused.value.message
    # Retired, it makes way; brought back beside the new one, it is refused the same.
    earning_rules.retire_rule(session, world.admin, first, retired=True, now=NOW)
    second = source_rule(session, world, PointsSource.APPEAL_RATED, name_zh="满意评价")
    with pytest.raises(Invalid, match="in force already"):
        earning_rules.retire_rule(session, world.admin, first, retired=False, now=NOW)
    assert earning_rules.rule_in_force(session, world.tree.district,
                                       PointsSource.APPEAL_RATED).id == second.id  # fmt: skip
    # Listed deeds are many.
    rule(session, world.admin, world.tree.district, name_zh="夜校听课", name_en="Evening class")


def test_coordinators_are_never_offered_a_built_in_rule(session, world):
    built_in = source_rule(session, world, PointsSource.MEETING_ATTENDED)
    offered = earning_rules.offered_rules(session, world.tree.district)
    assert built_in not in offered and world.cleanup in offered
    with pytest.raises(Invalid, match="Choose a deed from the list"):
        awards.award_points(
            session, world.coordinator, world.tree.community, rule_id=built_in.id,
            phone=world.resident.phone, reason="来过", now=NOW,
        )  # fmt: skip
    assert session.scalar(select(func.count()).select_from(PointsAward)) == 0


# --- over HTTP -------------------------------------------------------------------------------


@pytest.fixture
def web_world(session, app):
    with app.test_request_context(headers=EN):
        made = make_world(session)
    session.commit()
    return made


def test_an_administrator_chooses_a_source_and_a_second_is_refused_beside_it(
    app, session, web_world
):
    admin = as_staff(app, session, web_world.admin)
    body = page(admin, "/points/admin/rules")
    assert '<option selected value="deed">A listed deed</option>' in body
    assert "for volunteer service hours the points are per hour" in body
    typed = {"source": "volunteer_hours", "name_zh": "志愿服务时长",
             "name_en": "Volunteer service hours", "points": "10"}  # fmt: skip
    assert admin.post("/points/admin/rules", data=typed, headers=EN).status_code == 302
    made = earning_rules.rule_in_force(session, web_world.tree.district,
                                       PointsSource.VOLUNTEER_HOURS)  # fmt: skip
    assert (made.name_zh, made.points) == ("志愿服务时长", 10)
    assert "Volunteer service hours (per hour) · +10 points an hour" in page(
        admin, "/points/admin/rules"
    )
    own = page(admin, f"/points/admin/rules/{made.id}")
    assert "Where the points come from: Volunteer service hours (per hour)." in own
    assert "the points for each hour confirmed" in own and 'name="source"' not in own
    again = admin.post("/points/admin/rules", data=typed | {"name_zh": "服务时长"}, headers=EN)
    body = again.get_data(as_text=True)
    assert again.status_code == 400
    assert "This district has a rule of this kind in force already (Volunteer service hours" in body
    assert 'value="服务时长"' in body and '<option selected value="volunteer_hours">' in body
    unknown = admin.post("/points/admin/rules", data=typed | {"source": "bribes"}, headers=EN)
    assert unknown.status_code == 400
    assert "Choose where the points come from." in unknown.get_data(as_text=True)


def test_the_coordinators_award_form_offers_listed_deeds_only(app, session, web_world):
    with app.test_request_context(headers=EN):
        source_rule(session, web_world, PointsSource.MEETING_ATTENDED)
    session.commit()
    body = page(as_staff(app, session, web_world.coordinator), "/points/desk")
    assert "Community clean-up: 5 points" in body
    assert "Secretary meeting attended" not in body and "参加书记在线会面" not in body
