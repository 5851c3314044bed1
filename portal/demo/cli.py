"""`flask --app portal demo seed`: a demo district to try the portal with."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from portal import archives, legal
from portal.accounts.labels import ROLE_LABELS
from portal.archives.identity import key_from
from portal.audit.services import set_origin
from portal.catalogue.services import seed_catalogue
from portal.db import db, utcnow
from portal.demo.archives import seed_demo_archives
from portal.demo.data import STAFF_PASSWORD
from portal.demo.legal_faq import seed_demo_faqs
from portal.demo.services import (
    DemoLogin,
    demo_logins,
    has_places,
    seed_demo,
    seed_demo_consultations,
    seed_demo_points_rules,
    seed_demo_rewards,
    seed_demo_schedules,
    seed_demo_units,
    seed_demo_volunteers,
)
from portal.i18n import terminal_locale
from portal.uploads.web import store


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
        click.echo(
            _(
                "Added the demo district with its buildings, a grid worker for every grid, "
                "a secretary and a deputy secretary for every community and one account for "
                "each other role."
            )
        )
    added = seed_catalogue(session)
    seed_demo_units(session)
    seed_demo_schedules(session, now=utcnow())
    seed_demo_volunteers(session, now=utcnow())
    seed_demo_points_rules(session, now=utcnow())
    seed_demo_rewards(session, now=utcnow())
    seed_demo_consultations(session, current_app.extensions[legal.SETTINGS], now=utcnow())
    seed_demo_faqs(session, now=utcnow())
    seed_demo_archives(session, store(), current_app.extensions[archives.SETTINGS],
                       seal_key=key_from(current_app.config), now=utcnow())  # fmt: skip
    session.commit()
    if added:
        click.echo(_("Added %(count)d kinds of problem to the catalogue.", count=added))
    logins = demo_logins(session, terminal_locale())
    if logins:
        click.echo("\n" + _("Demo log-ins (in development, SMS codes are shown at /dev/messages):"))
    for login in logins:
        click.echo(f"  {login.phone}  {_how(login)}  {_who(login)}")
    click.echo("\n" + _("The portal: %(url)s", url=current_app.config["BASE_URL"]))


def _how(login: DemoLogin) -> str:
    if login.with_password:
        return _("password %(password)s at /staff/sign-in", password=STAFF_PASSWORD)
    return _("SMS code at /sign-in")


def _who(login: DemoLogin) -> str:
    # Chinese text is two columns wide in a terminal: the fixed-width parts go first.
    role = ROLE_LABELS[login.role]
    if login.where == "":
        return _("%(name)s (%(role)s)", name=login.name, role=role)
    where = _("whole portal") if login.where is None else login.where
    return _("%(name)s (%(role)s, %(where)s)", name=login.name, role=role, where=where)
