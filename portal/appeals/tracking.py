"""Tracking numbers: short enough to read aloud over the phone, and never reused.

A2611-7K3Q: "A" for appeal, the year and month it was filed (Shanghai time), then four
characters from an alphabet without 0/O and 1/I, which are easy to confuse when read out.
Four characters give about a million numbers a month; from the sixth draw for one report
(LONGER_AFTER unlucky ones) a fifth character is added, and the report's writer gives up
after TRACKING_DRAWS (10) draws in all rather than drawing for ever.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from portal.i18n import SHANGHAI

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
# Draws of four characters for one report before the numbers get a fifth.
LONGER_AFTER = 5


def _draw(now: datetime, length: int) -> str:
    month = now.astimezone(SHANGHAI).strftime("%y%m")
    tail = "".join(secrets.choice(ALPHABET) for _ in range(length))
    return f"A{month}-{tail}"


def draw_tracking_number(now: datetime, attempt: int) -> str:
    """A number for a report filed at `now`, at the `attempt`-th try (from 0): whether it is
    free is learnt by inserting it (the column is unique), which costs nothing more."""
    return _draw(now, 4 if attempt < LONGER_AFTER else 5)
