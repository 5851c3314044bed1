"""The SMS texts of volunteering, in both languages (each Chinese text within 60 characters,
so that with the gateway's signature it stays one SMS)."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from portal.i18n import text_in
from portal.notifications.messages import Template, register_template


def _community(params: dict[str, Any]) -> str:
    return text_in(str(get_locale()), params["community_zh"], params.get("community_en", ""))


def _volunteer_approved(params: dict[str, Any]) -> str:
    return gettext(
        "You are now a volunteer of %(community)s. Sign in to the portal to join activities.",
        community=_community(params),
    )


def _volunteer_declined(params: dict[str, Any]) -> str:
    # The reason is on the resident's page, not in the SMS: it may be long, and a text is read
    # by whoever holds the phone.
    return gettext(
        "Your application to volunteer with %(community)s was not approved. Sign in to the "
        "portal to read why and apply again.",
        community=_community(params),
    )


# Each kind: its text, and its name on the outbox's pages.
KINDS = {
    "volunteer_approved": (_volunteer_approved, _l("Volunteer application approved")),
    "volunteer_declined": (_volunteer_declined, _l("Volunteer application declined")),
}

for _kind, (_text, _label) in KINDS.items():
    register_template(_kind, Template(_text), _label)
