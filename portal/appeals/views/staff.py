"""HTTP for staff: the queues (filtered, and as CSV), the appeal page and its actions, the
summonses a unit answers, the blocklist, and filing a report for a resident."""

from __future__ import annotations

from datetime import datetime

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import SelectChoice

from portal import catalogue, ratelimit
from portal.appeals import queues, services
from portal.appeals.forms import (
    AnswerForm,
    BlockForm,
    CallBackForm,
    HideForm,
    MergeForm,
    NoteForm,
    QueueFilterForm,
    ReclassifyForm,
    RelevelForm,
    SummonForm,
    TransferForm,
)
from portal.appeals.labels import STATE_LABELS
from portal.appeals.models import Appeal, PhotoStage
from portal.appeals.states import Action
from portal.appeals.views import bp, send_photo, settings
from portal.catalogue.data import OTHER
from portal.db import db, utcnow
from portal.errors import Invalid
from portal.features import Tile, add_tile
from portal.numbers import parse_id, parse_number
from portal.pagination import paginate
from portal.permissions import Permission
from portal.phones import mask_phone
from portal.places import services as places
from portal.places.codes import normalize_code
from portal.uploads.models import Upload
from portal.uploads.web import chosen, receive_files
from portal.web.csvfile import csv_chunks
from portal.web.forms import EmptyForm, one_button_action, saving
from portal.web.templating import current_locale, local_name, local_time


def init_app(app: Flask) -> None:
    """The staff desk's tile: the queue of the places and units one works or, for whoever
    works none (an administrator), the open reports of their area."""
    add_tile(
        app,
        "desk",
        Tile(
            "appeals.queue",
            _l("Reports to handle"),
            _l("Your team's queue, overdue first; accept, resolve, send on."),
            shown=queues.works_queues,
            order=100,
        ),
    )
    add_tile(
        app,
        "desk",
        Tile(
            "appeals.queue",
            _l("Reports in your area"),
            _l("Every open report of your area, overdue first, with the queue's filters."),
            shown=lambda actor: queues.default_view(actor) == "area",
            order=100,
        ),
    )


# --- the queues ---------------------------------------------------------------------------


def _wanted() -> tuple[queues.QueueFilter, QueueFilterForm]:
    """The queue's filters, from the address (a shared link shows the same list)."""
    view = request.args.get("view")
    if view not in ("team", "mine", "held", "area"):
        view = queues.default_view(current_user)
    form = QueueFilterForm(formdata=request.args)
    # Kinds in their groups, grids under their communities (a street has many 第一网格).
    form.item.choices = {"": [SelectChoice("", _("Any"))]} | {
        group: [SelectChoice(str(item_id), name) for item_id, name in items]
        for group, items in catalogue.on_offer(db.session, current_locale()).groups
    }
    grids = queues.queue_grids(db.session, current_user, view)
    form.grid.choices = {}
    if len(grids) > 1:  # one grid or none: nothing to choose from, no filter
        form.grid.choices[""] = [SelectChoice("", _("Any"))]
        for grid in grids:
            community = local_name(grid.parent) if grid.parent else ""
            form.grid.choices.setdefault(community, []).append(
                SelectChoice(str(grid.id), local_name(grid))
            )
    wanted = queues.QueueFilter(
        view=view,
        level=request.args.get("level", type=parse_number),
        overdue=request.args.get("due") == "overdue" or request.args.get("overdue") == "1",
        due_today=request.args.get("due") == "today",
        stage=request.args.get("stage") or None,
        item_id=request.args.get("item", type=parse_id),
        grid_id=request.args.get("grid", type=parse_id),
    )
    return wanted, form


@bp.get("/staff/appeals")
@login_required
def queue():
    now = utcnow()
    wanted, filters = _wanted()
    query = queues.queue_query(current_user, wanted, now=now)
    page = paginate(db.session, query, request.args.get("page"))
    return render_template(
        "appeals/queue.html",
        page=page,
        wanted=wanted,
        filters=filters,
        owners=queues.owners(db.session, current_user, wanted.view),
        works_queues=queues.works_queues(current_user),
        reads_area=bool(queues.area_places(current_user)),
        files_for_residents=services.files_anywhere(current_user),
        summonses=services.waiting_summonses(db.session, current_user),
        keeps_blocklist=services.keeps_blocklist(current_user),
        now=now,
    )


