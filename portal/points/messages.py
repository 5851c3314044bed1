"""The SMS texts of grid points, in both languages. The Chinese text stays within 60
characters: the deed is shortened to fit, the full text is on the resident's points page."""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_skeleton
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from portal.i18n import DATE_LOCALES, ENGLISH, text_in
from portal.notifications.messages import Template, register_template, sms_length
from portal.points.accounts import points_text
from portal.points.awards import CREDITED_SMS
from portal.points.expiry import EXPIRING_SMS
from portal.points.orders import LAPSED_SMS, ORDERED_SMS
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


def _ordered(params: dict[str, Any]) -> str:
    # The code and the day always; the link to the order (its QR) when it fits, else to the
    # resident's orders; the reward's name in the room left, or not at all (the page has it).
    day = _day(params["day"])
    if str(get_locale()) == ENGLISH:
        return gettext("Points shop: %(name)s is yours. Show pick-up code %(code)s by "
                       "%(day)s: %(url)s", name=short(params["name_en"], 40),
                       code=params["code"], day=day, url=params["url"])  # fmt: skip
    for url in (params["url"], params.get("orders_url") or params["url"]):

        def named(name: str, url: str = url) -> str:
            return gettext("Pick-up code %(code)s: collect %(name)s by %(day)s. %(url)s",
                           code=params["code"], name=name, day=day, url=url)  # fmt: skip

        room = ORDER_ROOM - sms_length(named(""))
        if room >= 2:
            return named(short(params["name_zh"], room))
        bare = gettext("Pick-up code %(code)s: collect by %(day)s. %(url)s",
                       code=params["code"], day=day, url=url)  # fmt: skip
        if sms_length(bare) <= ORDER_ROOM:
            return bare
    return bare


def _lapsed(params: dict[str, Any]) -> str:
    name = text_in(str(get_locale()), params["name_zh"], params["name_en"])
    return gettext(
        "Points shop: %(name)s was not picked up in time, so the order is cancelled and your "
        "%(points)s points are back.",
        name=short(name, 40 if str(get_locale()) == ENGLISH else DEED_MAX),
        points=points_text(params["points"]),
    )


def _day(iso: str) -> str:
    """A day in words, without the year: "12月18日", "18 Dec"."""
    return format_skeleton("MMMd", date.fromisoformat(iso),
                           locale=DATE_LOCALES[str(get_locale())])  # fmt: skip


# A Chinese SMS keeps room for the gateway's signature (tests/notifications/test_messages.py).
ORDER_ROOM = 60

register_template(ORDERED_SMS, Template(_ordered, secrets=frozenset({"code"})),
                  _l("Points shop: pick-up code"))  # fmt: skip
register_template(LAPSED_SMS, Template(_lapsed), _l("Points shop: order not picked up"))


def _expiring(params: dict[str, Any]) -> str:
    return gettext(
        "Grid points: your %(points)s points lapse at midnight on 31 December. Please use them "
        "in the points shop before then.",
        points=points_text(params["points"]),
    )


register_template(EXPIRING_SMS, Template(_expiring), _l("Grid points about to lapse"))
