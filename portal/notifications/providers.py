"""Where SMS messages go. Only the development provider exists so far.

The provider is chosen by NOTIFICATIONS_PROVIDER. `log` delivers nothing. With `reveal` (the
development pages are on) it writes each message to the log and keeps the latest ones for
/dev/messages, where a tester reads sign-in codes; without it, the log only says that a
message could not be delivered, never its text, since a sign-in code in a log lets whoever
reads the log sign in.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime

from portal.accounts.phones import mask_phone

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SentMessage:
    phone: str
    kind: str
    text: str
    sent_at: datetime

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class LogProvider:
    """Development delivery: the log and an in-memory list, never a real phone."""

    def __init__(self, *, reveal: bool, keep: int = 200) -> None:
        self.reveal = reveal
        self._sent: deque[SentMessage] = deque(maxlen=keep)
        self._lock = threading.Lock()

    def send(self, message: SentMessage) -> None:
        if not self.reveal:
            log.warning(
                "SMS %s to %s not delivered: no SMS gateway is configured.",
                message.kind,
                message.masked_phone,
            )
            return
        with self._lock:
            self._sent.appendleft(message)
        log.info("SMS %s to %s: %s", message.kind, message.masked_phone, message.text)

    def recent(self) -> list[SentMessage]:
        with self._lock:
            return list(self._sent)

    def clear(self) -> None:
        with self._lock:
            self._sent.clear()


PROVIDERS = {"log": LogProvider}
