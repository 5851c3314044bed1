"""The calendar every feature counts deadlines by, and the years administrators enter."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, select

from portal.audit.models import AuditEvent
from portal.errors import Forbidden, Invalid, NotFound
from portal.permissions import SYSTEM, Role
from portal.workdays import services as workdays
from portal.workdays.days import DayKind, Source
from portal.workdays.models import WorkdayEntry, WorkdayYear
from tests import factories
from tests.workdays.conftest import NATIONAL_DAY_2027

pytestmark = pytest.mark.usefixtures("app_context")
NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)


def end_of(day: date) -> datetime:
    """The last moment of `day` in Shanghai (UTC+8), in UTC."""
    return datetime(day.year, day.month, day.day, 15, 59, 59, 999999, tzinfo=UTC)


@contextmanager
def statements(session):
    """The SQL statements `session` runs inside the block."""
    seen: list[str] = []

    def count(_connection, _cursor, statement, *_args):
        seen.append(statement)

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", count)


def test_a_deadline_is_the_end_of_its_last_working_day_in_shanghai_in_utc(session):
    started = datetime(2026, 9, 29, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai
    due = workdays.due_after_working_days(session, started, 4)
    assert due == end_of(date(2026, 10, 10))  # the make-up Saturday after National Day
    assert due.tzinfo is UTC
    # 17:00 UTC on the 29th is already the 30th in Shanghai: one working day less to go.
    late = datetime(2026, 9, 29, 17, 0, tzinfo=UTC)
    assert workdays.due_after_working_days(session, late, 3) == end_of(date(2026, 10, 10))


def test_an_entered_year_is_used_in_one_query_a_call(session, admin):
    workdays.enter_year(session, admin, 2027, NATIONAL_DAY_2027, now=NOW)
    friday = datetime(2027, 9, 24, 2, 0, tzinfo=UTC)
    with statements(session) as seen:
        assert workdays.due_after_working_days(session, friday, 1) == end_of(date(2027, 9, 26))
        assert workdays.due_after_working_days(session, friday, 6) == end_of(date(2027, 10, 8))
    assert len(seen) == 2
    assert not workdays.is_working_day(session, date(2027, 10, 4))
    assert workdays.is_working_day(session, date(2027, 9, 26))
    assert workdays.working_days_between(session, date(2027, 9, 24), date(2027, 10, 11)) == 7


def test_without_the_year_entered_a_deadline_counts_monday_to_friday(session):
    friday = datetime(2027, 9, 24, 2, 0, tzinfo=UTC)
    assert workdays.due_after_working_days(session, friday, 5) == end_of(date(2027, 10, 1))
    assert workdays.is_working_day(session, date(2027, 10, 4))


def test_the_sources_of_years_and_the_years_nobody_knows(session, admin):
    workdays.enter_year(session, admin, 2027, NATIONAL_DAY_2027, now=NOW)
    assert workdays.year_sources(session, range(2026, 2031)) == {
        2026: Source.PACKAGE,
        2027: Source.ENTERED,
        2028: Source.WEEKENDS,
        2029: Source.WEEKENDS,
        2030: Source.WEEKENDS,
    }
    assert workdays.years_unknown(session, [2030, 2026, 2027, 2028]) == [2028, 2030]
    assert workdays.years_unknown(session, []) == []


def test_entering_a_year_again_replaces_all_of_it_and_the_log_keeps_both(session, admin):
    workdays.enter_year(session, admin, 2027, NATIONAL_DAY_2027, now=NOW)
    workdays.enter_year(session, admin, 2027, "2027-02-06..2027-02-12 春节", now=NOW)
    entered = session.scalars(select(WorkdayEntry).order_by(WorkdayEntry.day)).all()
    assert [(each.day.day, each.kind, each.name_zh) for each in entered] == [
        (day, DayKind.HOLIDAY, "春节") for day in range(6, 13)
    ]
    year = session.get(WorkdayYear, 2027)
    assert (year.entered_by_id, year.entered_at) == (admin.id, NOW)
    logged = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "workdays.enter_year").order_by(AuditEvent.id)
    ).all()
    assert [event.details for event in logged] == [
        {
            "year": 2027,
            "before": None,
            "after": "2027-09-26 补班 国庆节 National Day\n" + NATIONAL_DAY_2027.splitlines()[0],
        },
        {
            "year": 2027,
            "before": "2027-09-26 补班 国庆节 National Day\n" + NATIONAL_DAY_2027.splitlines()[0],
            "after": "2027-02-06..2027-02-12 春节",
        },
    ]
    assert {(event.actor_id, event.target_type, event.target_id) for event in logged} == {
        (admin.id, "workday_years", "2027")
    }


def test_an_entered_year_wins_over_the_package(session, admin):
    workdays.enter_year(session, admin, 2026, "2026-10-01..2026-10-08 国庆节", now=NOW)
    assert not workdays.is_working_day(session, date(2026, 10, 8))
    assert not workdays.is_working_day(session, date(2026, 10, 10))  # no make-up day entered
    assert workdays.year_sources(session, [2026]) == {2026: Source.ENTERED}


def test_wrong_lines_store_nothing(session, admin):
    with pytest.raises(Invalid, match=r"Line 2: there is no day 2027-02-30\."):
        workdays.enter_year(session, admin, 2027, "2027-10-01 国庆节\n2027-02-30 春节", now=NOW)
    assert session.scalar(select(WorkdayYear.year)) is None


def test_removing_an_entered_year_gives_it_back_to_the_package_or_the_weekends(session, admin):
    workdays.enter_year(session, admin, 2026, "2026-10-01..2026-10-08 国庆节", now=NOW)
    workdays.enter_year(session, admin, 2027, NATIONAL_DAY_2027, now=NOW)
    assert workdays.remove_year(session, admin, 2026, now=NOW) is Source.PACKAGE
    assert workdays.remove_year(session, admin, 2027, now=NOW) is Source.WEEKENDS
    assert session.scalar(select(WorkdayEntry.day)) is None
    assert workdays.is_working_day(session, date(2026, 10, 10))
    removed = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "workdays.remove_year").limit(1)
    )
    assert removed.details == {"year": 2026, "before": "2026-10-01..2026-10-08 国庆节"}
    with pytest.raises(NotFound, match=r"Nothing was entered for this year\."):
        workdays.remove_year(session, admin, 2027, now=NOW)


def test_only_administrators_keep_the_calendar(session, tree, admin, secretary):
    resident = factories.user(session, Role.RESIDENT)
    worker = factories.user(session, Role.GRID_WORKER, tree.grid)
    for outsider in (secretary, resident, worker):
        with pytest.raises(Forbidden):
            workdays.enter_year(session, outsider, 2027, NATIONAL_DAY_2027, now=NOW)
        with pytest.raises(Forbidden):
            workdays.year_arrangement(session, outsider, 2027)
        with pytest.raises(Forbidden):
            workdays.remove_year(session, outsider, 2027, now=NOW)
    portal_admin = factories.user(session, Role.ADMIN, None)
    workdays.enter_year(session, portal_admin, 2027, NATIONAL_DAY_2027, now=NOW)
    assert workdays.year_arrangement(session, admin, 2027).source is Source.ENTERED
    # The command line may too; it has no account.
    assert (
        workdays.enter_year(session, SYSTEM, 2028, "2028-01-01 元旦", now=NOW).entered_by_id is None
    )


def test_a_year_outside_the_calendar_is_not_found(session, admin):
    for year in (1999, 2100):
        with pytest.raises(NotFound):
            workdays.year_arrangement(session, admin, year)
        with pytest.raises(NotFound):
            workdays.enter_year(session, admin, year, f"{year}-10-01 国庆节", now=NOW)


def test_the_overview_shows_each_year_as_the_calendar_counts_it(session, admin):
    workdays.enter_year(session, admin, 2027, NATIONAL_DAY_2027, now=NOW)
    years = workdays.calendar_overview(session, admin, 2026)
    assert [(each.year, each.source) for each in years] == [
        (2026, Source.PACKAGE),
        (2027, Source.ENTERED),
        (2028, Source.WEEKENDS),
    ]
    assert (years[1].holidays, years[1].make_up_days) == (7, 1)
    assert years[1].entered.entered_by == admin
    assert (years[2].days, years[2].entered) == ([], None)
