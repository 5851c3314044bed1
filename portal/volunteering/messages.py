"""The SMS texts of volunteering, in both languages. Each Chinese text stays within about 60
characters: titles, places and reasons are shortened to fit, the full text is on the page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel.dates import format_skeleton, format_time
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from portal.i18n import DATE_LOCALES, SHANGHAI
from portal.notifications.messages import Template, register_template, sms_length
from portal.volunteering.timebank import hours_text

# The most of a title, a place or a reason one SMS carries.
TITLE_MAX, PLACE_MAX, REASON_MAX = 10, 12, 10
# A Chinese SMS is 70 characters; the gateway's signature (【明湖区网格服务】) takes up to 10.
CHINESE_ROOM = 60


def short(text: str, most: int) -> str:
    """`text` cut to `most` characters, with an ellipsis when it was longer."""
    text = " ".join(str(text).split())
    return text if len(text) <= most else text[: most - 1] + "…"


def when(starts_at: str) -> str:
    """The day with its weekday and the time: "12月8日周二 14:00" / "Tue 8 Dec 14:00"."""
    local = datetime.fromisoformat(starts_at).astimezone(SHANGHAI)
    locale = DATE_LOCALES[str(get_locale())]
    day = format_skeleton("MMMEd", local, locale=locale)
    return f"{day} {format_time(local, 'HH:mm', locale=locale)}"


def _seated(params: dict[str, Any]) -> str:
    return gettext(
        "You have a seat at %(title)s on %(when)s: you were next on the waiting list. Cancel "
        "on the portal if you cannot come.",
        title=short(params["title"], TITLE_MAX),
        when=when(params["starts_at"]),
    )


def _changed(params: dict[str, Any]) -> str:
    return gettext(
        "Activity changed: %(title)s is now on %(when)s at %(place)s.",
        title=short(params["title"], TITLE_MAX),
        when=when(params["starts_at"]),
        place=short(params["location"], PLACE_MAX),
    )


def _cancelled(params: dict[str, Any]) -> str:
    return gettext(
        "Activity cancelled: %(title)s on %(when)s. Reason: %(reason)s",
        title=short(params["title"], TITLE_MAX),
        when=when(params["starts_at"]),
        reason=short(params["reason"], REASON_MAX),
    )


def _reminder(params: dict[str, Any]) -> str:
    return gettext(
        "Volunteer reminder: %(title)s, %(when)s at %(place)s. Thank you!",
        title=short(params["title"], TITLE_MAX),
        when=when(params["starts_at"]),
        place=short(params["location"], PLACE_MAX),
    )


def _volunteer_approved(params: dict[str, Any]) -> str:
    # The address, not the community's long name: the resident knows where they applied, and
    # needs to know where to go next.
    return gettext(
        "Your application to volunteer is approved. Find activities to join: %(url)s",
        url=params["url"],
    )


def _volunteer_declined(params: dict[str, Any]) -> str:
    # The reason is on the resident's page, not in the SMS: it may be long, and a text is read
    # by whoever holds the phone.
    return gettext(
        "Your application to volunteer was not approved. Why, and how to apply again: %(url)s",
        url=params["url"],
    )


def _hours_donated(params: dict[str, Any]) -> str:
    return gettext(
        "Time bank: your stored hours are at the limit, so %(hours)s hours from your activity "
        "went to the community pool.",
        hours=hours_text(params["minutes"]),
    )


# Each kind: its text, and its name on the outbox's pages.
KINDS = {
    "volunteer_activity_seated": (_seated, _l("Volunteer activity: a seat from the waiting list")),
    "volunteer_activity_changed": (_changed, _l("Volunteer activity moved or changed place")),
    "volunteer_activity_cancelled": (_cancelled, _l("Volunteer activity cancelled")),
    "volunteer_activity_reminder": (_reminder, _l("Volunteer activity reminder, the day before")),
    "volunteer_approved": (_volunteer_approved, _l("Volunteer application approved")),
    "volunteer_declined": (_volunteer_declined, _l("Volunteer application declined")),
    "volunteer_hours_donated": (
        _hours_donated,
        _l("Volunteer hours over the time bank's limit, given to the pool"),
    ),
}

for _kind, (_text, _label) in KINDS.items():
    register_template(_kind, Template(_text), _label)


# --- the time bank's help for the elderly (help.py) ------------------------------------------

KIND_MAX = 6
# The most of a person's name one SMS carries.
NAME_MAX = 6


def _kind(params: dict[str, Any]) -> str:
    name = params["kind_zh"] if str(get_locale()).startswith("zh") else params["kind_en"]
    return short(name, KIND_MAX if str(get_locale()).startswith("zh") else 20)


def _help_matched(params: dict[str, Any]) -> str:
    # The whole address when it fits in one SMS (a cut one leads nowhere), else the link to
    # the volunteer's page of help to give, where it is whole; and for whom, by name.
    whole = gettext(
        "Time bank: please help %(elder)s with %(kind)s on %(when)s at %(place)s.",
        elder=short(params.get("elder", ""), NAME_MAX),
        kind=_kind(params),
        when=when(params["starts_at"]),
        place=" ".join(params["location"].split()),
    )
    if sms_length(whole) <= _room() or not params.get("url"):
        return whole
    return gettext(
        "Time bank: please help %(elder)s with %(kind)s on %(when)s. Where, and details: %(url)s",
        elder=short(params.get("elder", ""), NAME_MAX),
        kind=_kind(params),
        when=when(params["starts_at"]),
        url=params["url"],
    )


def _room() -> int:
    """How long one text may be: a Chinese one leaves room in its 70 characters for the
    gateway's signature; an English one is sent in Latin letters (160)."""
    return CHINESE_ROOM if str(get_locale()).startswith("zh") else 150


