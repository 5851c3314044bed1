"""Giving and donating stored hours: the relatives a volunteer declares (a spouse, a parent, a
grandparent), their confirmation by a coordinator who has seen the household register or a
certificate, gifts of hours to a confirmed relative, and donations to the community's pool.

Every movement is one transfer on the ledger (portal/ledger), between the accounts timebank.py
gives: a gift from the volunteer's own account to the relative's (both capped by the rules, so
a gift the relative cannot hold is refused), a donation to the pool of the volunteer's
community. The ledger locks the accounts and reads them afresh, so gifts made at once never
give away an hour twice. Functions take a Session, the acting person, plain values and `now`;
they flush, never commit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session, contains_eager, selectinload

from portal.accounts.models import User
from portal.audit import services as audit
from portal.errors import Forbidden, Invalid, NotFound, Problems
from portal.i18n import CHINESE
from portal.ledger import services as ledger
from portal.ledger.models import LedgerAccount, LedgerTransfer, Unit
from portal.ledger.rules import Insufficient, OverCap, is_whole
from portal.notifications.services import queue_sms
from portal.numbers import typed
from portal.permissions import Actor, Permission, require
from portal.phones import mask_phone, normalize_phone
from portal.places.models import Place
from portal.volunteering import help_requests, timebank
from portal.volunteering.certificates import hours_text
from portal.volunteering.elders import elder_of
from portal.volunteering.hours import STEP_MINUTES
from portal.volunteering.models import (
    Evidence,
    Kinship,
    Relative,
    RelativeState,
    Volunteer,
    VolunteerState,
)
from portal.volunteering.timebank import TimeBankRules
from portal.volunteering.volunteers import volunteer_of

# Where the app keeps the kinships its district allows gifts to (a frozenset of Kinship).
KINSHIPS = "portal.volunteering.kinships"
# Beijing's and Nanjing's: a spouse, parents and grandparents.
DEFAULT_KINSHIPS = frozenset(Kinship)
NAME_MAX, REASON_MAX = 30, 200
# The most hours one gift or donation moves (a typing slip of 1500 for 15 is refused).
MOST_MINUTES = 1500 * 60

KINSHIP_LABELS = {
    Kinship.SPOUSE: _l("Spouse"),
    Kinship.PARENT: _l("Parent"),
    Kinship.GRANDPARENT: _l("Grandparent"),
}
YOUR_KIN = {
    Kinship.SPOUSE: _l("your spouse"),
    Kinship.PARENT: _l("your parent"),
    Kinship.GRANDPARENT: _l("your grandparent"),
}
EVIDENCE_LABELS = {
    Evidence.HOUSEHOLD_REGISTER: _l("The household register (户口簿)"),
    Evidence.CERTIFICATE: _l("A certificate (marriage, birth or kinship)"),
}
STATE_LABELS = {
    RelativeState.DECLARED: _l("Waiting for the community to confirm"),
    RelativeState.CONFIRMED: _l("Confirmed: you can give hours"),
    RelativeState.REFUSED: _l("Not confirmed"),
}

_HOURS = re.compile(r"[0-9]{1,6}(?:\.[0-9]{1,3})?")


def kinships_from_config(config: Mapping[str, Any]) -> frozenset[Kinship]:
    """The kinships hours may be given to, from TIME_BANK_RELATIVES (Beijing's and Nanjing's
    three by default)."""
    names = config.get("TIME_BANK_RELATIVES") or [kinship.value for kinship in DEFAULT_KINSHIPS]
    return frozenset(Kinship(name) for name in names)


def minutes_from_hours(raw: str | None) -> int:
    """Hours as typed ("2", "1.5", "１.５") as minutes; ValueError when it is not a number."""
    text = typed(raw).strip()
    if not _HOURS.fullmatch(text):
        raise ValueError("not a number of hours")
    try:
        minutes = Decimal(text) * 60
    except InvalidOperation as error:
        raise ValueError("not a number of hours") from error
    if minutes != minutes.to_integral_value():
        raise ValueError("not whole minutes")
    return int(minutes)


def check_minutes(minutes: Any) -> int:
    """Refuse an amount that is not whole half hours above zero."""
    if is_whole(minutes) and minutes <= 0:
        raise Invalid(_l("Give more than zero hours."), field="hours")
    if not is_whole(minutes) or minutes % STEP_MINUTES:
        raise Invalid(_l("Give hours in half hours: 0.5, 1, 1.5 …"), field="hours")
    if minutes > MOST_MINUTES:
        raise Invalid(_l("That is more hours than one person may hold."), field="hours")
    return minutes


# --- relatives -------------------------------------------------------------------------------


def own_volunteer(session: Session, actor: Actor) -> Volunteer:
    """The acting person's approved volunteer record; Forbidden for anyone else."""
    volunteer = volunteer_of(session, actor)
    if volunteer is None or volunteer.state is not VolunteerState.APPROVED:
        raise Forbidden(
            _l("Only approved volunteers can give hours. Register as a volunteer first.")
        )
    return volunteer


