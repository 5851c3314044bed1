"""Where SMS messages go: one small interface, chosen by NOTIFICATIONS_PROVIDER.

`log` is for development: it writes each message to the log with the number masked and
leaves its text in the outbox, where /dev/messages shows it to a tester. Without the
development pages it delivers nothing and says so, since a sign-in code in a log lets
whoever reads the log sign in. `http` posts each message to an SMS gateway.

A provider returns the gateway's id for an accepted message, or raises `TemporaryFailure`
(worth trying again later) or `PermanentFailure` (it never will be). Their `code` says what
went wrong in a word the admin page translates; `detail` is the gateway's own explanation.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from portal.notifications import signing
from portal.phones import mask_phone, mask_phones_in

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    """A message as a provider sees it: the only place its full number is used."""

    idempotency_key: str
    phone: str
    kind: str
    params: dict[str, Any]
    locale: str
    body: str


class DeliveryFailure(Exception):
    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code, detail)
        self.code = code
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}" if self.detail else self.code


class TemporaryFailure(DeliveryFailure):
    """The gateway may take it later: it was busy, down or slow."""


class PermanentFailure(DeliveryFailure):
    """The gateway will never take it as it is: a bad number, a bad request, no gateway."""


class Provider(Protocol):
    # Whether sign-in codes stay readable in the outbox after sending (development only).
    keeps_secrets: bool

    def send(self, message: Outgoing) -> str: ...


class LogProvider:
    """Development delivery: the log, never a real phone."""

    def __init__(self, *, reveal: bool) -> None:
        self.reveal = reveal
        self.keeps_secrets = reveal

    def send(self, message: Outgoing) -> str:
        if not self.reveal:
            log.warning(
                "SMS %s to %s not delivered: no SMS gateway is configured.",
                message.kind,
                mask_phone(message.phone),
            )
            raise PermanentFailure("no_gateway")
        log.info("SMS %s to %s: %s", message.kind, mask_phone(message.phone), message.body)
        return f"log-{message.idempotency_key}"


# A gateway's answer is read up to this size; a message id or an error fits easily.
_MAX_ANSWER = 64 * 1024


def without_phones(text: str) -> str:
    """A gateway's explanation, safe to store and show: numbers masked, kept short."""
    return mask_phones_in(text)[:200]


class HttpProvider:
    """A generic SMS gateway: POST JSON, signed with HMAC-SHA256, within a deadline.

    2xx with a message id: accepted. 408, 429 and 5xx, a redirect, no connection, or no whole
    answer within `timeout` seconds: try again later. Any other answer: refused for good. The
    idempotency key goes with every attempt, so the gateway can ignore a message it has
    already taken.

    `timeout` bounds the whole request, not each read: a gateway that trickles its answer a
    byte at a time is cut off, so that a batch of sends cannot outlast a worker's lease.
    (Looking up the gateway's name is not bounded; give an address or a local resolver.)
    """

    keeps_secrets = False

    def __init__(self, *, url: str, secret: str, timeout: float) -> None:
        if not url or not secret:
            raise RuntimeError(
                "The http SMS provider needs PORTAL_SMS_GATEWAY_URL and PORTAL_SMS_GATEWAY_SECRET."
            )
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RuntimeError("PORTAL_SMS_GATEWAY_URL must be an http:// or https:// address.")
        if timeout <= 0:
            raise RuntimeError("PORTAL_SMS_GATEWAY_TIMEOUT must be more than 0 seconds.")
        self.secret = secret
        self.timeout = timeout
        self._connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        self._host, self._port = parts.hostname, parts.port
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    def send(self, message: Outgoing) -> str:
        body = json.dumps(
            {
                "idempotency_key": message.idempotency_key,
                "to": message.phone,
                "text": message.body,
                "template": message.kind,
                "params": message.params,
                "language": message.locale,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": message.idempotency_key,
            signing.HEADER: signing.sign(self.secret, body, int(time.time())),
        }
        status, answer = self._post(body, headers)
        if 300 <= status < 400:
            # A moved gateway: every message would fail alike. Keep them, and say so loudly.
            log.warning(
                "The SMS gateway answered with a redirect (HTTP %s): check its URL.", status
            )
            raise TemporaryFailure(f"http_{status}")
        if not 200 <= status < 300:
            raise _refusal(status, _error_text(answer))
        message_id = _message_id(answer)
        if not message_id:
            raise TemporaryFailure("bad_answer")
        return message_id

    def _post(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """POST and read the answer, all within `timeout`; a TemporaryFailure otherwise."""
        connection = self._connection_class(self._host, self._port, timeout=self.timeout)
        overdue = threading.Event()

        def cut_off() -> None:
            overdue.set()
            if connection.sock is not None:
                with contextlib.suppress(OSError):
                    connection.sock.shutdown(socket.SHUT_RDWR)

        deadline = threading.Timer(self.timeout, cut_off)
        deadline.daemon = True
        deadline.start()
        try:
            connection.request("POST", self._path, body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read(_MAX_ANSWER)
        except (OSError, http.client.HTTPException) as error:
            if overdue.is_set() or isinstance(error, TimeoutError):
                raise TemporaryFailure("timeout") from None
            raise TemporaryFailure("unreachable", without_phones(str(error))) from None
        finally:
            deadline.cancel()
            connection.close()
        if overdue.is_set():  # cut off mid-answer: what was read is not the whole of it
            raise TemporaryFailure("timeout")
        return response.status, answer


def _refusal(status: int, detail: str) -> DeliveryFailure:
    if status in (408, 429) or status >= 500:
        return TemporaryFailure(f"http_{status}", detail)
    return PermanentFailure(f"http_{status}", detail)


def _json(answer: bytes) -> Any:
    try:
        return json.loads(answer)
    except (ValueError, RecursionError):
        return None


def _message_id(answer: bytes) -> str | None:
    data = _json(answer)
    message_id = data.get("message_id") if isinstance(data, dict) else None
    if isinstance(message_id, int) and not isinstance(message_id, bool):
        message_id = str(message_id)
    if isinstance(message_id, str) and 0 < len(message_id) <= 128 and "\x00" not in message_id:
        return message_id
    return None


def _error_text(answer: bytes) -> str:
    data = _json(answer)
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return without_phones(data["error"])
    return ""


PROVIDERS = {"log", "http"}


def make_provider(config: Any, *, dev_pages: bool) -> Provider:
    name = config["NOTIFICATIONS_PROVIDER"]
    if name == "http":
        return HttpProvider(
            url=config["SMS_GATEWAY_URL"],
            secret=config["SMS_GATEWAY_SECRET"],
            timeout=float(config["SMS_GATEWAY_TIMEOUT"]),
        )
    if name == "log":
        return LogProvider(reveal=dev_pages)
    raise RuntimeError(
        f"Unknown NOTIFICATIONS_PROVIDER {name!r}; choose one of {sorted(PROVIDERS)}."
    )