CSV_HEADERS = (
    _l("Number"),
    _l("Received"),
    _l("Kind of problem"),
    _l("Building"),
    _l("Address"),
    _l("Level"),
    _l("State"),
    _l("Urgent"),
    _l("Handler"),
    _l("Deadline"),
    _l("Overdue"),
    _l("Resident's phone"),
)
CSV_LIMIT = 50_000


@bp.get("/staff/appeals.csv")
@login_required
def queue_csv():
    """The filtered queue as a file for Excel (UTF-8 with BOM); phones are masked."""
    now = utcnow()
    wanted, _filters = _wanted()
    query = queues.queue_query(current_user, wanted, now=now).limit(CSV_LIMIT)
    queues.audit_export(db.session, current_user, wanted, now=now)
    db.session.commit()
    headers = [str(header) for header in CSV_HEADERS]

    # stream_with_context keeps the request (its language and session) while rows stream.
    def rows():
        for appeal in db.session.scalars(query.execution_options(yield_per=500)):
            yield _csv_row(appeal, now)

    stamp = now.strftime("%Y%m%d-%H%M")
    return Response(
        stream_with_context(csv_chunks(headers, rows())),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="appeals-{stamp}.csv"'},
    )


def _csv_row(appeal: Appeal, now: datetime) -> list:
    handler = appeal.handler
    return [
        appeal.tracking,
        local_time(appeal.received_at),
        local_name(appeal.item),
        local_name(appeal.building),
        appeal.building.address,
        appeal.level,
        str(STATE_LABELS[appeal.state]),
        _("Yes") if appeal.urgent else _("No"),
        (handler.display_name or mask_phone(handler.phone)) if handler else "",
        local_time(appeal.due_at),
        _("Yes") if appeal.due_at is not None and appeal.due_at <= now else _("No"),
        mask_phone(appeal.phone),
    ]


# --- one appeal -----------------------------------------------------------------------------


def _appeal_for_staff(tracking: str) -> Appeal:
    """The appeal asked for by number; each ask counts against the account's lookups, so that
    nobody reads through the numbers."""
    limit = current_app.config["STAFF_LOOKUP_LIMIT_PER_ACCOUNT"]
    ratelimit.check("staff-lookup", limit, f"user:{current_user.id}")
    return services.get_for_staff(db.session, current_user, tracking)


@bp.get("/staff/appeals/<tracking>")
@login_required
def detail(tracking: str):
    appeal = _appeal_for_staff(tracking)
    return _detail_page(appeal)


def _detail_page(
    appeal: Appeal,
    status: int = 200,
    *,
    full_phone: str | None = None,
    failed_answer: tuple[int, AnswerForm] | None = None,
    **failed,
):
    """The appeal page; a form that failed comes back in `failed` with what was typed."""
    actions = services.available_actions(current_user, appeal)
    forms = {
        "resolve_form": NoteForm(formdata=None),
        "relevel_form": RelevelForm(formdata=None),
        "callback_form": CallBackForm(formdata=None),
        "transfer_form": TransferForm(formdata=None, prefix=PREFIXES["transfer"]),
        "summon_form": SummonForm(formdata=None, prefix=PREFIXES["summon"]),
        "merge_form": MergeForm(formdata=None),
        "hide_form": HideForm(formdata=None, prefix=PREFIXES["hide"]),
        "reclassify_form": ReclassifyForm(formdata=None, prefix=PREFIXES["reclassify"]),
    } | failed
    # Every kind in use, group by group (the resident's form offers the same).
    forms["reclassify_form"].item.choices = {
        group: [SelectChoice(item_id, name) for item_id, name in items]
        for group, items in catalogue.on_offer(db.session, current_locale()).groups
    }
    if forms["reclassify_form"].item.data is None:
        forms["reclassify_form"].item.data = appeal.item_id
    forms["transfer_form"].target.choices = [
        SelectChoice(target.key, local_name(target.queue))
        for target in services.transfer_targets(db.session, appeal)
    ]
    # Only the levels it may be sent to: its own would be refused.
    levels = forms["relevel_form"].level
    levels.choices = [choice for choice in levels.choices if choice.value != appeal.level]
    forms["summon_form"].unit.choices = [
        SelectChoice(unit.id, local_name(unit))
        for unit in services.summon_units(db.session, appeal)
    ]
    my_units = services.units_of(current_user)
    summonses = services.summonses(db.session, appeal)
    # One answer form a summons the officer's units may answer, each with its own ids.
    answer_forms = {
        s.id: AnswerForm(formdata=None, prefix=f"summons-{s.id}")
        for s in summonses
        if s.answered_at is None and s.unit_id in my_units and appeal.is_open
    }
    if failed_answer is not None:
        answer_forms[failed_answer[0]] = failed_answer[1]
    ratings = services.ratings(db.session, appeal)
    return render_template(
        "appeals/detail.html",
        appeal=appeal,
        events=services.timeline(db.session, appeal),
        ratings=ratings,
        ratings_by_id={rating.id: rating for rating in ratings},
        actions=actions,
        duplicates=services.possible_duplicates(db.session, appeal) if "merge" in actions else [],
        summonses=summonses,
        answer_forms=answer_forms,
        keeps_blocklist=services.keeps_blocklist(current_user),
        filed_as_other=appeal.item.code == OTHER,
        full_phone=full_phone,
        now=utcnow(),
        **forms,
    ), status


