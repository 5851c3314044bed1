"""The development SMS provider: what it logs, and what it never writes to a log."""

import logging

import pytest

from portal.notifications.providers import LogProvider, Outgoing, PermanentFailure, without_phones

MESSAGE = Outgoing(
    idempotency_key="sign-in-code:abc",
    phone="13812345678",
    kind="sign_in_code",
    params={"code": "123456", "minutes": 5},
    locale="en",
    body="Sign-in code 123456, valid for 5 minutes.",
)


def test_in_development_the_text_goes_to_the_log_with_the_number_masked(caplog):
    provider = LogProvider(reveal=True)
    with caplog.at_level(logging.INFO, logger="portal.notifications.providers"):
        assert provider.send(MESSAGE) == "log-sign-in-code:abc"
    assert "123456" in caplog.text
    assert "138****5678" in caplog.text and "13812345678" not in caplog.text
    assert provider.keeps_secrets


def test_without_the_development_pages_nothing_is_delivered_and_no_code_is_logged(caplog):
    provider = LogProvider(reveal=False)
    with (
        caplog.at_level(logging.INFO, logger="portal.notifications.providers"),
        pytest.raises(PermanentFailure) as failure,
    ):
        provider.send(MESSAGE)
    assert failure.value.code == "no_gateway"
    assert "123456" not in caplog.text and "13812345678" not in caplog.text
    assert "not delivered" in caplog.text
    assert not provider.keeps_secrets


@pytest.mark.parametrize(
    "written",
    ["13812345678", "+8613812345678", "8613812345678", "+86 138 1234 5678", "138-1234-5678",
     "0086 13812345678"],
)  # fmt: skip
def test_a_gateways_explanation_is_stored_with_numbers_masked(written):
    assert without_phones(f"number {written} is off") == "number 138****5678 is off"


def test_other_numbers_are_left_alone_and_explanations_kept_short():
    assert without_phones("order 913812345678, code 12345678901") == (
        "order 913812345678, code 12345678901"
    )
    assert len(without_phones("x" * 1000)) == 200


def test_the_development_page_lists_messages_newest_first(client, sms, session):
    client.post("/sign-in", data={"phone": "13800138000"})
    client.post("/sign-in", data={"phone": "13900139000"})
    body = client.get("/dev/messages", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert body.index("139****9000") < body.index("138****8000")
    assert "13800138000" not in body
    assert sms.code("13900139000") in body
