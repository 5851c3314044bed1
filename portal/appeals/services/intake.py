"""A resident's report entering the loop: the checks of what was typed, the report's SMS code
and its confirmation, the hold of a report from a blocked phone or a busy building, and the
SMS that tells the resident it was received.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts import codes
from portal.accounts.codes import Purpose, check, code_message, issue, new_code, register
from portal.appeals.events import MeetingWanted
from portal.appeals.models import (
    Appeal,
    AppealState,
    EventKind,
)
from portal.appeals.services.access import files_for_resident, lock, owns_verified
from portal.appeals.services.deadlines import hide_as, minutes_of, set_due, start_clocks
from portal.appeals.services.routing import alert_queue, dispatch_to
from portal.appeals.services.timeline import add_event, audit_step, event_values
from portal.appeals.services.writes import write_report
from portal.appeals.settings import AppealSettings
from portal.appeals.states import Action, allowed
from portal.appeals.tracking import draw_tracking_number
from portal.catalogue.models import CatalogueGroup, CatalogueItem
from portal.db import serialize_on
from portal.errors import Invalid
from portal.events import publish
from portal.notifications.services import queue_sms
from portal.permissions import Actor
from portal.phones import normalize_phone
from portal.places.models import Building

DESCRIPTION_MAX = 2000
# Two characters say something (漏水); one says nothing staff can act on.
DESCRIPTION_MIN = 2
# The window of APPEAL_REPORTS_PER_BUILDING_HOUR: confirmed reports past it are held.
BUILDING_WINDOW = timedelta(hours=1)

# The code that confirms a report sent by a resident who is not signed in: ten minutes, five
# tries, one a minute and five in all for one report (its window is as long as an unconfirmed
# report waits); from one client address twenty an hour, as many reports as it may send, and
# for one building sixty an hour, as many confirmed reports as it may send before they are held.
APPEAL_CODE = register(
    Purpose(
        name="appeal",
        message_kind="appeal_code",
        valid_for=timedelta(minutes=10),
        tries=5,
        resend_after=timedelta(seconds=60),
        per_window=5,
        window=timedelta(hours=24),
        too_many=_l("Too many codes were sent for this report. Please call your community."),
        per_address="20/hour",
        per_building="60/hour",
    )
)


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
    if len(text) < DESCRIPTION_MIN:
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


def check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise Invalid(_l("Give the reason, in a few words."), field="reason")
    return reason[:500]


def submit(
    session: Session,
    building_id: int,
    report: Report,
    *,
    submission_key: str,
    user: Actor,
    locale: str,
    now: datetime,
    settings: AppealSettings,
    consent: bool = False,
) -> Appeal:
    """Save a resident's report about the building `building_id`. It enters the loop at once
    if they are signed in with this phone verified; otherwise it waits, unconfirmed, for the
    SMS code sent to the phone.

    A grid worker (or any handler of the building's area) may file it for a resident who
    cannot (代办): when `consent` says the resident agreed in person it enters the loop at
    once, otherwise the resident reads out the code sent to their phone.

    The same `submission_key` (one per filled-in form) always returns the first appeal, so
    a double tap on "Submit" files one.

    A resident's report is what the portal receives most, from a QR code on every door: it
    is written with plain statements (the appeal, its timeline, its SMS), not through the
    unit of work; on PostgreSQL with one (see write_report).
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
        user_id=user.id if owns_verified(user, phone) else None,
        filed_by_id=filed_by.id if filed_by else None,
        state=AppealState.UNCONFIRMED,
        created_at=now,
    )
    set_due(appeal, now + settings.clocks.confirm)
    confirmed = appeal.user_id is not None or (filed_by is not None and consent)
    details: dict[str, Any] = {}
    if filed_by is not None:
        details["consent"] = consent
    event = event_values(appeal, EventKind.SUBMITTED, filed_by, now, details=details)

    def numbered(attempt: int) -> tuple[dict[str, Any], dict[str, Any]] | None:
        appeal.tracking = draw_tracking_number(now, attempt)
        if confirmed:
            return None
        # Keyed on the number, the code goes in with the appeal's first statement.
        values, code = new_code(
            APPEAL_CODE, phone, subject=code_subject(appeal), secret=settings.secret, now=now
        )
        return values, _code_message(appeal, code, values["code_hash"], now)

    earlier = write_report(session, appeal, event, numbered)
    if earlier is not None:
        if earlier.building_id != building_id or earlier.phone != phone:
            # Not a second tap: a form whose key was copied. It must not lead to that appeal.
            raise Invalid(_l("This form was already used. Please start the report again."))
        return earlier
    if filed_by is not None:
        audit_step(
            session, "appeals.file_for_resident", filed_by, appeal, now, {"consent": consent}
        )
    if confirmed:
        _receive(session, appeal, now, settings)
    return appeal


def building_by_code(session: Session, code: str) -> Building | None:
    return session.scalar(
        select(Building).where(Building.public_code == code, Building.retired_at.is_(None))
    )


def code_subject(appeal: Appeal) -> str:
    """What an appeal's confirmation codes confirm, for the code service (accounts/codes.py):
    the appeal, by its tracking number, which the codes' digests are keyed on."""
    return f"appeal:{appeal.tracking}"


