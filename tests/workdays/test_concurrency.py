"""Administrators entering the same year at the same moment, on SQLite and PostgreSQL: one
after the other, each replacing the whole year, never a mixture and never an error."""

from __future__ import annotations

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.db import db, utcnow
from portal.permissions import Role
from portal.workdays import services as workdays
from portal.workdays.arrangement import write_arrangement
from portal.workdays.days import Day
from portal.workdays.models import WorkdayEntry
from tests import factories
from tests.accounts.test_concurrency import app, outcomes, together  # noqa: F401 (app: a fixture)

# Four versions of 2027's National Day, each from a different administrator.
VERSIONS = [
    f"2027-10-01..2027-10-0{last} 国庆节 National Day\n2027-09-26 补班" for last in (4, 5, 6, 7)
]


def test_four_administrators_entering_a_year_at_once_replace_it_one_after_another(app):  # noqa: F811
    with app.app_context():
        admins = [factories.user(db.session, Role.ADMIN, None) for _version in VERSIONS]
        admin_ids = [admin.id for admin in admins]
        db.session.commit()

    def enter(index: int) -> None:
        admin = db.session.get(type(admins[0]), admin_ids[index])
        workdays.enter_year(db.session, admin, 2027, VERSIONS[index], now=utcnow())

    results = together(app, len(VERSIONS), enter)
    assert outcomes(results) == {"ok": len(VERSIONS)}
    with app.app_context():
        logged = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "workdays.enter_year")
            .order_by(AuditEvent.id)
        ).all()
        # Each saw the year as the one before left it.
        assert [event.details["before"] for event in logged] == [
            None,
            *(event.details["after"] for event in logged[:-1]),
        ]
        entered = db.session.scalars(select(WorkdayEntry).order_by(WorkdayEntry.day)).all()
        assert (
            write_arrangement(
                Day(each.day, each.kind, each.name_zh, each.name_en) for each in entered
            )
            == logged[-1].details["after"]
        )
