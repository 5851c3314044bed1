"""The public notice (公示): approved awards are listed with masked names, neighbours object
while it lasts, coordinators decide, and the worker credits each award once when its notice
has ended with no objection open."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from portal.errors import Forbidden, Invalid, NotFound
from portal.ledger import services as ledger
from portal.ledger.models import LedgerTransfer
from portal.notifications.models import SmsMessage
from portal.points import accounts, awards, notice
from portal.points.models import AwardState, PointsObjection
from tests import factories
from tests.points.world import NOW, make_world

ENDS = NOW + timedelta(days=5)


@pytest.fixture
def world(session, app_context):
    return make_world(session)


@pytest.fixture
def noticed(session, world):
    """A district commendation for 张三丰, approved onto the notice at NOW."""
    made = awards.award_points(
        session, world.coordinator, world.tree.community, rule_id=world.commendation.id,
        phone=world.resident.phone, reason="获评区级文明家庭", now=NOW,
    )  # fmt: skip
    return awards.approve_award(session, world.secretary, made.id, notice_days=5, now=NOW)


@pytest.fixture
def neighbour(session):
    return factories.user(session, name="邻居")


def held(session, world) -> int:
    account = accounts.held_account(session, world.resident.id)
    return account.balance if account else 0


def credits(session) -> list[LedgerTransfer]:
    return session.scalars(
        select(LedgerTransfer).where(LedgerTransfer.kind == accounts.AWARDED)
    ).all()


def test_the_notice_lists_approved_awards_with_masked_names(session, world, noticed):
    [shown] = notice.on_notice(session, world.tree.community)
    assert shown.award == noticed and shown.name == "张*丰"
    assert notice.on_notice(session, world.tree.other_community) == []
    nameless = factories.user(session, phone="13700137000", name="")
    assert notice.masked(nameless) == "137****7000"


def test_the_worker_credits_when_the_notice_ends_and_only_once(session, world, noticed, sms):
    assert notice.sweep(session, ENDS - timedelta(seconds=1)) == 0
    assert held(session, world) == 0
    assert notice.sweep(session, ENDS) == 1
    assert noticed.state is AwardState.CREDITED and noticed.credited_at == ENDS
    assert held(session, world) == 20
    assert notice.sweep(session, ENDS + timedelta(hours=1)) == 0
    assert len(credits(session)) == 1
    [message] = sms.recent(world.resident.phone)
    assert "20" in message.body and message.kind == "points_credited"
    assert ledger.mismatches(session) == [] and ledger.unbalanced_transfers(session) == []
    with pytest.raises(Invalid):
        awards.credit(session, world.secretary, noticed, now=ENDS)


def test_an_upheld_objection_refuses_the_award_and_keeps_the_reason(
    session, world, noticed, neighbour
):
    objection = notice.lodge_objection(session, neighbour, noticed.id, reason="他家并未获评",
                                       now=NOW + timedelta(days=1))  # fmt: skip
    second = notice.lodge_objection(session, world.stranger, noticed.id, reason="有误",
                                    now=NOW + timedelta(days=2))  # fmt: skip
    assert notice.open_objections(session, world.coordinator, world.tree.community) == [
        objection, second,
    ]  # fmt: skip
    notice.decide_objection(session, world.coordinator, objection.id, upheld=True,
                            decision="核实未获评", now=NOW + timedelta(days=3))  # fmt: skip
    assert (noticed.state, noticed.rejection) == (AwardState.REJECTED, "核实未获评")
    assert objection.upheld is True and second.decided_at is not None
    assert notice.sweep(session, ENDS + timedelta(days=1)) == 0
    assert held(session, world) == 0 and credits(session) == []
    assert notice.on_notice(session, world.tree.community) == []


def test_an_open_objection_holds_the_credit_until_it_is_dismissed(
    session, world, noticed, neighbour
):
    objection = notice.lodge_objection(session, neighbour, noticed.id, reason="不确定",
                                       now=ENDS - timedelta(minutes=1))  # fmt: skip
    assert notice.sweep(session, ENDS + timedelta(hours=1)) == 0
    notice.decide_objection(session, world.secretary, objection.id, upheld=False,
                            decision="已核实表彰文件", now=ENDS + timedelta(hours=2))  # fmt: skip
    assert objection.upheld is False and noticed.state is AwardState.NOTICE
    with pytest.raises(Invalid, match="decided already"):
        notice.decide_objection(session, world.secretary, objection.id, upheld=True,
                                decision="改判", now=ENDS + timedelta(hours=2))  # fmt: skip
    assert notice.sweep(session, ENDS + timedelta(hours=3)) == 1
    assert held(session, world) == 20


def test_objections_need_a_signed_in_person_a_reason_and_a_running_notice(
    session, world, noticed, neighbour
):
    with pytest.raises(Forbidden):
        notice.lodge_objection(session, AnonymousUserMixin(), noticed.id, reason="不对", now=NOW)
    with pytest.raises(Invalid) as refused:
        notice.lodge_objection(session, neighbour, noticed.id, reason=" ", now=NOW)
    assert refused.value.details["field"] == "reason"
    notice.lodge_objection(session, neighbour, noticed.id, reason="不对", now=NOW)
    with pytest.raises(Invalid, match="objected to this award already"):
        notice.lodge_objection(session, neighbour, noticed.id, reason="还是不对", now=NOW)
    with pytest.raises(Invalid, match="notice of this award has ended"):
        notice.lodge_objection(session, world.stranger, noticed.id, reason="晚了", now=ENDS)
    reviewing = awards.award_points(
        session, world.coordinator, world.tree.community, rule_id=world.commendation.id,
        phone=world.resident.phone, reason="社区表彰", now=NOW,
    )  # fmt: skip
    with pytest.raises(NotFound):
        notice.lodge_objection(session, neighbour, reviewing.id, reason="不对", now=NOW)
    with pytest.raises(NotFound):
        notice.noticed_award(session, reviewing.id)
    assert session.scalars(select(PointsObjection)).all()[0].reason == "不对"
    assert len(session.scalars(select(PointsObjection)).all()) == 1


def test_only_the_communitys_coordinators_decide_objections(session, world, noticed, neighbour):
    objection = notice.lodge_objection(session, neighbour, noticed.id, reason="不对", now=NOW)
    for who in (world.stranger, neighbour, world.resident, world.admin):
        with pytest.raises(Forbidden):
            notice.decide_objection(session, who, objection.id, upheld=True, decision="驳回",
                                    now=NOW)  # fmt: skip
        with pytest.raises(Forbidden):
            notice.open_objections(session, who, world.tree.community)
        with pytest.raises(Forbidden):
            notice.review_queue(session, who, world.tree.community)
    with pytest.raises(Invalid) as refused:
        notice.decide_objection(session, world.secretary, objection.id, upheld=False,
                                decision="", now=NOW)  # fmt: skip
    assert refused.value.details["field"] == "decision"
    assert objection.decided_at is None and noticed.state is AwardState.NOTICE
    assert session.scalars(select(SmsMessage)).all() == []