def _volunteer_coming(params: dict[str, Any]) -> str:
    # Told to the elder, and to whoever asked for them ("for": the elder's name). The
    # volunteer's name, not their phone: it is theirs; the community answers questions.
    values = {"name": short(params["volunteer"], NAME_MAX), "kind": _kind(params),
              "when": when(params["starts_at"])}  # fmt: skip
    if params.get("for", "").strip():
        return gettext(
            "Time bank: volunteer %(name)s will help %(elder)s with %(kind)s on %(when)s.",
            elder=short(params["for"], NAME_MAX),
            **values,
        )
    said = gettext(
        "Time bank: volunteer %(name)s will come to help you with %(kind)s on %(when)s.",
        **values,
    )
    return f"{said}{_call(params)}" if _chinese() else f"{said} {_call(params)}"


def _help_paid(params: dict[str, Any]) -> str:
    if params.get("over", "0") != "0":
        return gettext(
            "Thank you for helping on %(when)s: %(hours)s hours banked; %(over)s hours over "
            "your limit went to the community pool.",
            when=when(params["starts_at"]),
            hours=params["hours"],
            over=params["over"],
        )
    return gettext(
        "Thank you for helping on %(when)s: %(hours)s hours are in your time bank.",
        when=when(params["starts_at"]),
        hours=params["hours"],
    )


def _help_cancelled(params: dict[str, Any]) -> str:
    kind, starts = _kind(params), when(params["starts_at"])
    if not params["reason"].strip():
        # An older resident may cancel without saying why: no empty "Reason:" then.
        return gettext("Help cancelled: %(kind)s on %(when)s.", kind=kind, when=starts)
    return gettext(
        "Help cancelled: %(kind)s on %(when)s. Reason: %(reason)s",
        kind=kind,
        when=starts,
        reason=short(params["reason"], REASON_MAX),
    )


def _call(params: dict[str, Any]) -> str:
    """Whom to call with a question: the community, by its public number when it has one."""
    if params.get("phone", "").strip():
        return gettext("Questions: call the community on %(phone)s.", phone=params["phone"])
    return gettext("Call the community with any question.")


def _help_asked_for_you(params: dict[str, Any]) -> str:
    kind, starts = _kind(params), when(params["starts_at"])
    if not params.get("asker", "").strip():
        # Staff of the community asked: the community answers for it.
        said = gettext(
            "Time bank: your community asked for help for you: %(kind)s on %(when)s.",
            kind=kind,
            when=starts,
        )
    else:
        said = gettext(
            "Time bank: %(name)s asked for help for you: %(kind)s on %(when)s.",
            name=short(params["asker"], NAME_MAX),
            kind=kind,
            when=starts,
        )
    return f"{said}{_call(params)}" if _chinese() else f"{said} {_call(params)}"


def _chinese() -> bool:
    return str(get_locale()).startswith("zh")


HELP_KINDS = {
    "time_bank_help_asked_for_you": (
        _help_asked_for_you,
        _l("Time bank: help asked for an older resident on their behalf"),
    ),
    "time_bank_help_matched": (_help_matched, _l("Time bank: a volunteer asked to help")),
    "time_bank_help_volunteer_coming": (
        _volunteer_coming,
        _l("Time bank: the older resident told which volunteer comes"),
    ),
    "time_bank_help_paid": (_help_paid, _l("Time bank: hours paid for help given")),
    "time_bank_help_cancelled": (_help_cancelled, _l("Time bank: help cancelled")),
}

for _kind_name, (_text, _label) in HELP_KINDS.items():
    register_template(_kind_name, Template(_text), _label)


# --- the time bank's relatives and gifts (giving.py) -----------------------------------------


def _relative_confirmed(params: dict[str, Any]) -> str:
    return gettext(
        "Your relative %(name)s is confirmed: you can give them stored hours on the portal.",
        name=short(params["name"], NAME_MAX),
    )


def _relative_refused(params: dict[str, Any]) -> str:
    return gettext(
        "Your relative %(name)s was not confirmed. Reason: %(reason)s",
        name=short(params["name"], NAME_MAX),
        reason=short(params["reason"], REASON_MAX),
    )


def _hours_received(params: dict[str, Any]) -> str:
    return gettext(
        "%(name)s gave you %(hours)s hours of the time bank: %(url)s",
        name=short(params["name"], NAME_MAX),
        hours=params["hours"],
        url=params["url"],
    )


GIVING_KINDS = {
    "time_bank_relative_confirmed": (_relative_confirmed, _l("Time bank: a relative confirmed")),
    "time_bank_relative_refused": (_relative_refused, _l("Time bank: a relative not confirmed")),
    "time_bank_hours_received": (_hours_received, _l("Time bank: hours given by a relative")),
}

for _giving_kind, (_text, _label) in GIVING_KINDS.items():
    register_template(_giving_kind, Template(_text), _label)
