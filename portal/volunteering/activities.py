"""Volunteer activities: publishing, changing and cancelling them, signing up and the waiting
list, and the lists residents and coordinators read.

Seats never oversell, whatever happens at once: a seat is taken only by a conditional UPDATE
(`seats_taken < seats`) under the check constraint of the table, and every change of an
activity's seats (a sign-up, a cancelled seat, seats added) first locks the activity's row, so
that a freed seat goes to the first on the waiting list in the same transaction, one after the
other. Functions take a Session, the acting person, plain values and `now`; they flush, never
commit.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager

from portal.accounts.models import User
from portal.audit import services as audit
from portal.errors import Forbidden, Invalid, NotFound, Problems
from portal.i18n import CHINESE
from portal.notifications.services import queue_sms
from portal.permissions import Actor, Permission, require
from portal.places.models import Place, PlaceKind
from portal.volunteering import kinds
from portal.volunteering.hours import STEP_MINUTES
from portal.volunteering.models import (
    Activity,
    ActivityState,
    ServiceKind,
    SignUp,
    SignUpState,
    Volunteer,
    VolunteerState,
)
from portal.volunteering.timebank import hours_text
from portal.volunteering.volunteers import volunteer_of

TITLE_MAX, LOCATION_MAX, DESCRIPTION_MAX, REASON_MAX = 60, 100, 2000, 200
SEATS_MIN, SEATS_MAX = 1, 500
# The waiting list is as long as the seats, and never shorter than this: beyond it a place in
# line is a promise the activity will not keep, and the roster stays one page.
WAITING_LEAST = 10


def waiting_most(activity: Activity) -> int:
    """How many may wait for a seat of `activity`."""
    return max(activity.seats, WAITING_LEAST)


LONGEST = timedelta(hours=12)
# What the form and the service say when one is missing, in the same words (activity_forms.py).
TITLE_MISSING = _l("Give the activity a title.")
LOCATION_MISSING = _l("Say where the activity is.")
KIND_MISSING = _l("Choose a kind of service.")
# Past sign-ups shown on a volunteer's own page.
PAST_SHOWN = 50


# --- reading ---------------------------------------------------------------------------------


def get_activity(session: Session, activity_id: int) -> Activity:
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise NotFound(_l("There is no such activity."))
    return activity


# --- publishing ------------------------------------------------------------------------------


def _text(value: str, most: int, field: str, empty: Any, long: Any) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(empty, field=field)
    if len(value) > most:
        raise Invalid(long, field=field)
    return value


def _check_time(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    if starts_at <= now:
        raise Invalid(_l("The activity must start in the future."), field="starts_at")
    if ends_at <= starts_at:
        raise Invalid(_l("The activity must end after it starts."), field="ends_at")
    if ends_at - starts_at > LONGEST:
        raise Invalid(_l("An activity lasts at most 12 hours."), field="ends_at")


def _check_seats(seats: int) -> None:
    if not SEATS_MIN <= seats <= SEATS_MAX:
        raise Invalid(
            _l("Give between %(low)d and %(high)d volunteers.", low=SEATS_MIN, high=SEATS_MAX),
            field="seats",
        )


def _check_worth(worth_minutes: int, starts_at: datetime, ends_at: datetime) -> None:
    if worth_minutes <= 0 or worth_minutes % STEP_MINUTES:
        raise Invalid(_l("Give the hours in half hours: 0.5, 1, 1.5 …"), field="worth_minutes")
    if timedelta(minutes=worth_minutes) > ends_at - starts_at:
        raise Invalid(
            _l("An activity is worth at most as long as it lasts."), field="worth_minutes"
        )


def _kind(session: Session, code: str) -> ServiceKind:
    kind = kinds.offered_kind(session, code)
    if kind is None:
        raise Invalid(KIND_MISSING, field="service_kind")
    return kind


def _community(community: Place | None) -> Place:
    if community is None or community.kind != PlaceKind.COMMUNITY:
        raise Invalid(_l("Choose a community."), field="community")
    return community


def publish(
    session: Session,
    actor: Actor,
    *,
    community: Place,
    title: str,
    description: str,
    service_kind: str,
    location: str,
    starts_at: datetime,
    ends_at: datetime,
    seats: int,
    worth_minutes: int,
    serves_elderly: bool,
    now: datetime,
) -> Activity:
    """Publish an activity of `community` for volunteers to sign up for; every mistake in the
    values is refused at once, each on its field."""
    community = _community(community)
    require(actor, Permission.COORDINATE_VOLUNTEERS, community)
    problems = Problems()
    title = problems.check(_text, title, TITLE_MAX, "title", TITLE_MISSING,
                           _l("Keep the title within 60 characters."))  # fmt: skip
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        problems.refuse(_l("Keep the description within 2,000 characters."), field="description")
    kind = problems.check(_kind, session, service_kind)
    location = problems.check(_where, location)
    problems.check(_check_time, starts_at, ends_at, now)
    problems.check(_check_seats, seats)
    problems.check(_check_worth, worth_minutes, starts_at, ends_at)
    problems.raise_any()
    activity = Activity(
        community=community,
        title=title,
        description=description,
        service_kind=kind,
        location=location,
        starts_at=starts_at,
        ends_at=ends_at,
        seats=seats,
        seats_taken=0,
        worth_minutes=worth_minutes,
        serves_elderly=bool(serves_elderly),
        state=ActivityState.PUBLISHED,
        check_in_secret=secrets.token_hex(32),
        created_by_id=actor.id,
        created_at=now,
    )
    session.add(activity)
    session.flush()
    audit.record(session, "volunteering.publish", actor=actor, now=now, target=activity)
    return activity


def _where(location: str) -> str:
    return _text(location, LOCATION_MAX, "location", LOCATION_MISSING,
                 _l("Keep the place within 100 characters."))  # fmt: skip


def _lock(session: Session, activity: Activity) -> Activity:
    """The activity's row locked and read afresh: one change of its seats at a time."""
    return session.scalars(
        select(Activity)
        .where(Activity.id == activity.id)
        .with_for_update(of=Activity)
        .execution_options(populate_existing=True)
    ).one()