def relatives_of(session: Session, volunteer: Volunteer) -> list[Relative]:
    """The relatives `volunteer` declared, the confirmed first."""
    return list(
        session.scalars(
            select(Relative)
            .where(Relative.volunteer_id == volunteer.id)
            .order_by(Relative.state != RelativeState.CONFIRMED, Relative.id)
        )
    )


def get_relative(session: Session, relative_id: int) -> Relative:
    found = session.get(Relative, relative_id)
    if found is None:
        raise NotFound(_l("There is no such relative."))
    return found


def declare_relative(
    session: Session,
    actor: Actor,
    *,
    kinship: str,
    name: str,
    phone: str,
    allowed: Iterable[Kinship] = DEFAULT_KINSHIPS,
    now,
) -> Relative:
    """Declare a relative to give hours to, for a coordinator of the volunteer's community to
    confirm. Their account is found by their mobile number, or made for it. A refused
    declaration may be made again; a waiting or confirmed one not twice. Every mistake in
    the values is refused at once, each on its field."""
    volunteer = own_volunteer(session, actor)
    problems = Problems()
    try:
        kin = Kinship(kinship)
    except ValueError:
        kin = None
    if kin is None or kin not in set(allowed):
        problems.refuse(_l("Choose who they are to you."), field="kinship")
    name = (name or "").strip()
    if not name:
        problems.refuse(_l("Give their name as on their ID card."), field="name")
    elif len(name) > NAME_MAX:
        problems.refuse(_l("Keep the name within 30 characters."), field="name")
    number = normalize_phone(phone)
    if number is None:
        problems.refuse(
            _l("Enter an 11-digit mainland mobile number, like 138 0013 8000."), field="phone"
        )
    elif number == volunteer.user.phone:
        problems.refuse(_l("That is your own number: give your relative's."), field="phone")
    problems.raise_any()
    user = session.scalar(select(User).where(User.phone == number))
    if user is None:
        user = User(phone=number, display_name=name, locale=None, created_at=now)
        session.add(user)
        session.flush()
    found = session.scalars(
        select(Relative)
        .where(Relative.volunteer_id == volunteer.id, Relative.user_id == user.id)
        .with_for_update()
    ).one_or_none()
    if found is not None and found.state is not RelativeState.REFUSED:
        raise Invalid(_l("You have declared this relative already."), field="phone")
    if found is None:
        found = Relative(volunteer_id=volunteer.id, user_id=user.id)
        session.add(found)
    found.kinship, found.name, found.state, found.declared_at = (
        kin,
        name,
        RelativeState.DECLARED,
        now,
    )
    found.decided_at = found.decided_by_id = found.evidence = found.refuse_reason = None
    session.flush()
    audit.record(session, "volunteering.relative_declare", actor=actor, now=now, target=found,
                 details={"kinship": kin.value, "phone": mask_phone(number)})  # fmt: skip
    return found


