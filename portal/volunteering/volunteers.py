"""Becoming a volunteer: a signed-in resident applies by real name and ID card number, with a
separate consent to keeping the number; a coordinator of the community approves or declines
with a reason, and the resident is texted either way. One person is one volunteer: the keyed
hash of the number is unique, so a second phone cannot open a second time-bank account.

The ID number is kept sealed (idseal.py) and opened only for its owner and through an audited
reveal; everywhere else its masked form is shown. Functions take a Session, the acting person,
plain values and `now`; they flush, never commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from portal import idnumbers
from portal.audit import services as audit
from portal.db import serialize_on
from portal.errors import Forbidden, Invalid, NotFound, Problems
from portal.i18n import SHANGHAI
from portal.notifications.services import queue_sms
from portal.pagination import Page, paginate
from portal.permissions import Actor, Permission, require, scopes
from portal.phones import normalize_phone
from portal.places.models import Place, PlaceKind
from portal.volunteering import idseal
from portal.volunteering.models import ServiceKind, Volunteer, VolunteerState

# Below this age (by the birth date in the ID number) a guardian's name and phone are needed.
ADULT_AGE = 18
NAME_MIN, NAME_MAX = 2, 30
REASON_MIN, REASON_MAX = 2, 200
CHINESE = "zh_Hans_CN"

# What the form and the service say of a mistake, in the same words (volunteer_forms.py).
CHOOSE_COMMUNITY = _l("Choose your community.")
NAME_MISSING = _l("Enter your name as it is on your ID card.")
NAME_TOO_LONG = _l("Keep the name within 30 characters.")
CONSENT_MISSING = _l(
    "Tick the box to agree to us keeping your ID card number, or you cannot apply."
)
CHOOSE_SERVICES = _l("Choose at least one kind of service you can offer.")
GUARDIAN_NAME_MISSING = _l("Under 18, a parent or guardian must agree: enter their name.")
GUARDIAN_PHONE_MISSING = _l("Enter your guardian's mobile number: 11 digits, starting with 1.")
GUARDIAN_PHONE_OWN = _l(
    "Your guardian's mobile number cannot be your own: give theirs, so that they can agree."
)
ALREADY_REGISTERED = _l(
    "This ID card number is registered to another account already. Sign in with the phone "
    "you registered with, or ask your community's volunteer coordinator."
)
ALREADY_APPLIED = _l("You have applied already. Your community's coordinator will reply.")
UNREADABLE = _l(
    "The whole ID card number cannot be read at the moment. Please tell the portal's "
    "administrator; the masked number is still shown."
)
# A new row's number is sealed as soon as the row has its id, in the same transaction: until
# then its sealed column holds this.
NOT_SEALED_YET = ""

log = logging.getLogger(__name__)


def local_day(now: datetime) -> date:
    """The day it is in China at `now`."""
    return now.astimezone(SHANGHAI).date()


def age_on(volunteer: Volunteer, day: date) -> int:
    """A volunteer's age in whole years on `day` (the time bank's rules read it)."""
    return idnumbers.age_on(volunteer.birth_date, day)


def volunteer_of(session: Session, user: Actor, *, for_update: bool = False) -> Volunteer | None:
    """The volunteer row of a signed-in person (applied, approved or declined), if any."""
    if not getattr(user, "is_authenticated", False) or user.id is None:
        return None
    query = select(Volunteer).where(Volunteer.user_id == user.id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def service_kinds(session: Session, *, with_retired: bool = False) -> list[ServiceKind]:
    """The kinds of service, in their order; retired ones only when asked."""
    query = select(ServiceKind).order_by(ServiceKind.position, ServiceKind.id)
    if not with_retired:
        query = query.where(ServiceKind.retired_at.is_(None))
    return list(session.scalars(query))


def communities_near(session: Session, near: Place | None) -> list[Place]:
    """The communities a resident may choose from: those of `near`'s district, or all."""
    query = select(Place).where(Place.kind == PlaceKind.COMMUNITY)
    district = next((p for p in [*(near.ancestors if near else ()), near] if p and
                     p.kind == PlaceKind.DISTRICT), None)  # fmt: skip
    if district is not None:
        query = query.where(Place.path.startswith(district.path))
    return list(session.scalars(query.order_by(Place.path)))


