"""HTTP for verification: the public page /v/<code>, printed on documents for good."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, make_response, redirect, render_template, request, url_for

from portal import ratelimit
from portal.db import db
from portal.verification import services
from portal.verification.codes import grouped
from portal.verification.kinds import kind_named
from portal.web.templating import local_date

bp = Blueprint("verification", __name__)
log = logging.getLogger(__name__)


@bp.get("/v")
@bp.get("/v/")
def enter_code():
    """Where someone types the code printed on a paper whose QR code will not scan (WeChat's
    browser has no address bar to type /v/<code> into)."""
    typed = request.args.get("code", "")[:100]
    if typed.strip():
        return redirect(url_for("verification.document", code=typed.strip()))
    return render_template("verification/enter.html")


# Any path: what was typed after /v/ may hold a slash, and still gets the page for a code that
# leads nowhere, not the site's own "page not found".
@bp.get("/v/<path:code>")
def document(code: str):
    """Whether the document with this code counts, and what its kind lets anyone see of it.

    A code that is unknown and one that cannot be a code get the same page, which never
    repeats what was typed. Every look-up is counted, so nobody walks through the codes.
    The page is never kept by a browser or a proxy: a withdrawal shows at once.
    """
    ratelimit.check("verification", current_app.config["VERIFY_LIMIT_PER_ADDRESS"])
    found = services.verify(db.session, code)
    if found is None:
        response = make_response(render_template("verification/unknown.html"), 404)
    elif (kind := kind_named(current_app, found.kind)) is None:
        # A kind no feature registers any more: its details cannot be shown, and "valid"
        # without them would let a forged paper with a real code pass for the real one.
        log.warning("verification: document %s is of kind %r, which no feature registers",
                    found.id, found.kind)  # fmt: skip
        response = make_response(render_template("verification/unreadable.html"), 200)
    else:
        response = make_response(
            render_template(
                "verification/document.html",
                document=found,
                kind=kind,
                code=grouped(found.code),
                issued_on=local_date(found.issued_at),
                withdrawn_on=local_date(found.withdrawn_at),
                facts=kind.shown(found.facts),
            )
        )
    response.headers["Cache-Control"] = "no-store"
    return response
