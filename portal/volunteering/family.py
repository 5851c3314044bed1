"""Family members (代办家属) who ask the time bank for help on an older resident's behalf.

A coordinator of the elder's community adds one in person, once the elder agreed (that
agreement, when and by whom it was recorded, stays on the row): their mobile number (the
account is found or made by it), their name and who the elder is to them. From then on they
may ask for help for the elder, paid with the elder's stored hours or, for priority elderly,
the community's pool (help_requests.ask_for_help), and cancel what they asked for. Removing
one keeps the row, with when and by whom.

Functions take a Session, the acting person, plain values and `now`; they flush, never commit.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from portal.accounts.models import User
from portal.audit import services as audit
from portal.errors import Invalid, NotFound
from portal.permissions import Actor, Permission, require
from portal.phones import mask_phone
from portal.volunteering.elders import NAME_MAX, account_for_phone
from portal.volunteering.models import Elder, FamilyMember, FamilyTie, HelpRequest

# How the coordinator reads who the elder is to them, and how the family member reads it.
TIE_LABELS = {
    FamilyTie.PARENT: _l("Their parent"),
    FamilyTie.PARENT_IN_LAW: _l("Their parent-in-law"),
    FamilyTie.GRANDPARENT: _l("Their grandparent"),
    FamilyTie.SPOUSE: _l("Their spouse"),
    FamilyTie.SIBLING: _l("Their brother or sister"),
    FamilyTie.OTHER: _l("Another relative"),
}
YOUR_TIE = {
    FamilyTie.PARENT: _l("your parent"),
    FamilyTie.PARENT_IN_LAW: _l("your parent-in-law"),
    FamilyTie.GRANDPARENT: _l("your grandparent"),
    FamilyTie.SPOUSE: _l("your spouse"),
    FamilyTie.SIBLING: _l("your brother or sister"),
    FamilyTie.OTHER: _l("your relative"),
}
# Who the family member is to the older resident, for lists that name the member: "王小明
# (son or daughter)", not "王小明 (parent)", which reads as if he were the parent.
MEMBER_IS = {
    FamilyTie.PARENT: _l("Son or daughter"),
    FamilyTie.PARENT_IN_LAW: _l("Son- or daughter-in-law"),
    FamilyTie.GRANDPARENT: _l("Grandchild"),
    FamilyTie.SPOUSE: _l("Spouse"),
    FamilyTie.SIBLING: _l("Brother or sister"),
    FamilyTie.OTHER: _l("Another relative"),
}
ALREADY = _l("This person may ask for them already.")


# --- reading ---------------------------------------------------------------------------------


def get_family_member(session: Session, member_id: int) -> FamilyMember:
    found = session.get(FamilyMember, member_id)
    if found is None:
        raise NotFound(_l("There is no such family member."))
    return found


def family_of(session: Session, actor: Actor, elder: Elder) -> list[FamilyMember]:
    """Everyone ever added for `elder`, those who may still ask first, for a coordinator."""
    require(actor, Permission.COORDINATE_VOLUNTEERS, elder.community)
    return list(
        session.scalars(
            select(FamilyMember)
            .where(FamilyMember.elder_id == elder.id)
            .order_by(FamilyMember.removed_at.is_not(None), FamilyMember.id)
            .options(selectinload(FamilyMember.user))
        )
    )


def asking_for(session: Session, actor: Actor) -> list[FamilyMember]:
    """The signed-in person's active entries as a family member: the elders they may ask for,
    by name."""
    if not getattr(actor, "is_authenticated", False) or actor.id is None:
        return []
    return list(
        session.scalars(
            select(FamilyMember)
            .join(Elder, FamilyMember.elder_id == Elder.id)
            .where(FamilyMember.user_id == actor.id, FamilyMember.removed_at.is_(None))
            .order_by(Elder.real_name, FamilyMember.id)
            .options(selectinload(FamilyMember.elder))
        )
    )


def acting_for(session: Session, actor: Actor, elder: Elder) -> FamilyMember | None:
    """The actor's active entry as a family member of `elder`, if they have one."""
    if not getattr(actor, "is_authenticated", False) or actor.id is None:
        return None
    return session.scalar(
        select(FamilyMember).where(
            FamilyMember.elder_id == elder.id,
            FamilyMember.user_id == actor.id,
            FamilyMember.removed_at.is_(None),
        )
    )


def who_asked(session: Session, help_request: HelpRequest) -> str | None:
    """Who asked for the help on the elder's behalf, for the coordinator's page: a family
    member's name and who the elder is to them, or the staff member's name; None when the
    elder asked themself."""
    asker_id = help_request.asked_by_id
    if asker_id is None or asker_id == help_request.elder.user_id:
        return None
    member = session.scalars(
        select(FamilyMember)
        .where(FamilyMember.elder_id == help_request.elder_id, FamilyMember.user_id == asker_id)
        .order_by(FamilyMember.id.desc())
    ).first()
    if member is not None:
        return f"{member.name} · {MEMBER_IS[member.tie]}"
    asker = session.get(User, asker_id)
    return asker.display_name if asker is not None else None


# --- adding and removing ---------------------------------------------------------------------


def add_family_member(
    session: Session,
    actor: Actor,
    elder: Elder,
    *,
    phone: str,
    name: str,
    tie: str,
    elder_agreed: bool,
    now: datetime,
) -> FamilyMember:
    """Add a family member who may ask for help for `elder` and spend their stored hours on
    it, in person and once the elder agreed."""
    require(actor, Permission.COORDINATE_VOLUNTEERS, elder.community)
    name = " ".join((name or "").split())
    if not name:
        raise Invalid(_l("Give their name."), field="name")
    if len(name) > NAME_MAX:
        raise Invalid(_l("Keep the name within 30 characters."), field="name")
    try:
        tie = FamilyTie(tie)
    except ValueError:
        raise Invalid(_l("Choose who the older resident is to them."), field="tie") from None
    if not elder_agreed:
        raise Invalid(
            _l("Add a family member only once the older resident has agreed, in person."),
            field="elder_agreed",
        )
    user = account_for_phone(session, phone, name, now)
    if user.id == elder.user_id:
        raise Invalid(_l("That is the older resident's own number."), field="phone")
    if acting_for(session, user, elder) is not None:
        raise Invalid(ALREADY, field="phone")
    made = FamilyMember(
        elder=elder,
        user=user,
        name=name,
        tie=tie,
        elder_agreed_at=now,
        added_at=now,
        added_by_id=actor.id,
    )
    session.add(made)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        # Another coordinator added them a moment ago (one active entry, says the index).
        raise Invalid(ALREADY, field="phone") from None
    audit.record(session, "volunteering.family_add", actor=actor, now=now, target=made,
                 details={"elder": elder.id, "phone": mask_phone(user.phone),
                          "tie": tie.value, "elder_agreed_at": now.isoformat()})  # fmt: skip
    return made


def remove_family_member(
    session: Session, actor: Actor, member: FamilyMember, *, now: datetime
) -> FamilyMember:
    """Stop a family member asking for the elder; the row stays, with when and by whom. What
    they asked for already stays asked."""
    require(actor, Permission.COORDINATE_VOLUNTEERS, member.elder.community)
    member = session.scalars(
        select(FamilyMember)
        .where(FamilyMember.id == member.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if member.removed_at is not None:
        raise Invalid(_l("They were removed already."))
    member.removed_at, member.removed_by_id = now, actor.id
    session.flush()
    audit.record(session, "volunteering.family_remove", actor=actor, now=now, target=member,
                 details={"elder": member.elder_id})  # fmt: skip
    return member
