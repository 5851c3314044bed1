"""HTTP for the audit log: a paged list for administrators."""

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from portal.audit import services
from portal.db import db
from portal.pagination import paginate

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


@bp.get("")
@login_required
def index():
    action = request.args.get("action", "")[:64]
    actor_id = request.args.get("actor", "")
    query = services.events_query(
        current_user, action=action, actor_id=int(actor_id) if actor_id.isdigit() else None
    )
    page = paginate(db.session, query, request.args.get("page"))
    return render_template("audit/index.html", page=page, action=action, actor_id=actor_id)
