"""The fast write of a resident's report: the appeal, its first timeline entry and, when it
waits for one, its SMS code and the SMS that sends it, with nothing read before (see
write_report). Kept in this one module so that the mechanism can be kept, tuned or replaced
by the unit of work without touching the rules around it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, bindparam, cast, exists, insert, literal, select
from sqlalchemy.orm import Session

from portal.accounts.models import PhoneCode
from portal.appeals.models import (
    Appeal,
    AppealEvent,
)
from portal.appeals.services.timeline import insert_event
from portal.catalogue.models import CatalogueItem
from portal.db import add_as_loaded, column_values, dialect_insert
from portal.errors import Invalid, NotFound
from portal.notifications.models import SmsMessage
from portal.notifications.services import queue_statement
from portal.places.models import Building

# Statements of the send, built once with their values as parameters (see db.py).
_BY_SUBMISSION_KEY = select(Appeal.id).where(Appeal.submission_key == bindparam("key"))


# The building (none: no such building) and the item's level (None: no such item in use).
_BUILDING_AND_ITEM = (
    select(Building.retired_at, CatalogueItem.default_level)
    .outerjoin(
        CatalogueItem,
        and_(CatalogueItem.id == bindparam("item"), CatalogueItem.retired_at.is_(None)),
    )
    .where(Building.id == bindparam("building"))
)


_INSERT_CODE = insert(PhoneCode)

# Tracking numbers drawn for one report before giving up (each a rare collision).
TRACKING_DRAWS = 10


def write_report(
    session: Session,
    appeal: Appeal,
    event: dict[str, Any],
    numbered: Callable[[int], tuple[dict[str, Any], dict[str, Any]] | None],
) -> Appeal | None:
    """Insert the new `appeal` with a free tracking number and its item's level, its first
    timeline `event` (as timeline.event_values gives it) and, when there is one, the code
    and its SMS that `numbered` returns; or, when a report with its submission key is there
    already (a second tap on Send), write nothing and return that one.

    `numbered(attempt)` (from 0) gives the appeal a tracking number and returns what goes
    with the number: the row of its SMS code (as accounts.codes.new_code gives it, its
    digest keyed on the number) and the SMS that sends it, or None. Written, the appeal has
    its id and level and is in the session as loaded; None is returned.

    The usual report is written with nothing read before: the appeal by an INSERT … SELECT
    that takes the level where the building and the item are in use, skips any conflict on
    a unique column and returns the new id. On PostgreSQL the event, the code and the SMS
    are inserted in the same statement, from the row it returns: one round trip where there
    were four, and under load each costs more in waiting than the statement in working.
    SQLite, which has no INSERT in a WITH, writes them after it.

    When nothing is written, the reason is looked up: a second tap (one sent while the
    first is still being saved waits for it at the unique index on PostgreSQL; SQLite
    writes one at a time), a building or item out of use (refused), or a tracking number
    drawn already (about once in a million: drawn again, TRACKING_DRAWS times at most).
    """
    if not isinstance(appeal.item_id, int):
        _refuse_unless_in_use(session, appeal.building_id, appeal.item_id)
    connection = session.connection()
    together = connection.dialect.name == "postgresql"
    for attempt in range(TRACKING_DRAWS):
        code, message = numbered(attempt) or ({}, {})
        values = column_values(appeal)
        if together:
            statement = _report_statement(tuple(values), tuple(event), tuple(code), tuple(message))
            parameters = {**_named("event_", event), **_named("code_", code)}
            inserted = connection.execute(
                statement, {**values, **parameters, **_named("sms_", message)}
            ).first()
        else:
            statement = _insert_appeal_statement(connection.dialect.name, tuple(values))
            inserted = connection.execute(statement, values).first()
        if inserted is not None:
            appeal.id, appeal.level = inserted
            add_as_loaded(session, appeal)
            if not together:
                insert_event(session, appeal, event)
                if code:
                    connection.execute(_INSERT_CODE, code)
                    insert_message(session, appeal, message)
            return None
        earlier_id = connection.scalar(_BY_SUBMISSION_KEY, {"key": appeal.submission_key})
        if earlier_id is not None:
            return session.get_one(Appeal, earlier_id)
        _refuse_unless_in_use(session, appeal.building_id, appeal.item_id)
    raise RuntimeError(f"no free tracking number after {TRACKING_DRAWS} draws")


def _refuse_unless_in_use(session: Session, building_id: int, item_id: Any) -> None:
    """Refuse a report about a building or an item that is not (or no longer) in use."""
    item = item_id if isinstance(item_id, int) else None
    found = (
        session.connection()
        .execute(_BUILDING_AND_ITEM, {"building": building_id, "item": item})
        .first()
    )
    if found is None:
        raise NotFound(_l("This building is not known."))
    retired_at, level = found
    if retired_at is not None:
        raise Invalid(_l("This building is no longer in use. Please contact your community."))
    if level is None:
        raise Invalid(_l("Choose what kind of problem it is."), field="item")


def _named(prefix: str, values: dict[str, Any] | None) -> dict[str, Any]:
    return {prefix + name: value for name, value in (values or {}).items()}


@cache
def _insert_appeal_statement(dialect: str, names: tuple[str, ...]) -> Any:
    # The report's values and its item's level, selected only where the building and the
    # item are in use. Any unique column may conflict: the submission key (a second tap) or
    # the tracking number (drawn already); either way nothing is written, and no row comes
    # back.
    table = Appeal.__table__
    # Inside a WITH, SQLAlchemy leaves out the columns' Python defaults: they are given here.
    defaults = [
        column.name
        for column in table.c
        if column.name not in (*names, "level") and column.default is not None
        and column.default.is_scalar
    ]  # fmt: skip
    report = select(
        *(bindparam(name, type_=table.c[name].type) for name in names),
        *(literal(table.c[name].default.arg, table.c[name].type) for name in defaults),
        CatalogueItem.default_level,
    ).where(
        CatalogueItem.id == bindparam("item_id"),
        CatalogueItem.retired_at.is_(None),
        exists().where(Building.id == bindparam("building_id"), Building.retired_at.is_(None)),
    )
    return (
        dialect_insert(dialect)(table)
        .from_select([*names, *defaults, "level"], report)
        .on_conflict_do_nothing()
        .returning(table.c.id, table.c.level)
    )


@cache
def _report_statement(
    names: tuple[str, ...],
    event_names: tuple[str, ...],
    code_names: tuple[str, ...],
    message_names: tuple[str, ...],
) -> Any:
    """PostgreSQL's one statement for a report: the appeal's INSERT … SELECT, and for the
    row it returns (none when it wrote nothing) its event and, with `code_names`, its SMS
    code and the SMS that sends it, whose cause is the new appeal. Their values come as
    event_<column>, code_<column> and sms_<column>."""
    appeal = _insert_appeal_statement("postgresql", names).cte("appeal")
    event = {"appeal_id": appeal.c.id, "level": appeal.c.level}
    written = select(appeal.c.id, appeal.c.level).add_cte(
        _insert_from(AppealEvent.__table__, "event_", event_names, event, appeal)
    )
    if code_names:
        cause = {"cause": literal("appeals:", String) + cast(appeal.c.id, String)}
        written = written.add_cte(
            _insert_from(PhoneCode.__table__, "code_", code_names, {}, appeal),
            _insert_from(SmsMessage.__table__, "sms_", message_names, cause, appeal),
        )
    return written


def _insert_from(
    table: Any, prefix: str, names: tuple[str, ...], taken: dict[str, Any], source: Any
) -> Any:
    """A WITH's INSERT into `table`, one row for each row of `source`: its columns `names`
    from parameters named <prefix><name>, and the columns in `taken` from `source`."""
    given = [name for name in names if name not in taken]
    rows = select(
        *(bindparam(prefix + name, type_=table.c[name].type) for name in given), *taken.values()
    ).select_from(source)
    return insert(table).from_select([*given, *taken], rows).cte(f"{prefix}row")


def insert_message(session: Session, appeal: Appeal, message: dict[str, Any]) -> None:
    """Queue an SMS whose cause is `appeal` (values as message_values gives them)."""
    dialect = session.get_bind().dialect.name
    session.execute(queue_statement(dialect), {**message, "cause": f"appeals:{appeal.id}"})
