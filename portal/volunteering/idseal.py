"""Volunteers' 身份证 numbers sealed at rest (AES-GCM), so that a copy of the database does
not give them away.

The table keeps the masked number (4401**********123X), which every list, the certificate
and the exports show and which needs no key, and the sealed number, which only the audited
reveal and its owner's own page open. A sealed value is "v1:" and the URL-safe base64 of a
random 96-bit nonce followed by the ciphertext and its tag; the volunteer's id is bound to
it as associated data, so a value copied into another volunteer's row does not open there.
Sealing therefore waits until the row has its id (after a flush, in the same transaction).

The key is derived, with a label of its own, from the same secret as the hash that keeps one
volunteer per person (VOLUNTEER_ID_KEY, or else SECRET_KEY): the two keys differ, and there
is still one secret to keep. If that secret changes, no sealed number can be opened again
(the masked ones still show, and the hash no longer finds the same person): set
VOLUNTEER_ID_KEY in production and never change it.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from portal.volunteering import idnumbers

VERSION = "v1:"
NONCE_BYTES = 12
# "v1:" and the base64 of a nonce, 18 characters and a 16-byte tag: 67 characters.
SEALED_LENGTH = 100


class Unreadable(Exception):
    """A sealed number that does not open: another key, another volunteer's value, or
    changed bytes. The message never holds the number."""


def key_from(config: Mapping[str, Any]) -> bytes:
    """The 256-bit sealing key of an app's configuration (not the hash's key)."""
    return idnumbers.derived_key(config, b"portal.volunteering.id_number_seal")


def app_key() -> bytes:
    """The sealing key of the running app (for services called without one)."""
    from flask import current_app

    return key_from(current_app.config)


def _associated(volunteer_id: int) -> bytes:
    return f"volunteers:{volunteer_id}".encode()


def seal(number: str, volunteer_id: int, key: bytes) -> str:
    """`number` sealed for the volunteer `volunteer_id`: a new random nonce each time."""
    if volunteer_id is None:
        raise ValueError("a number is sealed for a volunteer with an id: flush first")
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, number.encode(), _associated(volunteer_id))
    return VERSION + base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(sealed: str, volunteer_id: int, key: bytes) -> str:
    """The number `seal` sealed for `volunteer_id`, or Unreadable."""
    if not sealed or not sealed.startswith(VERSION):
        raise Unreadable(f"volunteer {volunteer_id}: not a sealed number of a known version")
    try:
        raw = base64.urlsafe_b64decode(sealed[len(VERSION) :].encode())
    except (binascii.Error, ValueError):
        raise Unreadable(f"volunteer {volunteer_id}: the sealed number is damaged") from None
    nonce, body = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
    try:
        opened = AESGCM(key).decrypt(nonce, body, _associated(volunteer_id))
    except (InvalidTag, ValueError):
        raise Unreadable(
            f"volunteer {volunteer_id}: the sealed number does not open with this key for "
            "this volunteer (a changed VOLUNTEER_ID_KEY or SECRET_KEY, or a value moved or "
            "altered)"
        ) from None
    return opened.decode()
