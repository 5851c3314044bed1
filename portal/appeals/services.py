"""The rules of the appeal loop: filing, confirming, dispatching, handling, reviewing, the clocks.

Functions take a Session, the acting user where there is one, plain values and `now`; they
flush but never commit. Each transition checks the state table (states.py) and who may act
(the place the appeal's queue belongs to), writes the timeline and, for staff, the audit log,
and queues the SMS it causes in the same transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, String, and_, bindparam, cast, exists, insert, literal, select
from sqlalchemy.orm import Session, object_session

from portal.accounts.holders import holders
from portal.accounts.models import User
from portal.appeals import sla
from portal.appeals.labels import STATE_LABELS
from portal.appeals.models import (
    Appeal,
    AppealEvent,
    AppealPhoto,
    AppealState,
    BlockedPhone,
    EventKind,
    PhotoStage,
    Rating,
    Summons,
)
from portal.appeals.states import Action, allowed
from portal.appeals.tracking import draw_tracking_number
from portal.audit import services as audit
from portal.catalogue.models import CatalogueGroup, CatalogueItem, Level
from portal.db import add_as_loaded, column_values, dialect_insert
from portal.errors import Forbidden, Invalid, NotFound, TooMany
from portal.events import handles
from portal.i18n import CHINESE
from portal.notifications.models import SmsMessage
from portal.notifications.services import message_values, queue_sms, queue_statement
from portal.permissions import Permission, Role, can, covers, require_staff
from portal.phones import mask_phone, normalize_phone
from portal.places.models import Building, Place, PlaceKind
from portal.units.models import Unit
from portal.units.services import UnitRetiring, members, units_of_member

DESCRIPTION_MAX = 2000
CODE_VALID_FOR = timedelta(minutes=10)
CODE_MAX_TRIES = 5
CODE_RESEND_AFTER = timedelta(seconds=60)
CODES_PER_APPEAL = 5
MAX_RESOLUTION_PHOTOS = 3
# The kind of place whose queue takes each level, and the role that works that queue.
QUEUE_KIND = {
    Level.GRID: PlaceKind.GRID,
    Level.COMMUNITY: PlaceKind.COMMUNITY,
    Level.STREET: PlaceKind.STREET,
}
HANDLER_ROLE = {
    PlaceKind.GRID: Role.GRID_WORKER,
    PlaceKind.COMMUNITY: Role.SECRETARY,
    PlaceKind.STREET: Role.OFFICER,
    PlaceKind.DISTRICT: Role.OFFICER,
}
LEVEL_OF_KIND = {kind: level for level, kind in QUEUE_KIND.items()}
# How often an unaccepted appeal is passed up: grid → community → street → district.
MAX_ESCALATIONS = 3


def clocks() -> sla.Clocks:
    return current_app.extensions["portal.appeal_clocks"]


# --- filing and confirming ---------------------------------------------------------------


@dataclass
class Report:
    """What a resident filled in on the form."""

    item_id: int
    description: str
    phone: str
    location: str = ""
    name: str = ""
    urgent: bool = False
    wants_meeting: bool = False


def offered_items(session: Session) -> list[CatalogueItem]:
    """The items in use, group by group, as objects (the resident's form reads the same rows
    through the faster offered.py)."""
    return list(
        session.scalars(
            select(CatalogueItem)
            .join(CatalogueItem.group)
            .where(CatalogueItem.retired_at.is_(None))
            .order_by(CatalogueGroup.position, CatalogueItem.position, CatalogueItem.id)
        )
    )


def check_description(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise Invalid(_l("Say what happened, in a few words."), field="description")
    if len(text) > DESCRIPTION_MAX:
        raise Invalid(
            _l(
                "Keep it within %(limit)d characters; you wrote %(count)d.",
                limit=DESCRIPTION_MAX,
                count=len(text),
            ),
            field="description",
        )
    return text


def check_phone(raw: str) -> str:
    phone = normalize_phone(raw)
    if phone is None:
        raise Invalid(
            _l("Enter an 11-digit mainland mobile number, like 138 0013 8000."), field="phone"
        )
    return phone


# Statements of the send, built once with their values as parameters (see db.py).
_BY_SUBMISSION_KEY = select(Appeal.id).where(Appeal.submission_key == bindparam("key"))
# The building (none: no such building) and the item's level (None: no such item in use).
_BUILDING_AND_ITEM = (
    select(Building.retired_at, CatalogueItem.default_level)
    .outerjoin(
        CatalogueItem,
        and_(CatalogueItem.id == bindparam("item"), CatalogueItem.retired_at.is_(None)),
    )
    .where(Building.id == bindparam("building"))
)
# Tracking numbers drawn for one report before giving up (each a rare collision).
TRACKING_DRAWS = 10


def submit(
    session: Session,
    building_id: int,
    report: Report,
    *,
    submission_key: str,
    user: Any,
    locale: str,
    now: datetime,
    consent: bool = False,
    hold: bool = False,
) -> Appeal:
    """Save a resident's report about the building `building_id`. It enters the loop at once
    if they are signed in with this phone verified; otherwise it waits, unconfirmed, for the
    SMS code sent to the phone.

    A grid worker (or any handler of the building's area) may file it for a resident who
    cannot (代办): when `consent` says the resident agreed in person it enters the loop at
    once, otherwise the resident reads out the code sent to their phone. `hold` keeps it out
    of the loop until staff look at it (the building had an unusual number of reports).

    The same `submission_key` (one per filled-in form) always returns the first appeal, so
    a double tap on "Submit" files one.

    A resident's report is what the portal receives most, from a QR code on every door: it
    is written with plain statements (the appeal, its timeline, its SMS), not through the
    unit of work; on PostgreSQL with one (see _insert_unless_sent).
    """
    # Staff of the building's area file for a resident; staff elsewhere (at their own home,
    # say) report like any resident.
    staff = getattr(user, "is_authenticated", False) and user.is_staff
    filed_by = (
        user if staff and files_for_resident(user, session.get(Building, building_id)) else None
    )
    phone = check_phone(report.phone)
    appeal = Appeal(
        submission_key=submission_key,
        building_id=building_id,
        item_id=report.item_id,
        description=check_description(report.description),
        location=report.location.strip()[:100],
        phone=phone,
        name=report.name.strip()[:50],
        locale=locale,
        urgent=report.urgent,
        wants_meeting=report.wants_meeting,
        user_id=user.id if _owns_verified(user, phone) else None,
        filed_by_id=filed_by.id if filed_by else None,
        state=AppealState.UNCONFIRMED,
        created_at=now,
        due_at=now + clocks().confirm,
    )
    confirmed = appeal.user_id is not None or (filed_by is not None and consent)
    code = None if confirmed else _new_code()
    details: dict[str, Any] = {"hold": "busy_building"} if hold else {}
    if filed_by is not None:
        details["consent"] = consent
    earlier = _insert_unless_sent(session, appeal, now, code, filed_by=filed_by, details=details)
    if earlier is not None:
        if earlier.building_id != building_id or earlier.phone != phone:
            # Not a second tap: a form whose key was copied. It must not lead to that appeal.
            raise Invalid(_l("This form was already used. Please start the report again."))
        return earlier
    if filed_by is not None:
        audit_step(
            session, "appeals.file_for_resident", filed_by, appeal, now, {"consent": consent}
        )
    if code is None:
        _receive(session, appeal, now)
    return appeal


def _refuse_unless_in_use(session: Session, building_id: int, item_id: Any) -> None:
    """Refuse a report about a building or an item that is not (or no longer) in use."""
    item = item_id if isinstance(item_id, int) else None
    found = (
        session.connection()
        .execute(_BUILDING_AND_ITEM, {"building": building_id, "item": item})
        .first()
    )
    if found is None:
        raise NotFound(_l("This building is not known."))
    retired_at, level = found
    if retired_at is not None:
        raise Invalid(_l("This building is no longer in use. Please contact your community."))
    if level is None:
        raise Invalid(_l("Choose what kind of problem it is."), field="item")


def _insert_unless_sent(
    session: Session,
    appeal: Appeal,
    now: datetime,
    code: str | None,
    *,
    filed_by: User | None,
    details: dict[str, Any],
) -> Appeal | None:
    """Insert the report with a free tracking number and its item's level, its first event
    (submitted, by `filed_by` or the resident, with `details`) and, when it waits for its
    `code`, the SMS that sends it (the appeal keeps the code's digest, keyed on the number).
    Or, when a report with its submission key is there already (a second tap on Send),
    write nothing and return that one.

    The usual report is written with nothing read before: the appeal by an INSERT … SELECT
    that takes the level where the building and the item are in use, skips any conflict on
    a unique column and returns the new id. On PostgreSQL the event and the SMS are
    inserted in the same statement, from the row it returns: one round trip where there
    were three, and under load each costs more in waiting than the statement in working.
    SQLite, which has no INSERT in a WITH, writes them after it.

    When nothing is written, the reason is looked up: a second tap (one sent while the
    first is still being saved waits for it at the unique index on PostgreSQL; SQLite
    writes one at a time), a building or item out of use (refused), or a tracking number
    drawn already (about once in a million: drawn again).
    """
    if not isinstance(appeal.item_id, int):
        _refuse_unless_in_use(session, appeal.building_id, appeal.item_id)
    connection = session.connection()
    together = connection.dialect.name == "postgresql"
    event = _event_values(appeal, EventKind.SUBMITTED, filed_by, now, details=details)
    for attempt in range(TRACKING_DRAWS):
        appeal.tracking = draw_tracking_number(now, attempt)
        message = None
        if code is not None:
            appeal.code_hash = _code_digest(appeal.tracking, code)
            appeal.code_sent_at = now
            message = _code_message(appeal, code, now)
        values = column_values(appeal)
        if together:
            statement = _report_statement(tuple(values), tuple(event), tuple(message or ()))
            inserted = connection.execute(
                statement, {**values, **_named("event_", event), **_named("sms_", message)}
            ).first()
        else:
            statement = _insert_appeal_statement(connection.dialect.name, tuple(values))
            inserted = connection.execute(statement, values).first()
        if inserted is not None:
            appeal.id, appeal.level = inserted
            add_as_loaded(session, appeal)
            if not together:
                _insert_event(session, appeal, event)
                if message is not None:
                    _insert_message(session, appeal, message)
            return None
        earlier_id = connection.scalar(_BY_SUBMISSION_KEY, {"key": appeal.submission_key})
        if earlier_id is not None:
            return session.get_one(Appeal, earlier_id)
        _refuse_unless_in_use(session, appeal.building_id, appeal.item_id)
    raise RuntimeError(f"no free tracking number after {TRACKING_DRAWS} draws")


def _named(prefix: str, values: dict[str, Any] | None) -> dict[str, Any]:
    return {prefix + name: value for name, value in (values or {}).items()}


@cache
def _insert_appeal_statement(dialect: str, names: tuple[str, ...]) -> Any:
    # The report's values and its item's level, selected only where the building and the
    # item are in use. Any unique column may conflict: the submission key (a second tap) or
    # the tracking number (drawn already); either way nothing is written, and no row comes
    # back.
    table = Appeal.__table__
    # Inside a WITH, SQLAlchemy leaves out the columns' Python defaults: they are given here.
    defaults = [
        column.name
        for column in table.c
        if column.name not in (*names, "level") and column.default is not None
        and column.default.is_scalar
    ]  # fmt: skip
    report = select(
        *(bindparam(name, type_=table.c[name].type) for name in names),
        *(literal(table.c[name].default.arg, table.c[name].type) for name in defaults),
        CatalogueItem.default_level,
    ).where(
        CatalogueItem.id == bindparam("item_id"),
        CatalogueItem.retired_at.is_(None),
        exists().where(Building.id == bindparam("building_id"), Building.retired_at.is_(None)),
    )
    return (
        dialect_insert(dialect)(table)
        .from_select([*names, *defaults, "level"], report)
        .on_conflict_do_nothing()
        .returning(table.c.id, table.c.level)
    )


@cache
def _report_statement(
    names: tuple[str, ...], event_names: tuple[str, ...], message_names: tuple[str, ...]
) -> Any:
    """PostgreSQL's one statement for a report: the appeal's INSERT … SELECT, and from the
    row it returns (none when it wrote nothing) its event and, with `message_names`, its SMS,
    whose cause is the new appeal. Their values come as event_<column> and sms_<column>."""
    appeal = _insert_appeal_statement("postgresql", names).cte("appeal")
    event = {"appeal_id": appeal.c.id, "level": appeal.c.level}
    written = select(appeal.c.id, appeal.c.level).add_cte(
        _insert_from(AppealEvent.__table__, "event_", event_names, event)
    )
    if message_names:
        cause = {"cause": literal("appeals:", String) + cast(appeal.c.id, String)}
        written = written.add_cte(_insert_from(SmsMessage.__table__, "sms_", message_names, cause))
    return written


def _insert_from(table: Any, prefix: str, names: tuple[str, ...], taken: dict[str, Any]) -> Any:
    """A WITH's INSERT into `table`: its columns `names` from parameters named <prefix><name>,
    and the columns in `taken` from the statement's other rows (one row for each of those)."""
    given = [name for name in names if name not in taken]
    rows = select(
        *(bindparam(prefix + name, type_=table.c[name].type) for name in given), *taken.values()
    )
    return insert(table).from_select([*given, *taken], rows).cte(f"{prefix}row")


def building_by_code(session: Session, code: str) -> Building | None:
    return session.scalar(
        select(Building).where(Building.public_code == code, Building.retired_at.is_(None))
    )


def files_for_resident(actor: Any, building: Building) -> bool:
    """Staff who handle appeals where the building is file for its residents (代办)."""
    return (
        getattr(actor, "is_authenticated", False)
        and actor.is_staff
        and any(
            grant.role in HANDLER_ROLES and covers(grant.place, building)
            for grant in getattr(actor, "grants", ())
        )
    )


def _owns_verified(user: Any, phone: str) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and not user.is_staff
        and user.phone == phone
        and user.phone_verified_at is not None
    )


def lock(session: Session, appeal: Appeal) -> None:
    """Lock the appeal's row and re-read it, so that two actions at once (two taps, a handler
    and the sweep) happen one after the other, each on the state the other left."""
    session.scalars(
        select(Appeal)
        .where(Appeal.id == appeal.id)
        .with_for_update(of=Appeal)
        .execution_options(populate_existing=True)
    ).one()


def _new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _code_digest(tracking: str, code: str) -> str:
    # Keyed on the tracking number, which the appeal has from its first statement: the
    # digest goes in with it.
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"appeal:{tracking}:{code}".encode(), hashlib.sha256).hexdigest()


