"""书记在线 (secretary online): a resident asks to meet their community's secretary; within 10
minutes of online time a host marks the request seen, which texts the resident who will see
them; within 30 a host books the meeting, which texts the resident its time. A request not
seen in time is texted to the community's deputies; one not arranged in time to its street's
officers. The worker's sweep keeps both clocks (promise.py counts them).

Functions take a Session, the acting person, plain values and `now`; they flush, never commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.accounts.holders import holders
from portal.accounts.models import User
from portal.audit import services as audit
from portal.db import serialize_on
from portal.errors import Invalid, NotFound
from portal.meetings import booking as engine
from portal.meetings import promise
from portal.meetings.models import (
    Booking,
    MeetingKind,
    MeetingRequest,
    OnlineHoursSetting,
    RequestState,
    Schedule,
    Venue,
)
from portal.meetings.slots import Hours
from portal.notifications.models import MessageState, SmsMessage
from portal.notifications.services import queue_sms
from portal.permissions import Actor, Permission, require
from portal.places.codes import ALPHABET
from portal.places.models import Place, PlaceKind
from portal.workdays.services import calendar_from

ABOUT_MIN, ABOUT_MAX = 2, 300
SUITS_MAX = 200


@dataclass(frozen=True)
class MeetingSettings:
    """What the meeting rules take from the configuration (BASE_URL, and when reminders go)."""

    base_url: str
    # Reminders: the first this long before a meeting, the second this long before it.
    remind_day_before: timedelta = timedelta(hours=24)
    remind_hour_before: timedelta = timedelta(minutes=60)

    def __post_init__(self) -> None:
        if not timedelta(0) < self.remind_hour_before < self.remind_day_before:
            raise ValueError(
                "MEETING_REMIND_HOUR_BEFORE_MINUTES must be positive and come after "
                "MEETING_REMIND_DAY_BEFORE_HOURS"
            )

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MeetingSettings:
        return cls(
            base_url=config["BASE_URL"].rstrip("/"),
            remind_day_before=timedelta(hours=config.get("MEETING_REMIND_DAY_BEFORE_HOURS", 24)),
            remind_hour_before=timedelta(
                minutes=config.get("MEETING_REMIND_HOUR_BEFORE_MINUTES", 60)
            ),
        )

    def booking_url(self, reference: str) -> str:
        """A booking's page for its resident: confirm, change or cancel."""
        return f"{self.base_url}/m/{reference}"

    def host_booking_url(self, reference: str) -> str:
        """A booking's page for its host (behind the staff sign-in)."""
        return f"{self.base_url}/staff/meetings/bookings/{reference}"


# --- the community's online hours ------------------------------------------------------------


def online_hours(session: Session, community_id: int) -> promise.OnlineHours:
    """The hours a community answers online, as it set them, else 08:30–17:30 on working days."""
    setting = session.get(OnlineHoursSetting, community_id)
    if setting is None or not setting.weekly:
        return promise.default_hours()
    return promise.OnlineHours(
        {
            int(day): tuple(Hours(time.fromisoformat(a), time.fromisoformat(b)) for a, b in spans)
            for day, spans in setting.weekly.items()
        }
    )


def clocks_for(session: Session, community_id: int, now: datetime) -> promise.Clocks:
    calendar = calendar_from(session, now.year, now.year + 1)
    return promise.clocks_for(now, online_hours(session, community_id), calendar)


# --- asking ----------------------------------------------------------------------------------


def _new_reference(session: Session) -> str:
    while True:
        reference = "S" + "".join(secrets.choice(ALPHABET) for _ in range(7))
        found = session.scalar(
            select(MeetingRequest.id).where(MeetingRequest.reference == reference)
        )
        if found is None:
            return reference


class AlreadyAsked(Invalid):
    """The resident has a request waiting at this community already: `request`."""

    def __init__(self, request: MeetingRequest):
        super().__init__(_l("You have asked to meet the secretary already. Here is your request."))
        self.request = request


