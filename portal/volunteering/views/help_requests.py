"""HTTP for help for the elderly paid in stored hours. Older residents: ask for help, and see
and cancel their requests (volunteers see there the help they are asked to give).
Coordinators: their communities' older residents (register one, mark priority) and the
requests to match, confirm and cancel."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from portal.db import db, start_writing, utcnow
from portal.drafts.web import TypedAcrossLanguages
from portal.errors import NotFound
from portal.idnumbers import age_on
from portal.ledger.models import AccountKind
from portal.numbers import optional_id
from portal.permissions import Permission, can, require, require_staff, require_within
from portal.phones import mask_phone
from portal.places.models import Place
from portal.verification.facts import mask_name
from portal.volunteering import elders as elder_services
from portal.volunteering import family, hours_page, timebank
from portal.volunteering import help_lists as lists
from portal.volunteering import help_requests as services
from portal.volunteering.help_forms import (
    DoneForm,
    ElderForm,
    FamilyForm,
    HelpCancelForm,
    HelpForm,
    MatchForm,
    PriorityForm,
    read_minutes,
)
from portal.volunteering.models import (
    Elder,
    FamilyMember,
    HelpRequest,
    HelpState,
    Volunteer,
)
from portal.volunteering.views import bp
from portal.volunteering.volunteers import (
    coordinated_communities,
    local_day,
    service_kinds,
    volunteer_of,
)
from portal.volunteering.when import clock_words, day_words
from portal.web.forms import EmptyForm, saving
from portal.web.templating import local_text

# What was typed on the form asking for help, kept across a switch of language.
help_drafts = TypedAcrossLanguages(
    "volunteering.help_ask",
    ("service_kind", "day", "starts_at", "minutes", "location", "note", "payer"),
)


def help_time(found: HelpRequest) -> str:
    """When, in words, in Shanghai: "明天（12月8日周二） 14:00" / "Tue 8 Dec 14:00"."""
    return f"{day_words(found.starts_at, utcnow())} {clock_words(found.starts_at)}"


@bp.context_processor
def _help_helpers() -> dict[str, Any]:
    def help_state(state: HelpState) -> str:
        return {
            HelpState.ASKED: _("Waiting for a volunteer"),
            HelpState.MATCHED: _("A volunteer will come"),
            HelpState.DONE: _("Completed"),
            HelpState.CANCELLED: _("Cancelled"),
        }[state]

    def payer_label(found: HelpRequest, *, named: bool = False) -> str:
        """Who pays; `named` says whose own hours they are, for a family member reading."""
        if found.payer == "pool":
            return _("The community's pool")
        if named:
            return _("%(name)s's own stored hours", name=found.elder.real_name)
        return _("Own stored hours")

    def help_home() -> dict[str, Any]:
        """For the volunteering start page: the signed-in person's registration as an older
        resident, the elders they ask for as family, and the help they are matched to give."""
        return {
            "elder": elder_services.elder_of(db.session, current_user),
            "members": family.asking_for(db.session, current_user),
            "giving": lists.giving(db.session, current_user),
        }

    def your_tie(member: FamilyMember) -> str:
        """Who the elder is to the family member reading: "your parent"."""
        return str(family.YOUR_TIE[member.tie])

    return {
        "your_tie": your_tie,
        "help_home": help_home,
        "help_time": help_time,
        "help_state": help_state,
        "payer_label": payer_label,
        "mask_name": mask_name,
        "mask_phone": mask_phone,
    }


def _rules() -> timebank.TimeBankRules:
    return current_app.extensions[timebank.RULES]


def _help_request(request_id: int) -> HelpRequest:
    try:
        return services.get_help_request(db.session, request_id)
    except NotFound:
        abort(404)


def _elder(elder_id: int) -> Elder:
    try:
        return elder_services.get_elder(db.session, elder_id)
    except NotFound:
        abort(404)


def _choices(form: HelpForm, elder: Elder) -> None:
    """The kinds of service to choose from, and who may pay: the pool only for priority
    elderly (the service refuses it for anyone else anyway)."""
    from wtforms import SelectChoice

    if not elder.priority:
        form.payer.choices = [each for each in form.payer.choices if each.value == "own"]
    form.service_kind.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(kind.code, local_text(kind.name_zh, kind.name_en))
        for kind in service_kinds(db.session)
    ]


def _ask(form: HelpForm, elder: Elder, scope: str) -> HelpRequest | None:
    """Ask for help for `elder` from a filled form; None when it was refused (shown on it).
    What was kept of the form across a switch of language (under `scope`) is forgotten."""
    starts_at, minutes = form.moment(), read_minutes(form.minutes)
    if starts_at is None or minutes is None:
        return None
    with saving(form) as saved:
        made = services.ask_for_help(
            db.session, current_user, elder, service_kind=form.service_kind.data,
            starts_at=starts_at, minutes=minutes, location=form.location.data,
            note=form.note.data or "", payer=form.payer.data or "", rules=_rules(), now=utcnow(),
        )  # fmt: skip
    if not saved:
        return None
    help_drafts.forget(scope, str(made.id))
    db.session.commit()
    return made


# --- older residents and their families ------------------------------------------------------


def _asking_for_whom() -> tuple[Elder | None, FamilyMember | None, list[FamilyMember]]:
    """For whom the signed-in person asks: themselves as a registered older resident, or
    (?elder=) an elder they are a family member of; the family entries to choose from."""
    own = elder_services.elder_of(db.session, current_user)
    members = family.asking_for(db.session, current_user)
    try:
        chosen = optional_id(request.args.get("elder"))
    except ValueError:
        chosen = None
    member = next((each for each in members if each.elder_id == chosen), None)
    if member is None and own is None and len(members) == 1:
        member = members[0]
    return (member.elder if member else own), member, members


@bp.route("/help/ask", methods=["GET", "POST"])
@login_required
def help_ask():
    """An older resident asks for help, or a family member asks for them."""
    elder, member, members = _asking_for_whom()
    if elder is None and members:
        return render_template("volunteering/help_choose.html", members=members)
    if elder is None:
        return render_template(
            "volunteering/help_not_registered.html",
            volunteer=volunteer_of(db.session, current_user),
        )
    scope = str(elder.id)
    if help_drafts.switching_language():
        return help_drafts.keep_and_switch(scope, request.full_path.rstrip("?"))
    form = HelpForm()
    _choices(form, elder)
    own_note = _own_hours_shown(form, elder, member)
    if request.method == "GET" and form.payer.choices:
        form.payer.data = form.payer.choices[-1].value
        help_drafts.typed_before(form, scope)
    if form.validate_on_submit() and _ask(form, elder, scope) is not None:
        if member is not None:
            flash(_("Your request for %(name)s is sent. The community finds a volunteer, and "
                    "we text them and %(name)s.", name=elder.real_name), "success")  # fmt: skip
        else:
            flash(_("Your request is sent. The community finds a volunteer and we text them."),
                  "success")  # fmt: skip
        return redirect(url_for("volunteering.my_help"))
    status = 400 if request.method == "POST" else 200
    return render_template("volunteering/help_ask.html", form=form, elder=elder, member=member,
                           on_behalf=False, own_note=own_note,
                           language_form="help-form" if form.payer.choices else None), status  # fmt: skip


@bp.get("/help/mine")
@login_required
def my_help():
    """The older resident's requests, those a family member made for their elders, and the
    help a volunteer is asked to give."""
    members = family.asking_for(db.session, current_user)
    volunteer = volunteer_of(db.session, current_user)
    return render_template(
        "volunteering/help_mine.html",
        page=lists.mine(db.session, current_user, now=utcnow(), page=request.args.get("page")),
        members=members,
        for_family=lists.asked_for_others(db.session, current_user),
        cancellable={each.elder_id for each in members},
        giving=lists.giving(db.session, current_user),
        volunteer=volunteer,
        # How an older resident gets help is said to a volunteer who is one, not to all.
        older_volunteer=volunteer is not None
        and age_on(volunteer.birth_date, local_day(utcnow())) >= elder_services.ELDER_AGE,
    )


@bp.route("/help/<int:request_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_my_help(request_id: int):
    """Cancelling one's request (or one made for one's elder): a page that asks first."""
    found = _help_request(request_id)
    if not services.resident_may_cancel(db.session, current_user, found):
        abort(403)
    form = EmptyForm()
    if request.method == "GET":
        return render_template("volunteering/help_cancel.html", found=found, form=form)
    if form.validate_on_submit():
        with saving(form) as saved:
            services.cancel_help(db.session, current_user, found, reason="", now=utcnow())
        if saved:
            flash(_("Your request is cancelled."), "success")
        for message in form.form_errors:
            flash(message, "error")
    return redirect(url_for("volunteering.my_help"))


def _own_hours_shown(form: HelpForm, elder: Elder, member: FamilyMember | None) -> str | None:
    """Say by "my own stored hours" how many the older resident holds, and how many of them
    open requests already hold back; looked up, never made, so that opening the form writes
    nothing. With nothing free to spend, the choice is taken away: what to do instead (the
    returned note) helps more than a refusal after filling in the form."""
    from wtforms import SelectChoice

    account = hours_page.held_account(db.session, AccountKind.PERSON, user_id=elder.user_id)
    held = account.balance if account is not None else 0
    promised = services.promised_minutes(db.session, elder_id=elder.id)
    if held - promised <= 0 and request.method == "GET":
        # After a refusal the form stays whole, the refusal beside it, so nothing typed is lost.
        form.payer.choices = [each for each in form.payer.choices if each.value != "own"]
        if form.payer.choices:
            return _("%(name)s has no stored hours free to spend: the community's pool pays.",
                     name=elder.real_name)  # fmt: skip
        return _(
            "%(name)s has no stored hours free to spend. Ask the community whether its pool can "
            "pay, or whether a family member can give hours; the coordinator can help.",
            name=elder.real_name,
        )
    values = {"name": elder.real_name, "hours": timebank.hours_text(held),
              "promised": timebank.hours_text(promised)}  # fmt: skip
    if member is not None and promised:
        label = _("%(name)s's own stored hours (they hold %(hours)s hours, %(promised)s of them "
                  "promised to other requests)", **values)  # fmt: skip
    elif member is not None:
        label = _("%(name)s's own stored hours (they hold %(hours)s hours)", **values)
    elif promised:
        label = _("My own stored hours (you hold %(hours)s hours, %(promised)s of them promised "
                  "to other requests)", **values)  # fmt: skip
    else:
        label = _("My own stored hours (you hold %(hours)s hours)", **values)
    form.payer.choices = [
        SelectChoice(each.value, label) if each.value == "own" else each
        for each in form.payer.choices
    ]
    return None


# --- coordinators: older residents -----------------------------------------------------------


def _communities() -> list[Place]:
    require_staff(current_user)
    communities = coordinated_communities(db.session, current_user)
    if not communities:
        require(current_user, Permission.COORDINATE_VOLUNTEERS, None)
    return communities


def _chosen(communities: list[Place]) -> Place:
    try:
        chosen = optional_id(request.args.get("community"))
    except ValueError:
        chosen = None
    return next((each for each in communities if each.id == chosen), communities[0])


@bp.get("/desk/elders")
@login_required
def desk_elders():
    """A community's older residents: everything for its coordinators; for grid workers of its
    grids, their names, each with a way to ask for help for them."""
    require_staff(current_user)
    communities = elder_services.asking_communities(db.session, current_user)
    if not communities:
        require(current_user, Permission.ASK_HELP_FOR_ELDERS, None)
    community = _chosen(communities)
    page = elder_services.elders_page(db.session, current_user, community,
                                      page=request.args.get("page"))  # fmt: skip
    return render_template(
        "volunteering/elder_list.html", page=page, community=community,
        communities=communities,
        coordinates=can(current_user, Permission.COORDINATE_VOLUNTEERS, community),
    )  # fmt: skip


@bp.route("/desk/elders/new", methods=["GET", "POST"])
@login_required
def register_elder():
    from wtforms import SelectChoice

    communities = _communities()
    form = ElderForm()
    form.community.choices = [
        SelectChoice(str(each.id), local_text(each.name_zh, each.name_en or ""))
        for each in communities
    ]
    if form.validate_on_submit():
        try:
            community_id = optional_id(form.community.data)
        except ValueError:
            community_id = None
        community = next((each for each in communities if each.id == community_id), None)
        if community is None:
            form.community.errors = [*form.community.errors, _("Choose a community.")]
        born = form.born()
        if community is not None and born is not None:
            with saving(form) as saved:
                made = elder_services.register_elder(
                    db.session, current_user, community=community, phone=form.phone.data,
                    real_name=form.real_name.data, birth_date=born,
                    lives_alone=form.lives_alone.data, low_income=form.low_income.data,
                    has_disability=form.has_disability.data,
                    id_card_seen=form.id_card_seen.data, rules=_rules(), now=utcnow(),
                )  # fmt: skip
            if saved:
                flash(_("Registered. They can now ask for help, or you can ask for them."),
                      "success")  # fmt: skip
                return redirect(url_for("volunteering.elder", elder_id=made.id))
    elif request.method == "POST":
        form.born()
    status = 400 if request.method == "POST" else 200
    return render_template("volunteering/elder_form.html", form=form), status


def elder_page(
    found: Elder,
    priority_form: PriorityForm | None = None,
    family_form: FamilyForm | None = None,
    status: int = 200,
):
    """The older resident's page for a coordinator: their details, priority, the family
    members who may ask for them, and their latest requests."""
    require(current_user, Permission.COORDINATE_VOLUNTEERS, found.community)
    recent = db.session.scalars(
        select(HelpRequest)
        .where(HelpRequest.elder_id == found.id)
        .order_by(HelpRequest.id.desc())
        .limit(10)
    ).all()
    return render_template(
        "volunteering/elder_detail.html",
        elder=found,
        suggested=elder_services.priority_suggested(found, local_day(utcnow())),
        priority_form=priority_form or PriorityForm(),
        family_form=family_form or FamilyForm(formdata=None),
        family=family.family_of(db.session, current_user, found),
        member_is=family.MEMBER_IS,
        recent=recent,
        age=age_on(found.birth_date, local_day(utcnow())),
    ), status


@bp.get("/desk/elders/<int:elder_id>")
@login_required
def elder(elder_id: int):
    require_staff(current_user)
    return elder_page(_elder(elder_id))


@bp.post("/desk/elders/<int:elder_id>/priority")
@login_required
def elder_priority(elder_id: int):
    require_staff(current_user)
    found = _elder(elder_id)
    form = PriorityForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            elder_services.set_priority(
                db.session, current_user, found, priority=not found.priority,
                reason=form.reason.data, now=utcnow(),
            )  # fmt: skip
        if saved:
            flash(_("Saved, with the reason."), "success")
            return redirect(url_for("volunteering.elder", elder_id=found.id))
    return elder_page(found, form, status=400)


@bp.route("/desk/elders/<int:elder_id>/ask", methods=["GET", "POST"])
@login_required
def ask_for_elder(elder_id: int):
    """Staff ask for help for an older resident, paid by the community's pool: its
    coordinators, and grid workers of its grids."""
    require_staff(current_user)
    found = _elder(elder_id)
    require_within(current_user, Permission.ASK_HELP_FOR_ELDERS, found.community)
    coordinates = can(current_user, Permission.COORDINATE_VOLUNTEERS, found.community)
    scope = f"desk:{found.id}"
    if help_drafts.switching_language():
        return help_drafts.keep_and_switch(scope, request.path)
    form = HelpForm()
    _choices(form, found)
    # Only the resident, or a family member they agreed to, spends their own hours
    # (help_requests.ask_for_help says so too).
    form.payer.choices = [each for each in form.payer.choices if each.value == "pool"]
    if request.method == "GET":
        form.payer.data = "pool"
        help_drafts.typed_before(form, scope)
    if form.validate_on_submit():
        made = _ask(form, found, scope)
        if made is not None and coordinates:
            flash(_("The request is made. Now choose a volunteer."), "success")
            return redirect(url_for("volunteering.help_request", request_id=made.id))
        if made is not None:
            # What was asked, said back: the desk they return to does not list it.
            flash(_("Sent: %(kind)s for %(name)s, %(when)s. They are texted; the community's "
                    "coordinator finds a volunteer, and you are both texted who comes.",
                    kind=local_text(made.service_kind.name_zh, made.service_kind.name_en),
                    name=found.real_name, when=help_time(made)), "success")  # fmt: skip
            return redirect(url_for("volunteering.desk_elders", community=found.community_id))
    status = 400 if request.method == "POST" else 200
    return render_template("volunteering/help_ask.html", form=form, elder=found, on_behalf=True,
                           coordinates=coordinates,
                           language_form="help-form" if form.payer.choices else None), status  # fmt: skip


# --- coordinators: requests for help ---------------------------------------------------------


@bp.get("/desk/help")
@login_required
def desk_help():
    communities = _communities()
    community = _chosen(communities)
    try:
        state = HelpState(request.args.get("state", ""))
    except ValueError:
        state = None
    page = lists.for_community(db.session, current_user, community, state=state,
                               page=request.args.get("page"))  # fmt: skip
    return render_template("volunteering/help_desk.html", page=page, community=community,
                           communities=communities, state=state)  # fmt: skip


def _request_page(found: HelpRequest, status: int = 200, **forms: Any):
    from wtforms import SelectChoice

    require(current_user, Permission.COORDINATE_VOLUNTEERS, found.community)
    match_form = forms.get("match_form") or MatchForm()
    volunteers = []
    if found.state is HelpState.ASKED:
        volunteers = lists.volunteers_for(db.session, current_user, found)
        match_form.volunteer.choices = [SelectChoice("", _("Choose…"))] + [
            SelectChoice(str(each.id), f"{each.real_name} ({mask_phone(each.user.phone)})")
            for each in volunteers
        ]
    done_form = forms.get("done_form") or DoneForm()
    if request.method == "GET":
        done_form.minutes.data = str(found.minutes)
    return render_template(
        "volunteering/help_request.html",
        found=found,
        volunteers=volunteers,
        match_form=match_form,
        done_form=done_form,
        cancel_form=forms.get("cancel_form") or HelpCancelForm(),
        asked_by=family.who_asked(db.session, found),
        now=utcnow(),
    ), status


@bp.get("/desk/help/<int:request_id>")
@login_required
def help_request(request_id: int):
    require_staff(current_user)
    return _request_page(_help_request(request_id))


@bp.post("/desk/help/<int:request_id>/match")
@login_required
def match(request_id: int):
    require_staff(current_user)
    found = _help_request(request_id)
    form = MatchForm()
    if form.validate_on_submit():
        try:
            volunteer_id = optional_id(form.volunteer.data)
        except ValueError:
            volunteer_id = None
        volunteer = db.session.get(Volunteer, volunteer_id) if volunteer_id else None
        with saving(form) as saved:
            services.match_volunteer(db.session, current_user, found, volunteer=volunteer,
                                     now=utcnow())  # fmt: skip
        if saved:
            flash(_("The volunteer is matched and texted."), "success")
            return redirect(url_for("volunteering.help_request", request_id=found.id))
    return _request_page(found, 400, match_form=form)


@bp.post("/desk/help/<int:request_id>/done")
@login_required
def confirm_help(request_id: int):
    require_staff(current_user)
    found = _help_request(request_id)
    form = DoneForm()
    if form.validate_on_submit():
        minutes = read_minutes(form.minutes)
        if minutes is not None:
            # Only read so far: on SQLite the paying takes the write lock from here.
            start_writing(db.session)
            with saving(form) as saved:
                services.confirm_done(db.session, current_user, found, minutes=minutes,
                                      rules=_rules(), now=utcnow())  # fmt: skip
            if saved:
                flash(_("Confirmed: the hours are paid to the volunteer."), "success")
                return redirect(url_for("volunteering.help_request", request_id=found.id))
    return _request_page(found, 400, done_form=form)


@bp.post("/desk/help/<int:request_id>/cancel")
@login_required
def cancel_help(request_id: int):
    require_staff(current_user)
    found = _help_request(request_id)
    form = HelpCancelForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            services.cancel_help(db.session, current_user, found, reason=form.reason.data,
                                 now=utcnow())  # fmt: skip
        if saved:
            flash(_("The request is cancelled; whoever was involved is texted."), "success")
            return redirect(url_for("volunteering.help_request", request_id=found.id))
    return _request_page(found, 400, cancel_form=form)
