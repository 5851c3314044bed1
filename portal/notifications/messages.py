"""The text of every kind of SMS, in both languages, and how many segments it costs.

Chinese operators count 70 characters to a single SMS and 67 to each part of a longer one,
whatever the script, and the gateway adds its signature (【…】) to that count. Keep every
Chinese text within about 60 characters so that, with the signature, it stays one SMS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import force_locale, gettext

SINGLE_SEGMENT = 70
LONG_SEGMENT = 67


@dataclass(frozen=True)
class Template:
    text: Callable[[dict[str, Any]], str]
    # Parameters that must not outlive the hand-off to the gateway (a sign-in code).
    secrets: frozenset[str] = field(default_factory=frozenset)


def _sign_in_code(params: dict[str, Any]) -> str:
    return gettext(
        "Sign-in code %(code)s, valid for %(minutes)d minutes. Never tell it to anyone, "
        "staff included.",
        code=params["code"],
        minutes=params["minutes"],
    )


def _appeal_code(params: dict[str, Any]) -> str:
    return gettext(
        "Code %(code)s confirms your report %(tracking)s, valid for %(minutes)d minutes. "
        "Never tell it to anyone.",
        **params,
    )


def _appeal_received(params: dict[str, Any]) -> str:
    return gettext(
        "Report %(tracking)s received. A handler will take it within %(minutes)d minutes. "
        "Progress: %(url)s",
        **params,
    )


def _appeal_new(params: dict[str, Any]) -> str:
    return gettext(
        "New report %(tracking)s at %(building)s: %(item)s. Please take it within "
        "%(minutes)d minutes.",
        **params,
    )


def _appeal_accepted(params: dict[str, Any]) -> str:
    # The public work number of the handler's grid, community or unit; never their own.
    handler = params.get("handler") or gettext("a member of staff")
    if params.get("phone"):
        return gettext(
            "Your report %(tracking)s was taken by %(handler)s. Work phone: %(phone)s.",
            tracking=params["tracking"],
            handler=handler,
            phone=params["phone"],
        )
    return gettext(
        "Your report %(tracking)s was taken by %(handler)s. For questions, please call your "
        "community.",
        tracking=params["tracking"],
        handler=handler,
    )


def _appeal_escalated(params: dict[str, Any]) -> str:
    return gettext(
        "Report %(tracking)s was not taken in time and now waits for %(place)s. Please "
        "take it at once.",
        **params,
    )


def _appeal_overdue(params: dict[str, Any]) -> str:
    if params["clock"] == "contact":
        return gettext(
            "Report %(tracking)s: the resident has not been contacted in time. Please follow it up.",
            **params,
        )
    if params["clock"] == "callback":
        return gettext(
            "Report %(tracking)s: the resident has not been called back in time. Please "
            "follow it up.",
            **params,
        )
    if params["clock"] == "summons":
        return gettext(
            "Report %(tracking)s: %(place)s has not answered the summons in time. Please "
            "follow it up.",
            **params,
        )
    return gettext(
        "Report %(tracking)s is past its deadline and not resolved. Please follow it up.",
        **params,
    )


def _appeal_resolved(params: dict[str, Any]) -> str:
    return gettext("Report %(tracking)s is resolved. Please rate it: %(url)s", **params)


def _appeal_reopened(params: dict[str, Any]) -> str:
    return gettext(
        "Report %(tracking)s: the resident is not satisfied. It is reopened at level %(level)d.",
        **params,
    )


def _appeal_callback(params: dict[str, Any]) -> str:
    return gettext(
        "Report %(tracking)s: the resident is still not satisfied. Please call them back.",
        **params,
    )


def _appeal_summoned(params: dict[str, Any]) -> str:
    return gettext(
        "Summons: report %(tracking)s at %(building)s needs %(place)s within %(hours)d hours. "
        "Details on the staff pages.",
        **params,
    )


def _appeal_answered(params: dict[str, Any]) -> str:
    return gettext("Report %(tracking)s: %(place)s has answered your summons.", **params)


def _appeal_merged(params: dict[str, Any]) -> str:
    return gettext(
        "Your report %(tracking)s is the same as report %(into)s and is handled with it. "
        "Progress: %(url)s",
        **params,
    )


TEMPLATES: dict[str, Template] = {
    "sign_in_code": Template(_sign_in_code, secrets=frozenset({"code"})),
    "appeal_code": Template(_appeal_code, secrets=frozenset({"code"})),
    "appeal_received": Template(_appeal_received),
    "appeal_new": Template(_appeal_new),
    "appeal_accepted": Template(_appeal_accepted),
    "appeal_escalated": Template(_appeal_escalated),
    "appeal_overdue": Template(_appeal_overdue),
    "appeal_resolved": Template(_appeal_resolved),
    "appeal_reopened": Template(_appeal_reopened),
    "appeal_callback": Template(_appeal_callback),
    "appeal_summoned": Template(_appeal_summoned),
    "appeal_answered": Template(_appeal_answered),
    "appeal_merged": Template(_appeal_merged),
}

REDACTED = "******"


def register_template(kind: str, template: Template, label: Any) -> None:
    """Add the text of a feature's own kind of message, and its name on the outbox's pages
    (a lazy string). A feature registers its kinds as its messages module is imported."""
    from portal.notifications.labels import KIND_LABELS

    known = TEMPLATES.setdefault(kind, template)
    if known is not template:
        raise ValueError(f"two features name their messages {kind!r}")
    KIND_LABELS[kind] = label


def render(kind: str, params: dict[str, Any], locale: str) -> str:
    """The text of a message of `kind` in `locale`."""
    with force_locale(locale):
        return TEMPLATES[kind].text(params)


def redacted_params(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """`params` with the template's secrets replaced by asterisks."""
    secrets = TEMPLATES[kind].secrets if kind in TEMPLATES else frozenset()
    return {name: REDACTED if name in secrets else value for name, value in params.items()}


def has_secrets(kind: str) -> bool:
    # A kind no longer known (a template removed) has no secrets left to forget.
    return kind in TEMPLATES and bool(TEMPLATES[kind].secrets)


def sms_length(text: str) -> int:
    """The length an operator counts: UTF-16 code units, so an emoji counts twice."""
    return len(text.encode("utf-16-le")) // 2


def segments(text: str) -> int:
    """How many SMS segments `text` costs (70 characters for one, 67 for each of several)."""
    length = sms_length(text)
    if length <= SINGLE_SEGMENT:
        return 1
    return -(-length // LONG_SEGMENT)