def open_request(session: Session, phone: str, community_id: int) -> MeetingRequest | None:
    """A phone's request still waiting for a meeting at a community."""
    return session.scalar(
        select(MeetingRequest).where(
            MeetingRequest.phone == phone,
            MeetingRequest.place_id == community_id,
            MeetingRequest.state.in_([RequestState.WAITING, RequestState.SEEN]),
        )
    )


def ask(
    session: Session,
    community: Place,
    asker: engine.Booker,
    *,
    about: str,
    suits: str = "",
    appeal_id: int | None = None,
    now: datetime,
) -> MeetingRequest:
    """A resident (their phone proved) asks to meet the secretary of `community`. The
    secretary is texted at once; the clocks start now, or when the community is next online."""
    if community.kind is not PlaceKind.COMMUNITY:
        raise Invalid(_l("Choose your community."))
    about, suits = about.strip(), suits.strip()
    if len(about) < ABOUT_MIN:
        raise Invalid(_l("Say in a few words what you would like to talk about."))
    if len(about) > ABOUT_MAX or len(suits) > SUITS_MAX:
        raise Invalid(_l("Please keep it shorter."))
    # A second tap, or Back and send again, must not text the secretary twice.
    serialize_on(session, f"meeting-request:{asker.phone}:{community.id}")
    waiting = open_request(session, asker.phone, community.id)
    if waiting is not None:
        raise AlreadyAsked(waiting)
    clocks = clocks_for(session, community.id, now)
    request = MeetingRequest(
        reference=_new_reference(session),
        place_id=community.id,
        user_id=asker.user_id,
        phone=asker.phone,
        name=asker.name,
        about=about,
        suits=suits,
        locale=asker.locale,
        appeal_id=appeal_id,
        asked_at=now,
        clocks_start_at=clocks.start,
        seen_due_at=clocks.seen_due,
        arranged_due_at=clocks.arranged_due,
        sweep_at=clocks.seen_due,
    )
    session.add(request)
    session.flush()
    for secretary in holders(session, Permission.LEAD_MEETINGS, community):
        # Asked at night, the secretary is texted when the community is online again.
        _text_staff(
            session, request, secretary, "meeting_request_new", now, not_before=clocks.start
        )
    return request


def _text_staff(
    session: Session,
    request: MeetingRequest,
    user: User,
    kind: str,
    now: datetime,
    *,
    not_before: datetime | None = None,
) -> None:
    queue_sms(
        session,
        phone=user.phone,
        kind=kind,
        params={"community": request.place.name_zh, "reference": request.reference},
        locale=user.locale or "zh_Hans_CN",
        key=f"meeting-request:{request.id}:{kind}:{user.id}",
        cause=f"meetings:{request.reference}",
        now=now,
        not_before=not_before,
    )


# --- the hosts' side -------------------------------------------------------------------------


def _require_answerer(actor: Actor, request: MeetingRequest) -> None:
    require(actor, Permission.ANSWER_MEETING_REQUESTS, request.place)


def get_request(
    session: Session, actor: Actor, reference: str, *, for_update: bool = False
) -> MeetingRequest:
    query = select(MeetingRequest).where(MeetingRequest.reference == reference.strip().upper())
    if for_update:
        query = query.with_for_update(of=MeetingRequest)
    request = session.scalar(query)
    if request is None:
        raise NotFound(_l("There is no such request."))
    try:
        _require_answerer(actor, request)
    except Exception as error:
        raise NotFound(_l("There is no such request.")) from error
    return request


def reveal_phone(session: Session, actor: Actor, request: MeetingRequest, *, now: datetime) -> str:
    """The resident's full number, for a call; every look is in the audit log."""
    _require_answerer(actor, request)
    audit.record(session, "meetings.reveal_phone", actor=actor, now=now, target=request)
    return request.phone


