"""A district with a catalogue and one handler per level, and appeals filed through the
services the resident's form uses."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.appeals import appeal_settings, queues, services
from portal.appeals.models import Appeal, AppealEvent, EventKind
from portal.appeals.settings import AppealSettings
from portal.catalogue.models import CatalogueItem
from portal.catalogue.services import seed_catalogue
from portal.notifications.models import SmsMessage
from portal.permissions import Role
from portal.units.models import Unit, UnitMember
from tests import factories

RESIDENT = "13712345678"
NEIGHBOUR = "13698765432"
THIRD = "13611112222"
MINUTE = timedelta(minutes=1)


@dataclass
class Staff:
    grid_worker: User
    secretary: User
    officer: User
    district_officer: User
    other_grid_worker: User
    other_secretary: User


@pytest.fixture
def tree(session):
    made = factories.tree(session)
    seed_catalogue(session)
    session.commit()
    return made


@pytest.fixture
def staff(session, tree) -> Staff:
    made = Staff(
        factories.user(session, Role.GRID_WORKER, tree.grid, name="王网格"),
        factories.user(session, Role.SECRETARY, tree.community, name="陈书记"),
        factories.user(session, Role.OFFICER, tree.street, name="刘街道"),
        factories.user(session, Role.OFFICER, tree.district, name="区值班"),
        factories.user(session, Role.GRID_WORKER, tree.other_grid, name="别的网格员"),
        factories.user(session, Role.SECRETARY, tree.other_community, name="别的书记"),
    )
    session.commit()
    return made


@dataclass
class Department:
    unit: Unit
    member: User


@pytest.fixture
def department(session, tree) -> Department:
    """The district's housing bureau, with one officer working its queue."""
    unit = Unit(
        code="housing",
        place=tree.district,
        name_zh="区住房和建设局",
        name_en="District Housing Bureau",
        phone="0755-12345678",
    )
    # Its officer sits at another street: only the unit links them to this one.
    member = factories.user(session, Role.OFFICER, tree.other_street, name="住建科员")
    session.add_all([unit, UnitMember(unit=unit, user=member)])
    session.commit()
    return Department(unit, member)


@pytest.fixture
def settings(app) -> AppealSettings:
    """What the appeal services take from the configuration, as the app read it."""
    return appeal_settings(app)


def current_settings() -> AppealSettings:
    """The settings of the app whose context is pushed, for helpers that a test calls."""
    return appeal_settings(current_app)


def item(session: Session, code: str) -> CatalogueItem:
    return session.scalars(select(CatalogueItem).where(CatalogueItem.code == code)).one()


def level_one_item(session: Session) -> CatalogueItem:
    return session.scalars(
        select(CatalogueItem)
        .where(CatalogueItem.default_level == 1, CatalogueItem.handling == "general")
        .order_by(CatalogueItem.id)
    ).first()


def file_appeal(
    session: Session,
    building,
    now: datetime,
    *,
    item_id: int | None = None,
    phone: str = RESIDENT,
    confirm: bool = True,
    **fields,
) -> Appeal:
    """An appeal as the form files it and, unless told otherwise, confirmed by its code."""
    report = services.Report(
        item_id=item_id or level_one_item(session).id,
        description=fields.pop("description", "楼道里堆满了旧家具，老人过不去"),
        phone=phone,
        **fields,
    )
    appeal = services.submit(
        session,
        building.id,
        report,
        submission_key=secrets.token_hex(8),
        user=None,
        locale="zh_Hans_CN",
        now=now,
        settings=current_settings(),
    )
    if confirm:
        code = code_sent(session, phone)
        services.confirm(session, appeal, code, now=now, settings=current_settings())
    return appeal


def code_sent(session: Session, phone: str) -> str:
    body = session.scalars(
        select(SmsMessage.body)
        .where(SmsMessage.phone == phone, SmsMessage.kind == "appeal_code")
        .order_by(SmsMessage.id.desc())
    ).first()
    return re.search(r"\d{6}", body).group(0)


def messages(session: Session, kind: str, phone: str | None = None) -> list[SmsMessage]:
    query = select(SmsMessage).where(SmsMessage.kind == kind).order_by(SmsMessage.id)
    if phone:
        query = query.where(SmsMessage.phone == phone)
    return list(session.scalars(query))


def level_three(session, department=None):
    wages = item(session, "unpaid-wages")
    wages.unit = department.unit if department else None
    session.flush()
    return wages


def accepted(session, tree, staff, now, **fields):
    appeal = file_appeal(session, tree.building, now, **fields)
    services.accept(session, staff.grid_worker, appeal, now=now + MINUTE)
    return appeal


def resolved(session, tree, staff, now, **fields):
    appeal = file_appeal(session, tree.building, now, **fields)
    services.accept(session, staff.grid_worker, appeal, now=now + MINUTE)
    services.start(session, staff.grid_worker, appeal, now=now + 2 * MINUTE)
    services.resolve(
        session,
        staff.grid_worker,
        appeal,
        "已清理楼道",
        now=now + 3 * MINUTE,
        settings=current_settings(),
    )
    return appeal


def queue(session, actor, now, **wanted):
    filter_ = queues.QueueFilter(**wanted)
    return list(session.scalars(queues.queue_query(actor, filter_, now=now)))


def file_for(session, tree, worker, now, *, consent, building=None):
    report = services.Report(
        item_id=item(session, "rubbish-in-corridor").id, description="堆物", phone=RESIDENT
    )
    return services.submit(
        session, (building or tree.building).id, report, submission_key=f"for-{consent}", user=worker,
        locale="zh_Hans_CN", now=now, consent=consent,
     settings=current_settings())  # fmt: skip


def overdue_events(session, appeal) -> list[AppealEvent]:
    return list(
        session.scalars(
            select(AppealEvent).where(
                AppealEvent.appeal_id == appeal.id, AppealEvent.kind == EventKind.OVERDUE
            )
        )
    )