@bp.get("/staff/appeals/<tracking>/photos/<name>")
@login_required
def staff_photo(tracking: str, name: str):
    appeal = _appeal_for_staff(tracking)
    return send_photo(appeal, name)


def _restore(session, actor, appeal: Appeal, *, now: datetime) -> None:
    services.restore(session, actor, appeal, now=now, settings=settings())


# One-button actions: (service function, message when done).
SIMPLE_ACTIONS = {
    "accept": (services.accept, _l("Accepted. The resident has been told.")),
    "contact": (services.record_contact, _l("Contact with the resident recorded.")),
    "start": (services.start, _l("Marked as in progress.")),
    "restore": (_restore, _l("Put back in the queue.")),
}


def _resolve(form: NoteForm, appeal: Appeal, now: datetime) -> None:
    # Photos are stored only for someone the service will let resolve it.
    services.require_act(current_user, appeal, Action.RESOLVE)
    services.require_handler(current_user, appeal)
    services.resolve(
        db.session,
        current_user,
        appeal,
        form.note.data,
        now=now,
        settings=settings(),
        photos=_store_photos(form, now),
    )


def _store_photos(form: NoteForm, now: datetime) -> list[Upload]:
    """Clean and store the result's photos; a refused one is reported on the field and
    nothing is saved (the note stays in the form)."""
    sent = chosen(form.photos.data)
    if len(sent) > services.MAX_PHOTOS:
        raise Invalid(_l("Up to 3 photos can be sent."), field="photos")
    received = receive_files(
        db.session,
        sent,
        purpose=services.PURPOSES[PhotoStage.RESOLUTION],
        now=now,
        room=services.MAX_PHOTOS,
    )
    if received.errors:
        raise Invalid(" ".join(received.errors), field="photos")
    return received.uploads


def _relevel(form: RelevelForm, appeal: Appeal, now: datetime) -> None:
    level, reason = form.level.data, form.reason.data
    services.relevel(db.session, current_user, appeal, level, reason, now=now, settings=settings())


def _call_back(form: CallBackForm, appeal: Appeal, now: datetime) -> None:
    services.call_back(db.session, current_user, appeal, form.note.data, now=now)


def _transfer(form: TransferForm, appeal: Appeal, now: datetime) -> None:
    target, reason = form.target.data, form.reason.data
    services.transfer(
        db.session, current_user, appeal, target, reason, now=now, settings=settings()
    )


def _summon(form: SummonForm, appeal: Appeal, now: datetime) -> None:
    unit, hours, note = form.unit.data, form.hours.data, form.note.data
    services.summon(db.session, current_user, appeal, unit, hours, note, now=now)


def _merge(form: MergeForm, appeal: Appeal, now: datetime) -> None:
    services.merge(db.session, current_user, appeal, form.into.data, now=now, settings=settings())


def _reclassify(form: ReclassifyForm, appeal: Appeal, now: datetime) -> None:
    services.reclassify(db.session, current_user, appeal, form.item.data, now=now)


def _hide(form: HideForm, appeal: Appeal, now: datetime) -> None:
    block = form.block_phone.data
    services.hide(db.session, current_user, appeal, form.reason.data, now=now, block_phone=block)


# Forms shown together on the appeal page whose fields would share a name (reason, note)
# get a prefix, so that every field has its own id and label.
PREFIXES = {"transfer": "transfer", "summon": "summon", "hide": "hide", "reclassify": "kind"}

