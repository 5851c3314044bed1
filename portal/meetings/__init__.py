"""Meetings: 书记在线 (secretary online) and legal service days (遇8有约), on one booking engine.

slots.py turns a host's rules into free times (pure logic); booking.py books, moves, cancels
and marks meetings under the database's guarantees; models.py holds the rows.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing to register yet beyond the models (portal/models.py)."""
