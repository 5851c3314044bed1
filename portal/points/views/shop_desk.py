"""Coordinators' desk of the points shop (/points/desk/shop?community=<code>): list a reward,
edit it, add stock, retire it and bring it back. Its pictures are served with the shop's
(views/shop.py)."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal.db import db, utcnow
from portal.errors import Invalid, NotFound
from portal.permissions import require_staff
from portal.places.models import Place
from portal.points import rewards
from portal.points.forms import NewRewardForm, RestockForm, RewardForm
from portal.points.models import Reward
from portal.points.views import bp, coordinators_community
from portal.uploads.models import Upload
from portal.uploads.web import chosen, receive_files
from portal.web.forms import one_button_action, saving
from portal.web.templating import local_text

# Said beside the picture when the rest of the form was refused: a browser keeps no file.
PICTURE_AGAIN = _l("Choose the picture again: it is kept only with a form that is saved.")


def _reward(reward_id: int) -> Reward:
    require_staff(current_user)
    try:
        return rewards.get_reward(db.session, current_user, reward_id)
    except NotFound:
        abort(404)


def _values(form: RewardForm):
    stock = getattr(form, "stock", None)
    return partial(
        rewards.check_values, kind=form.kind.data, name_zh=form.name_zh.data,
        name_en=form.name_en.data, about_zh=form.about_zh.data, about_en=form.about_en.data,
        price=form.price.data, per_person=form.per_person.data, pickup_zh=form.pickup_zh.data,
        pickup_en=form.pickup_en.data, stock=stock.data if stock else None,
        with_stock=stock is not None,
    )  # fmt: skip


def _picture(form: RewardForm, now: datetime) -> Upload | None:
    """The picture sent with the form, cleaned and kept by the upload store; a refused one is
    said beside its field."""
    sent = chosen([form.picture.data] if form.picture.data else [])
    if not sent:
        return None
    received = receive_files(db.session, sent[:1], purpose=rewards.PICTURE_PURPOSE, now=now,
                             room=1)  # fmt: skip
    if received.errors:
        raise Invalid(" ".join(received.errors), field="picture")
    return received.uploads[0]


def _ask_picture_again(form: RewardForm) -> None:
    if chosen([form.picture.data] if form.picture.data else []):
        form.picture.errors = [*form.picture.errors, str(PICTURE_AGAIN)]


def _shop_page(community: Place, failed: dict[int, RestockForm] | None = None, status=200):
    failed = failed or {}
    lines = rewards.shop_lines(db.session, current_user, community)
    return render_template(
        "points/shop_desk.html", community=community, lines=lines,
        restock_forms={line.reward.id: failed.get(line.reward.id)
                       or RestockForm(prefix=f"s{line.reward.id}") for line in lines},
    ), status  # fmt: skip


@bp.get("/desk/shop")
@login_required
def shop_desk():
    community = coordinators_community()
    if community is None:
        return redirect(url_for("points.desk"))
    return _shop_page(community)


@bp.route("/desk/shop/new", methods=["GET", "POST"])
@login_required
def new_reward():
    community = coordinators_community()
    if community is None:
        return redirect(url_for("points.desk"))
    form = NewRewardForm()
    if request.method == "GET":
        form.kind.data = form.kind.data or "goods"
    if form.validate_on_submit():
        with saving(form) as saved:
            now = utcnow()
            values = _values(form)()
            made = rewards.add_reward(db.session, current_user, community, values,
                                      picture=_picture(form, now), now=now)  # fmt: skip
        if saved:
            flash(_("Listed in the shop: %(name)s.", name=local_text(made.name_zh, made.name_en)),
                  "success")  # fmt: skip
            return redirect(url_for("points.shop_desk", community=community.code))
        _ask_picture_again(form)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("points/reward.html", community=community, form=form,
                           reward=None), status  # fmt: skip


@bp.route("/desk/shop/<int:reward_id>", methods=["GET", "POST"])
@login_required
def edit_reward(reward_id: int):
    made = _reward(reward_id)
    form = RewardForm(obj=made)
    if form.validate_on_submit():
        with saving(form) as saved:
            now = utcnow()
            rewards.change_reward(db.session, current_user, made, _values(form)(),
                                  picture=_picture(form, now), now=now)  # fmt: skip
        if saved:
            flash(_("Saved. Orders from now on pay the price shown; orders placed keep theirs."),
                  "success")  # fmt: skip
            return redirect(url_for("points.shop_desk", community=made.community.code))
        _ask_picture_again(form)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("points/reward.html", community=made.community, form=form,
                           reward=made), status  # fmt: skip


@bp.post("/desk/shop/<int:reward_id>/restock")
@login_required
def restock(reward_id: int):
    made = _reward(reward_id)
    community = made.community
    form = RestockForm(prefix=f"s{made.id}")
    if form.validate_on_submit():
        with saving(form) as saved:
            after = rewards.restock(db.session, current_user, made, form.amount.data,
                                    now=utcnow())  # fmt: skip
        if saved:
            flash(_("Added. %(name)s: %(count)s in stock.",
                    name=local_text(made.name_zh, made.name_en), count=after),
                  "success")  # fmt: skip
            return redirect(url_for("points.shop_desk", community=community.code))
    return _shop_page(community, {made.id: form}, 400)


@bp.post("/desk/shop/<int:reward_id>/retire", defaults={"retired": True})
@bp.post("/desk/shop/<int:reward_id>/restore", defaults={"retired": False})
@login_required
def retire_reward(reward_id: int, retired: bool):
    made = _reward(reward_id)
    action = partial(
        rewards.retire_reward, db.session, current_user, made, retired=retired, now=utcnow()
    )
    name = local_text(made.name_zh, made.name_en)
    one_button_action(
        action,
        _("%(name)s is taken out of the shop. Orders placed may still be picked up.", name=name)
        if retired
        else _("%(name)s is back in the shop.", name=name),
    )
    return redirect(url_for("points.shop_desk", community=made.community.code))