def community_by_code(session: Session, code: str) -> Place | None:
    """A community by its code (from a building's page), or None."""
    code = (code or "").strip()
    if not code or len(code) > 32:
        return None
    return session.scalars(
        select(Place).where(Place.code == code, Place.kind == PlaceKind.COMMUNITY)
    ).one_or_none()


def _clean_name(text: str | None, field: str, missing: object) -> str:
    name = (text or "").strip()
    if len(name) < NAME_MIN:
        raise Invalid(missing, field=field)
    if len(name) > NAME_MAX:
        raise Invalid(NAME_TOO_LONG, field=field)
    return name


def _chosen_services(session: Session, codes: Iterable[str]) -> list[str]:
    offered = [kind.code for kind in service_kinds(session)]
    chosen = [code for code in offered if code in set(codes)]
    if not chosen or len(chosen) != len(set(codes)):
        raise Invalid(CHOOSE_SERVICES, field="services")
    return chosen


def _guardian(
    problems: Problems, actor: Actor, name: str | None, phone: str | None
) -> tuple[str | None, str | None]:
    """The guardian's name and mobile number of an applicant under age, each refusal kept."""
    guardian = problems.check(_clean_name, name, "guardian_name", GUARDIAN_NAME_MISSING)
    mobile = normalize_phone(phone)
    if mobile is None:
        problems.refuse(GUARDIAN_PHONE_MISSING, field="guardian_phone")
    elif mobile == getattr(actor, "phone", None):
        # The guardian agrees by their own phone: the applicant's would be agreeing alone.
        problems.refuse(GUARDIAN_PHONE_OWN, field="guardian_phone")
    return guardian, mobile


def apply(
    session: Session,
    actor: Actor,
    *,
    community: Place | None,
    real_name: str,
    id_number: str,
    id_consent: bool,
    services: Iterable[str],
    guardian_name: str | None = None,
    guardian_phone: str | None = None,
    now: datetime,
    id_key: bytes | None = None,
    seal_key: bytes | None = None,
    adult_age: int = ADULT_AGE,
) -> Volunteer:
    """A signed-in resident applies to volunteer with `community` (again, after a decline).

    Under `adult_age` (the district's rule, 18 by default) by the birth date in the number, a
    guardian's name and mobile number (not the applicant's own) are needed.
    The consent to keeping the ID number is its own, recorded with its time. `id_key` keys
    the number's hash and `seal_key` seals it (the app's keys when not given). Every mistake
    in the values is refused at once, each on its field.
    """
    if not getattr(actor, "is_authenticated", False) or actor.id is None:
        raise Forbidden(_l("Sign in with your mobile number to apply."))
    problems = Problems()
    if community is None or community.kind != PlaceKind.COMMUNITY:
        problems.refuse(CHOOSE_COMMUNITY, field="community")
    name = problems.check(_clean_name, real_name, "real_name", NAME_MISSING)
    number = problems.check(idnumbers.validate, id_number, today=local_day(now))
    if not id_consent:
        problems.refuse(CONSENT_MISSING, field="id_consent")
    chosen = problems.check(_chosen_services, session, services)
    born = idnumbers.birth_date(number) if number else None
    guardian = guardian_mobile = None
    if born is not None and idnumbers.age_on(born, local_day(now)) < adult_age:
        guardian, guardian_mobile = _guardian(problems, actor, guardian_name, guardian_phone)
    problems.raise_any()
    digest = idnumbers.keyed_hash(number, id_key or idnumbers.app_key())
    # Two accounts applying with one number at once: the second waits, then sees the first.
    serialize_on(session, f"volunteering.id_number:{digest}")
    mine = volunteer_of(session, actor, for_update=True)
    if mine is not None and mine.state != VolunteerState.DECLINED:
        raise Invalid(ALREADY_APPLIED)
    taken = session.scalar(
        select(Volunteer.id).where(
            Volunteer.id_number_hash == digest, Volunteer.user_id != actor.id
        )
    )
    if taken is not None:
        raise Invalid(ALREADY_REGISTERED, field="id_number")
    fields = {
        "community_id": community.id, "real_name": name,
        "id_number_masked": idnumbers.mask(number),
        "id_number_hash": digest, "id_consent_at": now, "birth_date": born,
        "guardian_name": guardian, "guardian_phone": guardian_mobile, "services": chosen,
        "state": VolunteerState.APPLIED, "applied_at": now, "decided_at": None,
        "decided_by_id": None, "decline_reason": None,
    }  # fmt: skip
    if mine is not None:
        # Applying again after a decline: the row is updated, the decline kept in the log.
        audit.record(
            session, "volunteering.apply_again", actor=actor, now=now, target=mine,
            details={"declined_at": mine.decided_at.isoformat() if mine.decided_at else None,
                     "decline_reason": mine.decline_reason, "community_id": mine.community_id},
        )  # fmt: skip
        for key, value in fields.items():
            setattr(mine, key, value)
        made = mine
    else:
        made = Volunteer(user_id=actor.id, id_number_sealed=NOT_SEALED_YET, **fields)
        session.add(made)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        # Another account registered the number (or this one applied) a moment ago.
        raise Invalid(ALREADY_REGISTERED, field="id_number") from None
    made.id_number_sealed = idseal.seal(number, made.id, seal_key or idseal.app_key())
    session.flush()
    audit.record(
        session, "volunteering.apply", actor=actor, now=now, target=made,
        details={"community_id": community.id, "id_consent_at": now.isoformat()},
    )  # fmt: skip
    return made