def _code_message(appeal: Appeal, code: str, code_hash: str, now: datetime) -> dict[str, Any]:
    """The SMS that sends the appeal's confirmation `code`, but for its cause, the appeal
    (whose id a new appeal gets written)."""
    return code_message(
        APPEAL_CODE, appeal.phone, code, code_hash=code_hash, locale=appeal.locale, now=now,
        params={"tracking": appeal.tracking},
    )  # fmt: skip


def resend_code(
    session: Session, appeal: Appeal, *, now: datetime, settings: AppealSettings
) -> None:
    """Send a new confirmation code, at most once a minute and five times in all."""
    if not allowed(Action.CONFIRM, appeal.state):
        raise Invalid(_l("This report is already confirmed."))
    issue(
        session, APPEAL_CODE, appeal.phone, subject=code_subject(appeal),
        secret=settings.secret, locale=appeal.locale, now=now,
        params={"tracking": appeal.tracking}, cause=f"appeals:{appeal.id}",
    )  # fmt: skip
    add_event(session, appeal, EventKind.SUBMITTED, actor=None, now=now, details={"resent": True})


def codes_left(session: Session, appeal: Appeal, *, now: datetime) -> int:
    """How many more confirmation codes the appeal may be sent."""
    return codes.codes_left(
        session, APPEAL_CODE, appeal.phone, subject=code_subject(appeal), now=now
    )


def confirm(
    session: Session, appeal: Appeal, code: str, *, now: datetime, settings: AppealSettings
) -> None:
    """Check the code the resident typed; when right, the appeal enters the loop."""
    lock(session, appeal)
    if not allowed(Action.CONFIRM, appeal.state):
        raise Invalid(_l("This report can no longer be confirmed."))
    check(
        session, APPEAL_CODE, appeal.phone, code, subject=code_subject(appeal),
        secret=settings.secret, now=now,
    )  # fmt: skip
    _receive(session, appeal, now, settings)


def _receive(session: Session, appeal: Appeal, now: datetime, settings: AppealSettings) -> None:
    """The appeal enters the loop: dispatched by its item's level, its clocks started.
    One from a blocked phone, or from a building past its hour's reports, waits hidden in the
    queue for staff."""
    appeal.state = AppealState.RECEIVED
    appeal.received_at = now
    start_clocks(appeal, now, settings.clocks)
    dispatch_to(session, appeal, appeal.level)
    add_event(session, appeal, EventKind.CONFIRMED, actor=None, now=now)
    held = hold_reason(session, appeal, now, settings)
    if held is not None:
        hide_as(session, appeal, now, kind=EventKind.HELD, details={"reason": held})
        return
    tell_received(session, appeal, now, settings)
    alert_queue(session, appeal, "appeal_new", now=now, step="new", clocks=settings.clocks)
    if appeal.wants_meeting:
        publish(session, MeetingWanted(appeal, now))


def meeting_requested(session: Session, appeal: Appeal, reference: str, now: datetime) -> None:
    """A meeting request (`reference`) took up the resident's wish to talk to the secretary:
    its clocks replace the appeal's contact clock (one clock, one escalation, one SMS per
    step), unless the report is urgent, whose contact promise stands on its own."""
    appeal.meeting_reference = reference
    if not appeal.urgent and appeal.first_contact_at is None:
        appeal.contact_due_at = None
    add_event(
        session, appeal, EventKind.MEETING_REQUESTED, actor=None, now=now,
        details={"reference": reference},
    )  # fmt: skip


def tell_received(
    session: Session, appeal: Appeal, now: datetime, settings: AppealSettings
) -> None:
    """The resident's SMS with the number and the promise (sent once, whenever it is asked)."""
    queue_sms(
        session,
        phone=appeal.phone,
        kind="appeal_received",
        params={
            "tracking": appeal.tracking,
            "minutes": minutes_of(settings.clocks.accept),
            "url": settings.tracking_url(appeal.tracking),
        },
        locale=appeal.locale,
        key=f"appeal:{appeal.id}:received",
        cause=f"appeals:{appeal.id}",
        now=now,
    )


def hold_reason(
    session: Session, appeal: Appeal, now: datetime, settings: AppealSettings
) -> str | None:
    """Why the appeal, being confirmed, waits set aside for staff: its phone is on the
    blocklist where its building is, or its building already sent an hour's worth of reports;
    None: it does not."""
    # Here, not at the top: the blocklist checks the numbers it is given with this module's
    # check_phone.
    from portal.appeals.services.blocklist import is_blocked

    if is_blocked(session, appeal.phone, appeal.building_id):
        return "blocked_phone"
    if appeal.filed_by_id is None and _building_is_busy(session, appeal, now, settings):
        return "busy_building"
    return None


def _building_is_busy(
    session: Session, appeal: Appeal, now: datetime, settings: AppealSettings
) -> bool:
    """Whether the appeal's building sent its hour's worth of confirmed reports from residents.

    Only confirmed reports count: reports that never get their code cost an attacker nothing
    but SMS to numbers of their choosing, and must not set the neighbours' real reports aside.
    Reports staff file for residents do not count either (they are signed in and audited)."""
    # Two confirmations at once for one building are counted one after the other, so that
    # neither slips past the limit on a count the other is about to change.
    serialize_on(session, f"building-reports:{appeal.building_id}")
    received = session.scalar(
        select(func.count(Appeal.id)).where(
            Appeal.building_id == appeal.building_id,
            Appeal.received_at > now - BUILDING_WINDOW,
            Appeal.filed_by_id.is_(None),
            Appeal.id != appeal.id,
        )
    )
    return received >= settings.building_reports_per_hour
