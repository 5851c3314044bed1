"""The SMS texts of legal consultations, in both languages (each Chinese text within about 60
characters, so that with the gateway's signature it stays one SMS)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from portal.notifications.messages import Template, register_template

# Public questions and answers


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
