"""Languages: Simplified Chinese (the default) and English.

The command line follows LC_ALL / LC_MESSAGES / LANG. The locale of a request is, in order: the signed-in user's preference, the language cookie
set by the switch, the browser's Accept-Language, then Chinese. Browsers send tags such as
`zh-CN` or `en-US`, which are mapped here onto the two catalogues.
"""

from __future__ import annotations

import os
from datetime import date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from flask import has_request_context, request
from flask_login import current_user

# Every time is stored in UTC and shown, and every "today" is counted, in China's time.
SHANGHAI = ZoneInfo("Asia/Shanghai")

CHINESE = "zh_Hans_CN"
ENGLISH = "en"
LOCALES = (CHINESE, ENGLISH)
LANGUAGE_COOKIE = "portal_lang"
# The value of <html lang> and of the language switch's label, per locale.
HTML_LANG = {CHINESE: "zh-CN", ENGLISH: "en"}
LANGUAGE_NAMES = {CHINESE: "中文", ENGLISH: "English"}
# Dates are written in words, and the portal's English is British: "3 Dec 2026", not "12/3/26".
DATE_LOCALES = {CHINESE: Locale.parse(CHINESE), ENGLISH: Locale.parse("en_GB")}


def format_day(day: date | datetime, locale: str, zone: tzinfo) -> str:
    """A day as every page and SMS write it: "3 Dec 2026" / "2026年12月3日"."""
    if isinstance(day, datetime):
        day = day.astimezone(zone).date()
    return format_date(day, "medium", locale=DATE_LOCALES[locale])


def format_moment(moment: datetime, locale: str, zone: tzinfo) -> str:
    """A moment as every page and SMS write it, in `zone`: the day in words and the 24-hour
    time, "3 Dec 2026, 05:12" / "2026年12月3日 05:12"."""
    local = moment.astimezone(zone)
    pattern = DATE_LOCALES[locale].datetime_formats["medium"]
    return pattern.format(
        format_time(local, "HH:mm", locale=DATE_LOCALES[locale]), format_day(local, locale, zone)
    )


def text_in(locale: str, chinese: str, english: str) -> str:
    """The text for a reader of `locale`: the English one for an English reader when there is
    one, else the Chinese (every name has a Chinese form; an English one is optional)."""
    return english if locale == ENGLISH and english else chinese


def name_in(thing: Any, locale: str) -> str:
    """A place's, building's, unit's or catalogue entry's name (`name_zh`, `name_en`) for a
    reader of `locale`."""
    return text_in(locale, thing.name_zh, getattr(thing, "name_en", "") or "")


def locale_for_tag(tag: str | None) -> str | None:
    """Map a language tag (`zh-CN`, `zh_Hans_CN`, `zh`, `en-GB`, ...) to a supported locale."""
    if not tag:
        return None
    primary = tag.replace("_", "-").split("-", 1)[0].lower()
    if primary == "zh":
        return CHINESE
    if primary == "en":
        return ENGLISH
    return None


def terminal_locale() -> str:
    """The language of the command line: the POSIX variables, as other programs read them."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return locale_for_tag(value.split(".", 1)[0]) or CHINESE
    return CHINESE


def select_locale() -> str:
    """Choose the locale of the current request (Flask-Babel's locale selector)."""
    if not has_request_context():
        return terminal_locale()
    if current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    chosen = locale_for_tag(request.cookies.get(LANGUAGE_COOKIE))
    if chosen:
        return chosen
    for tag, _quality in request.accept_languages:
        chosen = locale_for_tag(tag)
        if chosen:
            return chosen
    return CHINESE
