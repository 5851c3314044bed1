"""The development SMS provider: what it shows, and what it never writes to a log."""

import logging
from datetime import UTC, datetime

from portal.notifications.providers import LogProvider, SentMessage

MESSAGE = SentMessage(
    phone="13812345678",
    kind="sign_in_code",
    text="Sign-in code 123456, valid for 5 minutes.",
    sent_at=datetime(2026, 11, 24, tzinfo=UTC),
)


def test_in_development_the_text_is_kept_for_the_tester_and_the_number_masked(caplog):
    provider = LogProvider(reveal=True)
    with caplog.at_level(logging.INFO, logger="portal.notifications.providers"):
        provider.send(MESSAGE)
    assert provider.recent() == [MESSAGE]
    assert "138****5678" in caplog.text and "13812345678" not in caplog.text


def test_without_the_development_pages_no_code_and_no_number_reach_the_log(caplog):
    provider = LogProvider(reveal=False)
    with caplog.at_level(logging.INFO, logger="portal.notifications.providers"):
        provider.send(MESSAGE)
    assert provider.recent() == []
    assert "123456" not in caplog.text and "13812345678" not in caplog.text
    assert "not delivered" in caplog.text


def test_the_development_page_lists_messages_newest_first(client, sms, session):
    client.post("/sign-in", data={"phone": "13800138000"})
    client.post("/sign-in", data={"phone": "13900139000"})
    body = client.get("/dev/messages", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert body.index("139****9000") < body.index("138****8000")
    assert "13800138000" not in body
