"""The development page that shows the SMS messages the log provider has 'sent'."""

from flask import Blueprint, render_template

from portal.notifications.services import provider

bp = Blueprint("notifications", __name__, url_prefix="/dev")


@bp.get("/messages")
def dev_messages():
    return render_template("notifications/dev_messages.html", messages=provider().recent())
