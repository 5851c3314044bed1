"""Headers every response carries, and whether a request only reads."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_login import current_user

from portal.db import read_only_transactions

# Methods that never change anything (tests/web/test_security.py walks every GET route).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def init_app(app: Flask) -> None:
    @app.before_request
    def _say_if_only_reading() -> None:
        read_only_transactions(request.method in SAFE_METHODS)

    @app.teardown_request
    def _forget_reading(_error: BaseException | None) -> None:
        read_only_transactions(False)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        # Tracking numbers and building codes sit in URLs: keep them off other sites.
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "geolocation=(), microphone=(), camera=()")
        if app.config["HSTS"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        # Phones are shared within families: pages shown to a signed-in person are not kept.
        if current_user.is_authenticated:
            headers["Cache-Control"] = "no-store"
            response.vary.add("Cookie")
        return response
