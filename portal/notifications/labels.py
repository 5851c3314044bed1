"""How message kinds, states and delivery problems are named to people, in their language."""

from flask_babel import lazy_gettext as _l

from portal.notifications.models import MessageState

KIND_LABELS = {
    "sign_in_code": _l("Sign-in code"),
    "appeal_code": _l("Report confirmation code"),
    "appeal_received": _l("Report received"),
    "appeal_new": _l("New report for staff"),
    "appeal_accepted": _l("Report taken"),
    "appeal_escalated": _l("Report passed up"),
    "appeal_overdue": _l("Report overdue"),
    "appeal_resolved": _l("Report resolved"),
    "appeal_reopened": _l("Report reopened"),
    "appeal_callback": _l("Call-back needed"),
    "appeal_summoned": _l("Unit summoned"),
    "appeal_answered": _l("Summons answered"),
    "appeal_merged": _l("Report merged"),
}

STATE_LABELS = {
    MessageState.QUEUED: _l("Waiting"),
    MessageState.SENDING: _l("Sending"),
    MessageState.SENT: _l("Sent"),
    MessageState.DELIVERED: _l("Delivered"),
    MessageState.UNDELIVERABLE: _l("Could not be delivered"),
    MessageState.FAILED: _l("Failed"),
    MessageState.EXPIRED: _l("Expired"),
}

# The first word of a stored error (before any ": detail" from the gateway).
ERROR_LABELS = {
    "timeout": _l("The gateway did not answer in time."),
    "unreachable": _l("The gateway could not be reached."),
    "bad_answer": _l("The gateway's answer had no message id."),
    "no_gateway": _l("No SMS gateway is configured."),
    "worker_stopped": _l("The worker stopped while sending it, too many times."),
    "expired": _l("It was no longer of use when its turn came."),
    "undeliverable": _l("The operator could not deliver it."),
    "error": _l("An unexpected error; see the worker's log."),
}


def error_label(stored: str | None) -> str:
    """A stored error in the reader's words, followed by the gateway's own, if any."""
    if not stored:
        return ""
    code, _sep, detail = stored.partition(": ")
    if code.startswith("http_") and code[5:].isdigit():
        words = str(_l("The gateway answered with HTTP status %(status)s.", status=code[5:]))
    else:
        words = str(ERROR_LABELS.get(code, code))
    return f"{words} {detail}" if detail else words
