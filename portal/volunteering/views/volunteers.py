"""Becoming a volunteer over HTTP: the resident's start page and application form, and the
coordinator's desk (applications to answer, the community's volunteers, a volunteer's page
where the whole ID number can be revealed, on that one page only).

The ID number travels only in the body of a POST and in the page of its reveal: never in a
URL, a flashed message or the session.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.db import db, utcnow
from portal.drafts.web import TypedAcrossLanguages
from portal.errors import NotFound
from portal.features import panels
from portal.numbers import optional_id
from portal.permissions import require_staff
from portal.volunteering import volunteers as service
from portal.volunteering.models import Volunteer, VolunteerState
from portal.volunteering.timebank import RULES
from portal.volunteering.views import bp
from portal.volunteering.volunteer_forms import ApplyForm, DeclineForm, RevealForm
from portal.web.forms import EmptyForm, saving
from portal.web.templating import current_locale

# What was typed on the application, kept across a switch of language: all but the ID number,
# which rests in the database only sealed (idseal.py), so it is typed again.
applying = TypedAcrossLanguages(
    "volunteering.apply",
    ("community", "real_name", "services", "guardian_name", "guardian_phone", "id_consent"),
)
# The slot of the volunteer's start page where activities and hours are shown (Panels
# registered with portal.features.add_panel; their subject is the Volunteer).
HOME_SLOT = "volunteering.home"


@bp.get("/")
def home():
    """The resident's start: what volunteering is, applying, waiting, or being a volunteer."""
    return _home_page()


def _home_page(whole_id: str = ""):
    mine = service.volunteer_of(db.session, current_user)
    approved = mine is not None and mine.state == VolunteerState.APPROVED
    return render_template(
        "volunteering/home.html", mine=mine, states=VolunteerState, whole_id=whole_id,
        kinds={kind.code: kind for kind in service.service_kinds(db.session, with_retired=True)},
        # What the other parts of volunteering show a volunteer here (activities, hours).
        panels=panels(current_app, HOME_SLOT, db.session, current_user, mine) if approved else [],
    )  # fmt: skip


@bp.post("/my-id-number")
@login_required
def my_id_number():
    """The volunteer's own whole ID number, on their page only (their own: not audited)."""
    mine = service.volunteer_of(db.session, current_user)
    form = EmptyForm()
    if mine is None or not form.validate_on_submit():
        return redirect(url_for("volunteering.home"))
    whole = ""
    with saving(form):
        whole = service.reveal_id_number(db.session, current_user, mine, now=utcnow())
    for message in form.form_errors:
        flash(message, "error")
    return _home_page(whole)


def _kind_name(kind) -> str:
    return kind.name_en if current_locale() == "en" and kind.name_en else kind.name_zh


