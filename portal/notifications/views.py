"""HTTP for SMS messages: the administrators' outbox, the gateway's delivery receipts, and the
development page that stands in for residents' phones."""

from __future__ import annotations

import json
import time

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.characters import has_control_characters, strip_control_characters
from portal.db import db, utcnow
from portal.errors import DomainError, NotFound
from portal.extensions import csrf
from portal.jobs.registry import last_seen
from portal.notifications import services, signing
from portal.notifications.forms import OutboxSearchForm
from portal.notifications.models import MessageState
from portal.pagination import paginate
from portal.web.forms import one_button_action, show_error

bp = Blueprint("notifications", __name__, url_prefix="/admin/messages")
dev_bp = Blueprint("dev_messages", __name__, url_prefix="/dev")
receipts_bp = Blueprint("sms_receipts", __name__)


def _state(raw: str | None) -> MessageState | None:
    try:
        return MessageState(raw)
    except ValueError:
        return None


def _filters() -> dict[str, str]:
    """The outbox's filters as they stand in the URL (the number only ever masked)."""
    filters = {"state": request.args.get("state", ""), "phone": request.args.get("phone", "")}
    return {name: value for name, value in filters.items() if value}


@bp.route("", methods=["GET", "POST"])
@login_required
def outbox():
    """The outbox, newest first, by state and by number."""
    form = OutboxSearchForm(state=request.args.get("state", ""))
    status = 200
    if form.validate_on_submit():
        state = form.state.data or None
        if not form.phone.data.strip():
            return redirect(url_for("notifications.outbox", state=state))
        try:
            masked = services.masked_search_term(form.phone.data)
        except DomainError as error:
            show_error(form, error)
            status = 400
        else:
            return redirect(url_for("notifications.outbox", state=state, phone=masked))
    state = _state(request.args.get("state"))
    phone = request.args.get("phone", "")[:11]
    if phone and not form.phone.data:
        form.phone.data = phone
    page = paginate(
        db.session,
        services.messages_query(current_user, state=state, phone_masked=phone),
        request.args.get("page"),
    )
    counts = services.counts_by_state(db.session, current_user)
    now = utcnow()
    overdue = services.overdue_count(db.session, now)
    seen = last_seen(db.session)
    worker_missing = seen is None or seen < now - services.OVERDUE_AFTER
    page_html = render_template(
        "notifications/outbox.html",
        page=page,
        form=form,
        state=state,
        phone=phone,
        counts=counts,
        overdue=overdue,
        worker_missing=worker_missing,
        overdue_minutes=int(services.OVERDUE_AFTER.total_seconds() // 60),
        states=list(MessageState),
        filters=_filters(),
        shown_body=services.shown_body,
        can_retry=services.can_retry,
        now=now,
    )
    return page_html, status


@bp.post("/<int:message_id>/retry")
@login_required
def retry(message_id: int):
    one_button_action(
        lambda: services.retry(db.session, current_user, message_id, now=utcnow()),
        _("The message will be sent again within a minute."),
    )
    return redirect(url_for("notifications.outbox", **_filters()))


# -- Delivery receipts: the gateway calls this, signed with the shared secret ----------------

MAX_RECEIPT_BYTES = 16 * 1024


@receipts_bp.post("/sms/receipts")
@csrf.exempt
def receipt():
    """A delivery receipt: {"idempotency_key", "status": "delivered"|"undeliverable",
    "message_id"?, "error"?}, signed like the portal's own requests to the gateway."""
    # Read at most one byte past the limit, whatever Content-Length says (or if it is absent,
    # as with a chunked request): nothing unsigned is read in bulk.
    if (request.content_length or 0) > MAX_RECEIPT_BYTES:
        return jsonify(error="too large"), 413
    body = request.stream.read(MAX_RECEIPT_BYTES + 1)
    if len(body) > MAX_RECEIPT_BYTES:
        return jsonify(error="too large"), 413
    secret = current_app.config["SMS_GATEWAY_SECRET"]
    if not signing.verify(secret, request.headers.get(signing.HEADER), body, time.time()):
        return jsonify(error="bad signature"), 401
    receipt = _receipt_fields(body)
    if receipt is None:
        return jsonify(error="expected idempotency_key, status and optional message_id, error"), 400
    try:
        services.record_receipt(
            db.session,
            now=utcnow(),
            keeps_secrets=current_app.extensions["portal.sms"].keeps_secrets,
            **receipt,
        )
    except NotFound:
        db.session.rollback()
        return jsonify(error="no such message"), 404
    db.session.commit()
    return "", 204


def _receipt_fields(body: bytes) -> dict[str, str] | None:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    key, status = data.get("idempotency_key"), data.get("status")
    message_id, error = data.get("message_id"), data.get("error", "")
    if not (_text(key, 80) and isinstance(status, str) and status in services.RECEIPT_STATES):
        return None
    if not (message_id is None or _text(message_id, 128)) or not isinstance(error, str):
        return None
    # Stripped, not refused: a refused receipt would be sent again and again.
    error = strip_control_characters(error)[:500]
    return {"key": key, "status": status, "message_id": message_id, "error": error}


def _text(value: object, longest: int) -> bool:
    """A non-empty string that fits its column, without control characters (a key that
    has them matches no message the portal sent)."""
    return (
        isinstance(value, str) and 0 < len(value) <= longest and not has_control_characters(value)
    )


# -- Development ----------------------------------------------------------------------------


@dev_bp.get("/messages")
def dev_messages():
    return render_template(
        "notifications/dev_messages.html", messages=services.latest_messages(db.session)
    )
