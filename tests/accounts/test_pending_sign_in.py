"""Between asking for a sign-in code and typing it, the browser's cookie keeps a reference to
the code, never the number: a signed cookie is readable by anyone who sees it (issue 18,
item 9)."""

from __future__ import annotations

import base64
import zlib

import pytest

from portal.accounts import codes, services
from portal.appeals.services import APPEAL_CODE
from tests.accounts.test_views import COOKIE, EN, latest_code
from tests.factories import CODE_SECRET

PHONE = "13733338888"


def readable_session(client) -> str:
    """What anyone holding the cookie reads in it, without the key (Flask signs it with
    itsdangerous: base64 of the JSON, zlib-compressed when that is shorter)."""
    value = client.get_cookie(COOKIE).value
    compressed = value.startswith(".")
    payload = value.removeprefix(".").split(".")[0]
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return (zlib.decompress(data) if compressed else data).decode()


def test_the_session_cookie_never_carries_the_number(client, sms):
    asked = client.post("/sign-in", data={"phone": "137 3333 8888"}, headers=EN)
    assert asked.status_code == 302
    readable = readable_session(client)
    assert "sign_in" in readable, "the cookie is the one the sign-in wrote"
    assert PHONE not in readable and "3333" not in readable and "8888" not in readable
    page = client.get("/sign-in/code", headers=EN).get_data(as_text=True)
    assert "137****8888" in page

    resent = client.post("/sign-in/resend", headers=EN)
    assert resent.status_code == 302 and PHONE not in readable_session(client)
    signed_in = client.post("/sign-in/code", data={"code": latest_code(sms)}, headers=EN)
    assert signed_in.status_code == 302
    assert PHONE not in readable_session(client)


@pytest.mark.usefixtures("app_context")
def test_only_a_sign_in_codes_reference_leads_to_its_number(session, now):
    record = services.request_sign_in_code(session, PHONE, secret=CODE_SECRET, locale="en", now=now)
    assert services.pending_sign_in_phone(session, record.id) == PHONE
    other, _code = codes.issue(
        session, APPEAL_CODE, PHONE, subject="appeal:A2611-2345", secret=CODE_SECRET,
        locale="en", now=now, params={"tracking": "A2611-2345"},
    )  # fmt: skip
    for reference in (other.id, None, "13733338888", str(record.id), True, 10**9):
        assert services.pending_sign_in_phone(session, reference) is None
