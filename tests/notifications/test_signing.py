"""The signature on what the portal and the gateway send each other."""

import time

import pytest

from portal.notifications import signing

BODY = b'{"idempotency_key":"k","status":"delivered"}'


def test_a_signature_made_now_with_the_secret_verifies():
    now = time.time()
    assert signing.verify("s", signing.sign("s", BODY, int(now)), BODY, now)


@pytest.mark.parametrize(
    "header",
    [None, "", "v1=00", "t=123", "t=²,v1=" + "0" * 64, "t=1,v1=é", "t=" + "9" * 5000 + ",v1=0",
     "t=-5,v1=" + "0" * 64, "garbage", "t=1,v1=" + "G" * 64],
)  # fmt: skip
def test_a_malformed_signature_is_refused_without_an_error(header):
    assert signing.verify("s", header, BODY, time.time()) is False


def test_a_changed_body_a_stale_time_or_another_secret_is_refused():
    now = time.time()
    header = signing.sign("s", BODY, int(now))
    assert not signing.verify("s", header, BODY + b" ", now)
    assert not signing.verify("other", header, BODY, now)
    assert not signing.verify("s", header, BODY, now + 301)
    assert not signing.verify("", header, BODY, now)
