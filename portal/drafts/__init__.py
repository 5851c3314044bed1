"""Form drafts (a shared service): the answers of a form that takes several screens, kept on
the server for a day under a random key the browser's session remembers.

A form that moves between its screens by POST-redirect-GET keeps each screen's answers here,
so that switching language, the browser's Back, a dropped connection or a phone put away for
an hour costs the person nothing they typed; nothing personal ever goes into a URL. See
services.py for the rows and web.py for the browser's side.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.accounts.sessions import carry_over
    from portal.drafts import services
    from portal.drafts.web import SESSION_KEY
    from portal.jobs.registry import register

    register(app, "drafts.purge", timedelta(hours=1), services.purge)
    # A resident who signs in halfway through a form goes on with it.
    carry_over(app, SESSION_KEY)
