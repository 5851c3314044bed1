"""Volunteers' 身份证 numbers sealed at rest (portal/sealing.py), so that a copy of the
database does not give them away.

The table keeps the masked number (4401**********123X), which every list, the certificate
and the exports show and which needs no key, and the sealed number, which only the audited
reveal and its owner's own page open. The volunteer's row ("volunteers:7") is bound to it.

The key is derived, with a label of its own, from the same secret as the hash that keeps one
volunteer per person (VOLUNTEER_ID_KEY, or else SECRET_KEY): the two keys differ, and there
is still one secret to keep. If that secret changes, no sealed number can be opened again
(the masked ones still show, and the hash no longer finds the same person): set
VOLUNTEER_ID_KEY in production and never change it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal import idnumbers, sealing
from portal.sealing import SEALED_LENGTH, Unreadable

__all__ = ["SEALED_LENGTH", "Unreadable", "app_key", "key_from", "seal", "unseal"]


def key_from(config: Mapping[str, Any]) -> bytes:
    """The 256-bit sealing key of an app's configuration (not the hash's key)."""
    return idnumbers.derived_key(config, b"portal.volunteering.id_number_seal")


def app_key() -> bytes:
    """The sealing key of the running app (for services called without one)."""
    from flask import current_app

    return key_from(current_app.config)


def _bound_to(volunteer_id: int) -> str:
    if volunteer_id is None:
        raise ValueError("a number is sealed for a volunteer with an id: flush first")
    return f"volunteers:{volunteer_id}"


def seal(number: str, volunteer_id: int, key: bytes) -> str:
    """`number` sealed for the volunteer `volunteer_id`: a new random nonce each time."""
    return sealing.seal(number, _bound_to(volunteer_id), key)


def unseal(sealed: str, volunteer_id: int, key: bytes) -> str:
    """The number `seal` sealed for `volunteer_id`, or Unreadable."""
    return sealing.unseal(sealed, _bound_to(volunteer_id), key)
