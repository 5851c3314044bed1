"""A real SMS gateway stand-in, served over HTTP on 127.0.0.1 by the test (or benchmark).

It checks every request's HMAC signature on its own (not with the portal's code), takes a
message once per idempotency key like a real gateway, and can be told how to answer the
next requests: with an error status, slowly (after taking the message), or not at all
until released. `deliveries` counts what would have reached phones, by idempotency key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SECRET = "gateway-test-secret"


@dataclass
class Answer:
    """How to answer one request: a status (and error text), a delay, or hang until released.

    With a 2xx status the message is taken (once per key) before any delay or hang.
    """

    status: int = 200
    error: str = ""
    delay: float = 0.0
    hang: bool = False
    with_id: bool = True
    # Write the answer a byte at a time, this long apart (a gateway choking on its network).
    drip: float = 0.0


class GatewayStub:
    def __init__(self, secret: str = SECRET, *, per_request_seconds: float = 0.0) -> None:
        self.secret = secret
        self.per_request_seconds = per_request_seconds
        self.requests: list[dict[str, Any]] = []
        # Each request's headers, names in lower case.
        self.headers: list[dict[str, str]] = []
        self.message_ids: dict[str, str] = {}
        self.deliveries: Counter[str] = Counter()
        self.bad_signatures = 0
        # When the first and the latest message were taken (time.perf_counter), for benchmarks.
        self.first_taken: float | None = None
        self.last_taken: float | None = None
        self.answers: deque[Answer] = deque()
        self.hanging = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/send"

    def __enter__(self) -> GatewayStub:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def answer_next(self, *answers: Answer) -> None:
        with self._lock:
            self.answers.extend(answers)

    def keys_seen(self) -> Counter[str]:
        """How many requests arrived for each idempotency key."""
        with self._lock:
            return Counter(request["idempotency_key"] for request in self.requests)

    def signature_is_valid(self, header: str, body: bytes) -> bool:
        parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
        timestamp = parts.get("t", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
            return False
        expected = hmac.new(
            self.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest(expected, parts.get("v1", ""))

    def _take(self, request: dict[str, Any]) -> str:
        with self._lock:
            key = request["idempotency_key"]
            if key not in self.message_ids:
                self.message_ids[key] = f"gw-{len(self.message_ids) + 1}"
                self.deliveries[key] += 1
                self.last_taken = time.perf_counter()
                self.first_taken = self.first_taken or self.last_taken
            return self.message_ids[key]

    def _handle(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any], float]:
        if not self.signature_is_valid(headers.get("x-portal-signature", ""), body):
            with self._lock:
                self.bad_signatures += 1
            return 401, {"error": "bad signature"}, 0.0
        request = json.loads(body)
        with self._lock:
            self.requests.append(request)
            self.headers.append(headers)
            answer = self.answers.popleft() if self.answers else Answer()
        if self.per_request_seconds:
            time.sleep(self.per_request_seconds)
        if answer.status >= 300:
            return answer.status, {"error": answer.error}, answer.drip
        message_id = self._take(request)
        if answer.hang:
            self.hanging.set()
            self.release.wait(60)
        if answer.delay:
            time.sleep(answer.delay)
        return answer.status, ({"message_id": message_id} if answer.with_id else {}), answer.drip

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {name.lower(): value for name, value in self.headers.items()}
                status, answer, drip = stub._handle(headers, body)
                payload = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    for index in range(len(payload) if drip else 1):
                        self.wfile.write(payload[index : index + 1] if drip else payload)
                        self.wfile.flush()
                        time.sleep(drip)
                except OSError:
                    pass  # the portal gave up waiting; a real gateway would not notice either

            def log_message(self, *_args: object) -> None:
                pass

        return Handler


def http_settings(gateway: GatewayStub, **more) -> dict:
    """Configuration of an app that sends through `gateway`."""
    return {
        "NOTIFICATIONS_PROVIDER": "http",
        "SMS_GATEWAY_URL": gateway.url,
        "SMS_GATEWAY_SECRET": SECRET,
        "SMS_GATEWAY_TIMEOUT": 0.5,
        **more,
    }
