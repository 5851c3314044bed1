"""The points shop (积分超市) over HTTP: a community's shelf (/points/shop/<community code>, no
sign-in needed to look), ordering and "notify me" for a signed-in resident, their orders and
each order's pick-up code and QR, and the coordinators' hand-over by the code
(/points/desk/handover)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import qr
from portal.db import db, utcnow
from portal.errors import Invalid, NotFound
from portal.numbers import optional_id
from portal.permissions import require_staff
from portal.places.models import PlaceKind
from portal.points import notice, orders, rewards, shelf, wishes
from portal.points.forms import HandOverForm
from portal.points.models import OrderState, Reward
from portal.points.settings import PointsSettings
from portal.points.views import bp, place_or_404
from portal.uploads.web import send_upload
from portal.volunteering.when import day_words
from portal.web.forms import EmptyForm, one_button_action, saving
from portal.web.templating import local_text


def _shelf_page(community, refused=None, status: int = 200, *, summary=None):
    """The shelf; `refused` says beside a reward why it was not ordered, `summary` the same at
    the top, naming the reward (both by reward id)."""
    return render_template(
        "points/shop.html", shelf=shelf.shelf(db.session, current_user, community),
        refused=refused or {}, summary=summary or refused or {},
    ), status  # fmt: skip


@bp.get("/shop/<community_code>")
def shop(community_code: str):
    """A community's rewards; a signed-in resident also sees their points and the buttons."""
    return _shelf_page(place_or_404(PlaceKind.COMMUNITY, community_code))


@bp.get("/shop/rewards/<int:reward_id>/pictures/<name>")
def reward_picture(reward_id: int, name: str):
    """A reward's picture, as the shelf and the desk show it: public, as the shelf is; 404 for
    any other upload."""
    return send_upload(rewards.reward_picture(db.session, reward_id, name[:40]))


def _reward_or_404(reward_id: int) -> Reward:
    try:
        return orders.listed_reward(db.session, reward_id)
    except NotFound:
        abort(404)


@bp.post("/shop/rewards/<int:reward_id>/order")
@login_required
def order(reward_id: int):
    # The reward is read here only when the order is refused: the service reads it afresh.
    form = EmptyForm()
    if not form.validate_on_submit():
        shop = _reward_or_404(reward_id).community
        return redirect(url_for("points.shop", community_code=shop.code))
    settings = PointsSettings.from_config(current_app.config)
    with saving(form) as saved:
        made = orders.order(db.session, current_user, reward_id, settings=settings, now=utcnow())
    if saved:
        flash(_("Ordered. Your pick-up code is below, and on its way by SMS."), "success")
        return redirect(url_for("points.my_order", order_id=made.id))
    reward = db.session.get(Reward, reward_id)
    if reward is None:
        abort(404)
    # The refusal goes at the top and beside the reward's button, with "notify me" when it
    # has run out (or at the top alone, when it was taken out of the shop meanwhile).
    problem = " ".join(form.form_errors)
    named = _("%(reward)s: %(problem)s", reward=local_text(reward.name_zh, reward.name_en),
              problem=problem)  # fmt: skip
    return _shelf_page(reward.community, {reward.id: problem}, 400, summary={reward.id: named})


@bp.post("/shop/rewards/<int:reward_id>/notify")
@login_required
def notify(reward_id: int):
    reward = _reward_or_404(reward_id)
    community = reward.community
    form = EmptyForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            wishes.ask_to_be_told(db.session, current_user, reward.id, utcnow())
        if not saved:
            return _shelf_page(community, {reward.id: " ".join(form.form_errors)}, 400)
        flash(_("We will text you when it is back."), "success")
    return redirect(
        url_for("points.shop", community_code=community.code, _anchor=f"reward-{reward.id}")
    )


def _older() -> int | None:
    try:
        return optional_id(request.args.get("older"))
    except ValueError:
        return None


@bp.get("/orders")
@login_required
def my_orders():
    """The resident's orders, newest first, with their state and pick-up day in words."""
    older = _older()
    page = shelf.my_orders(db.session, current_user, older=older)
    return render_template(
        "points/orders.html", page=page, older=older, now=utcnow(), day_words=day_words
    )


def _mine(order_id: int):
    try:
        return orders.owned_order(db.session, current_user, order_id)
    except NotFound:
        abort(404)


@bp.get("/orders/<int:order_id>")
@login_required
def my_order(order_id: int):
    """One order: its pick-up code in large digits, and the QR a coordinator scans."""
    found = _mine(order_id)
    url = orders.handover_url(current_app.config["BASE_URL"], found.code)
    code = qr.svg(qr.matrix(url), label=_("Pick-up code %(code)s", code=found.code))
    return render_template(
        "points/order.html", order=found, qr=code, now=utcnow(), day_words=day_words
    )


@bp.get("/orders/<int:order_id>/cancel")
@login_required
def confirm_cancel(order_id: int):
    """Asks before cancelling: a mis-tap would lose the order and its code."""
    found = _mine(order_id)
    if found.state is not OrderState.PLACED:
        return redirect(url_for("points.my_order", order_id=found.id))
    return render_template("points/cancel.html", order=found)


@bp.post("/orders/<int:order_id>/cancel")
@login_required
def cancel_order(order_id: int):
    found = _mine(order_id)
    one_button_action(
        lambda: orders.cancel(db.session, current_user, found.id, now=utcnow()),
        _("Cancelled: your points are back."),
    )
    return redirect(url_for("points.my_order", order_id=found.id))


# --- the coordinators' hand-over ------------------------------------------------------------


def _handover_page(form: HandOverForm, found=None, status: int = 200):
    return render_template(
        "points/handover.html", form=form, order=found, masked=notice.masked
    ), status


@bp.get("/desk/handover")
def handover():
    """Type or scan a pick-up code; with ?code=, the order it names, to hand over. Anyone else
    who opens an order's QR (its resident, a relative, signed in or not) is told to show it to
    the staff instead, and staff signed out are offered their sign-in."""
    if not getattr(current_user, "is_staff", False):
        return render_template("points/handover_resident.html"), 403
    require_staff(current_user)
    orders.require_hand_over(current_user)
    if "code" not in request.args:
        return _handover_page(HandOverForm(formdata=None))
    form = HandOverForm(request.args, meta={"csrf": False})
    try:
        found = orders.order_by_code(db.session, current_user, form.code.data)
    except Invalid as error:
        form.code.errors = [error.message]
        return _handover_page(form, status=400)
    return _handover_page(form, found)


@bp.post("/desk/handover")
@login_required
def hand_over():
    require_staff(current_user)
    form = HandOverForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            made = orders.hand_over(db.session, current_user, form.code.data, now=utcnow())
        if saved:
            reward = local_text(made.reward.name_zh, made.reward.name_en)
            flash(_("Handed over: %(reward)s.", reward=reward), "success")
            return redirect(url_for("points.handover"))
    return _handover_page(form, status=400)
