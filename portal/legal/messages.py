"""The SMS texts of legal consultations, in both languages (each Chinese text within about 60
characters, so that with the gateway's signature it stays one SMS)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from babel.dates import format_skeleton, format_time
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from portal.i18n import DATE_LOCALES, SHANGHAI, text_in
from portal.notifications.messages import Template, register_template

# The resident's side --------------------------------------------------------------------------
# The adviser is told of a new consultation and of a follow-up (never what it says: only its
# reference, its topic and when the answer is due); a minor's guardian is sent the code that
# lets the question go.

CONSULTATION_NEW_SMS = "legal_consultation_new"
FOLLOW_UP_SMS = "legal_follow_up"
GUARDIAN_CODE_SMS = "legal_guardian_code"


def _due_day(params: dict[str, Any]) -> str:
    """The day an answer is due, short: "12月8日", "8 Dec"."""
    return format_skeleton(
        "MMMd", date.fromisoformat(params["due"]), locale=DATE_LOCALES[str(get_locale())]
    )


# Topics are the administrators' words; a long one is cut so that the text stays one SMS.
TOPIC_ROOM = 10


def _topic(params: dict[str, Any]) -> str:
    name = text_in(str(get_locale()), params["topic_zh"], params.get("topic_en", ""))
    if str(get_locale()) != "en" and len(name) > TOPIC_ROOM:
        return name[: TOPIC_ROOM - 1] + "…"
    return name


def _consultation_new(params: dict[str, Any]) -> str:
    return gettext(
        "Legal consultation %(reference)s (%(topic)s) is yours to answer by %(due)s. Please "
        "check for a conflict first.",
        reference=params["reference"], topic=_topic(params), due=_due_day(params),
    )  # fmt: skip


def _follow_up(params: dict[str, Any]) -> str:
    return gettext(
        "The resident followed up legal consultation %(reference)s. Please answer by %(due)s.",
        reference=params["reference"], due=_due_day(params),
    )  # fmt: skip


def _guardian_code(params: dict[str, Any]) -> str:
    return gettext(
        "Code %(code)s: your child wants to ask a lawyer a question online. If you agree, "
        "give them this code. Valid for %(minutes)d minutes.",
        code=params["code"], minutes=params["minutes"],
    )  # fmt: skip


register_template(CONSULTATION_NEW_SMS, Template(_consultation_new),
                  _l("Legal consultation, for the adviser"))  # fmt: skip
register_template(FOLLOW_UP_SMS, Template(_follow_up),
                  _l("Legal consultation followed up, for the adviser"))  # fmt: skip
register_template(GUARDIAN_CODE_SMS, Template(_guardian_code, secrets=frozenset({"code"})),
                  _l("Legal consultation: the guardian's code"))  # fmt: skip


# The adviser's and supervisor's side ----------------------------------------------------------
# The resident is texted a link when an answer arrives; an adviser given a consultation by a
# conflict's pass-on or a supervisor is texted as for a new one (CONSULTATION_NEW_SMS above);
# the sweep reminds the adviser a day before the deadline, and tells the supervisors when it
# passes or when nobody could take a consultation.

ANSWERED_SMS = "legal_answered"
DUE_SOON_SMS = "legal_due_soon"
OVERDUE_SMS = "legal_overdue"
UNASSIGNED_SMS = "legal_unassigned"


def _due(params: dict[str, Any]) -> str:
    """The deadline with its weekday, short enough for one SMS: "12月8日周二 23:59"."""
    local = datetime.fromisoformat(params["due_at"]).astimezone(SHANGHAI)
    locale = DATE_LOCALES[str(get_locale())]
    day = format_skeleton("MMMEd", local, locale=locale)
    return f"{day} {format_time(local, 'HH:mm', locale=locale)}"


def _answered(params: dict[str, Any]) -> str:
    # The link carries the reference: the text stays short enough for one SMS.
    return gettext("Your legal question has an answer: %(url)s", url=params["url"])


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
    ANSWERED_SMS: (_answered, _l("Legal question answered, for the resident")),
    DUE_SOON_SMS: (_due_soon, _l("Legal question due tomorrow, for the adviser")),
    OVERDUE_SMS: (_overdue, _l("Legal question overdue, for the supervisors")),
    UNASSIGNED_SMS: (_unassigned, _l("Legal question with no adviser, for the supervisors")),
}

for _kind, (_text, _label) in STAFF_KINDS.items():
    register_template(_kind, Template(_text), _label)
# Public questions and answers ---------------------------------------------------------------


def _faq_consent(params: dict[str, Any]) -> str:
    # The link carries the consent page's token; the page asks for a code before anything.
    return gettext(
        "May we publish your legal question without your name, to help others? See: %(url)s",
        url=params["url"],
    )


def _faq_code(params: dict[str, Any]) -> str:
    return gettext(
        "Code %(code)s, valid for %(minutes)d minutes, to answer about publishing your legal "
        "question. Never tell it to anyone.",
        code=params["code"],
        minutes=params["minutes"],
    )


def _faq_consented(params: dict[str, Any]) -> str:
    return gettext(
        "The resident agreed to publish consultation %(reference)s. Please write the "
        "anonymised text: %(url)s",
        reference=params["reference"],
        url=params["url"],
    )


register_template(
    "legal_faq_consented",
    Template(_faq_consented),
    _l("A resident agreed to publish a legal question, for the adviser"),
)
register_template(
    "legal_faq_consent",
    # The link opens the page where the resident decides: it must not stay in the outbox.
    Template(_faq_consent, secrets=frozenset({"url"})),
    _l("May we publish a legal question, for the resident"),
)
register_template(
    "legal_faq_code",
    Template(_faq_code, secrets=frozenset({"code"})),
    _l("Code to answer about publishing a legal question"),
)
