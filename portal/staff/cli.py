"""`flask --app portal users ...`: accounts for staff and the first administrator."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from portal.accounts.labels import ROLE_LABELS
from portal.audit.services import set_origin
from portal.db import db, utcnow
from portal.errors import DomainError
from portal.permissions import STAFF_ROLES, SYSTEM, Role
from portal.staff import services as staff


@click.group("users", help="Manage accounts.")
def users_cli() -> None:
    set_origin("cli")


@users_cli.command("create")
@click.option("--phone", required=True, help="Mainland mobile number; the sign-in name.")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--place", "place_code", default="", help="Code of the place the role is held on.")
@click.option("--name", "display_name", default="", help="The person's name.")
@click.option(
    "--password", envvar="PORTAL_NEW_PASSWORD", help="Staff only; asked for when not given."
)
@with_appcontext
def create_command(
    phone: str, role: str, place_code: str, display_name: str, password: str | None
) -> None:
    """Create an account (or add a role to an existing one).

    Example: flask --app portal users create --phone 13800138000 --role admin --name 王芳
    """
    role_value = Role(role)
    needs_password = role_value in STAFF_ROLES
    session = db.session
    now = utcnow()
    try:
        user = staff.find_user_by_phone(session, phone)
        if user is None:
            if needs_password and not password:
                password = click.prompt(
                    _("Password (at least 10 characters)"),
                    hide_input=True,
                    confirmation_prompt=True,
                )
            user = staff.create_user(
                session, SYSTEM, phone=phone, display_name=display_name,
                password=password if needs_password else None, now=now,
            )  # fmt: skip
            # The operator chose this password for themselves or will hand it over in person.
            user.must_change_password = False
        elif needs_password and not user.password_hash:
            raise click.UsageError(_("This account has no password yet; give one with --password."))
        if role_value != Role.RESIDENT:
            staff.grant_role(session, SYSTEM, user, role_value, place_code, now=now)
    except DomainError as error:
        session.rollback()
        raise click.ClickException(str(error.message)) from None
    session.commit()
    click.echo(
        _(
            "%(phone)s (%(name)s) now has the role %(role)s.",
            phone=user.phone,
            name=user.display_name or "-",
            role=ROLE_LABELS[role_value],
        )
    )
