"""HTTP for the audit log: a paged list for administrators; where each request comes from;
and an entry for every refused access."""

from flask import Blueprint, Flask, render_template, request
from flask_login import current_user, login_required

from portal.audit import services
from portal.audit.models import Outcome
from portal.db import db, read_only_transactions, utcnow
from portal.errors import Forbidden
from portal.numbers import parse_id
from portal.pagination import paginate
from portal.web.errors import render_error

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.before_request
    def _remember_origin() -> None:
        services.set_origin(request.remote_addr)

    @app.teardown_request
    def _forget_origin(_error: BaseException | None) -> None:
        services.set_origin(None)

    @app.errorhandler(Forbidden)
    def _forbidden(error: Forbidden):
        # Refused access is worth knowing about. Even in a GET this writes, after reading the
        # user: on SQLite the transaction must take the write lock from the start.
        read_only_transactions(False)
        db.session.rollback()
        actor = current_user if current_user.is_authenticated else None
        services.record(
            db.session, "access.denied", actor=actor, now=utcnow(),
            outcome=Outcome.DENIED, details={**error.details, "path": request.path[:200]},
        )  # fmt: skip
        db.session.commit()
        return render_error(403, error.message)


@bp.get("")
@login_required
def index():
    action = request.args.get("action", "")[:64]
    actor_id = request.args.get("actor", "")
    query = services.events_query(
        current_user, action=action, actor_id=request.args.get("actor", type=parse_id)
    )
    page = paginate(db.session, query, request.args.get("page"))
    return render_template("audit/index.html", page=page, action=action, actor_id=actor_id)
