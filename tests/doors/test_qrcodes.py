"""The door QR code: it carries the permanent door address, and reads back exactly."""

from __future__ import annotations

import secrets

from portal import qr
from portal.doors import qrcodes
from portal.places.codes import ALPHABET, LENGTH
from tests.qr import decode

BASE = "https://grid.example.gov.cn"


def random_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def test_the_url_is_the_permanent_door_address():
    assert qrcodes.door_url(BASE, "7K3Q9X") == f"{BASE}/b/7K3Q9X"
    assert qrcodes.door_url(BASE + "/", "7K3Q9X") == f"{BASE}/b/7K3Q9X"


def test_a_png_decodes_to_exactly_the_url():
    url = qrcodes.door_url(BASE, random_code())
    assert decode(qr.png(url)) == [url]
