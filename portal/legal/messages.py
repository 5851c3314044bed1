"""The SMS texts of legal consultations, in both languages (each Chinese text within about 60
characters, so that with the gateway's signature it stays one SMS)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel.dates import format_skeleton, format_time
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from portal.i18n import DATE_LOCALES, SHANGHAI
from portal.notifications.messages import Template, register_template

# The adviser's and supervisor's side ------------------------------------------------------


def _due(params: dict[str, Any]) -> str:
    """The deadline with its weekday, short enough for one SMS: "12月8日周二 23:59"."""
    local = datetime.fromisoformat(params["due_at"]).astimezone(SHANGHAI)
    locale = DATE_LOCALES[str(get_locale())]
    day = format_skeleton("MMMEd", local, locale=locale)
    return f"{day} {format_time(local, 'HH:mm', locale=locale)}"


def _answered(params: dict[str, Any]) -> str:
    # The link carries the reference: the text stays short enough for one SMS.
    return gettext("Your legal question has an answer: %(url)s", url=params["url"])


def _assigned(params: dict[str, Any]) -> str:
    return gettext(
        "A legal question %(reference)s is waiting for you; answer by %(due)s.",
        reference=params["reference"], due=_due(params),
    )  # fmt: skip


def _due_soon(params: dict[str, Any]) -> str:
    return gettext(
        "Reminder: legal question %(reference)s is to be answered by %(due)s.",
        reference=params["reference"], due=_due(params),
    )  # fmt: skip


def _overdue(params: dict[str, Any]) -> str:
    return gettext(
        "Legal question %(reference)s of %(community)s passed its deadline unanswered. Please "
        "follow it up.",
        **params,
    )


def _unassigned(params: dict[str, Any]) -> str:
    return gettext(
        "Legal question %(reference)s of %(community)s has no adviser to answer it. Please "
        "assign one.",
        **params,
    )


STAFF_KINDS = {
    "legal_answered": (_answered, _l("Legal question answered, for the resident")),
    "legal_assigned": (_assigned, _l("Legal question given to an adviser")),
    "legal_due_soon": (_due_soon, _l("Legal question due tomorrow, for the adviser")),
    "legal_overdue": (_overdue, _l("Legal question overdue, for the supervisors")),
    "legal_unassigned": (_unassigned, _l("Legal question with no adviser, for the supervisors")),
}

for _kind, (_text, _label) in STAFF_KINDS.items():
    register_template(_kind, Template(_text), _label)
