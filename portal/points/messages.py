"""The SMS texts of grid points, in both languages. The Chinese text stays within 60
characters: the deed is shortened to fit, the full text is on the resident's points page."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from portal.i18n import ENGLISH, text_in
from portal.notifications.messages import Template, register_template, sms_length
from portal.points.accounts import points_text
from portal.points.awards import CREDITED_SMS
from portal.points.rewards import RESTOCKED_SMS

# The most of a deed's name one SMS carries.
DEED_MAX = 12
# A Chinese text leaves the rest of its 70 characters to the gateway's signature; an English
# one is sent in Latin letters (160).
CHINESE_ROOM, ENGLISH_ROOM = 60, 150


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


def _restocked(params: dict[str, Any]) -> str:
    # The link must stay whole (a cut one leads nowhere): the reward's name takes what room is
    # left, and is left out when too little is.
    english = str(get_locale()) == ENGLISH
    room = ENGLISH_ROOM if english else CHINESE_ROOM
    name = text_in(str(get_locale()), params["reward_zh"], params["reward_en"])
    for most in (len(name), *range(min(len(name), 40) - 1, 2, -1)):
        text = gettext(
            "Points shop: %(reward)s is back in stock. Order it here: %(url)s",
            reward=short(name, most), url=params["url"],
        )  # fmt: skip
        if sms_length(text) <= room:
            return text
    return gettext("Points shop: a reward you asked about is back in stock: %(url)s",
                   url=params["url"])  # fmt: skip


register_template(RESTOCKED_SMS, Template(_restocked), _l("A reward is back in stock"))