def mark_seen(
    session: Session, actor: User, request: MeetingRequest, *, now: datetime
) -> MeetingRequest:
    """A host has read the request: the resident is texted who will see them, and the number
    of the community they can call (never a private number)."""
    _require_answerer(actor, request)
    if request.state is not RequestState.WAITING:
        raise Invalid(_l("This request has been seen already."))
    request.state = RequestState.SEEN
    request.seen_at = now
    request.seen_by_id = actor.id
    request.sweep_at = None if request.arranged_at else request.arranged_due_at
    session.flush()
    queue_sms(
        session,
        phone=request.phone,
        kind="meeting_request_seen",
        params={"host": actor.display_name.strip(), "phone": request.place.phone},
        locale=request.locale,
        key=f"meeting-request:{request.id}:seen",
        cause=f"meetings:{request.reference}",
        now=now,
    )
    audit.record(session, "meetings.request_seen", actor=actor, now=now, target=request)
    return request


def host_schedule(session: Session, actor: User, community: Place) -> Schedule:
    """The actor's own 书记在线 schedule at `community`."""
    schedule = session.scalar(
        select(Schedule).where(
            Schedule.host_id == actor.id,
            Schedule.place_id == community.id,
            Schedule.kind == MeetingKind.SECRETARY,
            Schedule.is_active.is_(True),
        )
    )
    if schedule is None:
        raise Invalid(_l("Set the times you receive residents first."))
    return schedule


def arrange(
    session: Session,
    settings: MeetingSettings,
    actor: User,
    request: MeetingRequest,
    start: datetime,
    *,
    venue: Venue | None = None,
    now: datetime,
) -> Booking:
    """A host books a meeting for the request at one of their free times; the resident is
    texted the time, the place, and the link to confirm, change or cancel it."""
    _require_answerer(actor, request)
    if request.state not in (RequestState.WAITING, RequestState.SEEN):
        raise Invalid(_l("A meeting has been arranged for this request already."))
    schedule = host_schedule(session, actor, request.place)
    booker = engine.Booker(
        phone=request.phone, user_id=request.user_id, name=request.name, locale=request.locale
    )
    made = engine.book(
        session, booker, schedule.id, start, about=request.about, venue=venue, now=now,
        actor=actor,
    )  # fmt: skip
    if request.seen_at is None:
        # Arranging a meeting says the request was seen, by the same host, at the same moment.
        request.seen_at, request.seen_by_id = now, actor.id
    request.state = RequestState.ARRANGED
    request.arranged_at = now
    request.booking_id = made.id
    request.sweep_at = None
    session.flush()
    queue_sms(
        session,
        phone=request.phone,
        kind="meeting_booked",
        params=booked_params(settings, made, actor.display_name),
        locale=request.locale,
        key=f"meeting-request:{request.id}:arranged",
        cause=f"meetings:{request.reference}",
        now=now,
    )
    audit.record(session, "meetings.request_arranged", actor=actor, now=now, target=request)
    return made


def where_params(settings: MeetingSettings, made: Booking) -> dict[str, Any]:
    """When and where a meeting is, and its link, as the resident's SMS texts take them."""
    place = made.place
    return {
        "starts_at": made.starts_at.isoformat(),
        "venue": made.venue.value,
        "centre_zh": place.service_centre_zh or place.name_zh,
        "centre_en": place.service_centre_en or place.name_en,
        "url": settings.booking_url(made.reference),
    }


def booked_params(settings: MeetingSettings, made: Booking, host_name: str) -> dict[str, Any]:
    """What the booked SMS says: when and where, with whom, and the booking's link."""
    return {**where_params(settings, made), "host": host_name.strip()}


# --- the clocks ------------------------------------------------------------------------------


def sweep(session: Session, now: datetime) -> int:
    """Escalate the requests whose clock ran out: not seen in 10 minutes, to the deputies; not
    arranged in 30, to the street's officers. Returns how many were escalated."""
    due = list(
        session.scalars(
            select(MeetingRequest)
            .where(MeetingRequest.sweep_at.is_not(None), MeetingRequest.sweep_at <= now)
            .order_by(MeetingRequest.sweep_at)
            .limit(200)
            .with_for_update(skip_locked=True, of=MeetingRequest)
        )
    )
    for request in due:
        if request.state is RequestState.WAITING and request.seen_escalated_at is None:
            for deputy in _deputies(session, request):
                _text_staff(session, request, deputy, "meeting_request_unseen", now)
            request.seen_escalated_at = now
        if (
            request.state in (RequestState.WAITING, RequestState.SEEN)
            and now >= request.arranged_due_at
            and request.arranged_escalated_at is None
        ):
            street = request.place.parent
            for officer in holders(session, Permission.HANDLE_APPEALS, street) if street else []:
                _text_staff(session, request, officer, "meeting_request_unarranged", now)
            request.arranged_escalated_at = now
        request.sweep_at = _next_sweep(request)
    session.flush()
    return len(due)


