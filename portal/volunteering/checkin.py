"""Check-in and check-out at an activity: by scanning the activity's rotating QR code, or by
name by a coordinator.

The code on the coordinator's phone holds `<base>/volunteering/check/<token>`. A token names
the activity and a 30-second window and is signed (HMAC-SHA256) with the activity's own
secret; it is honoured in its window and the one after (a scan at the edge still works) and no
longer, so a screenshot sent to a friend at home is refused. A volunteer who must first sign in
by SMS code keeps the token they scanned in their session: it is honoured for that session for
five minutes from the scan (`scanned_at`).

Opening the code's address checks in (or out): a phone's camera or WeChat's scanner can only
open it, and one more tap at the door is one more thing an older volunteer can miss. That a
GET changes something is safe here: the change is the signed-in volunteer's own attendance,
the token proves they stand before the code within its minute, a second scan soon after asks
before checking out, and a link previewer has no volunteer's session to act for.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from portal.audit import services as audit
from portal.errors import Invalid, NotFound
from portal.numbers import parse_id, parse_number
from portal.permissions import Actor, Permission, require
from portal.volunteering.models import (
    Activity,
    ActivityState,
    SignUp,
    SignUpState,
    Volunteer,
    VolunteerState,
)

WINDOW_SECONDS = 30
# A token scanned while signed out is honoured this long for the session that scanned it.
GRACE = timedelta(minutes=5)
# A second scan this soon after checking in is taken for a slip (the volunteer is asked
# whether they are leaving); later it checks out.
LEAST_STAY = timedelta(minutes=5)
# Doors open before the activity starts: a volunteer may check in this early.
OPENS_BEFORE = timedelta(hours=1)
# Bytes of the HMAC kept in the token: 96 bits, short enough for a small QR code.
SIGNATURE_BYTES = 12

EXPIRED = _l(
    "This code has expired. Scan the code on the coordinator's phone again: it changes every "
    "30 seconds."
)
NOT_A_CODE = _l(
    "This is not a check-in code of an activity. Scan the code on the coordinator's phone."
)


def window_of(moment: datetime) -> int:
    """The number of the 30-second window `moment` falls in."""
    return int(moment.timestamp()) // WINDOW_SECONDS


def seconds_left(moment: datetime) -> int:
    """Seconds until the window of `moment` ends and the code changes."""
    return WINDOW_SECONDS - int(moment.timestamp()) % WINDOW_SECONDS


def _signature(secret: str, activity_id: int, window: int) -> str:
    digest = hmac.new(
        secret.encode(), f"volunteering.check:{activity_id}:{window}".encode(), hashlib.sha256
    ).digest()[:SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def make_token(activity: Activity, moment: datetime) -> str:
    """The token the activity's QR code holds in the window of `moment`."""
    window = window_of(moment)
    return f"{activity.id}-{window}-{_signature(activity.check_in_secret, activity.id, window)}"


@dataclass(frozen=True)
class Token:
    activity_id: int
    window: int
    signature: str


def read_token(token: str) -> Token:
    """The parts of a token as written (not yet checked); NotFound if it is not one."""
    parts = token.split("-", 2) if isinstance(token, str) and len(token) <= 80 else []
    try:
        activity_id, window = parse_id(parts[0]), parse_number(parts[1], low=0, high=10**11)
    except (IndexError, ValueError):
        raise NotFound(NOT_A_CODE) from None
    return Token(activity_id, window, parts[2])


def check_token(activity: Activity, token: str, moment: datetime) -> None:
    """Refuse `token` unless it is the activity's, signed with its secret, and of the window of
    `moment` or the one before."""
    read = read_token(token)
    expected = _signature(activity.check_in_secret, activity.id, read.window)
    if read.activity_id != activity.id or not hmac.compare_digest(expected, read.signature):
        raise Invalid(NOT_A_CODE)
    if not 0 <= window_of(moment) - read.window <= 1:
        raise Invalid(EXPIRED)


def honour_token(
    activity: Activity, token: str, *, now: datetime, scanned_at: datetime | None = None
) -> None:
    """Refuse `token` unless it is valid now, or was valid when this session scanned it
    (`scanned_at`, kept in the session) no more than five minutes ago."""
    if scanned_at is not None and scanned_at <= now <= scanned_at + GRACE:
        check_token(activity, token, scanned_at)
    else:
        check_token(activity, token, now)