@bp.route("/apply", methods=["GET", "POST"])
@login_required
def apply():
    mine = service.volunteer_of(db.session, current_user)
    if mine is not None and mine.state != VolunteerState.DECLINED:
        return redirect(url_for("volunteering.home"))
    scope = str(current_user.id)
    if applying.switching_language():
        return applying.keep_and_switch(scope, request.full_path.rstrip("?"))
    wanted = service.community_by_code(db.session, request.args.get("community", ""))
    near = wanted or (mine.community if mine is not None else None)
    communities = service.communities_near(db.session, near)
    kinds = service.service_kinds(db.session)
    form = ApplyForm()
    form.community.choices = [("", _("Choose your community"))] + [
        (place.code, place.name_en if current_locale() == "en" and place.name_en
         else place.name_zh) for place in communities
    ]  # fmt: skip
    form.services.choices = [(kind.code, _kind_name(kind)) for kind in kinds]
    if request.method == "GET":
        if near is not None:
            form.community.data = near.code
        if mine is not None:
            form.real_name.data = mine.real_name
            form.services.data = list(mine.services)
        applying.typed_before(form, scope)
    if form.validate_on_submit():
        community = next((p for p in communities if p.code == form.community.data), None)
        with saving(form) as saved:
            made = service.apply(
                db.session, current_user, community=community,
                real_name=form.real_name.data, id_number=form.id_number.data,
                id_consent=bool(form.id_consent.data), services=form.services.data or [],
                guardian_name=form.guardian_name.data or None,
                guardian_phone=form.guardian_phone.data or None, now=utcnow(),
                adult_age=current_app.extensions[RULES].adult_age,
            )  # fmt: skip
            applying.forget(scope, str(made.id))
        if saved:
            flash(_("Thank you. Your community's coordinator will answer, and we will text "
                    "you."), "success")  # fmt: skip
            return redirect(url_for("volunteering.home"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "volunteering/apply.html", form=form, mine=mine, language_form="apply-form"
    ), status


def _desk_community(communities):
    """The community the desk shows: the one asked for, or the only one."""
    try:
        wanted = optional_id(request.args.get("community"))
    except ValueError:
        wanted = None
    chosen = next((p for p in communities if p.id == wanted), None)
    if chosen is None and len(communities) == 1:
        chosen = communities[0]
    return chosen


@bp.get("/desk")
@login_required
def desk():
    """The coordinator's start: their communities, applications waiting, the volunteers."""
    require_staff(current_user)
    communities = service.coordinated_communities(db.session, current_user)
    if not communities:
        abort(403)
    community = _desk_community(communities)
    waiting = people = None
    query = request.args.get("q", "").strip()
    if community is not None:
        waiting = service.applications(db.session, current_user, community, None)
        people = service.volunteers(
            db.session, current_user, community, request.args.get("page"), query
        )
    return render_template(
        "volunteering/desk.html", communities=communities, community=community,
        waiting=waiting, people=people, query=query, states=VolunteerState,
    )  # fmt: skip


def _volunteer(volunteer_id: int, *, for_update: bool = False) -> Volunteer:
    require_staff(current_user)
    try:
        return service.get_volunteer(db.session, current_user, volunteer_id, for_update=for_update)
    except NotFound:
        abort(404)


def _volunteer_page(
    volunteer: Volunteer, *, decline_form=None, reveal_form=None, whole_id: str = "", status=200
):
    kinds = {kind.code: kind for kind in service.service_kinds(db.session, with_retired=True)}
    return render_template(
        "volunteering/volunteer.html", volunteer=volunteer, kinds=kinds, states=VolunteerState,
        decline_form=decline_form or DeclineForm(),
        reveal_form=reveal_form or RevealForm(prefix="reveal", formdata=None),
        whole_id=whole_id, age=service.age_on(volunteer, service.local_day(utcnow())),
    ), status  # fmt: skip


@bp.get("/desk/volunteers/<int:volunteer_id>")
@login_required
def volunteer_detail(volunteer_id: int):
    return _volunteer_page(_volunteer(volunteer_id))


@bp.post("/desk/volunteers/<int:volunteer_id>/approve")
@login_required
def approve(volunteer_id: int):
    volunteer = _volunteer(volunteer_id, for_update=True)
    form = EmptyForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            service.approve(db.session, current_user, volunteer, now=utcnow())
        if saved:
            flash(_("Approved. %(name)s has been texted.", name=volunteer.real_name), "success")
            return redirect(url_for("volunteering.desk", community=volunteer.community_id))
        for message in form.form_errors:
            flash(message, "error")
    return redirect(url_for("volunteering.volunteer_detail", volunteer_id=volunteer.id))


@bp.post("/desk/volunteers/<int:volunteer_id>/decline")
@login_required
def decline(volunteer_id: int):
    volunteer = _volunteer(volunteer_id, for_update=True)
    form = DeclineForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            service.decline(
                db.session, current_user, volunteer, reason=form.reason.data, now=utcnow()
            )
        if saved:
            flash(_("Declined. %(name)s has been texted.", name=volunteer.real_name), "success")
            return redirect(url_for("volunteering.desk", community=volunteer.community_id))
    return _volunteer_page(volunteer, decline_form=form, status=400)


@bp.post("/desk/volunteers/<int:volunteer_id>/reveal")
@login_required
def reveal(volunteer_id: int):
    volunteer = _volunteer(volunteer_id)
    form = RevealForm(prefix="reveal")
    whole = ""
    if form.validate_on_submit():
        with saving(form):
            whole = service.reveal_id_number(
                db.session, current_user, volunteer, reason=form.reason.data or "", now=utcnow()
            )
    # Shown on this one page, never put in a URL or kept in the session.
    return _volunteer_page(
        volunteer, reveal_form=form, whole_id=whole, status=200 if whole else 400
    )