def _deputies(session: Session, request: MeetingRequest) -> list[User]:
    """Those who answer the community's requests, the secretaries already texted left out."""
    secretaries = {u.id for u in holders(session, Permission.LEAD_MEETINGS, request.place)}
    answering = holders(session, Permission.ANSWER_MEETING_REQUESTS, request.place)
    return [user for user in answering if user.id not in secretaries]


def _next_sweep(request: MeetingRequest) -> datetime | None:
    if request.state in (RequestState.ARRANGED, RequestState.WITHDRAWN):
        return None
    if request.arranged_escalated_at is None:
        if request.state is RequestState.WAITING and request.seen_escalated_at is None:
            return request.seen_due_at
        return request.arranged_due_at
    return None


def withdraw(session: Session, user: User, request: MeetingRequest, *, now: datetime) -> None:
    """The resident no longer needs the meeting: its clocks stop (a meeting already booked is
    cancelled on its own page)."""
    if request.phone != user.phone:
        raise NotFound(_l("There is no such request."))
    if request.state not in (RequestState.WAITING, RequestState.SEEN):
        raise Invalid(_l("This request can no longer be withdrawn."))
    request.state = RequestState.WITHDRAWN
    request.withdrawn_at = now
    request.sweep_at = None
    # A request made at night may still wait to be texted to the secretary: it never will be.
    session.execute(
        update(SmsMessage)
        .where(
            SmsMessage.cause == f"meetings:{request.reference}",
            SmsMessage.state == MessageState.QUEUED,
            SmsMessage.next_attempt_at > now,
        )
        .values(expires_at=now)
    )
    session.flush()


# --- lists -----------------------------------------------------------------------------------


def community_of(session: Session, building_id: int) -> Place:
    """The community a building lies in."""
    from portal.places.models import Building

    building = session.get(Building, building_id)
    if building is None or building.grid.parent is None:
        raise NotFound(_l("There is no such building."))
    return building.grid.parent


def requests_to_answer(session: Session, actor: Actor, *, limit: int = 100) -> list[MeetingRequest]:
    """The requests waiting for a meeting in the communities `actor` answers, by the deadline
    of the promise each waits on (to be read, else to be arranged): overdue first."""
    from portal.permissions import granted_places

    place_ids = [p.id for p in granted_places(actor, Permission.ANSWER_MEETING_REQUESTS)]
    if not place_ids:
        return []
    waiting = session.scalars(
        select(MeetingRequest)
        .where(
            MeetingRequest.place_id.in_(place_ids),
            MeetingRequest.state.in_([RequestState.WAITING, RequestState.SEEN]),
        )
        .order_by(MeetingRequest.seen_due_at)
        .limit(limit)
    )
    return sorted(waiting, key=due_for)


def due_for(request: MeetingRequest) -> datetime:
    """The deadline of the promise a request waits on: to be read, else to be arranged."""
    if request.state is RequestState.WAITING:
        return request.seen_due_at
    return request.arranged_due_at


def residents_requests(session: Session, user: User, *, limit: int = 20) -> list[MeetingRequest]:
    return list(
        session.scalars(
            select(MeetingRequest)
            .where(MeetingRequest.phone == user.phone)
            .order_by(MeetingRequest.asked_at.desc())
            .limit(limit)
        )
    )


def get_own_request(
    session: Session, user: User, reference: str, *, for_update: bool = False
) -> MeetingRequest:
    query = select(MeetingRequest).where(MeetingRequest.reference == reference.strip().upper())
    if for_update:
        query = query.with_for_update(of=MeetingRequest)
    request = session.scalar(query)
    if request is None or request.phone != user.phone:
        raise NotFound(_l("There is no such request."))
    return request
