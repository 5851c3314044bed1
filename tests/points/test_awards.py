"""Coordinators award listed deeds: credited at once or reviewed by another coordinator,
within the rule's limits per person per day, month and year, in their own community only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.errors import Forbidden, Invalid, NotFound
from portal.ledger import services as ledger
from portal.ledger.models import LedgerTransfer
from portal.notifications.models import SmsMessage
from portal.points import accounts, awards, earning_rules
from portal.points.models import AwardState, PointsAward
from tests import factories
from tests.points.world import NOW, make_world, rule


@pytest.fixture
def world(session, app_context):
    return make_world(session)


def award(session, world, rule_=None, *, by=None, phone="13800138000", now=NOW, community=None):
    return awards.award_points(
        session, by or world.coordinator, community or world.tree.community,
        rule_id=(rule_ or world.cleanup).id, phone=phone, reason="清理楼道杂物", now=now,
    )  # fmt: skip


def balance_of(session, user) -> int:
    held = accounts.held_account(session, user.id)
    return ledger.balance(session, held) if held else 0


def test_a_deed_without_review_is_credited_at_once_and_the_resident_is_texted(session, world, sms):
    made = award(session, world)
    assert made.state is AwardState.CREDITED and made.credited_at == NOW
    assert balance_of(session, world.resident) == 5
    issuer = accounts.issuer_account(session, world.tree.community, now=NOW)
    assert ledger.balance(session, issuer) == -5
    transfer = ledger.transfer_about(session, accounts.AWARDED, f"points.award:{made.id}")
    assert transfer is not None and transfer.unit == "points"
    [message] = sms.recent("13800138000")
    assert message.kind == "points_credited"
    assert "5" in message.body and "参加社区清洁" in message.body
    assert ledger.mismatches(session) == [] and ledger.unbalanced_transfers(session) == []


def test_a_resident_with_no_account_yet_gets_one_by_their_number(session, world):
    made = award(session, world, phone="139 0013 9000")
    assert made.user.phone == "13900139000"
    assert balance_of(session, made.user) == 5


def test_a_sixth_clean_up_in_a_day_is_refused_with_the_limit(session, world):
    for _ in range(5):
        award(session, world)
    with pytest.raises(Invalid) as refused:
        award(session, world, by=world.secretary)
    assert refused.value.message == (
        "Community clean-up is awarded at most 5 times a day to one person: this resident "
        "has had them all today."
    )
    assert refused.value.details["field"] == "rule"
    assert balance_of(session, world.resident) == 25
    # The day is Shanghai's: at midnight there (16:00 UTC) the limit starts again.
    tomorrow = NOW.replace(hour=16)
    assert award(session, world, now=tomorrow).state is AwardState.CREDITED
    with pytest.raises(Invalid):
        award(session, world, now=NOW.replace(hour=15, minute=59))


def test_month_and_year_limits_count_awards_not_refused(session, world):
    monthly = rule(session, world.admin, world.tree.district, name_zh="夜校听课",
                   name_en="Evening class", per_month=2)  # fmt: skip
    award(session, world, monthly)
    award(session, world, monthly, now=NOW + timedelta(days=1))
    with pytest.raises(Invalid, match="at most 2 times a month"):
        award(session, world, monthly, now=NOW + timedelta(days=2))
    # December's limit is December's: on 1 January in Shanghai it starts again.
    assert award(session, world, monthly, now=NOW + timedelta(days=28)).state == "credited"
    first = award(session, world, world.commendation)
    awards.reject_award(session, world.secretary, first.id, reason="证明不足", now=NOW)
    award(session, world, world.commendation)
    award(session, world, world.commendation)
    with pytest.raises(Invalid, match="at most 2 times a year"):
        award(session, world, world.commendation)


def test_a_deed_needing_review_waits_and_the_proposer_cannot_approve_it(session, world, sms):
    made = award(session, world, world.commendation)
    assert made.state is AwardState.REVIEWING and balance_of(session, world.resident) == 0
    assert sms.recent("13800138000") == []
    with pytest.raises(Forbidden):
        awards.approve_award(session, world.coordinator, made.id, notice_days=5, now=NOW)
    awards.approve_award(session, world.secretary, made.id, notice_days=5, now=NOW)
    assert made.state is AwardState.NOTICE and made.notice_ends_at == NOW + timedelta(days=5)
    assert made.reviewed_by_id == world.secretary.id
    with pytest.raises(Invalid, match="reviewed already"):
        awards.reject_award(session, world.secretary, made.id, reason="重复", now=NOW)
    assert balance_of(session, world.resident) == 0


def test_a_rejected_award_is_kept_with_its_reason(session, world):
    made = award(session, world, world.commendation)
    with pytest.raises(Invalid) as refused:
        awards.reject_award(session, world.secretary, made.id, reason="  ", now=NOW)
    assert refused.value.details["field"] == "reason"
    awards.reject_award(session, world.secretary, made.id, reason="未见表彰文件", now=NOW)
    kept = session.get(PointsAward, made.id)
    assert (kept.state, kept.rejection) == (AwardState.REJECTED, "未见表彰文件")
    assert session.scalars(select(LedgerTransfer)).all() == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"phone": "12345"}, "phone"), ({"phone": ""}, "phone"), ({"reason": " "}, "reason"),
     ({"reason": "长" * 201}, "reason"), ({"rule_id": "x"}, "rule"), ({"rule_id": 999999}, "rule")],
)  # fmt: skip
def test_bad_input_is_refused_beside_its_field_and_nothing_is_written(
    session, world, changes, field
):
    typed = {"rule_id": world.cleanup.id, "phone": "13800138000", "reason": "清理楼道"} | changes
    with pytest.raises(Invalid) as refused:
        awards.award_points(session, world.coordinator, world.tree.community, now=NOW, **typed)
    assert refused.value.details["field"] == field
    assert session.scalars(select(PointsAward)).all() == []


def test_a_retired_rule_or_another_districts_rule_is_not_awarded(session, world):
    earning_rules.retire_rule(session, world.admin, world.cleanup, retired=True, now=NOW)
    with pytest.raises(Invalid, match="Choose a deed from the list"):
        award(session, world)
    far = factories.place(session, None, "远方区")
    far_admin = factories.user(session, factories.Role.ADMIN, far)
    theirs = rule(session, far_admin, far, name_zh="远方表彰", name_en="Far away")
    with pytest.raises(Invalid, match="Choose a deed from the list"):
        award(session, world, theirs)


def test_nobody_awards_or_reviews_outside_their_community(session, world):
    with pytest.raises(Forbidden):
        award(session, world, by=world.stranger)
    for who in (world.resident, world.admin):
        with pytest.raises(Forbidden):
            award(session, world, by=who)
    made = award(session, world, world.commendation)
    for who in (world.stranger, world.resident, world.admin):
        with pytest.raises(Forbidden):
            awards.approve_award(session, who, made.id, notice_days=5, now=NOW)
        with pytest.raises(Forbidden):
            awards.reject_award(session, who, made.id, reason="不行", now=NOW)
    with pytest.raises(NotFound):
        awards.approve_award(session, world.secretary, 999999, notice_days=5, now=NOW)
    with pytest.raises(Invalid, match="Choose a community"):
        award(session, world, community=world.tree.grid)
    assert made.state is AwardState.REVIEWING
    assert session.scalars(select(SmsMessage)).all() == []
