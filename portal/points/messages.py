"""The SMS texts of grid points, in both languages. The Chinese text stays within 60
characters: the deed is shortened to fit, the full text is on the resident's points page."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from portal.i18n import ENGLISH, text_in
from portal.notifications.messages import Template, register_template
from portal.points.accounts import points_text
from portal.points.awards import CREDITED_SMS
from portal.points.expiry import EXPIRING_SMS

# The most of a deed's name one SMS carries.
DEED_MAX = 12


def short(text: str, most: int) -> str:
    """`text` cut to `most` characters, with an ellipsis when it was longer."""
    text = " ".join(str(text).split())
    return text if len(text) <= most else text[: most - 1] + "…"


def _credited(params: dict[str, Any]) -> str:
    deed = text_in(str(get_locale()), params["deed_zh"], params["deed_en"])
    return gettext(
        "Grid points: %(points)s for %(deed)s are yours. You hold %(balance)s points.",
        points=points_text(params["points"]),
        deed=short(deed, 40 if str(get_locale()) == ENGLISH else DEED_MAX),
        balance=points_text(params["balance"]),
    )


register_template(CREDITED_SMS, Template(_credited), _l("Grid points credited"))


def _expiring(params: dict[str, Any]) -> str:
    return gettext(
        "Grid points: your %(points)s points lapse at midnight on 31 December. Please use them "
        "in the points shop before then.",
        points=points_text(params["points"]),
    )


register_template(EXPIRING_SMS, Template(_expiring), _l("Grid points about to lapse"))