def activity_of_token(session: Session, token: str) -> Activity:
    """The activity a token names (its signature is checked by the check-in itself)."""
    found = session.get(Activity, read_token(token).activity_id)
    if found is None:
        raise NotFound(NOT_A_CODE)
    return found


def own_sign_up(session: Session, actor: Actor, activity: Activity, *, lock: bool) -> SignUp:
    """The acting resident's seat at the activity; Invalid, saying so, if they have none."""
    query = (
        select(SignUp)
        .join(Volunteer, Volunteer.id == SignUp.volunteer_id)
        .where(
            SignUp.activity_id == activity.id,
            Volunteer.user_id == actor.id,
            Volunteer.state == VolunteerState.APPROVED,
        )
    )
    if lock:
        query = query.with_for_update(of=SignUp).execution_options(populate_existing=True)
    found = session.scalars(query).one_or_none()
    if found is None or found.state != SignUpState.SEATED:
        raise Invalid(
            _l(
                "You do not have a seat at this activity. Show this page to the coordinator: "
                "they can add you."
            )
        )
    return found


def _open_for_check_in(activity: Activity, now: datetime) -> None:
    if activity.state != ActivityState.PUBLISHED:
        raise Invalid(_l("This activity was cancelled."))
    if now < activity.starts_at - OPENS_BEFORE:
        raise Invalid(_l("Check-in opens an hour before the activity starts."))
    if now > activity.ends_at:
        raise Invalid(_l("This activity is over: check-in has closed."))


def _not_confirmed(sign_up: SignUp) -> None:
    if sign_up.confirmed_at is not None:
        raise Invalid(_l("These hours are already confirmed: ask the coordinator to change them."))


def _in(sign_up: SignUp, by: Actor | None, now: datetime) -> SignUp:
    _open_for_check_in(sign_up.activity, now)
    _not_confirmed(sign_up)
    if sign_up.checked_in_at is not None:
        raise Invalid(_l("Already checked in."))
    sign_up.checked_in_at = now
    sign_up.checked_in_by_id = getattr(by, "id", None)
    return sign_up


def _out(sign_up: SignUp, by: Actor | None, now: datetime) -> SignUp:
    _not_confirmed(sign_up)
    if sign_up.checked_in_at is None:
        raise Invalid(_l("Not checked in yet: check in first, then check out when you leave."))
    if sign_up.checked_out_at is not None:
        raise Invalid(_l("Already checked out."))
    sign_up.checked_out_at = max(now, sign_up.checked_in_at)
    sign_up.checked_out_by_id = getattr(by, "id", None)
    return sign_up


def check_in(
    session: Session,
    actor: Actor,
    activity: Activity,
    *,
    token: str,
    now: datetime,
    scanned_at: datetime | None = None,
) -> SignUp:
    """Check the acting volunteer in by the token they scanned."""
    honour_token(activity, token, now=now, scanned_at=scanned_at)
    sign_up = _in(own_sign_up(session, actor, activity, lock=True), None, now)
    session.flush()
    return sign_up


def check_out(
    session: Session,
    actor: Actor,
    activity: Activity,
    *,
    token: str,
    now: datetime,
    scanned_at: datetime | None = None,
) -> SignUp:
    """Check the acting volunteer out by the token they scanned."""
    honour_token(activity, token, now=now, scanned_at=scanned_at)
    sign_up = _out(own_sign_up(session, actor, activity, lock=True), None, now)
    session.flush()
    return sign_up


class Scanned(StrEnum):
    CHECKED_IN = "checked_in"
    CHECKED_OUT = "checked_out"
    STILL_IN = "still_in"  # scanned again within minutes: asked whether they are leaving
    ALREADY_OUT = "already_out"