def waiting_relatives(session: Session, actor: Actor, community: Place) -> list[Relative]:
    """The relatives the volunteers of `community` declared that wait for a decision."""
    require(actor, Permission.COORDINATE_VOLUNTEERS, community)
    return list(
        session.scalars(
            select(Relative)
            .join(Relative.volunteer)
            .options(contains_eager(Relative.volunteer), selectinload(Relative.user))
            .where(Relative.state == RelativeState.DECLARED, Volunteer.community_id == community.id)
            .order_by(Relative.id)
            .limit(200)
        )
    )


def _decide(
    session: Session, actor: Actor, relative: Relative, state: RelativeState, now, **values: Any
) -> Relative:
    require(actor, Permission.COORDINATE_VOLUNTEERS, relative.volunteer.community)
    # Two coordinators deciding at once: the first decision stands, the second is told.
    decided = session.execute(
        update(Relative)
        .where(Relative.id == relative.id, Relative.state == RelativeState.DECLARED)
        .values(state=state, decided_at=now, decided_by_id=actor.id, **values)
        .execution_options(synchronize_session=False)
    )
    session.expire(relative)
    if decided.rowcount != 1:
        raise Invalid(_l("This relative has been decided on already."))
    volunteer = relative.volunteer
    kind = (
        "time_bank_relative_confirmed"
        if state is RelativeState.CONFIRMED
        else "time_bank_relative_refused"
    )
    queue_sms(
        session,
        phone=volunteer.user.phone,
        kind=kind,
        # Their own relative, named as they declared them: nothing to hide from them.
        params={"name": relative.name, "reason": relative.refuse_reason or ""},
        locale=volunteer.user.locale or CHINESE,
        key=f"volunteering:{kind}:{relative.id}:{int(now.timestamp())}",
        cause=f"volunteering:relative:{relative.id}",
        now=now,
    )
    return relative


def confirm_relative(
    session: Session, actor: Actor, relative: Relative, *, evidence: str, now
) -> Relative:
    """Confirm a declared relative, having seen `evidence` (the household register or a
    certificate); the volunteer is texted."""
    require(actor, Permission.COORDINATE_VOLUNTEERS, relative.volunteer.community)
    try:
        seen = Evidence(evidence)
    except ValueError:
        raise Invalid(_l("Say which document you have seen."), field="evidence") from None
    _decide(session, actor, relative, RelativeState.CONFIRMED, now, evidence=seen)
    audit.record(session, "volunteering.relative_confirm", actor=actor, now=now, target=relative,
                 details={"evidence": seen.value})  # fmt: skip
    return relative


def refuse_relative(
    session: Session, actor: Actor, relative: Relative, *, reason: str, now
) -> Relative:
    """Refuse a declared relative, saying why; the volunteer is texted the reason."""
    require(actor, Permission.COORDINATE_VOLUNTEERS, relative.volunteer.community)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_l("Say why: the volunteer is told."), field="reason")
    if len(reason) > REASON_MAX:
        raise Invalid(_l("Keep it within 200 characters."), field="reason")
    _decide(session, actor, relative, RelativeState.REFUSED, now, refuse_reason=reason)
    audit.record(session, "volunteering.relative_refuse", actor=actor, now=now, target=relative,
                 details={"reason": reason})  # fmt: skip
    return relative


# --- giving and donating ---------------------------------------------------------------------


def _short_of(error: Insufficient, minutes: int) -> Invalid:
    held = minutes - int(error.details.get("short", 0))
    return Invalid(
        _l("You hold %(held)s hours: give at most that.", held=hours_text(max(held, 0))),
        field="hours",
    )


