"""The SMS texts of meetings, in both languages (each Chinese text within about 60
characters, so that with the gateway's signature it stays one SMS)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel.dates import format_skeleton, format_time
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from portal.i18n import DATE_LOCALES, text_in
from portal.meetings.slots import SHANGHAI
from portal.notifications.messages import Template, register_template


def _when(params: dict[str, Any]) -> str:
    """The day with its weekday and the time, short enough for one SMS: "12月8日周二 14:00"."""
    local = datetime.fromisoformat(params["starts_at"]).astimezone(SHANGHAI)
    # British English, as every page writes days: "Tue 8 Dec", not "Tue, Dec 8".
    locale = DATE_LOCALES[str(get_locale())]
    day = format_skeleton("MMMEd", local, locale=locale)
    return f"{day} {format_time(local, 'HH:mm', locale=locale)}"


def _request_new(params: dict[str, Any]) -> str:
    return gettext(
        "Secretary online: a resident of %(community)s asks to meet (%(reference)s). Please "
        "read it within 10 minutes.",
        **params,
    )


def _request_unseen(params: dict[str, Any]) -> str:
    return gettext(
        "Secretary online: request %(reference)s of %(community)s is unread after 10 minutes. "
        "Please read it now.",
        **params,
    )


def _request_unarranged(params: dict[str, Any]) -> str:
    return gettext(
        "Secretary online: request %(reference)s of %(community)s has no meeting after 30 "
        "minutes. Please follow it up.",
        **params,
    )


def _request_seen(params: dict[str, Any]) -> str:
    if params.get("phone"):
        return gettext(
            "%(host)s has read your request to meet and will arrange a time soon. Community "
            "phone: %(phone)s",
            **params,
        )
    return gettext("%(host)s has read your request to meet and will arrange a time soon.", **params)


def _booked(params: dict[str, Any]) -> str:
    if params["venue"] == "phone":
        return gettext(
            "%(host)s will call you on %(when)s. Details: %(url)s",
            host=params["host"], when=_when(params), url=params["url"],
        )  # fmt: skip
    return gettext(
        "You meet %(host)s at the community's service centre on %(when)s. Details: %(url)s",
        host=params["host"], when=_when(params), url=params["url"],
    )  # fmt: skip


def _cancelled(params: dict[str, Any]) -> str:
    return gettext(
        "Your meeting on %(when)s is cancelled: %(reason)s. Details: %(url)s",
        when=_when(params),
        reason=params["reason"],
        url=params["url"],
    )


def _moved(params: dict[str, Any]) -> str:
    return gettext(
        "Your meeting is moved to %(when)s. Details: %(url)s", when=_when(params), url=params["url"]
    )


def _place(params: dict[str, Any]) -> str:
    """The service centre's address in the reader's language (an English one if there is)."""
    return text_in(str(get_locale()), params["centre_zh"], params.get("centre_en", ""))


def _remind_day_before(params: dict[str, Any]) -> str:
    if params["venue"] == "phone":
        return gettext(
            "Meeting reminder: %(when)s, we will call you. Details: %(url)s",
            when=_when(params), url=params["url"],
        )  # fmt: skip
    return gettext(
        "Meeting reminder: %(when)s at %(place)s. Details: %(url)s",
        when=_when(params), place=_place(params), url=params["url"],
    )  # fmt: skip


def _remind_hour_before(params: dict[str, Any]) -> str:
    if params["venue"] == "phone":
        return gettext(
            "Your meeting is soon: %(when)s, we will call you. Details: %(url)s",
            when=_when(params), url=params["url"],
        )  # fmt: skip
    return gettext(
        "Your meeting is soon: %(when)s at %(place)s. Details: %(url)s",
        when=_when(params), place=_place(params), url=params["url"],
    )  # fmt: skip


def _moved_by_resident(params: dict[str, Any]) -> str:
    return gettext(
        "Meeting %(reference)s was moved by the resident from %(was)s to %(when)s.",
        reference=params["reference"], was=_when({"starts_at": params["was"]}), when=_when(params),
    )  # fmt: skip


def _cancelled_by_resident(params: dict[str, Any]) -> str:
    return gettext(
        "Meeting %(reference)s on %(when)s was cancelled by the resident: the time is free again.",
        reference=params["reference"], when=_when(params),
    )  # fmt: skip


# Each kind: its text, and its name on the outbox's pages.
KINDS = {
    "meeting_request_new": (_request_new, _l("Request to meet, for the secretary")),
    "meeting_request_unseen": (_request_unseen, _l("Request to meet not read, for deputies")),
    "meeting_request_unarranged": (
        _request_unarranged,
        _l("Request to meet not arranged, for the street"),
    ),
    "meeting_request_seen": (_request_seen, _l("Request to meet read")),
    "meeting_booked": (_booked, _l("Meeting booked")),
    "meeting_cancelled": (_cancelled, _l("Meeting cancelled")),
    "meeting_moved": (_moved, _l("Meeting moved")),
    "meeting_moved_by_resident": (
        _moved_by_resident,
        _l("Meeting moved by the resident, for the host"),
    ),
    "meeting_cancelled_by_resident": (
        _cancelled_by_resident,
        _l("Meeting cancelled by the resident, for the host"),
    ),
    "meeting_remind_day_before": (_remind_day_before, _l("Meeting reminder, the day before")),
    "meeting_remind_hour_before": (_remind_hour_before, _l("Meeting reminder, an hour before")),
}

for _kind, (_text, _label) in KINDS.items():
    register_template(_kind, Template(_text), _label)
