"""Summons (吹哨): a unit called to act by a deadline, its answer, and its end."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.appeals import clockwork, services
from portal.appeals.models import EventKind
from portal.errors import Forbidden, Invalid
from tests.appeals.conftest import (
    MINUTE,
    accepted,
    file_appeal,
    messages,
)

pytestmark = pytest.mark.usefixtures("app_context")


def test_a_summoned_unit_is_texted_answers_and_the_summoner_hears_back(
    session, tree, staff, department, now
):
    appeal = accepted(session, tree, staff, now)
    later = now + 2 * MINUTE
    summons = services.summon(
        session, staff.grid_worker, appeal, department.unit.id, 48, "请派人查看外墙裂缝", now=later
    )
    assert summons.due_at == later + timedelta(hours=48)
    [text] = messages(session, "appeal_summoned")
    assert text.phone == department.member.phone and appeal.tracking in text.body
    assert services.can_view(department.member, appeal)
    assert not services.can_act(department.member, appeal)
    assert services.waiting_summonses(session, department.member) == [summons]
    with pytest.raises(Invalid, match="already summoned"):
        services.summon(session, staff.grid_worker, appeal, department.unit.id, 24, "再催", now=now)

    with pytest.raises(Forbidden):
        services.answer_summons(session, staff.secretary, summons, "已处理", now=now)
    with pytest.raises(Invalid, match="did or will do"):
        services.answer_summons(session, department.member, summons, " ", now=now)
    services.answer_summons(session, department.member, summons, "明天上午到场", now=later + MINUTE)
    assert summons.answered_by == department.member and summons.answer == "明天上午到场"
    [answered] = messages(session, "appeal_answered")
    assert answered.phone == staff.grid_worker.phone
    assert services.waiting_summonses(session, department.member) == []
    with pytest.raises(Invalid, match="already answered"):
        services.answer_summons(session, department.member, summons, "again", now=now)
    kinds = [event.kind for event in services.timeline(session, appeal)]
    assert kinds[-2:] == [EventKind.SUMMONED, EventKind.SUMMONS_ANSWERED]


def test_a_summons_needs_the_handler_a_known_unit_and_a_sane_deadline(
    session, tree, staff, department, now
):
    appeal = accepted(session, tree, staff, now)
    with pytest.raises(Forbidden, match="Only the person who took"):
        services.summon(session, staff.secretary, appeal, department.unit.id, 24, "请处理", now=now)
    with pytest.raises(Invalid, match="Choose the unit"):
        services.summon(session, staff.grid_worker, appeal, 999, 24, "请处理", now=now)
    for hours in (0, 721, "24"):
        with pytest.raises(Invalid, match="between 1 and 720"):
            services.summon(
                session, staff.grid_worker, appeal, department.unit.id, hours, "请处理", now=now
            )
    with pytest.raises(Invalid, match="asked to do"):
        services.summon(session, staff.grid_worker, appeal, department.unit.id, 24, "", now=now)


def test_a_summons_ends_with_its_report(session, tree, staff, department, now, settings):
    appeal = file_appeal(session, tree.building, now)
    services.accept(session, staff.grid_worker, appeal, now=now)
    summons = services.summon(
        session, staff.grid_worker, appeal, department.unit.id, 2, "请处理", now=now
    )
    services.hide(session, staff.grid_worker, appeal, "广告", now=now + MINUTE)
    assert services.waiting_summonses(session, department.member) == []
    assert clockwork.sweep(session, now + timedelta(hours=3), settings=settings)["summonses"] == 0
    with pytest.raises(Invalid, match="no longer being handled"):
        services.answer_summons(session, department.member, summons, "已到场", now=now)
