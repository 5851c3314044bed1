"""How often the last four digits of an appeal's phone may be tried on its tracking page.

From one address, TRACKING_DIGITS_LIMIT_PER_ADDRESS over every appeal. For one appeal, from
anywhere, wrong tries slow the next ones down instead of locking the appeal: strangers holding
its number could otherwise keep its owner out. Five wrong tries a day are free; then each try
waits 1, 2, 4 … minutes, at most an hour, after the last wrong one. The owner can always sign
in with their phone instead, which no one else's tries affect.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _

from portal import ratelimit
from portal.web.templating import time_span

PER_APPEAL = ratelimit.Backoff("appeal-digits-appeal", free=5, first=60, longest=3600)


def refused(appeal_id: int) -> str | None:
    """Count a try from this address; the message that refuses it, or None when it is taken."""
    limit = current_app.config["TRACKING_DIGITS_LIMIT_PER_ADDRESS"]
    if not ratelimit.allow("appeal-digits", limit):
        wait = ratelimit.retry_after("appeal-digits", limit)
        return _("Too many tries from here. Please try again in %(wait)s.", wait=_span(wait))
    wait = PER_APPEAL.take(str(appeal_id))
    if wait:
        return _(
            "This number was tried wrongly many times. Please try again in %(wait)s, or sign "
            "in with your mobile number to see your report now.",
            wait=_span(wait),
        )
    return None


def wrong(appeal_id: int) -> None:
    """Count a wrong try at the appeal: the next from anywhere waits a little longer."""
    PER_APPEAL.failed(str(appeal_id))


def right(appeal_id: int) -> None:
    """The owner proved the digits: strangers' wrong tries no longer slow anyone down."""
    PER_APPEAL.forget(str(appeal_id))


def _span(seconds: int) -> str:
    # Rounded up to the minute: "1 minute" rather than "0 minutes" for a wait of seconds.
    return time_span(timedelta(minutes=-(-seconds // 60)))
