"""The ledger (账本): hours of the time bank and grid points as append-only double entries.

A shared service with no knowledge of volunteering or points: features open accounts and post
transfers through portal.ledger.services (`account`, `post`, `reverse`, `balance`, `history`);
rules.py holds the arithmetic; `flask --app portal ledger check` sums the ledger.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.ledger import cli

    app.cli.add_command(cli.ledger_cli)
