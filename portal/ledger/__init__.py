"""The ledger (账本): hours of the time bank and grid points as append-only double entries.

A shared service with no knowledge of volunteering or points: features open accounts and post
transfers through portal.ledger.services (`account`, `post`, `reverse`, `balance`, `history`);
rules.py holds the arithmetic; `flask --app portal ledger check` sums the ledger, and the
worker does the same every night, logging an error if it does not add up.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    from portal.jobs.registry import register
    from portal.ledger import cli

    app.cli.add_command(cli.ledger_cli)
    register(app, "ledger.check", timedelta(days=1), check)


def check(session: Session, _now: datetime) -> bool:
    """Sum the ledger; log an error naming what does not add up. True when all is well."""
    from portal.ledger import services as ledger

    wrong = ledger.mismatches(session)
    unbalanced = ledger.unbalanced_transfers(session)
    if wrong or unbalanced:
        log.error(
            "ledger: %d accounts do not match their movements (%s); %d transfers do not add "
            "up to zero (%s)", len(wrong), [each.account_id for each in wrong][:20],
            len(unbalanced), unbalanced[:20],
        )  # fmt: skip
    return not (wrong or unbalanced)
