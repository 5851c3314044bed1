"""Sending SMS messages through the configured provider."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app

from portal.notifications.messages import render
from portal.notifications.providers import SentMessage


def send_sms(phone: str, kind: str, params: dict[str, Any], *, locale: str, now: datetime) -> None:
    """Render a message in the recipient's language and hand it to the provider."""
    text = render(kind, params, locale)
    provider().send(SentMessage(phone=phone, kind=kind, text=text, sent_at=now))


def provider():
    return current_app.extensions["portal.sms"]
