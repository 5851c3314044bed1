"""When an activity or a request for help happens, as residents read it: the day in words, in
Shanghai, said as "today" or "tomorrow" when it is, the year only when it is not this one, and
the 24-hour time ("今天（12月8日周二） 14:00–16:00" / "Tomorrow (Wed 9 Dec) 14:00–16:00").

The English is British, as on every other page (portal.i18n.DATE_LOCALES).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from babel.dates import format_skeleton, format_time
from flask_babel import gettext as _

from portal.i18n import DATE_LOCALES, SHANGHAI
from portal.web.templating import current_locale


def day_words(moment: datetime, now: datetime) -> str:
    """The day of `moment` in Shanghai: "今天（12月8日周二）", "12月9日周三", "2027年1月5日周二"."""
    locale = DATE_LOCALES[current_locale()]
    local, today = moment.astimezone(SHANGHAI), now.astimezone(SHANGHAI).date()
    skeleton = "MMMEd" if local.year == today.year else "yMMMEd"
    day = format_skeleton(skeleton, local, locale=locale)
    if local.date() == today:
        return _("Today (%(day)s)", day=day)
    if local.date() == today + timedelta(days=1):
        return _("Tomorrow (%(day)s)", day=day)
    return day


def clock_words(moment: datetime) -> str:
    """The time of day in Shanghai: "14:05"."""
    return format_time(moment.astimezone(SHANGHAI), "HH:mm", locale=DATE_LOCALES[current_locale()])


def when_words(starts_at: datetime, ends_at: datetime, now: datetime) -> str:
    """The day and the hours: "今天（12月8日周二） 14:00–16:00"."""
    span = f"{clock_words(starts_at)}–{clock_words(ends_at)}"
    if ends_at.astimezone(SHANGHAI).date() != starts_at.astimezone(SHANGHAI).date():
        span += " " + _("(the next day)")
    return f"{day_words(starts_at, now)} {span}"