def _require_open(activity: Activity, now: datetime) -> None:
    if activity.state is not ActivityState.PUBLISHED:
        raise Invalid(_l("This activity is cancelled."))
    if now >= activity.starts_at:
        raise Invalid(_l("This activity has started: it can no longer be changed here."))


def edit(
    session: Session,
    actor: Actor,
    activity: Activity,
    *,
    starts_at: datetime,
    ends_at: datetime,
    location: str,
    seats: int,
    now: datetime,
) -> Activity:
    """Change an activity's time, place or seats before it starts. Seats never drop below
    those taken; seats added go to the waiting list at once; the seated are texted when the
    time or the place changes."""
    require(actor, Permission.COORDINATE_VOLUNTEERS, activity.community)
    activity = _lock(session, activity)
    _require_open(activity, now)
    problems = Problems()
    location = problems.check(_where, location)
    problems.check(_check_time, starts_at, ends_at, now)
    problems.check(_check_seats, seats)
    if seats < activity.seats_taken and not problems.on("seats"):
        problems.refuse(
            _l("%(count)d volunteers have a seat already: keep at least that many seats.",
               count=activity.seats_taken),
            field="seats",
        )  # fmt: skip
    if timedelta(minutes=activity.worth_minutes) > ends_at - starts_at and not problems.on(
        "ends_at"
    ):
        problems.refuse(
            _l("The activity is worth %(hours)s hours: it must last at least that long.",
               hours=hours_text(activity.worth_minutes)),
            field="ends_at",
        )  # fmt: skip
    problems.raise_any()
    before = (activity.starts_at, activity.ends_at, activity.location, activity.seats)
    moved = (starts_at, location) != (activity.starts_at, activity.location)
    activity.starts_at, activity.ends_at = starts_at, ends_at
    activity.location, activity.seats = location, seats
    session.flush()
    if starts_at != before[0]:
        # The new time has a reminder of its own.
        session.execute(
            update(SignUp).where(SignUp.activity_id == activity.id).values(reminded_at=None)
        )
    seated = _fill_free_seats(session, activity, now)
    if moved:
        _text_all(session, activity, [SignUpState.SEATED], "volunteer_activity_changed", now,
                  skip={s.id for s in seated})  # fmt: skip
    audit.record(session, "volunteering.edit", actor=actor, now=now, target=activity,
                 details={"before": [before[0].isoformat(), before[1].isoformat(), before[2],
                                     before[3]]})  # fmt: skip
    return activity


def cancel(
    session: Session, actor: Actor, activity: Activity, *, reason: str, now: datetime
) -> Activity:
    """Cancel an activity before it starts; everyone seated or waiting is texted why."""
    require(actor, Permission.COORDINATE_VOLUNTEERS, activity.community)
    activity = _lock(session, activity)
    _require_open(activity, now)
    reason = _text(reason, REASON_MAX, "reason", _l("Say why it is cancelled: volunteers are told."),
                   _l("Keep it within 200 characters."))  # fmt: skip
    activity.state = ActivityState.CANCELLED
    activity.cancelled_at = now
    activity.cancel_reason = reason
    session.flush()
    _text_all(session, activity, [SignUpState.SEATED, SignUpState.WAITING],
              "volunteer_activity_cancelled", now)  # fmt: skip
    audit.record(session, "volunteering.cancel", actor=actor, now=now, target=activity,
                 details={"reason": reason})  # fmt: skip
    return activity


