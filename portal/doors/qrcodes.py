"""The URL a building's QR code carries; portal.qr draws it."""

from __future__ import annotations


def door_url(base_url: str, code: str) -> str:
    """The permanent address printed in a building's QR code."""
    return f"{base_url.rstrip('/')}/b/{code}"
