"""`flask --app portal demo seed`: a demo district to try the portal with."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from portal.accounts.labels import ROLE_LABELS
from portal.audit.services import set_origin
from portal.catalogue.services import seed_catalogue
from portal.db import db, utcnow
from portal.demo.services import demo_logins, has_places, seed_demo, seed_demo_units


@click.group("demo", help="The demo district.")
def demo_cli() -> None:
    set_origin("cli")


@demo_cli.command("seed")
@with_appcontext
def seed_command() -> None:
    """Fill an empty database with the demo district, then print the demo log-ins."""
    session = db.session
    if has_places(session):
        click.echo(_("The database already has places; the demo district was not added again."))
    elif current_app.config["ENV_NAME"] == "production":
        raise click.ClickException(_("The demo district is not added in production."))
    else:
        seed_demo(session, now=utcnow())
        session.commit()
        click.echo(_("Added the demo district with its buildings and one account per role."))
    added = seed_catalogue(session)
    seed_demo_units(session)
    session.commit()
    if added:
        click.echo(_("Added %(count)d kinds of problem to the catalogue.", count=added))
    rows = demo_logins(session)
    if rows:
        click.echo("\n" + _("Demo log-ins (residents at /sign-in, staff at /staff/sign-in):"))
        for role, phone, name, how in rows:
            # Chinese text is two columns wide in a terminal: the fixed-width parts go first.
            click.echo(f"  {phone}  {how}  {name}（{ROLE_LABELS[role]}）")
    click.echo("\n" + _("The portal: %(url)s", url=current_app.config["BASE_URL"]))