# --- signing up ------------------------------------------------------------------------------


def _approved_volunteer(session: Session, actor: Actor) -> Volunteer:
    volunteer = volunteer_of(session, actor)
    if volunteer is None or volunteer.state is not VolunteerState.APPROVED:
        raise Forbidden(_l("Only approved volunteers can sign up. Register as a volunteer first."))
    return volunteer


def _take_seat(session: Session, activity: Activity) -> bool:
    """Take one seat if one is free; False when the activity is full."""
    taken = session.execute(
        update(Activity)
        .where(Activity.id == activity.id, Activity.seats_taken < Activity.seats)
        .values(seats_taken=Activity.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )
    session.expire(activity, ["seats_taken"])
    return taken.rowcount == 1


def _waiting(session: Session, activity: Activity) -> int:
    return session.scalar(
        select(func.count())
        .select_from(SignUp)
        .where(SignUp.activity_id == activity.id, SignUp.state == SignUpState.WAITING)
    )


def sign_up(session: Session, actor: Actor, activity: Activity, *, now: datetime) -> SignUp:
    """Sign the volunteer up: a seat if one is free, else a place on the waiting list.
    Signing up again after cancelling takes the same row, at the end of the line."""
    volunteer = _approved_volunteer(session, actor)
    activity = _lock(session, activity)
    if activity.state is not ActivityState.PUBLISHED:
        raise Invalid(_l("This activity is cancelled."))
    if now >= activity.starts_at:
        raise Invalid(_l("This activity has started: signing up is closed."))
    mine = session.scalars(
        select(SignUp)
        .where(SignUp.activity_id == activity.id, SignUp.volunteer_id == volunteer.id)
        .with_for_update(of=SignUp)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if mine is not None and mine.state is not SignUpState.CANCELLED:
        raise Invalid(_l("You have signed up for this activity already."))
    # The activity's row is locked: the seats and the line are counted one sign-up at a time.
    if activity.seats_taken >= activity.seats and _waiting(session, activity) >= waiting_most(
        activity
    ):
        raise Invalid(_l("Every seat is taken and the waiting list is full."))
    if mine is None:
        mine = SignUp(activity_id=activity.id, volunteer_id=volunteer.id)
        try:
            with session.begin_nested():
                _fill(mine, SignUpState.WAITING, now)
                session.add(mine)
                session.flush()
        except IntegrityError as error:
            # The same volunteer signing up twice at once: the unique constraint decides.
            raise Invalid(_l("You have signed up for this activity already.")) from error
    else:
        _fill(mine, SignUpState.WAITING, now)
    if _take_seat(session, activity):
        mine.state, mine.seated_at = SignUpState.SEATED, now
    session.flush()
    return mine


def seat_by_coordinator(
    session: Session, actor: Actor, activity: Activity, *, phone: str, now: datetime
) -> SignUp:
    """A coordinator gives an approved volunteer (found by their mobile number) a seat: someone
    who came without signing up, or who is on the waiting list. When every seat is taken the
    coordinator's decision adds one, so the roster always matches who is there; audited."""
    require(actor, Permission.COORDINATE_VOLUNTEERS, activity.community)
    volunteer = session.scalar(select(Volunteer).join(Volunteer.user).where(User.phone == phone))
    if volunteer is None or volunteer.state is not VolunteerState.APPROVED:
        raise Invalid(_l("No approved volunteer has this mobile number."), field="phone")
    activity = _lock(session, activity)
    if activity.state is not ActivityState.PUBLISHED:
        raise Invalid(_l("This activity is cancelled."))
    mine = session.scalars(
        select(SignUp)
        .where(SignUp.activity_id == activity.id, SignUp.volunteer_id == volunteer.id)
        .with_for_update(of=SignUp)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if mine is not None and mine.state is SignUpState.SEATED:
        raise Invalid(_l("This volunteer has a seat already."), field="phone")
    if mine is None:
        mine = SignUp(
            activity_id=activity.id, volunteer_id=volunteer.id, state=SignUpState.SEATED,
            signed_up_at=now,
        )  # fmt: skip
        session.add(mine)
    added_seat = not _take_seat(session, activity)
    if added_seat and activity.seats >= SEATS_MAX:
        raise Invalid(_l("An activity has at most %(most)d seats.", most=SEATS_MAX))
    if added_seat:
        session.execute(
            update(Activity)
            .where(Activity.id == activity.id)
            .values(seats=Activity.seats + 1, seats_taken=Activity.seats_taken + 1)
            .execution_options(synchronize_session=False)
        )
        session.expire(activity, ["seats", "seats_taken"])
    mine.state, mine.seated_at, mine.cancelled_at = SignUpState.SEATED, now, None
    session.flush()
    audit.record(
        session, "volunteering.seat_by_coordinator", actor=actor, target=activity, now=now,
        details={"sign_up": mine.id, "added_seat": added_seat},
    )  # fmt: skip
    return mine


def _fill(mine: SignUp, state: SignUpState, now: datetime) -> None:
    mine.state = state
    mine.signed_up_at = now
    mine.seated_at = mine.cancelled_at = mine.reminded_at = None


def cancel_sign_up(session: Session, actor: Actor, mine: SignUp, *, now: datetime) -> SignUp:
    """The volunteer gives up their seat or their place in line, until the start. A freed
    seat goes at once to the first on the waiting list, who is texted."""
    if actor.id is None or mine.volunteer.user_id != actor.id:
        raise NotFound(_l("There is no such sign-up."))
    activity = _lock(session, mine.activity)
    mine = session.scalars(
        select(SignUp)
        .where(SignUp.id == mine.id)
        .with_for_update(of=SignUp)
        .execution_options(populate_existing=True)
    ).one()
    if mine.state is SignUpState.CANCELLED:
        raise Invalid(_l("You have cancelled already."))
    if now >= activity.starts_at:
        raise Invalid(_l("The activity has started: please tell the coordinator instead."))
    was_seated = mine.state is SignUpState.SEATED
    mine.state, mine.cancelled_at = SignUpState.CANCELLED, now
    session.flush()
    if was_seated:
        session.execute(
            update(Activity)
            .where(Activity.id == activity.id)
            .values(seats_taken=Activity.seats_taken - 1)
            .execution_options(synchronize_session=False)
        )
        session.expire(activity, ["seats_taken"])
        if activity.state is ActivityState.PUBLISHED:
            _fill_free_seats(session, activity, now)
    return mine


def _fill_free_seats(session: Session, activity: Activity, now: datetime) -> list[SignUp]:
    """Seat the first on the waiting list in every free seat (the activity's row is locked),
    and text each of them."""
    free = session.scalar(
        select(Activity.seats - Activity.seats_taken).where(Activity.id == activity.id)
    )
    if not free:
        return []
    first = list(
        session.scalars(
            select(SignUp)
            .where(SignUp.activity_id == activity.id, SignUp.state == SignUpState.WAITING)
            .order_by(SignUp.signed_up_at, SignUp.id)
            .limit(free)
            .with_for_update(of=SignUp)
        )
    )
    if not first:
        return []
    moved = session.execute(
        update(Activity)
        .where(Activity.id == activity.id, Activity.seats_taken + len(first) <= Activity.seats)
        .values(seats_taken=Activity.seats_taken + len(first))
        .execution_options(synchronize_session=False)
    )
    session.expire(activity, ["seats_taken"])
    if moved.rowcount != 1:
        return []
    for each in first:
        each.state, each.seated_at = SignUpState.SEATED, now
    session.flush()
    _text_each(session, activity, first, "volunteer_activity_seated", now)
    return first


# --- texting ---------------------------------------------------------------------------------


def sms_params(activity: Activity) -> dict[str, Any]:
    return {
        "title": activity.title,
        "starts_at": activity.starts_at.isoformat(),
        "location": activity.location,
        "reason": activity.cancel_reason or "",
    }


def _text_all(
    session: Session,
    activity: Activity,
    states: list[SignUpState],
    kind: str,
    now: datetime,
    skip: set[int] | frozenset[int] = frozenset(),
) -> None:
    found = session.scalars(
        select(SignUp)
        .join(SignUp.volunteer)
        .join(Volunteer.user)
        .options(contains_eager(SignUp.volunteer).contains_eager(Volunteer.user))
        .where(SignUp.activity_id == activity.id, SignUp.state.in_(states))
        .order_by(SignUp.id)
    )
    _text_each(session, activity, [each for each in found if each.id not in skip], kind, now)


def _text_each(
    session: Session, activity: Activity, sign_ups: list[SignUp], kind: str, now: datetime
) -> None:
    users = _users_of(session, sign_ups)
    params = sms_params(activity)
    stamp = int(now.timestamp())
    for each in sign_ups:
        user = users[each.volunteer_id]
        queue_sms(
            session,
            phone=user.phone,
            kind=kind,
            params=params,
            locale=user.locale or CHINESE,
            key=f"volunteering:{kind}:{each.id}:{stamp}",
            cause=f"volunteering:activity:{activity.id}",
            expires_at=activity.ends_at,
            now=now,
        )


def _users_of(session: Session, sign_ups: list[SignUp]) -> dict[int, User]:
    """Each sign-up's volunteer's account, by volunteer id, in one query."""
    ids = {each.volunteer_id for each in sign_ups}
    if not ids:
        return {}
    rows = session.execute(
        select(Volunteer.id, User).join(Volunteer.user).where(Volunteer.id.in_(ids))
    )
    return {volunteer_id: user for volunteer_id, user in rows}  # noqa: C416
