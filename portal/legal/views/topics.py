"""The administrators' page of the topics of legal questions: add, rename in both languages,
put in order, retire and offer again."""

from __future__ import annotations

from functools import partial

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.db import db, utcnow
from portal.errors import NotFound
from portal.legal import topics as service
from portal.legal.models import LegalTopic
from portal.legal.topic_forms import TopicForm
from portal.legal.views import bp
from portal.permissions import require_staff
from portal.web.forms import one_button_action, saving


def _topics_page(form: TopicForm | None = None, status: int = 200):
    require_staff(current_user)
    every = service.all_topics(db.session, current_user)
    return render_template(
        "legal/topics.html", form=form or TopicForm(),
        offered=[topic for topic in every if topic.is_active],
        retired=[topic for topic in every if not topic.is_active],
    ), status  # fmt: skip


@bp.get("/legal/admin/topics")
@login_required
def topics():
    return _topics_page()


@bp.post("/legal/admin/topics")
@login_required
def add_topic():
    require_staff(current_user)
    form = TopicForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            made = service.add_topic(
                db.session, current_user, name_zh=form.name_zh.data, name_en=form.name_en.data,
                now=utcnow(),
            )  # fmt: skip
        if saved:
            flash(_("Added: %(name)s.", name=made.name_zh), "success")
            return redirect(url_for("legal.topics"))
    return _topics_page(form, 400)


def _topic(topic_id: int) -> LegalTopic:
    require_staff(current_user)
    try:
        return service.get_topic(db.session, current_user, topic_id)
    except NotFound:
        abort(404)


@bp.route("/legal/admin/topics/<int:topic_id>", methods=["GET", "POST"])
@login_required
def topic(topic_id: int):
    made = _topic(topic_id)
    form = TopicForm(obj=made)
    if form.validate_on_submit():
        with saving(form) as saved:
            service.rename_topic(
                db.session, current_user, made, name_zh=form.name_zh.data,
                name_en=form.name_en.data, now=utcnow(),
            )  # fmt: skip
        if saved:
            flash(_("Renamed."), "success")
            return redirect(url_for("legal.topics"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("legal/topic.html", topic=made, form=form), status


@bp.post("/legal/admin/topics/<int:topic_id>/up", defaults={"step": -1})
@bp.post("/legal/admin/topics/<int:topic_id>/down", defaults={"step": 1})
@login_required
def move_topic(topic_id: int, step: int):
    made = _topic(topic_id)
    action = partial(service.move_topic, db.session, current_user, made, step, now=utcnow())
    one_button_action(action, _("Moved."))
    return redirect(url_for("legal.topics"))


@bp.post("/legal/admin/topics/<int:topic_id>/retire", defaults={"retired": True})
@bp.post("/legal/admin/topics/<int:topic_id>/restore", defaults={"retired": False})
@login_required
def retire_topic(topic_id: int, retired: bool):
    made = _topic(topic_id)
    action = partial(
        service.retire_topic, db.session, current_user, made, retired=retired, now=utcnow()
    )
    one_button_action(action, _("Retired: no longer offered.") if retired else _("Offered again."))
    return redirect(url_for("legal.topics"))
