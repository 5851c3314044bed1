"""Delivery receipts: the gateway calls the portal back, signed, to say what became of a message."""

from __future__ import annotations

import io
import json
import time

import pytest
from werkzeug.test import EnvironBuilder

from portal.db import db, utcnow
from portal.notifications import signing
from portal.notifications.models import MessageState, SmsMessage
from portal.notifications.services import queue_sms
from tests.gateway import SECRET, http_settings


@pytest.fixture
def portal(fresh_app, gateway):
    """A portal that sends through the gateway stub, with one message already sent."""
    app = fresh_app(migrate=True, **http_settings(gateway))
    with app.test_request_context():
        message_id = queue_sms(
            db.session,
            phone="13800138000",
            kind="sign_in_code",
            params={"code": "135790", "minutes": 5},
            locale="en",
            key="sign-in-code:r1",
            now=utcnow(),
        )
        message = db.session.get(SmsMessage, message_id)
        message.state = MessageState.SENT
        message.provider_message_id = "gw-77"
        db.session.commit()
    return app


def post_receipt(client, payload, *, secret=SECRET, timestamp=None, raw=None):
    body = raw if raw is not None else json.dumps(payload).encode()
    header = signing.sign(secret, body, int(timestamp or time.time()))
    return client.post(
        "/sms/receipts",
        data=body,
        headers={signing.HEADER: header, "Content-Type": "application/json"},
    )


def stored(app) -> SmsMessage:
    with app.app_context():
        return db.session.query(SmsMessage).one()


def test_a_delivered_receipt_marks_the_message_delivered_and_a_repeat_changes_nothing(portal):
    client = portal.test_client()
    receipt = {"idempotency_key": "sign-in-code:r1", "message_id": "gw-77", "status": "delivered"}
    assert post_receipt(client, receipt).status_code == 204
    first = stored(portal)
    assert first.state == MessageState.DELIVERED and first.receipt_at is not None
    assert post_receipt(client, receipt).status_code == 204
    assert stored(portal).receipt_at == first.receipt_at


def test_an_undeliverable_receipt_keeps_the_operators_reason_with_the_number_masked(portal):
    receipt = {
        "idempotency_key": "sign-in-code:r1",
        "status": "undeliverable",
        "error": "13800138000 is switched off",
    }
    assert post_receipt(portal.test_client(), receipt).status_code == 204
    message = stored(portal)
    assert message.state == MessageState.UNDELIVERABLE
    assert message.last_error == "undeliverable: 138****8000 is switched off"


def test_control_characters_in_a_receipts_reason_are_dropped_not_refused(portal):
    # A refused receipt would be sent again forever: what the operator wrote is kept, cleaned.
    receipt = {
        "idempotency_key": "sign-in-code:r1",
        "status": "undeliverable",
        "error": "switched\u0000 off\u001b[0m\ud800",
    }
    assert post_receipt(portal.test_client(), receipt).status_code == 204
    assert stored(portal).last_error == "undeliverable: switched off[0m"


@pytest.mark.parametrize(
    "signed",
    [
        {"secret": "someone-else"},
        {"timestamp": time.time() - 3600},
        {"timestamp": time.time() + 3600},
    ],
    ids=["wrong secret", "an hour old", "from the future"],
)
def test_a_receipt_not_signed_by_the_gateway_now_is_refused(portal, signed):
    receipt = {"idempotency_key": "sign-in-code:r1", "status": "delivered"}
    response = post_receipt(portal.test_client(), receipt, **signed)
    assert response.status_code == 401
    assert stored(portal).state == MessageState.SENT


def test_an_unsigned_receipt_is_refused(portal):
    response = portal.test_client().post(
        "/sms/receipts", json={"idempotency_key": "sign-in-code:r1", "status": "delivered"}
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[]",
        b'{"status": "delivered"}',
        b'{"idempotency_key": "sign-in-code:r1", "status": "read"}',
        b'{"idempotency_key": "sign-in-code:r1", "status": "delivered", "message_id": 5}',
    ],
)
def test_a_malformed_receipt_is_refused(portal, raw):
    assert post_receipt(portal.test_client(), None, raw=raw).status_code == 400
    assert stored(portal).state == MessageState.SENT


def test_a_receipt_for_a_message_the_portal_never_sent_is_not_found(portal):
    client = portal.test_client()
    unknown = {"idempotency_key": "sign-in-code:nope", "status": "delivered"}
    assert post_receipt(client, unknown).status_code == 404
    mismatched = {"idempotency_key": "sign-in-code:r1", "message_id": "gw-1", "status": "delivered"}
    assert post_receipt(client, mismatched).status_code == 404


def test_a_huge_receipt_is_refused_unread(portal):
    raw = json.dumps({"idempotency_key": "x" * 20_000, "status": "delivered"}).encode()
    assert post_receipt(portal.test_client(), None, raw=raw).status_code == 413


def test_a_huge_receipt_without_a_length_is_refused_after_the_limit(portal):
    class Offered(io.RawIOBase):
        """5 MB of body, counting what the portal reads of it."""

        taken = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            size = min(len(buffer), 5_000_000 - self.taken)
            buffer[:size] = b"x" * size
            self.taken += size
            return size

    offered = Offered()
    environ = EnvironBuilder(
        path="/sms/receipts", method="POST", headers={"Transfer-Encoding": "chunked"}
    ).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    # A chunked body, as gunicorn hands it over: no length, but known to end.
    environ.update({"wsgi.input": io.BufferedReader(offered), "wsgi.input_terminated": True})
    statuses = []
    portal.wsgi_app(environ, lambda status, headers: statuses.append(status))
    assert statuses == ["413 REQUEST ENTITY TOO LARGE"]
    assert offered.taken < 100_000


@pytest.mark.parametrize(
    "receipt",
    [
        {"idempotency_key": "sign-in-code:r1", "status": ["delivered"]},
        {"idempotency_key": "sign-in\u0000code", "status": "delivered"},
        {"idempotency_key": "sign-in-code:r1", "status": "delivered", "message_id": "g" * 129},
        {"idempotency_key": "k" * 81, "status": "delivered"},
        {"idempotency_key": "sign-in-code:r1", "status": "delivered", "error": 5},
    ],
    ids=["status a list", "NUL in key", "long id", "long key", "error a number"],
)
def test_a_signed_but_malformed_receipt_is_refused(portal, receipt):
    raw = json.dumps(receipt).encode()
    assert post_receipt(portal.test_client(), None, raw=raw).status_code == 400


def test_a_deeply_nested_receipt_is_refused(portal):
    raw = b"[" * 100_000 + b"]" * 100_000
    assert post_receipt(portal.test_client(), None, raw=raw[:16_000]).status_code == 400


def test_without_a_gateway_there_is_no_receipt_endpoint(client):
    assert client.post("/sms/receipts", json={}).status_code == 404
