"""`flask --app portal db ...`: the database schema."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from portal.audit.services import set_origin
from portal.db import db
from portal.migrations import upgrade


@click.group("db", help="Manage the database schema.")
def db_cli() -> None:
    set_origin("cli")


@db_cli.command("upgrade")
@with_appcontext
def upgrade_command() -> None:
    """Bring the database up to the newest schema (safe to run again)."""
    with db.engine.begin() as connection:
        # The app's configuration: migrations that seal data need its keys.
        upgrade(connection, app_config=current_app.config)
    click.echo(_("The database schema is up to date."))
