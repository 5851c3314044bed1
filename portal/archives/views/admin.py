"""HTTP for archive queries: the administrators' pages. The archives (their archivists, the
kinds they keep, their seal; retired and brought back) and the kinds of record with their
checklists (in order, offered or not)."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from portal.archives import archive_admin, kind_admin
from portal.archives.admin_forms import (
    ArchiveForm,
    ArchivistForm,
    KeptKindsForm,
    KindForm,
    SealForm,
)
from portal.archives.catalogue import DEFAULT_CHECKLIST
from portal.archives.documents import SEAL_KINDS, SEAL_PURPOSE
from portal.archives.models import Archive, RecordKind
from portal.archives.views import bp
from portal.db import db, utcnow
from portal.errors import Invalid
from portal.pagination import paginate
from portal.permissions import Permission, can
from portal.places.labels import KIND_LABELS
from portal.uploads.models import Upload
from portal.uploads.web import chosen, receive_files, send_upload
from portal.web.forms import one_button_action, saving
from portal.web.templating import local_name

# --- archives --------------------------------------------------------------------------------


@bp.get("/archives/admin/archives")
@login_required
def admin_archives():
    query = archive_admin.archives_query(current_user)
    page = paginate(db.session, query, request.args.get("page"))
    return render_template(
        "archives/admin_archives.html", page=page,
        members=archive_admin.member_counts(db.session, page.items),
        keeps_kinds=can(current_user, Permission.MANAGE_ARCHIVES),
    )  # fmt: skip


def _place_choices(form: ArchiveForm, archive: Archive | None) -> None:
    places = archive_admin.archive_places(db.session, current_user)
    if archive is not None and archive.place not in places:
        places.append(archive.place)
    form.place_id.choices = [SelectChoice("", _("Choose one"))] + [
        SelectChoice(place.id, f"{local_name(place)} · {KIND_LABELS[place.kind]}")
        for place in places
    ]


def _archive_fields(form: ArchiveForm) -> dict:
    return {
        "place_id": form.place_id.data, "name_zh": form.name_zh.data,
        "name_en": form.name_en.data, "address_zh": form.address_zh.data,
        "address_en": form.address_en.data, "phone": form.phone.data,
    }  # fmt: skip


@bp.route("/archives/admin/archives/new", methods=["GET", "POST"])
@login_required
def admin_new_archive():
    archive_admin.require_archive_manager(current_user)
    form = ArchiveForm()
    _place_choices(form, None)
    if form.validate_on_submit():
        with saving(form) as saved:
            made = archive_admin.create_archive(
                db.session, current_user, code=form.code.data, now=utcnow(),
                **_archive_fields(form),
            )  # fmt: skip
        if saved:
            flash(_("The archive is added. Now add its archivists, the kinds of record it keeps "
                    "and its seal."), "success")  # fmt: skip
            return redirect(url_for("archives.admin_archive", code=made.code, _anchor="members"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("archives/admin_new_archive.html", form=form), status


def _kinds_form(archive: Archive, form: KeptKindsForm | None = None) -> KeptKindsForm:
    if form is None:
        form = KeptKindsForm(formdata=None, prefix="kinds")
        form.kinds.data = [str(kind_id) for kind_id in archive_admin.kept_kind_ids(db.session,
                                                                                   archive)]  # fmt: skip
    form.kinds.choices = [
        SelectChoice(str(kind.id), local_name(kind) if kind.is_active
                     else _("%(name)s (no longer offered)", name=local_name(kind)))
        for kind in archive_admin.kinds_to_choose(db.session, archive)
    ]  # fmt: skip
    return form


def _archive_page(archive: Archive, **sent):
    """The archive's page, with the form that was just sent (and its problems), if any."""
    form = sent.get("form")
    if form is None:
        form = ArchiveForm(formdata=None, obj=archive)
        del form.code
        _place_choices(form, archive)
    forms = {
        "form": form,
        "member_form": sent.get("member_form") or ArchivistForm(formdata=None, prefix="member"),
        "kinds_form": _kinds_form(archive, sent.get("kinds_form")),
        "seal_form": sent.get("seal_form") or SealForm(formdata=None, prefix="seal"),
    }
    failed = any(each.errors or each.form_errors for each in forms.values())
    page = render_template(
        "archives/admin_archive.html", archive=archive, **forms,
        members=archive_admin.members_of(db.session, archive),
        has_seal=archive_admin.seal_of(db.session, archive) is not None,
        open_work=archive_admin.open_work(db.session, archive),
    )  # fmt: skip
    return page, 400 if failed else 200


