"""`flask --app portal qr posters`: door posters of any area, or of the whole portal."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy import select

from portal.audit.services import set_origin
from portal.db import db
from portal.doors.posters import write_posters, write_svg_zip
from portal.doors.services import poster_facts
from portal.permissions import SYSTEM
from portal.places.models import Place


@click.group("qr", help="QR codes and door posters.")
def qr_cli() -> None:
    set_origin("cli")


@qr_cli.command("posters")
@click.option(
    "--place", "place_code", default="", help="Only the buildings of this place (default: all)."
)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "kind", type=click.Choice(["pdf", "zip"]), default="pdf",
              help="pdf: one A4 poster a page; zip: one SVG a building, for sign makers.")  # fmt: skip
@click.option(
    "--processes", type=int, default=lambda: os.cpu_count() or 1, show_default="all cores"
)
@with_appcontext
def posters_command(place_code: str, out: Path, kind: str, processes: int) -> None:
    """Print the door posters of every building in use, street by street, grid by grid."""
    place = None
    if place_code:
        place = db.session.scalar(select(Place).where(Place.code == place_code))
        if place is None:
            raise click.ClickException(
                _("There is no place with the code %(code)s.", code=place_code)
            )
    base_url = current_app.config["BASE_URL"]
    doors = poster_facts(db.session, SYSTEM, place)
    # End the transaction before drawing for a minute or more: on SQLite it would hold the
    # database's lock all that time.
    db.session.close()
    click.echo(
        _("%(count)d buildings; the codes lead to %(url)s", count=len(doors), url=f"{base_url}/b/…")
    )
    # Written aside and renamed at the end, so that a failed run leaves no half a file.
    partial = out.with_name(f".{out.name}.partial")
    try:
        with (
            click.progressbar(length=len(doors), label=_("Making posters")) as bar,
            partial.open("wb") as file,
        ):
            if kind == "pdf":
                write_posters(file, doors, base_url, processes=processes, progress=bar.update)
            else:
                write_svg_zip(file, doors, base_url, progress=bar.update)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    click.echo(_("Written to %(path)s.", path=str(out)))
