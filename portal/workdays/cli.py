"""`flask --app portal workdays ...`: how the calendar counts a year, and entering one from a
file (the administrators' page does the same)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from portal.audit.services import set_origin
from portal.db import db, utcnow
from portal.errors import DomainError
from portal.permissions import SYSTEM
from portal.workdays import services as workdays
from portal.workdays.arrangement import write_arrangement
from portal.workdays.days import Source
from portal.workdays.labels import SOURCE_LABELS


@click.group("workdays", help="The working-day calendar: holidays and make-up working days.")
def workdays_cli() -> None:
    set_origin("cli")


@workdays_cli.command("show")
@click.argument("year", type=int)
@with_appcontext
def show_command(year: int) -> None:
    """Say where the working days of YEAR come from, and list its days off and make-up days."""
    try:
        arrangement = workdays.year_arrangement(db.session, SYSTEM, year)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"{year}: {SOURCE_LABELS[arrangement.source]}")
    if arrangement.source is Source.WEEKENDS:
        click.echo(_unknown_year_warning(year))
    else:
        click.echo(write_arrangement(arrangement.days))


@workdays_cli.command("enter")
@click.argument("year", type=int)
@click.argument("lines", type=click.File(encoding="utf-8"))
@with_appcontext
def enter_command(year: int, lines: click.utils.LazyFile) -> None:
    """Make the days listed in the file LINES (one line each, as on the administrators'
    page; - reads them from standard input) the arrangement of YEAR."""
    try:
        entered = workdays.enter_year(db.session, SYSTEM, year, lines.read(), now=utcnow())
    except DomainError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(
        _("The days of %(year)d are saved: %(count)d in all.", year=year, count=len(entered.days))
    )


def _unknown_year_warning(year: int) -> str:
    return _(
        "The holidays of %(year)d have not been entered yet: working days are counted as Monday to Friday for now.",
        year=year,
    )
