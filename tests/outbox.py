"""Reading the SMS outbox in tests: what the portal queued for residents' phones."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.notifications.models import SmsMessage


class Outbox:
    """The outbox as `session` sees it (for the `sms` fixture, the test's own session)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def recent(self, phone: str | None = None) -> list[SmsMessage]:
        """The messages queued so far, newest first, all or to one number."""
        query = select(SmsMessage).order_by(SmsMessage.created_at.desc(), SmsMessage.id.desc())
        if phone is not None:
            query = query.where(SmsMessage.phone == phone)
        return list(self.session.scalars(query))

    def code(self, phone: str | None = None) -> str:
        """The six-digit code in the newest message (to `phone`)."""
        messages = self.recent(phone)
        assert messages, f"no SMS to {phone or 'anyone'}"
        return re.search(r"\d{6}", messages[0].body).group(0)
