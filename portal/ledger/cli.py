"""`flask --app portal ledger check`: does every kept balance equal the sum of its movements,
and does every transfer add up to zero?"""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from portal.db import db
from portal.ledger import services as ledger


@click.group("ledger")
def ledger_cli() -> None:
    """The ledger of time-bank hours and grid points."""


@ledger_cli.command("check")
@with_appcontext
def check_command() -> None:
    """Sum the ledger: list accounts whose balance is not the sum of their movements, and
    transfers that do not add up to zero; exit 1 if there are any."""
    wrong = ledger.mismatches(db.session)
    unbalanced = ledger.unbalanced_transfers(db.session)
    accounts = len(ledger.recompute(db.session))
    db.session.rollback()
    for mismatch in wrong:
        click.echo(
            _(
                "Account %(id)d (%(kind)s, %(unit)s) keeps %(kept)d but its movements add up to %(summed)d.",
                id=mismatch.account_id,
                kind=mismatch.kind.value,
                unit=mismatch.unit.value,
                kept=mismatch.kept,
                summed=mismatch.summed,
            )
        )
    for transfer_id in unbalanced:
        click.echo(_("Transfer %(id)d does not add up to zero.", id=transfer_id))
    if wrong or unbalanced:
        raise SystemExit(1)
    click.echo(_("The ledger adds up: %(count)d accounts checked.", count=accounts))
