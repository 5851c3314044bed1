"""A volunteer's certificate of volunteer service (志愿服务证明), with the verification service's
code and QR code, so that whoever holds the paper can check it at /v/<code>.

It carries the fields 民政部令第67号 asks of a record of volunteer service: the volunteer's name,
their ID number (masked), the organisation that recorded the service, the activities and the
hours. Only confirmed hours count, and "whoever records, certifies" (谁记录谁证明): the
certificate names every community whose coordinators confirmed some of the hours, with their
share, not only the volunteer's own. A certificate is a snapshot: a new one is issued when the record has changed
since the last, and an earlier one still verifies as what it said on its day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.audit import services as audit
from portal.errors import Forbidden, Invalid
from portal.i18n import SHANGHAI, format_day
from portal.permissions import SYSTEM, Actor, Permission, can
from portal.places.models import Place
from portal.verification import services as verification
from portal.verification.facts import mask_name
from portal.verification.kinds import DocumentKind
from portal.verification.models import IssuedDocument
from portal.volunteering.models import Activity, ServiceKind, SignUp, Volunteer, VolunteerState
from portal.volunteering.timebank import hours_text
from portal.volunteering.volunteers import local_day


def _shown(facts: dict[str, Any]) -> list[tuple[Any, str]]:
    """What /v/<code> shows: no more than the certificate itself says."""
    rows = [
        (_l("Volunteer"), facts["volunteer"]),
        (_l("ID number"), facts["id_number"]),
        (_l("Activities"), str(facts["activities"])),
        (_l("Hours of service"), hours_text(facts["minutes"])),
    ]
    if facts.get("recorded_by"):
        rows.insert(2, (_l("Recorded by"), recorders_text(facts["recorded_by"])))
    if facts.get("first"):
        first, last = (_day_in_words(facts[end]) for end in ("first", "last"))
        rows.append((_l("Served between"), first if first == last else f"{first} – {last}"))
    return rows


def recorders_text(recorded_by: list[list]) -> str:
    """ "塘尾社区" alone; "塘尾社区 12小时；碧岩社区 3小时" when several communities recorded."""
    from portal.web.templating import local_text

    if len(recorded_by) == 1:
        return local_text(recorded_by[0][0], recorded_by[0][1])
    return str(_l("; ")).join(
        str(_l("%(community)s %(hours)s hours", community=local_text(zh, en),
               hours=hours_text(minutes)))
        for zh, en, minutes in recorded_by
    )  # fmt: skip


def _day_in_words(iso_day: str) -> str:
    from portal.web.templating import current_locale

    return format_day(date.fromisoformat(iso_day), current_locale(), SHANGHAI)


CERTIFICATE = DocumentKind(
    name="volunteer_certificate",
    title=_l("Certificate of volunteer service"),
    permission=Permission.COORDINATE_VOLUNTEERS,
    shown=_shown,
)


@dataclass(frozen=True)
class Served:
    """One activity on the record: what, when, and the hours confirmed."""

    title: str
    kind_code: str
    starts_at: datetime
    minutes: int
    by_hand: bool
    recorded_by: int  # the community whose activity it was, and whose coordinator confirmed it


@dataclass(frozen=True)
class Recorder:
    """A community that recorded some of the hours, and how many."""

    place_id: int
    name_zh: str
    name_en: str
    minutes: int


@dataclass(frozen=True)
class ServiceRecord:
    """A volunteer's confirmed service: in all (how many activities, the hours, the first and
    last days, who recorded them: the volunteer's own community first, then by hours), and the
    activities listed, oldest first (every one, or the latest few for a page)."""

    served: list[Served]
    activities: int
    minutes: int
    first: date | None
    last: date | None
    recorders: list[Recorder]

    @property
    def recorded_by(self) -> list[list]:
        """Each recording community's names and minutes, as the certificate's facts keep them."""
        return [[each.name_zh, each.name_en, each.minutes] for each in self.recorders]

    def recorder_of(self, served: Served) -> str:
        """The community that recorded `served`, named only when several recorded hours."""
        if len(self.recorders) < 2:
            return ""
        from portal.web.templating import local_text

        found = next(each for each in self.recorders if each.place_id == served.recorded_by)
        return local_text(found.name_zh, found.name_en)

    def facts(self, volunteer: Volunteer) -> dict[str, Any]:
        return {
            "volunteer": mask_name(volunteer.real_name),
            "id_number": volunteer.id_number_masked,
            "activities": self.activities,
            "minutes": self.minutes,
            "recorded_by": self.recorded_by,
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
        }


def record_of(
    session: Session, volunteer: Volunteer, *, latest: int | None = None
) -> ServiceRecord:
    """The volunteer's confirmed service, with every activity listed or only the `latest`.

    The volunteer's confirmed attendances are read from the two indexes that hold what a
    record needs (sign-ups: the volunteer's confirmed ones; activities: community, start,
    kind) into a materialised set, which the database totals by community and sorts for the
    list; only the rows listed, and their titles, come back. Materialised, because ordering
    the join by start directly lets PostgreSQL walk every activity from the newest until it
    meets enough of this volunteer's."""
    mine = (
        select(
            SignUp.activity_id,
            SignUp.confirmed_minutes,
            SignUp.recorded_by_hand,
            Activity.starts_at,
            Activity.community_id,
            Activity.service_kind_id,
        )
        .join(Activity, Activity.id == SignUp.activity_id)
        .where(
            SignUp.volunteer_id == volunteer.id,
            SignUp.confirmed_at.is_not(None),
            SignUp.confirmed_minutes > 0,
        )
        .cte("mine")
        .prefix_with("MATERIALIZED")
    )
    totals = session.execute(
        select(
            mine.c.community_id,
            func.count(),
            func.sum(mine.c.confirmed_minutes),
            func.min(mine.c.starts_at),
            func.max(mine.c.starts_at),
        ).group_by(mine.c.community_id)
    ).all()
    listed: list = []
    if latest != 0:
        newest_first = select(mine).order_by(mine.c.starts_at.desc(), mine.c.activity_id.desc())
        if latest is not None:
            newest_first = newest_first.limit(latest)
        listed = list(reversed(session.execute(newest_first).all()))
    titles = _titles(session, [row.activity_id for row in listed])
    kinds = _kind_codes(session, {row.service_kind_id for row in listed})
    served = [
        Served(
            titles[row.activity_id],
            kinds[row.service_kind_id],
            row.starts_at,
            row.confirmed_minutes,
            row.recorded_by_hand,
            row.community_id,
        )
        for row in listed
    ]
    starts = [_aware(moment) for row in totals for moment in (row[3], row[4])]
    return ServiceRecord(
        served,
        activities=sum(row[1] for row in totals),
        minutes=int(sum(row[2] for row in totals)),
        first=local_day(min(starts)) if starts else None,
        last=local_day(max(starts)) if starts else None,
        recorders=_recorders(session, volunteer, {row[0]: int(row[2]) for row in totals}),
    )


