"""`flask --app portal worker`: the background worker."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from portal.audit.services import set_origin
from portal.jobs.worker import Worker


@click.command("worker", help="Deliver SMS messages and run periodic jobs.")
@click.option("--once", is_flag=True, help="Do what is due now, then stop (for cron and tests).")
@with_appcontext
def worker_command(once: bool) -> None:
    set_origin("worker")
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    worker = Worker(current_app._get_current_object())  # type: ignore[attr-defined]
    if not once:
        worker.run_forever()
        return
    tally, jobs = worker.run_once()
    click.echo(
        _(
            "Messages sent: %(sent)d; to try again later: %(queued)d; failed: %(failed)d; "
            "expired: %(expired)d.",
            sent=tally["sent"] + tally["delivered"],
            queued=tally["queued"],
            failed=tally["failed"],
            expired=tally["expired"],
        )
    )
    for name, result in jobs.items():
        click.echo(_("Periodic job %(name)s: %(result)s.", name=name, result=result))