def _send_code(session: Session, appeal: Appeal, now: datetime) -> None:
    """A new code for an appeal that has one already (asked again)."""
    code = _new_code()
    appeal.code_hash = _code_digest(appeal.tracking, code)
    appeal.code_sent_at = now
    appeal.code_tries = 0
    _queue_code(session, appeal, code, now)


def _queue_code(session: Session, appeal: Appeal, code: str, now: datetime) -> None:
    _insert_message(session, appeal, _code_message(appeal, code, now))


def _insert_message(session: Session, appeal: Appeal, message: dict[str, Any]) -> None:
    dialect = session.get_bind().dialect.name
    session.execute(queue_statement(dialect), {**message, "cause": f"appeals:{appeal.id}"})


def _code_message(appeal: Appeal, code: str, now: datetime) -> dict[str, Any]:
    """The SMS that sends the appeal's confirmation `code`, as queue_sms writes it but for
    its cause, the appeal (whose id a new appeal gets written). Its key is new each time:
    every code is a message of its own."""
    return message_values(
        phone=appeal.phone,
        kind="appeal_code",
        params={
            "code": code,
            "tracking": appeal.tracking,
            "minutes": int(CODE_VALID_FOR.total_seconds() // 60),
        },
        locale=appeal.locale,
        key=f"appeal-code:{secrets.token_hex(16)}",
        now=now,
        expires_at=now + CODE_VALID_FOR,
    )


def resend_code(session: Session, appeal: Appeal, *, now: datetime) -> None:
    """Send a new confirmation code, at most once a minute and five times in all."""
    if not allowed(Action.CONFIRM, appeal.state):
        raise Invalid(_l("This report is already confirmed."))
    sent = session.scalar(
        select(Appeal.code_sent_at).where(Appeal.id == appeal.id).with_for_update()
    )
    if sent is not None and now - sent < CODE_RESEND_AFTER:
        wait = int((sent + CODE_RESEND_AFTER - now).total_seconds()) + 1
        raise TooMany(
            _l(
                "A code was sent less than a minute ago. Please wait %(seconds)d seconds.",
                seconds=wait,
            ),
            retry_after=wait,
        )
    sendings = session.scalars(
        select(AppealEvent.details).where(
            AppealEvent.appeal_id == appeal.id, AppealEvent.kind == EventKind.SUBMITTED
        )
    )
    resent = sum(1 for details in sendings if details.get("resent"))
    if resent >= CODES_PER_APPEAL - 1:
        raise TooMany(_l("Too many codes were sent for this report. Please call your community."))
    add_event(session, appeal, EventKind.SUBMITTED, actor=None, now=now, details={"resent": True})
    _send_code(session, appeal, now)


def confirm(session: Session, appeal: Appeal, code: str, *, now: datetime) -> None:
    """Check the code the resident typed; when right, the appeal enters the loop."""
    lock(session, appeal)
    if not allowed(Action.CONFIRM, appeal.state):
        raise Invalid(_l("This report can no longer be confirmed."))
    if appeal.code_hash is None or appeal.code_sent_at is None:
        raise Invalid(_l("There is no code waiting. Ask for a new code."), field="code")
    if now - appeal.code_sent_at > CODE_VALID_FOR:
        raise Invalid(_l("This code has expired. Ask for a new code."), field="code")
    if appeal.code_tries >= CODE_MAX_TRIES:
        raise Invalid(
            _l("This code was entered wrongly too many times. Ask for a new code."), field="code"
        )
    appeal.code_tries += 1
    entered = "".join((code or "").split())
    if not hmac.compare_digest(appeal.code_hash, _code_digest(appeal.tracking, entered)):
        session.flush()
        left = CODE_MAX_TRIES - appeal.code_tries
        raise Invalid(
            _l("The code is not right. You can try %(count)d more times.", count=left)
            if left
            else _l("The code is not right, and this code no longer works. Ask for a new code."),
            field="code",
        )
    appeal.code_hash = None
    _receive(session, appeal, now)


def _receive(session: Session, appeal: Appeal, now: datetime) -> None:
    """The appeal enters the loop: dispatched by its item's level, its clocks started.
    One from a blocked phone, or held when filed, waits hidden in the queue for staff."""
    appeal.state = AppealState.RECEIVED
    appeal.received_at = now
    start_clocks(appeal, now)
    dispatch_to(session, appeal, appeal.level)
    add_event(session, appeal, EventKind.CONFIRMED, actor=None, now=now)
    held = _hold_reason(session, appeal)
    if held is not None:
        hide_as(session, appeal, now, kind=EventKind.HELD, details={"reason": held})
        return
    tell_received(session, appeal, now)
    alert_queue(session, appeal, "appeal_new", now=now, step="new")


def tell_received(session: Session, appeal: Appeal, now: datetime) -> None:
    """The resident's SMS with the number and the promise (sent once, whenever it is asked)."""
    queue_sms(
        session,
        phone=appeal.phone,
        kind="appeal_received",
        params={
            "tracking": appeal.tracking,
            "minutes": _minutes(clocks().accept),
            "url": tracking_url(appeal),
        },
        locale=appeal.locale,
        key=f"appeal:{appeal.id}:received",
        cause=f"appeals:{appeal.id}",
        now=now,
    )


def _hold_reason(session: Session, appeal: Appeal) -> str | None:
    if session.scalar(select(BlockedPhone.id).where(BlockedPhone.phone == appeal.phone)):
        return "blocked_phone"
    first = session.scalar(
        select(AppealEvent.details)
        .where(AppealEvent.appeal_id == appeal.id, AppealEvent.kind == EventKind.SUBMITTED)
        .order_by(AppealEvent.id)
        .limit(1)
    )
    return (first or {}).get("hold")


def hide_as(
    session: Session,
    appeal: Appeal,
    now: datetime,
    *,
    kind: EventKind,
    actor: Any = None,
    note: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    """Take the appeal out of the loop (its queue stays, for staff to restore it)."""
    appeal.hidden_from = appeal.state
    finish(appeal, AppealState.HIDDEN, now, closed=False)
    add_event(session, appeal, kind, actor=actor, now=now, note=note, details=details)


def tracking_url(appeal: Appeal) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/t/{appeal.tracking}"


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def start_clocks(appeal: Appeal, start: datetime) -> None:
    item = appeal.item
    due = sla.deadlines(
        clocks(),
        start,
        item.handling,
        needs_contact=appeal.urgent or appeal.wants_meeting,
        resolve_in=timedelta(minutes=item.resolve_minutes) if item.resolve_minutes else None,
    )
    appeal.accept_due_at = due.accept
    appeal.contact_due_at = due.contact
    appeal.resolve_due_at = due.resolve
    appeal.first_contact_at = None
    appeal.overdue_alerted_at = None
    appeal.handler_id = None
    appeal.escalations = 0
    appeal.is_open = True
    appeal.due_at = due.accept


def dispatch_to(session: Session, appeal: Appeal, level: int) -> None:
    """Put the appeal in the queue that handles `level` for its building: at level 3 the
    item's unit when it serves the building, else the building's grid, community or street."""
    unit = responsible_unit(appeal.item, appeal.building) if level == Level.STREET else None
    queue_in(session, appeal, unit or place_for_level(appeal.building, level))


def queue_in(session: Session, appeal: Appeal, queue: Place | Unit) -> None:
    """Put the appeal in the queue of a place or a unit (a unit's queue is level 3)."""
    if isinstance(queue, Unit):
        appeal.unit, appeal.queue_place, appeal.level = queue, None, Level.STREET
    else:
        appeal.unit, appeal.queue_place = None, queue
        appeal.level = LEVEL_OF_KIND.get(queue.kind, appeal.level)
    session.flush()


def responsible_unit(item: CatalogueItem, building: Building) -> Unit | None:
    unit = item.unit
    if unit is None or unit.retired_at is not None or not covers(unit.place, building):
        return None
    return unit


def place_for_level(building: Building, level: int) -> Place:
    wanted = QUEUE_KIND[Level(level)]
    place: Place | None = building.grid
    while place is not None and place.kind != wanted:
        place = place.parent
    if place is None:
        raise ValueError(f"building {building.id} has no {wanted} above it")
    return place


# --- who may act ---------------------------------------------------------------------------

HANDLER_ROLES = frozenset(HANDLER_ROLE.values())


def can_view(actor: Any, appeal: Appeal) -> bool:
    """Staff see the appeals of their area, wherever in the chain the queue now sits; a
    unit's officers see those in its queue or that it was summoned to."""
    if any(
        grant.role in HANDLER_ROLES and covers(grant.place, appeal.building)
        for grant in getattr(actor, "grants", ())
    ) or can(actor, Permission.MANAGE_MESSAGES):
        return True
    if can_act(actor, appeal):
        return True
    units = units_of(actor)
    return (
        bool(units)
        and session_of(appeal).scalar(
            select(Summons.id).where(Summons.appeal_id == appeal.id, Summons.unit_id.in_(units))
        )
        is not None
    )


def can_act(actor: Any, appeal: Appeal) -> bool:
    """Only staff whose area holds the queue the appeal now sits in may act on it: once it is
    passed up to the community, the grid worker can no longer take it. A unit's queue is
    worked by its members."""
    if appeal.unit_id is not None:
        return appeal.unit_id in units_of(actor)
    if appeal.queue_place is None:
        return False
    return any(
        grant.role in HANDLER_ROLES and covers(grant.place, appeal.queue_place)
        for grant in getattr(actor, "grants", ())
    )


def units_of(actor: Any) -> frozenset[int]:
    """The live units `actor` works for."""
    session = object_session(actor) if getattr(actor, "id", None) is not None else None
    if session is None:
        return frozenset()
    return units_of_member(session, actor.id)


@handles(UnitRetiring)
def _keep_units_with_open_appeals(session: Session, event: UnitRetiring) -> None:
    """A unit whose queue still holds appeals being handled stays in use until they are done."""
    if session.scalar(
        select(Appeal.id).where(Appeal.unit_id == event.unit.id, Appeal.is_open.is_(True)).limit(1)
    ):
        raise Invalid(
            _l(
                "Reports in this unit's queue are still being handled. Retire it once they are done."
            )
        )


def available_actions(actor: Any, appeal: Appeal) -> frozenset[Action]:
    """The steps `actor` may take on `appeal` now (the buttons to show; the steps check again)."""
    if not can_act(actor, appeal):
        return frozenset()
    handles = appeal.handler_id == actor.id
    wanted = {
        Action.ACCEPT: True,
        Action.CONTACT: appeal.first_contact_at is None,
        Action.START: handles,
        Action.RESOLVE: handles,
        Action.RELEVEL: True,
        Action.TRANSFER: True,
        Action.SUMMON: handles,
        Action.MERGE: True,
        Action.HIDE: True,
        Action.RESTORE: True,
        Action.CALL_BACK: appeal.needs_callback,
    }
    return frozenset(a for a, ok in wanted.items() if ok and allowed(a, appeal.state))


def require_act(actor: Any, appeal: Appeal, action: Action) -> None:
    require_staff(actor)
    lock(session_of(appeal), appeal)
    if not can_act(actor, appeal):
        raise Forbidden(_l("This report is in another team's queue."), appeal=appeal.id)
    _require_state(appeal, action)


def session_of(appeal: Appeal) -> Session:
    session = object_session(appeal)
    if session is None:
        raise ValueError("the appeal is not in a session")
    return session


def _require_state(appeal: Appeal, action: Action) -> None:
    if not allowed(action, appeal.state):
        raise Invalid(
            _l("This cannot be done now: the report is %(state)s.", state=state_word(appeal)),
            state=appeal.state.value,
        )


def state_word(appeal: Appeal) -> str:
    return str(STATE_LABELS[appeal.state]).lower()


def get_for_staff(session: Session, actor: Any, tracking: str) -> Appeal:
    appeal = find(session, tracking)
    if appeal is None or appeal.state == AppealState.UNCONFIRMED:
        raise NotFound(_l("There is no report with this number."))
    require_staff(actor)
    if not can_view(actor, appeal):
        raise Forbidden(_l("This report is outside your area."), appeal=appeal.id)
    return appeal


def find(session: Session, tracking: str) -> Appeal | None:
    number = (tracking or "").strip().upper()
    if not number or len(number) > 12:
        return None
    return session.scalar(select(Appeal).where(Appeal.tracking == number))


# --- handling --------------------------------------------------------------------------------


def accept(session: Session, actor: User, appeal: Appeal, *, now: datetime) -> None:
    """Take the appeal; the resident is told who handles it and how to reach them."""
    require_act(actor, appeal, Action.ACCEPT)
    appeal.state = AppealState.ACCEPTED
    appeal.handler_id = actor.id
    appeal.handler = actor
    appeal.accepted_at = now
    set_handling_due(appeal)
    add_event(session, appeal, EventKind.ACCEPTED, actor=actor, now=now)
    audit_step(session, "appeals.accept", actor, appeal, now)
    queue_sms(
        session,
        phone=appeal.phone,
        kind="appeal_accepted",
        params={
            "tracking": appeal.tracking,
            "handler": actor.display_name or mask_phone(actor.phone),
            "contact": mask_phone(actor.phone),
        },
        locale=appeal.locale,
        key=f"appeal:{appeal.id}:accepted:{now.timestamp()}",
        cause=f"appeals:{appeal.id}",
        now=now,
    )


def set_handling_due(appeal: Appeal) -> None:
    waiting_contact = appeal.contact_due_at is not None and appeal.first_contact_at is None
    appeal.due_at = appeal.contact_due_at if waiting_contact else appeal.resolve_due_at


def record_contact(session: Session, actor: User, appeal: Appeal, *, now: datetime) -> None:
    """The handler has called or met the resident (the 30-minute promise)."""
    require_act(actor, appeal, Action.CONTACT)
    if appeal.first_contact_at is not None:
        raise Invalid(_l("Contact with the resident is already recorded."))
    appeal.first_contact_at = now
    set_handling_due(appeal)
    add_event(session, appeal, EventKind.CONTACTED, actor=actor, now=now)
    audit_step(session, "appeals.contact", actor, appeal, now)


def start(session: Session, actor: User, appeal: Appeal, *, now: datetime) -> None:
    require_act(actor, appeal, Action.START)
    require_handler(actor, appeal)
    appeal.state = AppealState.IN_PROGRESS
    add_event(session, appeal, EventKind.STARTED, actor=actor, now=now)
    audit_step(session, "appeals.start", actor, appeal, now)


def require_handler(actor: User, appeal: Appeal) -> None:
    if appeal.handler_id != actor.id:
        raise Forbidden(_l("Only the person who took this report can do this."))


def resolve(
    session: Session,
    actor: User,
    appeal: Appeal,
    note: str,
    *,
    now: datetime,
    photo_names: list[str] = (),  # type: ignore[assignment]
) -> None:
    """Mark it resolved with a note (and photos) the resident reads; the resident is asked
    to rate it, and the residents of duplicates merged into it are told too."""
    require_act(actor, appeal, Action.RESOLVE)
    require_handler(actor, appeal)
    note = (note or "").strip()
    if len(note) < 2:
        raise Invalid(_l("Say what was done, so that the resident can read it."), field="note")
    if len(note) > DESCRIPTION_MAX:
        raise Invalid(
            _l("Keep it within %(limit)d characters.", limit=DESCRIPTION_MAX), field="note"
        )
    if len(photo_names) > MAX_RESOLUTION_PHOTOS:
        raise Invalid(_l("Up to 3 photos can be sent."), field="photos")
    appeal.state = AppealState.RESOLVED
    appeal.resolved_at = now
    appeal.resolution_note = note
    appeal.is_open = False
    appeal.due_at = now + clocks().review
    for name in photo_names:
        appeal.photos.append(
            AppealPhoto(file_name=name, stage=PhotoStage.RESOLUTION, created_at=now)
        )
    add_event(session, appeal, EventKind.RESOLVED, actor=actor, now=now, note=note)
    audit_step(session, "appeals.resolve", actor, appeal, now)
    duplicates = session.scalars(select(Appeal).where(Appeal.merged_into_id == appeal.id))
    for told in [appeal, *duplicates]:
        queue_sms(
            session,
            phone=told.phone,
            kind="appeal_resolved",
            params={"tracking": appeal.tracking, "url": tracking_url(appeal)},
            locale=told.locale,
            key=f"appeal:{appeal.id}:resolved:{appeal.reopen_count}:{told.id}",
            cause=f"appeals:{appeal.id}",
            now=now,
        )


def relevel(
    session: Session, actor: User, appeal: Appeal, level: int, reason: str, *, now: datetime
) -> None:
    """Send the appeal to another level's queue; it waits there to be accepted again."""
    require_act(actor, appeal, Action.RELEVEL)
    if level not in (1, 2, 3):
        raise Invalid(_l("Choose level 1, 2 or 3."), field="level")
    if level == appeal.level:
        raise Invalid(_l("The report is already at this level."), field="level")
    reason = check_reason(reason)
    before = appeal.level
    wait_for_acceptance(appeal, now)
    dispatch_to(session, appeal, level)
    details = {"from": before, "to": level}
    add_event(
        session, appeal, EventKind.RELEVELLED, actor=actor, now=now, note=reason, details=details
    )
    audit_step(session, "appeals.relevel", actor, appeal, now, {**details, "reason": reason})
    alert_queue(session, appeal, "appeal_new", now=now, step=f"relevel:{now.timestamp()}")


def wait_for_acceptance(appeal: Appeal, now: datetime) -> None:
    """The appeal waits in a new queue to be taken, with a fresh acceptance clock (the
    resident's resolution deadline runs on)."""
    appeal.state = AppealState.RECEIVED
    appeal.handler_id = None
    appeal.accepted_at = None
    appeal.is_open = True
    appeal.due_at = appeal.accept_due_at = now + clocks().accept
    appeal.escalations = 0


def check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise Invalid(_l("Give the reason, in a few words."), field="reason")
    return reason[:500]


def call_back(session: Session, actor: User, appeal: Appeal, note: str, *, now: datetime) -> None:
    """The street office called the resident back after a second 不满意; the appeal closes."""
    require_act(actor, appeal, Action.CALL_BACK)
    if not appeal.needs_callback:
        raise Invalid(_l("This report does not wait for a call-back."))
    note = check_reason(note)
    appeal.needs_callback = False
    appeal.state = AppealState.CLOSED
    appeal.closed_at = now
    appeal.is_open = False
    appeal.due_at = None
    add_event(session, appeal, EventKind.CALLED_BACK, actor=actor, now=now, note=note)
    audit_step(session, "appeals.call_back", actor, appeal, now)


def reveal_phone(session: Session, actor: User, appeal: Appeal, *, now: datetime) -> str:
    """The resident's full number, for a call; every look is in the audit log."""
    require_staff(actor)
    if not can_view(actor, appeal):
        raise Forbidden(_l("This report is outside your area."), appeal=appeal.id)
    audit_step(session, "appeals.reveal_phone", actor, appeal, now)
    return appeal.phone


# --- residents' own appeals -----------------------------------------------------------------


def owns_by_phone(user: Any) -> bool:
    """A resident who proved this number by SMS owns the appeals filed with it."""
    return (
        getattr(user, "is_authenticated", False)
        and not user.is_staff
        and user.phone_verified_at is not None
    )


def is_owner(user: Any, appeal: Appeal) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return appeal.user_id == user.id or (owns_by_phone(user) and appeal.phone == user.phone)


def residents_appeals(user: Any) -> Select:
    """A signed-in resident's own appeals, newest first."""
    return (
        select(Appeal)
        .where(
            (Appeal.user_id == user.id) | (Appeal.phone == user.phone)
            if owns_by_phone(user)
            else Appeal.user_id == user.id,
            Appeal.state != AppealState.UNCONFIRMED,
        )
        .order_by(Appeal.created_at.desc(), Appeal.id.desc())
    )


# --- the resident's review ---------------------------------------------------------------------


def review(session: Session, appeal: Appeal, rating: str, comment: str, *, now: datetime) -> None:
    """满意 or 基本满意 completes the loop. The first 不满意 reopens it one level up; the
    second sends it to the street office, who call the resident back."""
    lock(session, appeal)
    _require_state(appeal, Action.REVIEW)
    try:
        rating = Rating(rating)
    except ValueError:
        raise Invalid(_l("Choose how satisfied you are."), field="rating") from None
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise Invalid(_l("Keep the comment within 500 characters."), field="comment")
    appeal.rating = rating
    appeal.review_comment = comment
    appeal.reviewed_at = now
    if rating != Rating.DISSATISFIED:
        finish(appeal, AppealState.REVIEWED, now)
        add_event(session, appeal, EventKind.REVIEWED, actor=None, now=now, details=_rated(rating))
    elif appeal.reopen_count == 0:
        add_event(session, appeal, EventKind.REVIEWED, actor=None, now=now, details=_rated(rating))
        _reopen(session, appeal, now)
    else:
        finish(appeal, AppealState.REVIEWED, now, closed=False)
        add_event(session, appeal, EventKind.REVIEWED, actor=None, now=now, details=_rated(rating))
        appeal.needs_callback = True
        appeal.handler_id = None
        appeal.is_open = True
        appeal.due_at = now + clocks().callback
        # The street office itself calls back, whichever unit handled it.
        queue_in(session, appeal, place_for_level(appeal.building, Level.STREET))
        alert_queue(session, appeal, "appeal_callback", now=now, step="callback")


def _rated(rating: Rating) -> dict[str, str]:
    return {"rating": rating.value}


def finish(appeal: Appeal, state: AppealState, now: datetime, *, closed: bool = True) -> None:
    appeal.state = state
    appeal.is_open = False
    appeal.due_at = None
    if closed:
        appeal.closed_at = now


def _reopen(session: Session, appeal: Appeal, now: datetime) -> None:
    # The first rating and note stay in the timeline; the appeal waits for new ones.
    appeal.rating = None
    appeal.review_comment = ""
    appeal.resolution_note = ""
    appeal.reopen_count += 1
    appeal.state = AppealState.REOPENED
    appeal.resolved_at = None
    appeal.accepted_at = None
    start_clocks(appeal, now)
    dispatch_to(session, appeal, min(appeal.level + 1, Level.STREET))
    add_event(session, appeal, EventKind.REOPENED, actor=None, now=now)
    alert_queue(session, appeal, "appeal_reopened", now=now, step="reopened", level=appeal.level)


# --- who is told -----------------------------------------------------------------------


def handlers_of(session: Session, place: Place | None) -> list[User]:
    """The staff who work the queue of `place` (its grid workers, secretaries or officers)."""
    if place is None:
        return []
    return holders(session, Permission.HANDLE_APPEALS, place)


def queue_handlers(session: Session, appeal: Appeal) -> list[User]:
    """Who works the queue the appeal is in: the unit's members, or the place's handlers."""
    if appeal.unit is not None:
        return members(session, appeal.unit)
    return handlers_of(session, appeal.queue_place)


def supervisor_place(appeal: Appeal) -> Place | None:
    """The place above the appeal's queue: the one a unit serves, or the queue's parent."""
    if appeal.unit is not None:
        return appeal.unit.place
    return appeal.queue_place.parent if appeal.queue_place is not None else None


def alert_queue(
    session: Session,
    appeal: Appeal,
    kind: str,
    *,
    now: datetime,
    step: str,
    place: Place | None = None,
    **params: Any,
) -> None:
    """Tell every handler of the appeal's queue, each in their own language."""
    for user in queue_handlers(session, appeal):
        locale = user.locale or CHINESE
        values: dict[str, Any] = {"tracking": appeal.tracking, **params}
        if kind == "appeal_new":
            values |= {
                "building": local_name_in(appeal.building, locale),
                "item": local_name_in(appeal.item, locale),
                "minutes": _minutes(clocks().accept),
            }
        if place is not None:
            values["place"] = local_name_in(place, locale)
        queue_sms(
            session,
            phone=user.phone,
            kind=kind,
            params=values,
            locale=locale,
            key=f"appeal:{appeal.id}:{step}:{user.id}",
            cause=f"appeals:{appeal.id}",
            now=now,
        )


def local_name_in(thing: Any, locale: str) -> str:
    if locale != CHINESE and thing.name_en:
        return thing.name_en
    return thing.name_zh


# --- records -------------------------------------------------------------------------------


def add_event(
    session: Session,
    appeal: Appeal,
    kind: EventKind,
    *,
    actor: Any,
    now: datetime,
    note: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    # A plain INSERT, at once: the timeline is in the order of the steps, and no step reads
    # its events back as objects (timeline() queries them).
    _insert_event(
        session, appeal, _event_values(appeal, kind, actor, now, note=note, details=details)
    )


def _insert_event(session: Session, appeal: Appeal, values: dict[str, Any]) -> None:
    session.execute(_INSERT_EVENT, {**values, "appeal_id": appeal.id, "level": appeal.level})


def _event_values(
    appeal: Appeal,
    kind: EventKind,
    actor: Any,
    now: datetime,
    *,
    note: str = "",
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An event's row but for the appeal's id and level (which a new appeal gets written)."""
    return {
        "at": now,
        "kind": kind,
        "actor_id": getattr(actor, "id", None),
        "state": appeal.state,
        "note": note,
        "details": details or {},
    }


_INSERT_EVENT = insert(AppealEvent.__table__)


def audit_step(
    session: Session,
    action: str,
    actor: Any,
    appeal: Appeal,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> None:
    audit.record(
        session,
        action,
        actor=actor,
        target=appeal,
        now=now,
        details={"tracking": appeal.tracking, **(details or {})},
    )


def timeline(session: Session, appeal: Appeal) -> list[AppealEvent]:
    return list(
        session.scalars(
            select(AppealEvent)
            .where(AppealEvent.appeal_id == appeal.id)
            .order_by(AppealEvent.at, AppealEvent.id)
        )
    )


def phone_matches(appeal: Appeal, last_four: str) -> bool:
    """Whether `last_four` are the last four digits of the appeal's phone."""
    digits = "".join((last_four or "").split())
    return len(digits) == 4 and hmac.compare_digest(digits, appeal.phone[-4:])
