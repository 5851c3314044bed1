"""The limits on code SMS per client address and per building, so that nobody can make the
portal text numbers of their choosing: each view that asks for a code (codes.issue) counts
it here first, with the numbers of its Purpose.

The limits per number and per subject are the code service's own, in the database; these
are moving windows in portal.ratelimit (Redis when configured, shared by every process).
"""

from __future__ import annotations

from flask_babel import gettext as _

from portal import ratelimit
from portal.accounts.codes import Purpose


def refused_sending(purpose: Purpose, *, building: str | None = None) -> str | None:
    """Count one code of `purpose` asked for from this client address and, with `building`
    (its public code), for that building; the message to show when either limit is over,
    or None when the code may be sent."""
    attempts = [(f"code-{purpose.name}", purpose.per_address, None)]
    if building is not None and purpose.per_building is not None:
        attempts.append((f"code-{purpose.name}-building", purpose.per_building, building))
    refused = ratelimit.first_refused(attempts)
    if refused is None:
        return None
    if refused == 0:
        return _("Too many codes were asked for from here. Please try again in an hour.")
    return _(
        "Too many codes were asked for at this building. Please try again in an hour or call "
        "your community."
    )
