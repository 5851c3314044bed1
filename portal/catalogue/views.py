"""HTTP for administrators: the catalogue (事项清单) of the kinds of problem residents report."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import Session
from wtforms import SelectChoice

from portal.catalogue import forget_offered, handling_times
from portal.catalogue import services as catalogue
from portal.catalogue.forms import HANDLING_NAMES, GroupForm, ItemForm
from portal.catalogue.labels import LEVEL_LABELS
from portal.catalogue.models import CatalogueItem, HandlingClass
from portal.db import db, utcnow
from portal.numbers import parse_id
from portal.permissions import Actor
from portal.units import services as units
from portal.units.models import Unit
from portal.web.forms import one_button_action, saving
from portal.web.templating import local_name

bp = Blueprint("catalogue", __name__, url_prefix="/admin")


def exact_span(delta: timedelta) -> str:
    """A time limit exactly, as the 12345 standards say it: "2 hours", "24 hours", "15 days"."""
    minutes = int(delta.total_seconds() // 60)
    if minutes % (24 * 60) == 0 and minutes >= 2 * 24 * 60:
        granularity = "day"
    elif minutes % 60 == 0:
        granularity = "hour"
    else:
        granularity = "minute"
    # A threshold no time reaches: the largest unit is the granularity, never rounded up.
    return format_timedelta(delta, granularity=granularity, threshold=10**9)


def resolve_time(item: CatalogueItem) -> str:
    """How long resolving an appeal of `item` may take: its own time, or its class's."""
    if item.resolve_minutes:
        return exact_span(timedelta(minutes=item.resolve_minutes))
    return exact_span(handling_times()[item.handling])


@bp.context_processor
def _helpers() -> dict:
    return {
        "handling_name": HANDLING_NAMES.get,
        "level_label": LEVEL_LABELS.get,
        "resolve_time": resolve_time,
    }


# --- the catalogue ---------------------------------------------------------------------------


@bp.after_request
def _offer_edits_at_once(response):
    """The report form in this process offers the catalogue as edited from the next request
    on (the other processes within CATALOGUE_REFRESH_SECONDS, see offered.py)."""
    if request.method == "POST":
        forget_offered(current_app)
    return response


@bp.get("/catalogue")
@login_required
def index():
    """Every group folded to its name and count (one opens with a tap, no script needed), or
    the kinds of problem a search finds."""
    groups, retired = catalogue.catalogue_overview(db.session, current_user)
    words = request.args.get("q", "")[:50].strip()
    found = catalogue.find_items(db.session, current_user, words) if words else []
    return render_template(
        "catalogue/catalogue.html", groups=groups, retired=retired, words=words, found=found
    )


@bp.route("/catalogue/groups/new", methods=["GET", "POST"])
@login_required
def new_group():
    catalogue.require_catalogue_manager(current_user)
    form = GroupForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            group = catalogue.create_group(
                db.session,
                current_user,
                code=form.code.data,
                name_zh=form.name_zh.data,
                name_en=form.name_en.data,
                now=utcnow(),
            )
        if saved:
            flash(_("The group is added."), "success")
            return redirect(url_for("catalogue.group", group_id=group.id))
    return render_template("catalogue/group.html", form=form, group=None, items=[])


@bp.route("/catalogue/groups/<int:group_id>", methods=["GET", "POST"])
@login_required
def group(group_id: int):
    group = catalogue.get_group(db.session, current_user, group_id)
    form = GroupForm(obj=group)
    del form.code
    if form.validate_on_submit():
        with saving(form) as saved:
            catalogue.update_group(
                db.session,
                current_user,
                group,
                name_zh=form.name_zh.data,
                name_en=form.name_en.data,
                now=utcnow(),
            )
        if saved:
            flash(_("The changes are saved."), "success")
            return redirect(url_for("catalogue.group", group_id=group.id))
    items = [item for item in group.items if item.retired_at is None]
    return render_template("catalogue/group.html", form=form, group=group, items=items)


@bp.post("/catalogue/groups/<int:group_id>/up", defaults={"step": -1})
@bp.post("/catalogue/groups/<int:group_id>/down", defaults={"step": 1})
@login_required
def move_group(group_id: int, step: int):
    group = catalogue.get_group(db.session, current_user, group_id)
    action = partial(catalogue.move_group, db.session, current_user, group, step, now=utcnow())
    one_button_action(action, _("The group is moved."))
    return redirect(url_for("catalogue.index", _anchor=f"group-{group_id}"))


