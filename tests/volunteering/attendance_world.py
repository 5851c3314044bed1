"""An activity of 甲社区 on Monday 7 December 2026, 14:00–16:00 in Shanghai, with its
coordinator and seated volunteers: the world the attendance tests share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from portal.accounts.models import User
from portal.permissions import Role
from portal.volunteering.models import Activity, SignUp, SignUpState, Volunteer
from tests import factories

STARTS = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai
ENDS = STARTS + timedelta(hours=2)
AFTER = ENDS + timedelta(hours=1)


def seat(session, activity: Activity, volunteer: Volunteer, **fields) -> SignUp:
    """A seat for `volunteer` at `activity`, written directly."""
    made = SignUp(
        activity=activity,
        volunteer=volunteer,
        state=SignUpState.SEATED,
        signed_up_at=factories.EPOCH,
        seated_at=factories.EPOCH,
        **fields,
    )
    activity.seats_taken += 1
    session.add(made)
    session.flush()
    return made


def attended(session, activity: Activity, volunteer: Volunteer, minutes: int) -> SignUp:
    """A seat with a check-in at the start and a check-out `minutes` later."""
    return seat(
        session, activity, volunteer, checked_in_at=activity.starts_at,
        checked_out_at=activity.starts_at + timedelta(minutes=minutes),
    )  # fmt: skip


@dataclass
class World:
    tree: factories.Tree
    coordinator: User
    activity: Activity
    volunteer: Volunteer
    sign_up: SignUp


def world(
    session, *, starts_at: datetime = STARTS, serves_elderly: bool = True, **activity_fields
) -> World:
    tree = factories.tree(session)
    coordinator = factories.user(session, Role.COORDINATOR, tree.community, name="李协调")
    activity = factories.activity(
        session, tree.community, starts_at=starts_at, serves_elderly=serves_elderly,
        **activity_fields,
    )  # fmt: skip
    volunteer = factories.volunteer(session, tree.community, name="张志愿")
    return World(tree, coordinator, activity, volunteer, seat(session, activity, volunteer))
