"""`flask --app portal timebank apply-cap`: bring the time bank's accounts already open to the
cap the district configured (TIME_BANK_CAP_HOURS), which new accounts take when they open."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import ngettext

from portal.audit.services import set_origin
from portal.db import db, utcnow
from portal.permissions import SYSTEM
from portal.volunteering import timebank


@click.group("timebank")
def timebank_cli() -> None:
    """The time bank of volunteer hours."""
    set_origin("cli")


@timebank_cli.command("apply-cap")
@click.option(
    "--batch", default=500, show_default=True, type=click.IntRange(1, 5000),
    help="Accounts changed in one transaction.",
)  # fmt: skip
@with_appcontext
def apply_cap_command(batch: int) -> None:
    """Give every person's time-bank account the configured cap (TIME_BANK_CAP_HOURS), in
    batches, each batch committed on its own; print how many accounts changed.

    Hours are never taken away. An account that already holds more than the new cap keeps
    them all and is capped at what it holds, so that it receives nothing more (confirmed hours
    beyond it go to the community's pool, as for any account at its cap); it may spend as
    before. Run the command again later: each run lowers those caps to what the accounts then
    hold, until they reach the configured cap.
    """
    rules = current_app.extensions[timebank.RULES]
    changed = held_above = 0
    after_id = 0
    while True:
        done = timebank.apply_cap(
            db.session, SYSTEM, rules, after_id=after_id, batch=batch, now=utcnow()
        )
        db.session.commit()
        if done.last_id is None:
            break
        changed += done.changed
        held_above += done.held_above
        after_id = done.last_id
    hours = timebank.hours_text(rules.cap_minutes)
    click.echo(ngettext(
        "%(num)d account changed; the cap is %(hours)s hours.",
        "%(num)d accounts changed; the cap is %(hours)s hours.",
        changed, hours=hours,
    ))  # fmt: skip
    if held_above:
        click.echo(ngettext(
            "%(num)d account holds more than that: it keeps its hours, capped at what it "
            "holds, and receives nothing more until it is under. Run this again later.",
            "%(num)d accounts hold more than that: they keep their hours, capped at what they "
            "hold, and receive nothing more until they are under. Run this again later.",
            held_above,
        ))  # fmt: skip