@bp.route("/archives/admin/archives/<code>", methods=["GET", "POST"])
@login_required
def admin_archive(code: str):
    archive = archive_admin.get_archive(db.session, current_user, code)
    if request.method == "GET":
        return _archive_page(archive)
    form = ArchiveForm(obj=archive)
    del form.code
    _place_choices(form, archive)
    if form.validate_on_submit():
        with saving(form) as saved:
            archive_admin.update_archive(db.session, current_user, archive, now=utcnow(),
                                         **_archive_fields(form))  # fmt: skip
        if saved:
            flash(_("The changes are saved."), "success")
            return redirect(url_for("archives.admin_archive", code=archive.code))
    return _archive_page(archive, form=form)


@bp.post("/archives/admin/archives/<code>/members")
@login_required
def admin_add_archivist(code: str):
    archive = archive_admin.get_archive(db.session, current_user, code)
    form = ArchivistForm(prefix="member")
    if form.validate_on_submit():
        with saving(form) as saved:
            user = archive_admin.add_member(db.session, current_user, archive, form.phone.data,
                                            now=utcnow())  # fmt: skip
        if saved:
            flash(_("%(name)s works this archive now.",
                    name=user.display_name or _("The archivist")), "success")  # fmt: skip
            return redirect(url_for("archives.admin_archive", code=archive.code, _anchor="members"))
    return _archive_page(archive, member_form=form)


@bp.post("/archives/admin/archives/<code>/members/<int:user_id>/remove")
@login_required
def admin_remove_archivist(code: str, user_id: int):
    archive = archive_admin.get_archive(db.session, current_user, code)
    one_button_action(
        partial(archive_admin.remove_member, db.session, current_user, archive, user_id,
                now=utcnow()),
        _("The archivist no longer works this archive."),
    )  # fmt: skip
    return redirect(url_for("archives.admin_archive", code=archive.code, _anchor="members"))


@bp.post("/archives/admin/archives/<code>/kinds")
@login_required
def admin_archive_kinds(code: str):
    archive = archive_admin.get_archive(db.session, current_user, code)
    form = _kinds_form(archive, KeptKindsForm(prefix="kinds"))
    if form.validate_on_submit():
        with saving(form) as saved:
            archive_admin.set_kinds(db.session, current_user, archive, form.kinds.data or [],
                                    now=utcnow())  # fmt: skip
        if saved:
            flash(_("The kinds of record it keeps are saved."), "success")
            return redirect(url_for("archives.admin_archive", code=archive.code, _anchor="kinds"))
    return _archive_page(archive, kinds_form=form)


def _received_seal(form: SealForm, now: datetime) -> Upload:
    """The image sent, cleaned and kept by the upload store; a refused one is said beside
    its field."""
    sent = chosen([form.seal.data] if form.seal.data else [])
    if not sent:
        raise Invalid(_("Choose the image of the seal."), field="seal")
    received = receive_files(db.session, sent[:1], purpose=SEAL_PURPOSE, now=now, room=1,
                             kinds=SEAL_KINDS)  # fmt: skip
    if received.errors:
        raise Invalid(" ".join(received.errors), field="seal")
    return received.uploads[0]


