"""Which step of the loop may follow which: one table, read by every transition.

unconfirmed → received → accepted → in progress → resolved → reviewed | closed
                                                     ↘ reopened → accepted → …
Staff may also merge a duplicate into another appeal (merged, for good) or hide spam (hidden,
until they restore it to the state it left).
"""

from __future__ import annotations

from enum import StrEnum

from portal.appeals.models import AppealState as S


class Action(StrEnum):
    CONFIRM = "confirm"
    EXPIRE = "expire"
    ACCEPT = "accept"
    CONTACT = "contact"
    START = "start"
    RESOLVE = "resolve"
    REVIEW = "review"
    RELEVEL = "relevel"
    ESCALATE = "escalate"
    ALERT_OVERDUE = "alert_overdue"
    CLOSE_UNREVIEWED = "close_unreviewed"
    CALL_BACK = "call_back"
    ALERT_CALLBACK = "alert_callback"
    TRANSFER = "transfer"
    SUMMON = "summon"
    MERGE = "merge"
    HIDE = "hide"
    RESTORE = "restore"
    RECLASSIFY = "reclassify"


WAITING = frozenset({S.RECEIVED, S.REOPENED})  # for a handler to accept
HANDLING = frozenset({S.ACCEPTED, S.IN_PROGRESS})

ALLOWED: dict[Action, frozenset[S]] = {
    Action.CONFIRM: frozenset({S.UNCONFIRMED}),
    Action.EXPIRE: frozenset({S.UNCONFIRMED}),
    Action.ACCEPT: WAITING,
    Action.CONTACT: HANDLING,
    Action.START: frozenset({S.ACCEPTED}),
    Action.RESOLVE: HANDLING,
    Action.REVIEW: frozenset({S.RESOLVED}),
    Action.RELEVEL: WAITING | HANDLING,
    Action.ESCALATE: WAITING,
    Action.ALERT_OVERDUE: HANDLING,
    Action.CLOSE_UNREVIEWED: frozenset({S.RESOLVED}),
    # A reviewed appeal waits for the street office's call only when it was flagged for one.
    Action.CALL_BACK: frozenset({S.REVIEWED}),
    Action.ALERT_CALLBACK: frozenset({S.REVIEWED}),
    Action.TRANSFER: WAITING | HANDLING,
    # A department is summoned by whoever took the appeal and works on it.
    Action.SUMMON: HANDLING,
    Action.MERGE: WAITING | HANDLING,
    Action.HIDE: WAITING | HANDLING,
    Action.RESTORE: frozenset({S.HIDDEN}),
    Action.RECLASSIFY: WAITING | HANDLING,
}

# States in which staff still have something to do: the queues show only these.
OPEN = WAITING | HANDLING


def allowed(action: Action, state: S) -> bool:
    return state in ALLOWED[action]
