"""The older residents the time bank serves (服务对象): registered in person by a coordinator of
their community, who sees their ID card (that it was seen is kept, never the number), and
marked as priority elderly (the community's pool pays for their help) with a reason.

The rules suggest who is priority (Nanjing's: 80 or more and living alone, or 60 to 79,
living alone and on the minimum living allowance (低保) or with a disability); the coordinator
decides. Functions take a Session, the acting person, plain values and `now`; they flush,
never commit.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from portal.accounts.models import User
from portal.audit import services as audit
from portal.errors import Invalid, NotFound
from portal.idnumbers import age_on
from portal.pagination import Page, paginate
from portal.permissions import Actor, Permission, require, require_within, scopes
from portal.phones import mask_phone, normalize_phone
from portal.places.models import Place, PlaceKind
from portal.volunteering.models import Elder, Volunteer
from portal.volunteering.timebank import TimeBankRules
from portal.volunteering.volunteers import local_day

NAME_MAX, REASON_MAX = 30, 200
OLDEST = 130
# The youngest an older resident the time bank serves may be: 60, the youngest age any
# published time-bank scheme serves (Nanjing's, whose numbers are the rules' defaults, and the
# others serve from 60 or later). A district whose rules let hours be spent younger serves from
# its spending age instead.
ELDER_AGE = 60
# Nanjing's priority elderly: this old and living alone; or from the younger age, living alone
# and on 低保 or with a disability.
PRIORITY_ALONE_AGE = 80
PRIORITY_HARDSHIP_AGE = 60


def priority_suggested(elder: Elder, on: date) -> bool:
    """Whether the rules suggest `elder` is priority elderly on the day `on`."""
    age = age_on(elder.birth_date, on)
    if not elder.lives_alone:
        return False
    if age >= PRIORITY_ALONE_AGE:
        return True
    return age >= PRIORITY_HARDSHIP_AGE and (elder.low_income or elder.has_disability)


# --- reading ---------------------------------------------------------------------------------


def get_elder(session: Session, elder_id: int) -> Elder:
    elder = session.get(Elder, elder_id)
    if elder is None:
        raise NotFound(_l("There is no such older resident."))
    return elder


def elder_of(session: Session, actor: Actor) -> Elder | None:
    """The signed-in person's registration as an older resident the time bank serves."""
    if not getattr(actor, "is_authenticated", False) or actor.id is None:
        return None
    return session.scalar(select(Elder).where(Elder.user_id == actor.id))


def asking_communities(session: Session, actor: Actor) -> list[Place]:
    """The communities whose older residents `actor` may ask for help for: those inside a
    place they hold ASK_HELP_FOR_ELDERS on, and the community around a grid they hold it on."""
    places = scopes(actor, Permission.ASK_HELP_FOR_ELDERS)
    if not places:
        return []
    query = select(Place).where(Place.kind == PlaceKind.COMMUNITY)
    if None not in places:
        around = {int(each) for place in places for each in place.path.split("/") if each}
        query = query.where(
            or_(Place.id.in_(around), *(Place.path.startswith(place.path) for place in places))
        )
    return list(session.scalars(query.order_by(Place.path)))


def elders_page(
    session: Session, actor: Actor, community: Place, *, page: str | None = None
) -> Page:
    """A community's registered older residents, newest first, a page at a time: for its
    coordinators, and for those who ask for help for them (grid workers of its grids)."""
    require_within(actor, Permission.ASK_HELP_FOR_ELDERS, community)
    query = (
        select(Elder)
        .where(Elder.community_id == community.id)
        .order_by(Elder.id.desc())
        .options(selectinload(Elder.user))
    )
    return paginate(session, query, page)


# --- registering -----------------------------------------------------------------------------


def _name(real_name: str) -> str:
    real_name = " ".join((real_name or "").split())
    if not real_name:
        raise Invalid(_l("Give their name as on the ID card."), field="real_name")
    if len(real_name) > NAME_MAX:
        raise Invalid(_l("Keep the name within 30 characters."), field="real_name")
    return real_name


def _birth_date(birth_date: date | None, now: datetime) -> date:
    if birth_date is None:
        raise Invalid(_l("Give the date of birth, such as 1945-03-08."), field="birth_date")
    if birth_date > local_day(now) or age_on(birth_date, local_day(now)) > OLDEST:
        raise Invalid(_l("That date of birth is not possible."), field="birth_date")
    return birth_date


