"""The outbox at phone size: an administrator finds a message that failed and sends it again."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from portal.db import db, utcnow
from portal.jobs.worker import Worker
from portal.notifications.models import MessageState, SmsMessage
from portal.notifications.services import queue_sms
from tests.browser.test_places import ADMIN, staff_sign_in

TEXT = {
    "zh": {"phone": "手机号码", "password": "密码", "sign_in": "登录", "outbox": "短信记录",
           "failed": "失败", "search": "搜索", "again": "重新发送", "queued": "这条短信将在一分钟内重新发送。",
           "sent": "已发送", "error": "短信网关返回 HTTP 状态码 503。"},
    "en": {"phone": "Mobile number", "password": "Password", "sign_in": "Sign in", "outbox": "SMS messages",
           "failed": "Failed", "search": "Search", "again": "Send again",
           "queued": "The message will be sent again within a minute.", "sent": "Sent",
           "error": "The gateway answered with HTTP status 503."},
}  # fmt: skip


def failed_message(live_server, language: str) -> str:
    """A message that ran out of attempts while the gateway was down; returns its number."""
    number = {"zh": "13900000011", "en": "13900000012"}[language]
    with live_server.app.test_request_context():
        message_id = queue_sms(
            db.session,
            phone=number,
            kind="sign_in_code",
            params={"code": "864209", "minutes": 5},
            locale="zh_Hans_CN",
            key=f"browser-test:{language}",
            now=utcnow(),
            expires_at=utcnow() + timedelta(minutes=5),
        )
        message = db.session.get(SmsMessage, message_id)
        message.state, message.next_attempt_at = MessageState.FAILED, None
        message.attempts, message.last_error = 8, "http_503"
        db.session.commit()
    return number


def test_an_admin_sends_a_failed_message_again(live_server, phone, check, language):
    words = TEXT[language]
    number = failed_message(live_server, language)
    masked = f"{number[:3]}****{number[-4:]}"
    staff_sign_in(phone, live_server, ADMIN, words)
    phone.get_by_role("link", name=words["outbox"]).click()
    check(phone, "1-outbox")

    phone.get_by_role("link", name=f"{words['failed']} (").click()
    phone.get_by_label(words["phone"]).fill(number)
    phone.get_by_role("button", name=words["search"]).click()
    row = phone.locator(".message-list li", has_text=masked)
    expect(row).to_contain_text(words["error"])
    assert number not in phone.url and number not in phone.content()
    check(phone, "2-failed-for-one-number")

    row.get_by_role("button", name=words["again"]).click()
    expect(phone.locator(".flash--success")).to_have_text(words["queued"])
    check(phone, "3-queued-again")

    Worker(live_server.app).run_once()  # the worker beside the server
    phone.get_by_role("link", name=f"{words['sent']} (").click()
    expect(phone.locator(".message-list li", has_text=masked)).to_be_visible()
