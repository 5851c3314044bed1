"""Tracking numbers: short enough to read aloud over the phone, and never reused.

A2611-7K3Q: "A" for appeal, the year and month it was filed (Shanghai time), then four
characters from an alphabet without 0/O and 1/I, which are easy to confuse when read out.
Four characters give about a million numbers a month; past 5 unlucky draws the fifth
character is added rather than drawing for ever.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from portal.appeals.models import Appeal

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _draw(now: datetime, length: int) -> str:
    month = now.astimezone(SHANGHAI).strftime("%y%m")
    tail = "".join(secrets.choice(ALPHABET) for _ in range(length))
    return f"A{month}-{tail}"


_TAKEN = select(Appeal.id).where(Appeal.tracking == bindparam("number"))


def new_tracking_number(session: Session, now: datetime) -> str:
    for attempt in range(10):
        number = _draw(now, 4 if attempt < 5 else 5)
        if session.scalar(_TAKEN, {"number": number}) is None:
            return number
    raise RuntimeError("no free tracking number after 10 draws")