def _old_enough(birth_date: date, rules: TimeBankRules, now: datetime) -> None:
    youngest = min(ELDER_AGE, rules.spending_age)
    years = age_on(birth_date, local_day(now))
    if years < youngest:
        raise Invalid(
            _l("The time bank helps older residents from the age of %(age)d: this person is "
               "%(years)d.", age=youngest, years=years),
            field="birth_date",
        )  # fmt: skip


def account_for_phone(session: Session, phone: str, real_name: str, now: datetime) -> User:
    """The resident's account for `phone`, made if they have none (they sign in by SMS code)."""
    number = normalize_phone(phone)
    if number is None:
        raise Invalid(_l("Give a mainland mobile number of 11 digits."), field="phone")
    user = session.scalar(select(User).where(User.phone == number))
    if user is None:
        made = User(phone=number, display_name=real_name, created_at=now)
        try:
            with session.begin_nested():
                session.add(made)
                session.flush()
            user = made
        except IntegrityError:
            # Made a moment ago by another coordinator (adding the same family member):
            # theirs is the account.
            user = session.scalars(select(User).where(User.phone == number)).one()
    if not user.is_active:
        raise Invalid(_l("The account of this number is disabled."), field="phone")
    return user


def register_elder(
    session: Session,
    actor: Actor,
    *,
    community: Place | None,
    phone: str,
    real_name: str,
    birth_date: date | None,
    lives_alone: bool,
    low_income: bool,
    has_disability: bool,
    id_card_seen: bool,
    rules: TimeBankRules,
    now: datetime,
) -> Elder:
    """Register an older resident of `community` for the time bank's help, in person: their
    account is found by their mobile number, or made."""
    if community is None or community.kind != PlaceKind.COMMUNITY:
        raise Invalid(_l("Choose a community."), field="community")
    require(actor, Permission.COORDINATE_VOLUNTEERS, community)
    real_name = _name(real_name)
    birth_date = _birth_date(birth_date, now)
    _old_enough(birth_date, rules, now)
    if not id_card_seen:
        raise Invalid(
            _l("Register an older resident only after seeing their ID card in person."),
            field="id_card_seen",
        )
    user = account_for_phone(session, phone, real_name, now)
    if user.id == getattr(actor, "id", None):
        raise Invalid(_l("Another coordinator registers you."), field="phone")
    if session.scalar(select(Elder.id).where(Elder.user_id == user.id)) is not None:
        raise Invalid(_l("This person is registered already."), field="phone")
    volunteer = session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))
    if volunteer is not None:
        # Their age is the one their ID number gives, checked when they registered, never
        # one typed for them: the spending age guards their hours.
        if volunteer.community_id != community.id:
            raise Invalid(
                _l("This number belongs to a volunteer of another community: register them "
                   "there."), field="phone",
            )  # fmt: skip
        birth_date = volunteer.birth_date
        _old_enough(birth_date, rules, now)
    elder = Elder(
        user=user,
        community=community,
        real_name=real_name,
        birth_date=birth_date,
        lives_alone=bool(lives_alone),
        low_income=bool(low_income),
        has_disability=bool(has_disability),
        id_card_seen_at=now,
        registered_by_id=actor.id,
        registered_at=now,
        priority=False,
    )
    session.add(elder)
    session.flush()
    audit.record(session, "volunteering.register_elder", actor=actor, now=now, target=elder,
                 details={"phone": mask_phone(user.phone), "id_card_seen": True})  # fmt: skip
    return elder


def set_priority(
    session: Session, actor: Actor, elder: Elder, *, priority: bool, reason: str, now: datetime
) -> Elder:
    """Mark `elder` as priority elderly (the pool pays for their help) or remove the mark,
    saying why either way; the reason stays on the row."""
    require(actor, Permission.COORDINATE_VOLUNTEERS, elder.community)
    reason = " ".join((reason or "").split())
    if not reason:
        raise Invalid(_l("Say why: it is kept with the decision."), field="reason")
    if len(reason) > REASON_MAX:
        raise Invalid(_l("Keep it within 200 characters."), field="reason")
    if bool(priority) == elder.priority:
        raise Invalid(
            _l("They are priority elderly already.")
            if priority
            else _l("They are not priority elderly.")
        )
    details: dict[str, Any] = {
        "priority": bool(priority),
        "reason": reason,
        "suggested": priority_suggested(elder, local_day(now)),
    }
    elder.priority = bool(priority)
    elder.priority_reason = reason
    elder.priority_set_at = now
    elder.priority_set_by_id = actor.id
    session.flush()
    audit.record(session, "volunteering.elder_priority", actor=actor, now=now, target=elder,
                 details=details)  # fmt: skip
    return elder
