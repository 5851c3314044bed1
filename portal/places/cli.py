"""`flask --app portal places ...`: importing buildings from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy import select

from portal.audit.services import set_origin
from portal.db import db, utcnow
from portal.permissions import SYSTEM
from portal.places import services
from portal.places.csvio import ImportFailed
from portal.places.models import Place


@click.group("places", help="Manage places and buildings.")
def places_cli() -> None:
    set_origin("cli")


@places_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--place", "place_code", default="", help="Only accept buildings inside this place.")
@with_appcontext
def import_command(file: Path, place_code: str) -> None:
    """Add and update buildings from a CSV file (all rows, or none if any is wrong)."""
    session = db.session
    within = None
    if place_code:
        within = session.scalar(select(Place).where(Place.code == place_code))
        if within is None:
            raise click.ClickException(
                _("There is no place with the code %(code)s.", code=place_code)
            )
    data = file.read_bytes()
    rows = max(0, data.count(b"\n") - 1) or 1
    try:
        with click.progressbar(length=rows, label=_("Importing buildings")) as bar:
            summary = services.import_buildings(
                session, SYSTEM, data, within=within, now=utcnow(), progress=bar.update
            )
    except ImportFailed as failure:
        session.rollback()
        for problem in failure.errors:
            click.echo(
                _("Line %(line)d: %(message)s", line=problem.line, message=problem.message),
                err=True,
            )
        raise click.ClickException(
            _("Nothing was imported: %(count)d problems.", count=len(failure.errors))
        ) from None
    session.commit()
    click.echo(
        _(
            "Import finished: %(created)d buildings added, %(updated)d updated.",
            created=summary.created,
            updated=summary.updated,
        )
    )
