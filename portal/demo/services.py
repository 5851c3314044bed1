"""Building the demo district through the same services the administrators use."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.accounts.models import RoleGrant, User
from portal.appeals.tracking import ALPHABET
from portal.catalogue.models import CatalogueItem
from portal.demo import data
from portal.i18n import name_in
from portal.legal import answering, asking
from portal.legal.models import (
    ClosedBecause,
    Consultation,
    ConsultationEntry,
    ConsultationState,
    EntryKind,
    LegalTopic,
    Rating,
)
from portal.legal.settings import LegalSettings
from portal.permissions import STAFF_ROLES, SYSTEM, Role
from portal.places import services as places
from portal.places.models import Place, PlaceKind, RiskGrade
from portal.points import earning_rules, rewards
from portal.points.models import PointsRule, Reward
from portal.staff import services as staff
from portal.units.models import Unit, UnitMember
from portal.volunteering import volunteers


def has_places(session: Session) -> bool:
    return session.scalar(select(Place.id).limit(1)) is not None


def seed_demo(session: Session, *, now: datetime) -> None:
    """Create the demo district, its buildings, a grid worker for every grid, a secretary and a
    deputy secretary for every community and one account for each other role (in an empty
    database)."""
    code, name_zh, name_en = data.DISTRICT
    district = places.create_place(
        session, SYSTEM, None, code=code, name_zh=name_zh, name_en=name_en, now=now
    )
    number = grid_number = 0
    for street_code, street_zh, street_en, communities in data.STREETS:
        street = places.create_place(
            session,
            SYSTEM,
            district,
            code=street_code,
            name_zh=street_zh,
            name_en=street_en,
            now=now,
        )
        for community_code, community_zh, community_en, road_zh, estates in communities:
            centre_zh, centre_en = data.SERVICE_CENTRES[community_code]
            community = places.create_place(
                session, SYSTEM, street,
                code=community_code, name_zh=community_zh, name_en=community_en,
                phone=data.COMMUNITY_PHONES[community_code],
                hours_zh=data.SERVICE_HOURS[0], hours_en=data.SERVICE_HOURS[1],
                centre_zh=centre_zh, centre_en=centre_en, now=now,
            )  # fmt: skip
            for index, (estate_zh, estate_en) in enumerate(estates):
                grid = places.create_place(
                    session, SYSTEM, community,
                    code=f"{community_code}{index + 1:02d}",
                    name_zh=f"{community_zh}{data.GRID_NAMES[index]}",
                    name_en=f"{community_en} {data.GRID_NAMES_EN[index]}",
                    phone=str(data.GRID_PHONE_FIRST + grid_number),
                    now=now,
                )  # fmt: skip
                grid_number += 1
                street_number = 8 + 16 * index
                for block in range(1, data.BUILDINGS_PER_GRID + 1):
                    number += 1
                    fields = places.BuildingFields(
                        name_zh=f"{estate_zh}{block}栋",
                        name_en=f"{estate_en}, Block {block}",
                        address=f"{name_zh}{street_zh}{road_zh}{street_number}号{estate_zh}{block}栋",
                        households=24 + (number * 7) % 72,
                        risk_grade=_risk_for(number),
                    )
                    places.create_building(session, SYSTEM, grid, fields, now=now)
    _create_people(session, now)


def _risk_for(number: int) -> RiskGrade:
    if number % 17 == 0:
        return RiskGrade.WARNING
    if number % 5 == 0:
        return RiskGrade.ORDINARY
    return RiskGrade.SAFE


def _create_people(session: Session, now: datetime) -> None:
    for role, phone, name, place_code in data.PEOPLE:
        role = Role(role)
        password = data.STAFF_PASSWORD if role in STAFF_ROLES else None
        user = staff.create_user(
            session, SYSTEM, phone=phone, display_name=name, password=password, now=now
        )
        user.must_change_password = False
        if role in (Role.RESIDENT, Role.VOLUNTEER):
            user.phone_verified_at = now
        if role != Role.RESIDENT:
            staff.grant_role(session, SYSTEM, user, role, place_code, now=now)


def seed_demo_volunteers(session: Session, *, now: datetime) -> int:
    """The demo volunteers, each applying as a resident does and approved by their community's
    coordinator (which texts them, as it would anyone); those there already are left."""
    people = {phone: (name, place_code) for _role, phone, name, place_code in data.PEOPLE}
    added = 0
    for phone, id_number, kinds in data.VOLUNTEERS:
        user = session.scalars(select(User).where(User.phone == phone)).one_or_none()
        if user is None or volunteers.volunteer_of(session, user) is not None:
            continue
        name, place_code = people[phone]
        community = session.scalars(select(Place).where(Place.code == place_code)).one()
        made = volunteers.apply(
            session, user, community=community, real_name=name, id_number=id_number,
            id_consent=True, services=kinds, now=now,
        )  # fmt: skip
        coordinator = next(
            (grant.user for grant in session.scalars(
                select(RoleGrant).where(RoleGrant.role == Role.COORDINATOR,
                                        RoleGrant.place_id == community.id))),
            SYSTEM,
        )  # fmt: skip
        volunteers.approve(session, coordinator, made, now=now)
        added += 1
    return added


def seed_demo_points_rules(session: Session, *, now: datetime) -> int:
    """The demo district's grid points rules, listed deeds and built-in sources (adds only
    those it has not named yet)."""
    district = session.scalar(select(Place).where(Place.code == data.DISTRICT[0]))
    if district is None:
        return 0
    named = set(
        session.scalars(select(PointsRule.name_zh).where(PointsRule.district_id == district.id))
    )
    rules = [
        ("deed", name_zh, name_en, points, review, day, month, year)
        for name_zh, name_en, points, review, day, month, year in data.POINTS_RULES
    ] + [
        (source, name_zh, name_en, points, False, None, month, None)
        for source, name_zh, name_en, points, month in data.POINTS_SOURCE_RULES
    ]  # fmt: skip
    # A district has one rule in force per built-in source, perhaps renamed since.
    in_force = set(
        session.scalars(
            select(PointsRule.source).where(
                PointsRule.district_id == district.id, PointsRule.retired_at.is_(None)
            )
        )
    ) - {"deed"}
    added = 0
    for source, name_zh, name_en, points, needs_review, day, month, year in rules:
        if name_zh in named or source in in_force:
            continue
        values = earning_rules.check_values(
            name_zh=name_zh, name_en=name_en, points=points, needs_review=needs_review,
            per_day=day, per_month=month, per_year=year,
        )  # fmt: skip
        earning_rules.add_rule(
            session, SYSTEM, district, values, source=earning_rules.check_source(source), now=now
        )
        added += 1
    return added


def seed_demo_rewards(session: Session, *, now: datetime) -> int:
    """The rewards of the demo community's points shop, listed by its coordinator (adds only
    those it has not named yet)."""
    community = session.scalar(select(Place).where(Place.code == data.SHOP_COMMUNITY))
    if community is None:
        return 0
    named = set(session.scalars(select(Reward.name_zh).where(Reward.community_id == community.id)))
    coordinator = next(
        (grant.user for grant in session.scalars(
            select(RoleGrant).where(RoleGrant.role == Role.COORDINATOR,
                                    RoleGrant.place_id == community.id))),
        SYSTEM,
    )  # fmt: skip
    pickup_zh, pickup_en = data.SHOP_PICKUP
    added = 0
    for kind, name_zh, name_en, price, stock, per_person in data.SHOP_REWARDS:
        if name_zh in named:
            continue
        values = rewards.check_values(
            kind=kind, name_zh=name_zh, name_en=name_en, price=price, stock=stock,
            per_person=per_person, pickup_zh=pickup_zh, pickup_en=pickup_en, with_stock=True,
        )  # fmt: skip
        rewards.add_reward(session, coordinator, community, values, now=now)
        added += 1
    return added


def seed_demo_schedules(session: Session, *, now: datetime) -> int:
    """The times the demo's hosts receive residents (adds only what is missing): 书记在线 for
    every community's secretary and deputy on weekdays, and the legal service days of every
    community's own legal adviser."""
    from portal.meetings import schedules
    from portal.meetings.models import MeetingKind, Schedule

    secretary = schedules.Plan(
        weekly={day: tuple(_spans(data.SECRETARY_HOURS)) for day in range(5)},
        slot_minutes=20, buffer_minutes=10, daily_cap=8,
    )  # fmt: skip
    legal = schedules.Plan(
        month_days=frozenset(data.LEGAL_DAYS), month_hours=tuple(_spans(data.LEGAL_HOURS))
    )
    kinds = {
        Role.SECRETARY: (MeetingKind.SECRETARY, secretary),
        Role.DEPUTY_SECRETARY: (MeetingKind.SECRETARY, secretary),
        Role.LEGAL_ADVISER: (MeetingKind.LEGAL, legal),
    }
    phones = [phone for role, phone, _name, _place in data.PEOPLE if Role(role) in kinds]
    added = 0
    for user in session.scalars(select(User).where(User.phone.in_(phones)).order_by(User.id)):
        for grant in user.grants:
            if grant.role not in kinds or grant.place is None:
                continue
            if grant.place.kind is not PlaceKind.COMMUNITY:
                continue  # the district's legal adviser answers consultations, not a desk
            kind, plan = kinds[grant.role]
            exists = session.scalar(
                select(Schedule.id).where(
                    Schedule.host_id == user.id,
                    Schedule.place_id == grant.place_id,
                    Schedule.kind == kind,
                )
            )
            if exists is None:
                schedules.create_schedule(
                    session, SYSTEM, user.id, grant.place_id, kind, plan, now=now
                )
                added += 1
    return added