# Actions with a form: (form class, what it does, message when done).
FORM_ACTIONS = {
    "resolve": (NoteForm, _resolve, _l("Marked as resolved. The resident has been told.")),
    "relevel": (RelevelForm, _relevel, _l("Sent to the other level.")),
    "call-back": (CallBackForm, _call_back, _l("Call-back recorded. The report is closed.")),
    "transfer": (TransferForm, _transfer, _l("Sent to the other team. They have been told.")),
    "summon": (SummonForm, _summon, _l("The department has been summoned and texted.")),
    "merge": (MergeForm, _merge, _l("Merged. The resident has been told which report to follow.")),
    "hide": (HideForm, _hide, _l("Set aside. It can be put back from the held list.")),
    "reclassify": (ReclassifyForm, _reclassify, _l("Filed under the kind of problem chosen.")),
}


@bp.post("/staff/appeals/<tracking>/<action>")
@login_required
def act(tracking: str, action: str):
    appeal = _appeal_for_staff(tracking)
    back = redirect(url_for("appeals.detail", tracking=appeal.tracking))
    now = utcnow()
    if action in SIMPLE_ACTIONS:
        run, done = SIMPLE_ACTIONS[action]
        one_button_action(lambda: run(db.session, current_user, appeal, now=now), str(done))
        return back
    if action == "reveal":
        if not EmptyForm().validate_on_submit():
            return back
        phone = services.reveal_phone(db.session, current_user, appeal, now=now)
        db.session.commit()
        # Shown on this one page, never put in a URL or kept in the session.
        return _detail_page(appeal, full_phone=phone)
    if action not in FORM_ACTIONS:
        abort(404)
    form_class, run, done = FORM_ACTIONS[action]
    form = form_class(prefix=PREFIXES.get(action, ""))
    if form.validate_on_submit():
        with saving(form) as saved:
            run(form, appeal, now)
        if saved:
            flash(str(done), "success")
            return back
    # The form comes back with what was typed and the message next to the field.
    return _detail_page(appeal, 400, **{f"{action.replace('-', '')}_form": form})


@bp.post("/staff/summonses/<int:summons_id>/answer")
@login_required
def answer_summons(summons_id: int):
    summons = services.get_summons(db.session, current_user, summons_id)
    appeal = summons.appeal
    form = AnswerForm(prefix=f"summons-{summons.id}")
    if form.validate_on_submit():
        with saving(form) as saved:
            services.answer_summons(
                db.session, current_user, summons, form.answer.data, now=utcnow()
            )
        if saved:
            flash(_("Your answer was sent."), "success")
            return redirect(url_for("appeals.detail", tracking=appeal.tracking))
    return _detail_page(appeal, 400, failed_answer=(summons.id, form))


# --- the blocklist ----------------------------------------------------------------------------


@bp.route("/staff/blocked-phones", methods=["GET", "POST"])
@login_required
def blocked_phones():
    form = BlockForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            services.block(
                db.session, current_user, form.phone.data, form.reason.data, now=utcnow()
            )
        if saved:
            flash(_("The number was added. Its reports will be held for a check."), "success")
            return redirect(url_for("appeals.blocked_phones"))
    entries = services.blocklist(db.session, current_user)
    # Entries set for a wider area hold reports here too: shown, but removed by its staff.
    removable = {entry.id for entry in entries if services.keeps_entry(current_user, entry)}
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "appeals/blocked.html", form=form, entries=entries, removable=removable
    ), status


@bp.post("/staff/blocked-phones/<int:entry_id>/remove")
@login_required
def unblock_phone(entry_id: int):
    one_button_action(
        lambda: services.unblock(db.session, current_user, entry_id, now=utcnow()),
        _("The number was removed from the blocklist."),
    )
    return redirect(url_for("appeals.blocked_phones"))


# --- filing for a resident (代办) ---------------------------------------------------------------


@bp.get("/staff/appeals/new")
@login_required
def file_for_resident():
    """Staff find the building (by name, address or the code on its door) within their area
    and fill in the same form a resident would, with the resident beside them or on the phone."""
    services.require_files_anywhere(current_user)
    words = request.args.get("q", "")[:50].strip()
    found, more, error = [], False, None
    if words:
        code = normalize_code(words)
        door = services.building_by_code(db.session, code) if code else None
        if door is not None and services.files_for_resident(current_user, door):
            return redirect(url_for("appeals.report", code=door.public_code))
        found, more = places.find_buildings(
            db.session, current_user, Permission.HANDLE_APPEALS, words
        )
        if not found:
            error = _(
                "No building in your area matches “%(words)s”. Try part of its name or "
                "address, or the code on its door.",
                words=words,
            )
    return render_template(
        "appeals/file_for.html", words=words, found=found, more=more, error=error
    ), 400 if error else 200