def _item_choices(form: ItemForm, item: CatalogueItem | None) -> None:
    """Fill in the choices that come from the database and the configured clocks."""
    form.group_id.choices = [
        SelectChoice(group.id, local_name(group))
        for group in catalogue.groups(db.session, current_user)
    ]
    form.handling.choices = [
        SelectChoice(handling.value, f"{HANDLING_NAMES[handling]} · {exact_span(time)}")
        for handling, time in sorted(handling_times().items(), key=lambda pair: pair[1])
    ]
    offered = units.usable_units(db.session, current_user)
    if item is not None and item.unit is not None and item.unit not in offered:
        offered.append(item.unit)
    form.unit_id.choices = [SelectChoice("", _("The building's street office"))] + [
        SelectChoice(unit.id, f"{local_name(unit)} · {local_name(unit.place)}") for unit in offered
    ]


def _item_fields(form: ItemForm) -> catalogue.ItemFields:
    return catalogue.ItemFields(
        group_id=form.group_id.data,
        name_zh=form.name_zh.data,
        name_en=form.name_en.data,
        default_level=form.default_level.data,
        handling=form.handling.data,
        resolve_hours=form.resolve_hours.data,
        unit_id=form.unit_id.data,
    )


@bp.route("/catalogue/items/new", methods=["GET", "POST"])
@login_required
def new_item():
    catalogue.require_catalogue_manager(current_user)
    form = ItemForm()
    _item_choices(form, None)
    if request.method == "GET":
        form.group_id.data = request.args.get("group", type=parse_id)
        form.handling.data = HandlingClass.GENERAL.value
    if form.validate_on_submit():
        with saving(form) as saved:
            item = catalogue.create_item(
                db.session, current_user, code=form.code.data, fields=_item_fields(form),
                now=utcnow(),
            )  # fmt: skip
        if saved:
            flash(_("The kind of problem is added. The report form offers it now."), "success")
            return redirect(url_for("catalogue.index", _anchor=f"item-{item.id}"))
    return render_template("catalogue/item.html", form=form, item=None)


@bp.route("/catalogue/items/<int:item_id>", methods=["GET", "POST"])
@login_required
def item(item_id: int):
    item = catalogue.get_item(db.session, current_user, item_id)
    form = ItemForm(obj=item)
    del form.code
    _item_choices(form, item)
    if request.method == "GET" and item.resolve_minutes:
        form.resolve_hours.data = item.resolve_minutes // 60
    if form.validate_on_submit():
        with saving(form) as saved:
            catalogue.update_item(db.session, current_user, item, _item_fields(form), now=utcnow())
        if saved:
            flash(_("The changes are saved."), "success")
            return redirect(url_for("catalogue.index", _anchor=f"item-{item.id}"))
    return render_template("catalogue/item.html", form=form, item=item)


@bp.post("/catalogue/items/<int:item_id>/up", defaults={"step": -1})
@bp.post("/catalogue/items/<int:item_id>/down", defaults={"step": 1})
@login_required
def move_item(item_id: int, step: int):
    item = catalogue.get_item(db.session, current_user, item_id)
    action = partial(catalogue.move_item, db.session, current_user, item, step, now=utcnow())
    one_button_action(action, _("The kind of problem is moved."))
    return redirect(url_for("catalogue.group", group_id=item.group_id, _anchor="items"))


@bp.post("/catalogue/items/<int:item_id>/retire")
@login_required
def retire_item(item_id: int):
    return _set_item_retired(
        item_id, True, _("The kind of problem is retired. The report form no longer offers it.")
    )


@bp.post("/catalogue/items/<int:item_id>/restore")
@login_required
def restore_item(item_id: int):
    return _set_item_retired(
        item_id, False, _("The kind of problem is in use again. The report form offers it.")
    )


def _set_item_retired(item_id: int, retired: bool, message: str):
    item = catalogue.get_item(db.session, current_user, item_id)
    one_button_action(
        partial(catalogue.set_item_retired, db.session, current_user, item, retired, now=utcnow()),
        message,
    )
    return redirect(url_for("catalogue.item", item_id=item_id))


def unit_items(session: Session, actor: Actor, unit: Unit) -> dict[str, Any]:
    """The panel of a unit's page listing the kinds of problem it takes at level 3."""
    return {"items": catalogue.items_of(session, unit)}
