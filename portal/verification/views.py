"""HTTP for verification: the public page /v/<code>, printed on documents for good."""

from __future__ import annotations

from flask import Blueprint, current_app, make_response, render_template

from portal import ratelimit
from portal.db import db
from portal.verification import services
from portal.verification.codes import grouped
from portal.verification.kinds import kind_named
from portal.web.templating import local_date

bp = Blueprint("verification", __name__)


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
    else:
        kind = kind_named(current_app, found.kind)
        response = make_response(
            render_template(
                "verification/document.html",
                document=found,
                kind=kind,
                code=grouped(found.code),
                issued_on=local_date(found.issued_at),
                withdrawn_on=local_date(found.withdrawn_at),
                facts=kind.shown(found.facts) if kind else [],
            )
        )
    response.headers["Cache-Control"] = "no-store"
    return response