@bp.post("/archives/admin/archives/<code>/seal")
@login_required
def admin_archive_seal(code: str):
    # The archive first: only its administrators may send files here.
    archive = archive_admin.get_archive(db.session, current_user, code)
    form = SealForm(prefix="seal")
    if form.validate_on_submit():
        with saving(form) as saved:
            now = utcnow()
            archive_admin.replace_seal(db.session, current_user, archive,
                                       _received_seal(form, now), now=now)  # fmt: skip
        if saved:
            flash(_("The seal is saved. Letters issued from now on carry it."), "success")
            return redirect(url_for("archives.admin_archive", code=archive.code, _anchor="seal"))
    return _archive_page(archive, seal_form=form)


@bp.get("/archives/admin/archives/<code>/seal.jpg")
@login_required
def admin_seal(code: str):
    archive = archive_admin.get_archive(db.session, current_user, code)
    return send_upload(archive_admin.seal_of(db.session, archive))


@bp.post("/archives/admin/archives/<code>/retire", defaults={"retired": True})
@bp.post("/archives/admin/archives/<code>/restore", defaults={"retired": False})
@login_required
def admin_retire_archive(code: str, retired: bool):
    archive = archive_admin.get_archive(db.session, current_user, code)
    one_button_action(
        partial(archive_admin.set_archive_retired, db.session, current_user, archive, retired,
                now=utcnow()),
        _("The archive is retired. Residents no longer choose it.") if retired
        else _("The archive is in use again."),
    )  # fmt: skip
    return redirect(url_for("archives.admin_archive", code=archive.code))


# --- kinds of record -------------------------------------------------------------------------


@bp.get("/archives/admin/kinds")
@login_required
def admin_kinds():
    every = kind_admin.all_kinds(db.session, current_user)
    return render_template(
        "archives/admin_kinds.html",
        offered=[kind for kind in every if kind.is_active],
        withdrawn=[kind for kind in every if not kind.is_active],
    )


@bp.route("/archives/admin/kinds/new", methods=["GET", "POST"])
@login_required
def admin_new_kind():
    kind_admin.require_kind_manager(current_user)
    form = KindForm()
    del form.offered
    if request.method == "GET":
        form.fill_checklist(DEFAULT_CHECKLIST)
    if form.validate_on_submit():
        with saving(form) as saved:
            made = kind_admin.create_kind(
                db.session, current_user, code=form.code.data, name_zh=form.name_zh.data,
                name_en=form.name_en.data, checklist=form.ticked_checklist(), now=utcnow(),
            )  # fmt: skip
        if saved:
            flash(_("Added: %(name)s. Now choose the archives that keep it.",
                    name=local_name(made)), "success")  # fmt: skip
            return redirect(url_for("archives.admin_kinds"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("archives/admin_kind.html", form=form, kind=None), status


@bp.route("/archives/admin/kinds/<code>", methods=["GET", "POST"])
@login_required
def admin_kind(code: str):
    kind = kind_admin.get_kind(db.session, current_user, code)
    form = KindForm(obj=kind)
    del form.code
    if request.method == "GET":
        form.offered.data = kind.is_active
        form.fill_checklist(kind.checklist or {})
    if form.validate_on_submit():
        with saving(form) as saved:
            kind_admin.update_kind(
                db.session, current_user, kind, name_zh=form.name_zh.data,
                name_en=form.name_en.data, offered=form.offered.data,
                checklist=form.ticked_checklist(), now=utcnow(),
            )  # fmt: skip
        if saved:
            flash(_("The changes are saved."), "success")
            return redirect(url_for("archives.admin_kinds"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("archives/admin_kind.html", form=form, kind=kind), status


@bp.post("/archives/admin/kinds/<code>/up", defaults={"step": -1})
@bp.post("/archives/admin/kinds/<code>/down", defaults={"step": 1})
@login_required
def admin_move_kind(code: str, step: int):
    kind: RecordKind = kind_admin.get_kind(db.session, current_user, code)
    one_button_action(
        partial(kind_admin.move_kind, db.session, current_user, kind, step, now=utcnow()),
        _("Moved."),
    )
    return redirect(url_for("archives.admin_kinds", _anchor=f"kind-{kind.code}"))