def _require_coordinator(actor: Actor, volunteer: Volunteer) -> None:
    require(actor, Permission.COORDINATE_VOLUNTEERS, volunteer.community)


def home_url() -> str:
    """The volunteer's page, as an SMS carries it: where the answer leads them next."""
    from flask import current_app

    return f"{current_app.config['BASE_URL'].rstrip('/')}/volunteering/"


def _tell(session: Session, volunteer: Volunteer, kind: str, *, now: datetime) -> None:
    user = volunteer.user
    community = volunteer.community
    params = {"community_zh": community.name_zh, "community_en": community.name_en or "",
              "url": home_url()}  # fmt: skip
    queue_sms(
        session, phone=user.phone, kind=kind, locale=user.locale or CHINESE, now=now,
        key=f"{kind}:{volunteer.id}:{now.isoformat()}", params=params,
        cause=f"volunteers:{volunteer.id}",
    )  # fmt: skip


def _decide(volunteer: Volunteer, actor: Actor, state: VolunteerState, now: datetime) -> None:
    if volunteer.state != VolunteerState.APPLIED:
        raise Invalid(_l("This application has been answered already."))
    volunteer.state = state
    volunteer.decided_at = now
    volunteer.decided_by_id = actor.id


def approve(session: Session, actor: Actor, volunteer: Volunteer, *, now: datetime) -> Volunteer:
    """A coordinator of the community approves an application; the resident is texted."""
    _require_coordinator(actor, volunteer)
    _decide(volunteer, actor, VolunteerState.APPROVED, now)
    session.flush()
    audit.record(session, "volunteering.approve", actor=actor, now=now, target=volunteer)
    _tell(session, volunteer, "volunteer_approved", now=now)
    return volunteer


