"""The text of every kind of SMS, in both languages.

A Chinese SMS segment holds 70 characters; keep each text within one segment where possible.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import force_locale, gettext


def _sign_in_code(params: dict[str, Any]) -> str:
    return gettext(
        "Sign-in code %(code)s, valid for %(minutes)d minutes. Never tell it to anyone, "
        "staff included.",
        code=params["code"],
        minutes=params["minutes"],
    )


TEMPLATES: dict[str, Callable[[dict[str, Any]], str]] = {
    "sign_in_code": _sign_in_code,
}


def render(kind: str, params: dict[str, Any], locale: str) -> str:
    """The text of a message of `kind` in `locale`."""
    with force_locale(locale):
        return TEMPLATES[kind](params)
