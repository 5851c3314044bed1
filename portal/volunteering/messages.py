"""The SMS texts of volunteering, in both languages (each Chinese text within 60 characters,
so that with the gateway's signature it stays one SMS)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from portal.notifications.messages import Template, register_template


def hours_text(minutes: int) -> str:
    """Minutes as hours in half hours: 90 → "1.5", 120 → "2"."""
    whole, half = divmod(int(minutes), 60)
    return f"{whole}.5" if half >= 30 else str(whole)


def _hours_donated(params: dict[str, Any]) -> str:
    return gettext(
        "Time bank: your stored hours are at the limit, so %(hours)s hours from your activity "
        "went to the community pool.",
        hours=hours_text(params["minutes"]),
    )


# Each kind: its text, and its name on the outbox's pages.
ATTENDANCE_KINDS = {
    "volunteering_hours_donated": (
        _hours_donated,
        _l("Volunteer hours over the time bank's limit, given to the pool"),
    ),
}

for _kind, (_text, _label) in ATTENDANCE_KINDS.items():
    register_template(_kind, Template(_text), _label)
