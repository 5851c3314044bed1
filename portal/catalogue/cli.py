"""`flask --app portal appeals seed-catalogue`: the starting catalogue of a new district (the
command keeps the name it was given when the catalogue was part of appeals)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from portal.audit.services import set_origin
from portal.catalogue.services import seed_catalogue
from portal.db import db


@click.group("appeals", help="Manage the appeal catalogue.")
def appeals_cli() -> None:
    set_origin("cli")


@appeals_cli.command("seed-catalogue")
@with_appcontext
def seed_catalogue_command() -> None:
    """Add the starting catalogue's groups and items that are missing (changes none)."""
    added = seed_catalogue(db.session)
    db.session.commit()
    click.echo(_("Added %(count)d kinds of problem to the catalogue.", count=added))
