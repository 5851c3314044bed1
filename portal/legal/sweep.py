"""The worker's sweep of legal consultations (job "legal.sweep"): it texts the adviser a day
before an answer is due and the district's supervisors once it has passed, closes answered
consultations nobody followed up or rated, closes a minor's consultation whose guardian never
confirmed, and tries again to give an adviser to those nobody could be given to.

Several workers may sweep at once: each takes its rows with FOR UPDATE SKIP LOCKED, and each
message has a key that the outbox sends once. Every moment is stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.legal import access, answering, clocks, rotation
from portal.legal.messages import DUE_SOON_SMS, OVERDUE_SMS, UNASSIGNED_SMS
from portal.legal.models import AssignmentEnd, ClosedBecause, Consultation, ConsultationState
from portal.legal.settings import LegalSettings
from portal.legal.supervision import supervisors_of
from portal.notifications.services import queue_sms

BATCH = 200
# A minor's consultation waits this long for the guardian's code, then closes.
GUARDIAN_WAITS = timedelta(days=1)


def _locked(query):
    return query.limit(BATCH).with_for_update(skip_locked=True, of=Consultation)


def sweep(session: Session, settings: LegalSettings, now: datetime) -> int:
    """Act on every consultation whose moment has come; return how many were looked at."""
    looked = 0
    due = session.scalars(
        _locked(
            select(Consultation)
            .where(Consultation.sweep_at.is_not(None), Consultation.sweep_at <= now)
            .order_by(Consultation.sweep_at)
        )
    ).all()
    for consultation in due:
        _clock(session, consultation, settings, now)
        looked += 1
    unconfirmed = session.scalars(
        _locked(
            select(Consultation)
            .where(
                Consultation.state == ConsultationState.AWAITING_GUARDIAN,
                Consultation.created_at <= now - GUARDIAN_WAITS,
            )
            .order_by(Consultation.id)
        )
    ).all()
    for consultation in unconfirmed:
        _close(consultation, ClosedBecause.UNCONFIRMED, now)
        looked += 1
    unassigned = session.scalars(
        _locked(
            select(Consultation)
            .where(
                Consultation.adviser_id.is_(None),
                Consultation.state == ConsultationState.WAITING,
            )
            .order_by(Consultation.due_at, Consultation.id)
        )
    ).all()
    for consultation in unassigned:
        _give(session, consultation, settings, now)
        looked += 1
    session.flush()
    return looked


def _adviser_left(consultation: Consultation) -> bool:
    """Whether the consultation's adviser no longer answers consultations of its community."""
    adviser = consultation.adviser
    return adviser is not None and not access.is_advisers(adviser, consultation)


def _close(consultation: Consultation, because: ClosedBecause, now: datetime) -> None:
    consultation.state = ConsultationState.CLOSED
    consultation.closed_at = now
    consultation.closed_because = because
    consultation.due_at = None
    consultation.sweep_at = None


def _clock(
    session: Session, consultation: Consultation, settings: LegalSettings, now: datetime
) -> None:
    """The reminder, the escalation or the closing whose moment has come."""
    if consultation.state is ConsultationState.WAITING and _adviser_left(consultation):
        # Their role was taken back, or their account closed: the next adviser answers by the
        # same deadline.
        answering.end_assignment(session, consultation, AssignmentEnd.LEFT, now=now)
        consultation.adviser_id = None
        _give(session, consultation, settings, now)
    if consultation.state is ConsultationState.WAITING and consultation.due_at is not None:
        due_at = consultation.due_at
        # The reminder only before the deadline: past it, the supervisors are told instead.
        if (
            consultation.reminded_at is None
            and consultation.adviser is not None
            and clocks.remind_at(due_at) <= now < due_at
        ):
            adviser = consultation.adviser
            queue_sms(
                session,
                phone=adviser.phone,
                kind=DUE_SOON_SMS,
                params={"reference": consultation.reference, "due_at": due_at.isoformat()},
                locale=adviser.locale or "zh_Hans_CN",
                key=f"legal:{consultation.id}:due-soon:{adviser.id}:{due_at.timestamp():.0f}",
                cause=f"legal_consultations:{consultation.id}",
                now=now,
            )
            consultation.reminded_at = now
        if consultation.escalated_at is None and now >= due_at:
            _tell_supervisors(session, consultation, OVERDUE_SMS, due_at, now)
            consultation.escalated_at = now
    elif (
        consultation.state is ConsultationState.ANSWERED
        and consultation.last_answer_at
        and now >= clocks.closes_at(settings, consultation.last_answer_at)
    ):
        _close(consultation, ClosedBecause.LAPSED, now)
    consultation.sweep_at = clocks.next_sweep(consultation, settings)


def _tell_supervisors(
    session: Session, consultation: Consultation, kind: str, moment: datetime, now: datetime
) -> None:
    for supervisor in supervisors_of(session, consultation):
        queue_sms(
            session,
            phone=supervisor.phone,
            kind=kind,
            params={
                "reference": consultation.reference,
                "community": consultation.community.name_zh,
            },
            locale=supervisor.locale or "zh_Hans_CN",
            key=f"legal:{consultation.id}:{kind}:{supervisor.id}:{moment.timestamp():.0f}",
            cause=f"legal_consultations:{consultation.id}",
            now=now,
            not_before=clocks.daytime(now),
        )


def _give(
    session: Session, consultation: Consultation, settings: LegalSettings, now: datetime
) -> None:
    """Try the rotation again; if still nobody, the supervisors are told (once per question)."""
    if rotation.assign(session, consultation, now=now) is None:
        moment = consultation.due_at or consultation.asked_at or now
        _tell_supervisors(session, consultation, UNASSIGNED_SMS, moment, now)
        return
    answering.after_adviser_changed(session, consultation, settings, now)