def _spans(pairs: list[list[str]]) -> list[tuple[time, time]]:
    return [(time.fromisoformat(start), time.fromisoformat(end)) for start, end in pairs]


def seed_demo_units(session: Session) -> int:
    """The demo district's departments, their officers and the items they take at level 3
    (after the catalogue is seeded; adds only what is missing)."""
    added = 0
    for code, name_zh, name_en, place_code, phone, members, items in data.UNITS:
        if session.scalar(select(Unit.id).where(Unit.code == code)) is not None:
            continue
        place = session.scalar(select(Place).where(Place.code == place_code))
        if place is None:
            continue
        unit = Unit(code=code, place=place, name_zh=name_zh, name_en=name_en, phone=phone)
        session.add(unit)
        for user in session.scalars(select(User).where(User.phone.in_(members))):
            session.add(UnitMember(unit=unit, user=user))
        for item in session.scalars(select(CatalogueItem).where(CatalogueItem.code.in_(items))):
            item.unit = unit
        added += 1
    session.flush()
    return added


@dataclass(frozen=True)
class DemoLogin:
    """A demo account as `demo seed` lists it: who, what role where, and how they sign in."""

    phone: str
    name: str
    role: Role
    # The unit or place the role is held on, in the reader's language; "" for a resident, and
    # None for a role on the whole portal.
    where: str | None
    # Staff sign in with data.STAFF_PASSWORD at /staff/sign-in, others with an SMS code.
    with_password: bool


