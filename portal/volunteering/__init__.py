"""Volunteering and the time bank (时间银行).

Residents register as volunteers by real name (volunteers.py), sign up for the activities
coordinators publish (activities.py), check in and out by scanning the activity's rotating QR
code (checkin.py), and have their hours confirmed and banked on the ledger (confirming.py);
certificates.py gives a volunteer a certificate of their service that anyone can verify.
models.py holds the rows; hours.py and the token code are pure logic.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.verification import register_kind
    from portal.volunteering.certificates import CERTIFICATE
    from portal.volunteering.views import bp, certificates  # noqa: F401

    app.register_blueprint(bp)
    register_kind(app, CERTIFICATE)
