"""Personal numbers sealed at rest (AES-GCM), so that a copy of the database does not give
them away: volunteers' 身份证 numbers, and those of the people an archive query is about.

A sealed value is "v1:" and the URL-safe base64 of a random 96-bit nonce followed by the
ciphertext and its tag. The row it belongs to ("volunteers:7", "archive_requests:42") is bound
to it as associated data, so a value copied into another row does not open there; sealing
therefore waits until the row has its id (after a flush, in the same transaction). Each
feature derives its own key (portal.idnumbers.derived_key) with a label of its own.
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = "v1:"
NONCE_BYTES = 12
# "v1:" and the base64 of a nonce, 18 characters and a 16-byte tag: 67 characters.
SEALED_LENGTH = 100


class Unreadable(Exception):
    """A sealed value that does not open: another key, another row's value, or changed bytes.
    The message never holds the number."""


def seal(text: str, bound_to: str, key: bytes) -> str:
    """`text` sealed for the row `bound_to`: a new random nonce each time."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, text.encode(), bound_to.encode())
    return VERSION + base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(sealed: str, bound_to: str, key: bytes) -> str:
    """The text `seal` sealed for `bound_to`, or Unreadable."""
    if not sealed or not sealed.startswith(VERSION):
        raise Unreadable(f"{bound_to}: not a sealed value of a known version")
    try:
        raw = base64.urlsafe_b64decode(sealed[len(VERSION) :].encode())
    except (binascii.Error, ValueError):
        raise Unreadable(f"{bound_to}: the sealed value is damaged") from None
    nonce, body = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
    try:
        opened = AESGCM(key).decrypt(nonce, body, bound_to.encode())
    except (InvalidTag, ValueError):
        raise Unreadable(
            f"{bound_to}: the sealed value does not open with this key for this row (a changed "
            "VOLUNTEER_ID_KEY or SECRET_KEY, or a value moved or altered)"
        ) from None
    return opened.decode()