def decline(
    session: Session, actor: Actor, volunteer: Volunteer, *, reason: str, now: datetime
) -> Volunteer:
    """A coordinator declines an application with a reason the resident reads; texted."""
    _require_coordinator(actor, volunteer)
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise Invalid(_l("Say in a few words why, so that the resident knows."), field="reason")
    if len(reason) > REASON_MAX:
        raise Invalid(_l("Keep it within 200 characters."), field="reason")
    _decide(volunteer, actor, VolunteerState.DECLINED, now)
    volunteer.decline_reason = reason
    session.flush()
    audit.record(
        session, "volunteering.decline", actor=actor, now=now, target=volunteer,
        details={"reason": reason},
    )  # fmt: skip
    _tell(session, volunteer, "volunteer_declined", now=now)
    return volunteer


def _unsealed(volunteer: Volunteer, key: bytes | None) -> str:
    try:
        return idseal.unseal(volunteer.id_number_sealed, volunteer.id, key or idseal.app_key())
    except idseal.Unreadable as error:
        log.error("ID number cannot be unsealed: %s", error)
        raise Invalid(UNREADABLE) from None


def reveal_id_number(
    session: Session,
    actor: Actor,
    volunteer: Volunteer,
    *,
    reason: str = "",
    now: datetime,
    seal_key: bytes | None = None,
) -> str:
    """The whole ID number, unsealed: to its owner, or to a coordinator of the community,
    every look of whom is in the audit log (with the reason given)."""
    if getattr(actor, "is_authenticated", False) and actor.id == volunteer.user_id:
        return _unsealed(volunteer, seal_key)
    _require_coordinator(actor, volunteer)
    reason = " ".join((reason or "").split())
    if not reason:
        # PIPL: a sensitive number is read for a purpose, and the purpose is kept.
        raise Invalid(_l("Say why you need the whole number: it is kept in the audit log."),
                      field="reason")  # fmt: skip
    whole = _unsealed(volunteer, seal_key)
    audit.record(
        session, "volunteering.reveal_id_number", actor=actor, now=now, target=volunteer,
        details={"reason": reason[:REASON_MAX]},
    )  # fmt: skip
    return whole


def coordinated_communities(session: Session, actor: Actor) -> list[Place]:
    """The communities whose volunteering `actor` runs."""
    places = scopes(actor, Permission.COORDINATE_VOLUNTEERS)
    if not places:
        return []
    query = select(Place).where(Place.kind == PlaceKind.COMMUNITY)
    if None not in places:
        query = query.where(or_(*(Place.path.startswith(place.path) for place in places)))
    return list(session.scalars(query.order_by(Place.path)))


def get_volunteer(
    session: Session, actor: Actor, volunteer_id: int, *, for_update: bool = False
) -> Volunteer:
    """A volunteer, for a coordinator of their community; locked when about to be answered,
    so that two coordinators answering at once act one after the other."""
    volunteer = session.get(Volunteer, volunteer_id, with_for_update=for_update or None)
    if volunteer is None:
        raise NotFound(_l("There is no such volunteer."))
    _require_coordinator(actor, volunteer)
    return volunteer


def applications(session: Session, actor: Actor, community: Place, page: str | None) -> Page:
    """The applications of `community` waiting for an answer, oldest first."""
    require(actor, Permission.COORDINATE_VOLUNTEERS, community)
    query = (
        select(Volunteer)
        .where(Volunteer.community_id == community.id, Volunteer.state == VolunteerState.APPLIED)
        .order_by(Volunteer.id)
    )
    return paginate(session, query, page)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def volunteers(
    session: Session, actor: Actor, community: Place, page: str | None, query: str = ""
) -> Page:
    """The approved volunteers of `community`, in the order they joined; by name if asked."""
    require(actor, Permission.COORDINATE_VOLUNTEERS, community)
    statement = select(Volunteer).where(
        Volunteer.community_id == community.id, Volunteer.state == VolunteerState.APPROVED
    )
    wanted = (query or "").strip()[:NAME_MAX]
    if wanted:
        statement = statement.where(Volunteer.real_name.like(_like(wanted), escape="\\"))
    statement = statement.options(selectinload(Volunteer.user)).order_by(Volunteer.id)
    return paginate(session, statement, page)
