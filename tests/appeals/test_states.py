"""The state table: every step refused in a state the table does not allow it in."""

from __future__ import annotations

import pytest

from portal.appeals import services
from portal.appeals.models import AppealState
from portal.appeals.states import ALLOWED, Action
from portal.errors import Invalid
from tests.appeals.conftest import (
    current_settings,
    file_appeal,
)

pytestmark = pytest.mark.usefixtures("app_context")


ACTIONS = {
    Action.ACCEPT: lambda s, a, staff, now: services.accept(s, staff.grid_worker, a, now=now),
    Action.CONTACT: lambda s, a, staff, now: services.record_contact(
        s, staff.grid_worker, a, now=now
    ),
    Action.START: lambda s, a, staff, now: services.start(s, staff.grid_worker, a, now=now),
    Action.RESOLVE: lambda s, a, staff, now: services.resolve(
        s, staff.grid_worker, a, "处理完毕", now=now, settings=current_settings()
    ),
    Action.RELEVEL: lambda s, a, staff, now: services.relevel(
        s, staff.grid_worker, a, 2, "原因", now=now, settings=current_settings()
    ),
    Action.REVIEW: lambda s, a, staff, now: services.review(
        s, a, "satisfied", "", now=now, settings=current_settings()
    ),
    Action.CALL_BACK: lambda s, a, staff, now: services.call_back(
        s, staff.grid_worker, a, "已回访", now=now
    ),
    Action.CONFIRM: lambda s, a, staff, now: services.confirm(
        s, a, "123456", now=now, settings=current_settings()
    ),
    Action.TRANSFER: lambda s, a, staff, now: services.transfer(
        s, staff.grid_worker, a, "place:1", "原因", now=now, settings=current_settings()
    ),
    Action.SUMMON: lambda s, a, staff, now: services.summon(
        s, staff.grid_worker, a, 1, 24, "请处理", now=now
    ),
    Action.MERGE: lambda s, a, staff, now: services.merge(
        s, staff.grid_worker, a, "A0000-0000", now=now, settings=current_settings()
    ),
    Action.HIDE: lambda s, a, staff, now: services.hide(s, staff.grid_worker, a, "广告", now=now),
    Action.RESTORE: lambda s, a, staff, now: services.restore(
        s, staff.grid_worker, a, now=now, settings=current_settings()
    ),
    Action.RECLASSIFY: lambda s, a, staff, now: services.reclassify(
        s, staff.grid_worker, a, 1, now=now
    ),
}


REFUSED = [
    (action, state) for action in ACTIONS for state in AppealState if state not in ALLOWED[action]
]


@pytest.mark.parametrize(("action", "state"), REFUSED, ids=lambda v: str(v))
def test_every_illegal_transition_is_refused(session, tree, staff, now, action, state):
    appeal = file_appeal(session, tree.building, now)
    appeal.state = state
    appeal.handler_id = staff.grid_worker.id
    with pytest.raises(Invalid, match=r"cannot be done now|no longer be confirmed|already"):
        ACTIONS[action](session, appeal, staff, now)
    assert appeal.state == state


A = Action
HANDLER_SEES = [
    # (state, what the grid worker who took it may do there)
    (AppealState.RECEIVED, {A.ACCEPT, A.RELEVEL, A.TRANSFER, A.MERGE, A.HIDE, A.RECLASSIFY}),
    (AppealState.ACCEPTED, {A.CONTACT, A.START, A.RESOLVE, A.RELEVEL, A.TRANSFER, A.SUMMON,
                            A.MERGE, A.HIDE, A.RECLASSIFY}),
    (AppealState.IN_PROGRESS, {A.CONTACT, A.RESOLVE, A.RELEVEL, A.TRANSFER, A.SUMMON, A.MERGE,
                               A.HIDE, A.RECLASSIFY}),
    (AppealState.RESOLVED, set()),
    (AppealState.REVIEWED, set()),
    (AppealState.CLOSED, set()),
    (AppealState.MERGED, set()),
    (AppealState.HIDDEN, {A.RESTORE}),
]  # fmt: skip


@pytest.mark.parametrize(("state", "expected"), HANDLER_SEES, ids=lambda v: str(v))
def test_the_buttons_a_handler_sees_in_each_state(session, tree, staff, now, state, expected):
    appeal = file_appeal(session, tree.building, now)
    appeal.handler_id = staff.grid_worker.id
    appeal.state = state
    assert services.available_actions(staff.grid_worker, appeal) == expected
    # Someone who took it not, or of another grid: fewer buttons, or none.
    assert services.available_actions(staff.other_grid_worker, appeal) == set()
