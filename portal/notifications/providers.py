"""Where SMS messages go. Only the development provider exists so far.

The provider is chosen by NOTIFICATIONS_PROVIDER. `log` writes each message to the log (the
number masked) and keeps the latest ones in memory for the development page /dev/messages,
where a tester reads sign-in codes.
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

    def __init__(self, keep: int = 200) -> None:
        self._sent: deque[SentMessage] = deque(maxlen=keep)
        self._lock = threading.Lock()

    def send(self, message: SentMessage) -> None:
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