def _aware(moment: datetime) -> datetime:
    # min() and max() come back as the database keeps them: naive UTC on SQLite.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _titles(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    found = session.execute(select(Activity.id, Activity.title).where(Activity.id.in_(ids)))
    return {row.id: row.title for row in found}


def _recorders(session: Session, volunteer: Volunteer, minutes: dict[int, int]) -> list[Recorder]:
    if not minutes:
        return []
    names = {
        row.id: (row.name_zh, row.name_en or "")
        for row in session.execute(
            select(Place.id, Place.name_zh, Place.name_en).where(Place.id.in_(minutes))
        )
    }
    order = sorted(minutes, key=lambda place: (place != volunteer.community_id, -minutes[place]))
    return [Recorder(place, *names[place], minutes[place]) for place in order]


def _kind_codes(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(ServiceKind.id, ServiceKind.code).where(ServiceKind.id.in_(ids)))
    return {row.id: row.code for row in rows}


def subject_of(volunteer: Volunteer) -> str:
    return f"volunteering.volunteer:{volunteer.id}"


def may_see(actor: Actor, volunteer: Volunteer) -> bool:
    """The volunteer themselves, and the coordinators of their community."""
    return (getattr(actor, "id", None) == volunteer.user_id) or can(
        actor, Permission.COORDINATE_VOLUNTEERS, volunteer.community
    )


def last_certificate(session: Session, volunteer: Volunteer) -> IssuedDocument | None:
    """The latest certificate of `volunteer` that has not been withdrawn."""
    return session.scalars(
        select(IssuedDocument)
        .where(
            IssuedDocument.subject == subject_of(volunteer),
            IssuedDocument.kind == CERTIFICATE.name,
            IssuedDocument.withdrawn_at.is_(None),
        )
        .order_by(IssuedDocument.id.desc())
        .limit(1)
    ).first()


def current_certificate(
    session: Session, actor: Actor, volunteer: Volunteer, *, latest: int | None = None
) -> tuple[IssuedDocument | None, ServiceRecord]:
    """The volunteer's record (listing the `latest` activities, or all), and their last
    certificate if it says what the record says now (None when there is none, or the record
    has changed since)."""
    _check_may_see(actor, volunteer)
    record = record_of(session, volunteer, latest=latest)
    last = last_certificate(session, volunteer)
    if last is not None and last.facts == record.facts(volunteer):
        return last, record
    return None, record


def certify(
    session: Session, actor: Actor, volunteer: Volunteer, *, now: datetime
) -> tuple[IssuedDocument, ServiceRecord]:
    """The volunteer's certificate as of now: the last one issued if the record has not changed
    since, else a new one, issued in the name of their community."""
    document, record = current_certificate(session, actor, volunteer, latest=0)
    if document is not None:
        return document, record
    if volunteer.state is not VolunteerState.APPROVED:
        raise Invalid(_l("A certificate is given to approved volunteers."))
    if not record.activities:
        raise Invalid(_l("A certificate is given once some of your hours are confirmed."))
    # The portal issues it on the community's confirmed record: the volunteer asking for their
    # own needs no coordinator, and the audit log says who asked.
    document = verification.issue(
        session, SYSTEM, CERTIFICATE, subject=subject_of(volunteer),
        place=volunteer.community, facts=record.facts(volunteer), now=now,
    )  # fmt: skip
    audit.record(
        session, "volunteering.certificate", actor=actor, target=document, now=now,
        details={"volunteer": volunteer.id, "minutes": record.minutes},
    )  # fmt: skip
    return document, record


def _check_may_see(actor: Actor, volunteer: Volunteer) -> None:
    if not may_see(actor, volunteer):
        raise Forbidden(_l("You do not have permission to do this here."))