def _keep_promised(session: Session, actor: Actor, giver: LedgerAccount, minutes: int) -> None:
    """Hours an older resident promised to help they asked for stay theirs, to pay for it
    when it is given: a gift or a donation takes only what is free (the account's row is
    locked while counting, as asking for help locks it)."""
    elder = elder_of(session, actor)
    if elder is None:
        return
    held, promised = help_requests.held_and_promised(session, giver, elder_id=elder.id)
    if promised and minutes > held - promised:
        raise Invalid(
            _l("You hold %(held)s hours, and %(promised)s of them pay for help you asked for: "
               "give at most %(free)s.", held=hours_text(held), promised=hours_text(promised),
               free=hours_text(max(held - promised, 0))),
            field="hours",
        )  # fmt: skip


def give_hours(
    session: Session,
    actor: Actor,
    relative: Relative,
    *,
    minutes: int,
    rules: TimeBankRules,
    now,
) -> LedgerTransfer:
    """Give `minutes` (whole half hours) of the volunteer's stored hours to their confirmed
    `relative`; the relative is texted. Refused when the volunteer holds less, or when the
    relative would hold more than the cap allows."""
    volunteer = own_volunteer(session, actor)
    if relative.volunteer_id != volunteer.id:
        raise NotFound(_l("There is no such relative."))
    if relative.state is not RelativeState.CONFIRMED:
        raise Invalid(
            _l("The community has not confirmed this relative: hours can be given once it has."),
            field="relative",
        )
    minutes = check_minutes(minutes)
    giver = timebank.person_account(session, volunteer.user, rules, now=now)
    taker = timebank.person_account(session, relative.user, rules, now=now)
    _keep_promised(session, actor, giver, minutes)
    try:
        transfer = ledger.post(
            session, actor, unit=Unit.MINUTES, kind=timebank.GIVEN,
            legs=[(giver, -minutes), (taker, minutes)], memo=f"relative:{relative.id}", now=now,
        )  # fmt: skip
    except Insufficient as error:
        raise _short_of(error, minutes) from error
    except OverCap as error:
        room = max((taker.cap or 0) - taker.balance, 0)
        raise Invalid(
            _l("Your relative may hold at most %(cap)s hours, so they can take %(room)s more.",
               cap=hours_text(taker.cap or 0), room=hours_text(room)),
            field="hours",
        ) from error  # fmt: skip
    audit.record(session, "volunteering.give", actor=actor, now=now, target=relative,
                 details={"minutes": minutes, "transfer": transfer.id})  # fmt: skip
    queue_sms(
        session,
        phone=relative.user.phone,
        kind="time_bank_hours_received",
        # From their own family, confirmed by a coordinator: named whole, and where to see it.
        params={
            "name": volunteer.real_name,
            "hours": f"{minutes / 60:g}",
            "url": f"{current_app.config['BASE_URL'].rstrip('/')}/volunteering/hours",
        },
        locale=relative.user.locale or CHINESE,
        key=f"volunteering:gift:{transfer.id}",
        cause=f"volunteering:relative:{relative.id}",
        now=now,
    )
    return transfer


def donate_hours(
    session: Session, actor: Actor, *, minutes: int, rules: TimeBankRules, now
) -> LedgerTransfer:
    """Donate `minutes` (whole half hours) of the volunteer's stored hours to their community's
    pool, which pays for the help of priority elderly residents."""
    volunteer = own_volunteer(session, actor)
    minutes = check_minutes(minutes)
    giver = timebank.person_account(session, volunteer.user, rules, now=now)
    pool = timebank.pool_account(session, volunteer.community, now=now)
    _keep_promised(session, actor, giver, minutes)
    try:
        transfer = ledger.post(
            session, actor, unit=Unit.MINUTES, kind=timebank.DONATED,
            legs=[(giver, -minutes), (pool, minutes)], now=now,
        )  # fmt: skip
    except Insufficient as error:
        raise _short_of(error, minutes) from error
    audit.record(session, "volunteering.donate", actor=actor, now=now, target=volunteer,
                 details={"minutes": minutes, "transfer": transfer.id})  # fmt: skip
    return transfer
