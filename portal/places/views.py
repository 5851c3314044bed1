"""HTTP for places: the administrators' pages for areas and buildings, CSV import and export."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.db import db, utcnow
from portal.features import panels
from portal.pagination import paginate
from portal.places import services
from portal.places.csvio import HEADERS, ImportFailed, write_buildings
from portal.places.forms import BuildingForm, ImportForm, PlaceForm
from portal.places.models import CHILD_KIND, RiskGrade
from portal.web.forms import saving

bp = Blueprint("places", __name__, url_prefix="/admin/places")


@bp.get("")
@login_required
def index():
    places, can_add_district = services.places_overview(db.session, current_user)
    return render_template("places/index.html", places=places, can_add_district=can_add_district)


@bp.get("/<int:place_id>")
@login_required
def detail(place_id: int):
    place = services.get_place(db.session, current_user, place_id)
    search = request.args.get("q", "")[:50]
    page = paginate(db.session, services.buildings_query(place, search), request.args.get("page"))
    return render_template(
        "places/detail.html",
        place=place,
        children=services.child_places(db.session, place),
        trail=services.trail(current_user, place)[:-1],
        child_kind=CHILD_KIND.get(place.kind),
        page=page,
        search=search,
        panels=panels(current_app, "places.place", db.session, current_user, place),
    )


def _place_fields(form: PlaceForm) -> dict[str, str]:
    return {
        "code": form.code.data,
        "name_zh": form.name_zh.data,
        "name_en": form.name_en.data or "",
        "phone": form.phone.data or "",
        "hours_zh": form.service_hours_zh.data or "",
        "hours_en": form.service_hours_en.data or "",
        "centre_zh": form.service_centre_zh.data or "",
        "centre_en": form.service_centre_en.data or "",
    }


@bp.route("/new", methods=["GET", "POST"], defaults={"parent_id": None})
@bp.route("/<int:parent_id>/new", methods=["GET", "POST"])
@login_required
def new(parent_id: int | None):
    parent = services.get_place(db.session, current_user, parent_id) if parent_id else None
    kind = services.new_place_kind(current_user, parent)
    form = PlaceForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            place = services.create_place(
                db.session, current_user, parent, now=utcnow(), **_place_fields(form)
            )
        if saved:
            flash(_("The place is added."), "success")
            return redirect(url_for("places.detail", place_id=place.id))
    crumbs = services.trail(current_user, parent) if parent else []
    return render_template(
        "places/place_form.html", form=form, parent=parent, place=None, kind=kind, trail=crumbs
    )


@bp.route("/<int:place_id>/edit", methods=["GET", "POST"])
@login_required
def edit(place_id: int):
    place = services.get_place(db.session, current_user, place_id)
    form = PlaceForm(obj=place)
    if form.validate_on_submit():
        with saving(form) as saved:
            services.update_place(
                db.session, current_user, place, now=utcnow(), **_place_fields(form)
            )
        if saved:
            flash(_("The changes are saved."), "success")
            return redirect(url_for("places.detail", place_id=place.id))
    return render_template(
        "places/place_form.html",
        form=form,
        parent=place.parent,
        place=place,
        kind=place.kind,
        trail=services.trail(current_user, place),
    )


def _building_fields(form: BuildingForm) -> services.BuildingFields:
    return services.BuildingFields(
        name_zh=form.name_zh.data,
        name_en=form.name_en.data or "",
        address=form.address.data,
        households=form.households.data or 0,
        risk_grade=RiskGrade(form.risk_grade.data),
    )


@bp.route("/<int:place_id>/buildings/new", methods=["GET", "POST"])
@login_required
def new_building(place_id: int):
    grid = services.get_grid(db.session, current_user, place_id)
    form = BuildingForm(grid_code=grid.code)
    if form.validate_on_submit():
        with saving(form) as saved:
            target = services.grid_by_code(db.session, form.grid_code.data)
            building = services.create_building(
                db.session, current_user, target, _building_fields(form), now=utcnow()
            )
        if saved:
            flash(
                _(
                    "The building is added. Its QR code number is %(code)s.",
                    code=building.public_code,
                ),
                "success",
            )
            return redirect(url_for("places.detail", place_id=building.grid_id))
    return render_template(
        "places/building_form.html",
        form=form,
        building=None,
        trail=services.trail(current_user, grid),
    )


@bp.route("/buildings/<int:building_id>/edit", methods=["GET", "POST"])
@login_required
def edit_building(building_id: int):
    building = services.get_building(db.session, current_user, building_id)
    form = BuildingForm(obj=building, grid_code=building.grid.code)
    if request.method == "GET":
        form.risk_grade.data = building.risk_grade.value
    if form.validate_on_submit():
        with saving(form) as saved:
            target = services.grid_by_code(db.session, form.grid_code.data)
            services.update_building(
                db.session, current_user, building, target, _building_fields(form), now=utcnow()
            )
        if saved:
            flash(_("The changes are saved."), "success")
            return redirect(url_for("places.detail", place_id=building.grid_id))
    return render_template(
        "places/building_form.html",
        form=form,
        building=building,
        panels=panels(current_app, "places.building", db.session, current_user, building),
        trail=services.trail(current_user, building.grid),
    )


@bp.route("/<int:place_id>/import", methods=["GET", "POST"])
@login_required
def import_buildings(place_id: int):
    place = services.get_place(db.session, current_user, place_id)
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        try:
            summary = services.import_buildings(
                db.session, current_user, form.file.data.read(), within=place, now=utcnow()
            )
        except ImportFailed as failure:
            db.session.rollback()
            problems = failure.errors
        else:
            db.session.commit()
            flash(
                _("Import finished: %(created)d buildings added, %(updated)d updated.",
                  created=summary.created, updated=summary.updated),
                "success",
            )  # fmt: skip
            return redirect(url_for("places.detail", place_id=place.id))
    status = 400 if problems or form.errors else 200
    return render_template(
        "places/import.html",
        form=form,
        place=place,
        problems=problems,
        headers=HEADERS,
        trail=services.trail(current_user, place),
    ), status


@bp.get("/<int:place_id>/buildings.csv")
@login_required
def export_buildings(place_id: int):
    place = services.get_place(db.session, current_user, place_id)
    query = services.buildings_query(place).execution_options(yield_per=500)

    # The view's session is closed when the view returns; stream_with_context runs the
    # generator in the request context again, where the query gets a session of its own.
    def csv_text():
        yield from write_buildings(db.session.scalars(query))

    filename = "buildings-{}.csv".format(
        "".join(ch for ch in place.code if ch.isalnum() or ch in "-_")
    )
    return Response(
        stream_with_context(csv_text()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
