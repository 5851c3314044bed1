"""HMAC-SHA256 signatures on what the portal and the SMS gateway send each other.

The header reads `t=<unix seconds>,v1=<hex digest of "<t>." + body>`, the scheme Stripe and
others use: the timestamp inside the signature stops an old request being replayed.
"""

from __future__ import annotations

import hashlib
import hmac
import re

HEADER = "X-Portal-Signature"
# How far the signer's clock and ours may disagree, and how long a captured request lives.
TOLERANCE_SECONDS = 300
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header's value for `body` sent at `timestamp`."""
    return f"t={timestamp},v1={_digest(secret, timestamp, body)}"


def verify(secret: str, header: str | None, body: bytes, now: float) -> bool:
    """Whether `header` signs `body` with `secret`, within the tolerance of `now`."""
    if not header or not secret:
        return False
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    timestamp, digest = parts.get("t", ""), parts.get("v1", "")
    # ASCII digits and hex only: anything else is no signature (and must not raise).
    if not _TIMESTAMP.fullmatch(timestamp) or not _HEX_DIGEST.fullmatch(digest):
        return False
    if abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(digest, _digest(secret, int(timestamp), body))