def demo_logins(session: Session, locale: str) -> list[DemoLogin]:
    """The demo accounts that exist, one row per role they hold, as read from the database."""
    phones = [phone for _role, phone, _name, _place in data.PEOPLE]
    found = session.scalars(
        select(User).where(User.phone.in_(phones)).options(selectinload(User.grants))
    )
    users = {user.phone: user for user in found}
    units = {
        member.user_id: member.unit
        for member in session.scalars(
            select(UnitMember).where(UnitMember.user_id.in_([user.id for user in users.values()]))
        )
    }
    logins = []
    for phone in phones:
        user = users.get(phone)
        if user is None:
            continue
        with_password = bool(user.password_hash) and user.is_staff
        for grant in user.grants:
            if grant.place is None:
                where = None
            else:
                where = name_in(units.get(user.id) or grant.place, locale)
            logins.append(DemoLogin(phone, user.display_name, grant.role, where, with_password))
        if not user.grants:
            logins.append(DemoLogin(phone, user.display_name, Role.RESIDENT, "", with_password))
    return logins


def seed_demo_consultations(session: Session, settings: LegalSettings, *, now: datetime) -> int:
    """The demo resident's legal consultations, at their stages on the community advisers'
    queues (data.LEGAL_CONSULTATIONS); none when there are some already."""
    if session.scalar(select(Consultation.id).limit(1)) is not None:
        return 0
    resident = session.scalar(select(User).where(User.phone == data.PEOPLE[0][1]))
    topics = {topic.name_zh: topic for topic in session.scalars(select(LegalTopic))}
    added = 0
    for row in data.LEGAL_CONSULTATIONS:
        community_code, topic_zh, other_party, question, stage, days_ago = row
        community = session.scalar(select(Place).where(Place.code == community_code))
        if resident is None or community is None or topic_zh not in topics:
            continue
        asked_at = now - timedelta(days=days_ago, hours=1)
        made = Consultation(
            reference="L" + "".join(secrets.choice(ALPHABET) for _ in range(7)),
            user_id=resident.id, community_id=community.id, topic_id=topics[topic_zh].id,
            state=ConsultationState.WAITING, other_party=other_party, consented_at=asked_at,
            created_at=asked_at, asked_at=asked_at,
        )  # fmt: skip
        session.add(made)
        session.flush()
        session.add(ConsultationEntry(
            consultation_id=made.id, kind=EntryKind.QUESTION, author_id=resident.id,
            body=question, written_at=asked_at,
        ))  # fmt: skip
        session.flush()
        # Sent as the resident's side sends it: the deadline, the rotation, the adviser texted.
        asking.send(session, made, settings, asked_at)
        if stage != "waiting" and made.adviser is not None:
            answering.clear(session, made.adviser, made, now=asked_at + timedelta(hours=2))
        if stage in ("answered", "closed") and made.adviser is not None:
            body, citations = data.LEGAL_ANSWERS[topic_zh]
            answered_at = asked_at + timedelta(hours=5)
            answering.answer(session, made.adviser, made, body,
                             [answering.Citation(**each) for each in citations],
                             settings=settings, now=answered_at)  # fmt: skip
            if stage == "closed":
                made.state = ConsultationState.CLOSED
                made.rating = Rating.SATISFIED
                made.rated_at = made.closed_at = answered_at + timedelta(days=1)
                made.closed_because = ClosedBecause.RATED
                made.sweep_at = None
        added += 1
    session.flush()
    return added
