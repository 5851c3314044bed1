"""The SMS texts of meetings, in both languages (each Chinese text within about 60
characters, so that with the gateway's signature it stays one SMS)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import get_locale, gettext

from portal.i18n import format_moment, text_in
from portal.meetings.slots import SHANGHAI
from portal.notifications.messages import Template, register_template


def _when(params: dict[str, Any]) -> str:
    return format_moment(datetime.fromisoformat(params["starts_at"]), str(get_locale()), SHANGHAI)


def _where(params: dict[str, Any]) -> str:
    if params["venue"] == "phone":
        return gettext("by phone: we will call you")
    return text_in(str(get_locale()), params["centre_zh"], params.get("centre_en", ""))


def _request_new(params: dict[str, Any]) -> str:
    return gettext(
        "Secretary online: a resident of %(community)s asks to meet. Please see it within 10 "
        "minutes: %(url)s",
        **params,
    )


def _request_unseen(params: dict[str, Any]) -> str:
    return gettext(
        "Secretary online: a request of %(community)s has waited 10 minutes unseen. Please see "
        "it now: %(url)s",
        **params,
    )


def _request_unarranged(params: dict[str, Any]) -> str:
    return gettext(
        "Secretary online: a request of %(community)s has no meeting after 30 minutes. Please "
        "follow it up: %(url)s",
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
    return gettext(
        "Meeting with %(host)s on %(when)s, %(where)s. Confirm, change or cancel: %(url)s",
        host=params["host"],
        when=_when(params),
        where=_where(params),
        url=params["url"],
    )


def _cancelled(params: dict[str, Any]) -> str:
    return gettext(
        "Your meeting on %(when)s is cancelled: %(reason)s. Details: %(url)s",
        when=_when(params),
        reason=params["reason"],
        url=params["url"],
    )


def _moved(params: dict[str, Any]) -> str:
    return gettext(
        "Your meeting is moved to %(when)s, %(where)s. Details: %(url)s",
        when=_when(params),
        where=_where(params),
        url=params["url"],
    )


TEMPLATES = {
    "meeting_request_new": Template(_request_new),
    "meeting_request_unseen": Template(_request_unseen),
    "meeting_request_unarranged": Template(_request_unarranged),
    "meeting_request_seen": Template(_request_seen),
    "meeting_booked": Template(_booked),
    "meeting_cancelled": Template(_cancelled),
    "meeting_moved": Template(_moved),
}


def register() -> None:
    for kind, template in TEMPLATES.items():
        register_template(kind, template)