def scan(
    session: Session,
    actor: Actor,
    activity: Activity,
    *,
    token: str,
    now: datetime,
    scanned_at: datetime | None = None,
) -> tuple[Scanned, SignUp]:
    """What a scan does: the first checks in, a later one (after a few minutes) checks out."""
    honour_token(activity, token, now=now, scanned_at=scanned_at)
    sign_up = own_sign_up(session, actor, activity, lock=True)
    if sign_up.checked_in_at is None:
        _in(sign_up, None, now)
        outcome = Scanned.CHECKED_IN
    elif sign_up.checked_out_at is not None:
        return Scanned.ALREADY_OUT, sign_up
    elif now - sign_up.checked_in_at < LEAST_STAY:
        return Scanned.STILL_IN, sign_up
    else:
        _out(sign_up, None, now)
        outcome = Scanned.CHECKED_OUT
    session.flush()
    return outcome, sign_up


def coordinated_activity(session: Session, actor: Actor, activity_id: int) -> Activity:
    """An activity the actor coordinates; NotFound or Forbidden otherwise."""
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise NotFound(_l("There is no such activity."))
    require(actor, Permission.COORDINATE_VOLUNTEERS, activity.community)
    return activity


def locked_sign_up(session: Session, actor: Actor, sign_up_id: int, activity: Activity) -> SignUp:
    """A sign-up of `activity`, its row locked for the change about to be made."""
    require(actor, Permission.COORDINATE_VOLUNTEERS, activity.community)
    found = session.scalars(
        select(SignUp)
        .where(SignUp.id == sign_up_id, SignUp.activity_id == activity.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if found is None:
        raise NotFound(_l("This volunteer has no place at this activity."))
    return found


def sign_up_of(session: Session, actor: Actor, sign_up_id: int, activity: Activity) -> SignUp:
    """A sign-up of `activity`, for its coordinator to look at."""
    require(actor, Permission.COORDINATE_VOLUNTEERS, activity.community)
    found = session.get(SignUp, sign_up_id)
    if found is None or found.activity_id != activity.id:
        raise NotFound(_l("This volunteer has no place at this activity."))
    return found


def _seated(sign_up: SignUp) -> SignUp:
    if sign_up.state != SignUpState.SEATED:
        raise Invalid(_l("This volunteer has no seat at this activity."))
    return sign_up


def check_in_by_name(session: Session, actor: Actor, sign_up: SignUp, *, now: datetime) -> SignUp:
    """A coordinator checks a seated volunteer in by name."""
    locked = _seated(locked_sign_up(session, actor, sign_up.id, sign_up.activity))
    _in(locked, actor, now)
    session.flush()
    audit.record(session, "volunteering.checked_in_by_name", actor=actor, now=now, target=locked)
    return locked


def check_out_by_name(session: Session, actor: Actor, sign_up: SignUp, *, now: datetime) -> SignUp:
    """A coordinator checks a volunteer out by name."""
    locked = _seated(locked_sign_up(session, actor, sign_up.id, sign_up.activity))
    _out(locked, actor, now)
    session.flush()
    audit.record(session, "volunteering.checked_out_by_name", actor=actor, now=now, target=locked)
    return locked


def roster_query(session: Session, actor: Actor, activity: Activity) -> Select:
    """The activity's seated volunteers, in the order they signed up, for its coordinator."""
    require(actor, Permission.COORDINATE_VOLUNTEERS, activity.community)
    return (
        select(SignUp)
        .where(SignUp.activity_id == activity.id, SignUp.state == SignUpState.SEATED)
        .order_by(SignUp.id)
        .options(selectinload(SignUp.volunteer).selectinload(Volunteer.user))
    )


def export_roster(
    session: Session, actor: Actor, activity: Activity, *, now: datetime
) -> list[SignUp]:
    """The whole roster for the attendance file; the export is audited (it names people)."""
    found = list(session.scalars(roster_query(session, actor, activity)))
    audit.record(session, "volunteering.attendance_exported", actor=actor, now=now,
                 target=activity, details={"rows": len(found)})  # fmt: skip
    return found


def to_confirm(session: Session, activity: Activity) -> int:
    """How many seated volunteers have a check-in and a check-out not yet confirmed."""
    return (
        session.scalar(
            select(func.count(SignUp.id)).where(
                SignUp.activity_id == activity.id,
                SignUp.state == SignUpState.SEATED,
                SignUp.confirmed_at.is_(None),
                SignUp.checked_in_at.is_not(None),
                SignUp.checked_out_at.is_not(None),
            )
        )
        or 0
    )
