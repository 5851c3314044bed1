"""A volunteer's certificate of volunteer service: the page, getting one, and its PDF."""

from __future__ import annotations

from flask import Response, current_app, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from portal.db import db, utcnow
from portal.errors import NotFound
from portal.verification import services as verification
from portal.verification.codes import grouped
from portal.volunteering import certificates
from portal.volunteering.certificate_pdf import certificate_pdf
from portal.volunteering.models import ServiceKind, Volunteer
from portal.volunteering.views import bp
from portal.volunteering.volunteers import volunteer_of
from portal.web.forms import one_button_action
from portal.web.templating import local_text


def _own_volunteer() -> Volunteer:
    found = volunteer_of(db.session, current_user)
    if found is None:
        raise NotFound(_("You are not registered as a volunteer."))
    return found


def _kind_names() -> dict[str, str]:
    kinds = db.session.scalars(select(ServiceKind))
    return {kind.code: local_text(kind.name_zh, kind.name_en) for kind in kinds}


# The activities the page lists, the latest first; the PDF lists them all.
PAGE_ACTIVITIES = 50


@bp.get("/certificate")
@login_required
def certificate():
    """The volunteer's confirmed service, and their certificate of it with its QR code."""
    volunteer = _own_volunteer()
    document, record = certificates.current_certificate(
        db.session, current_user, volunteer, latest=PAGE_ACTIVITIES
    )
    base_url = current_app.config["BASE_URL"]
    return render_template(
        "volunteering/certificate.html",
        volunteer=volunteer,
        document=document,
        record=record,
        recorded_by=certificates.recorders_text(record.recorded_by) if record.recorders else None,
        kind_names=_kind_names(),
        code=grouped(document.code) if document else None,
        qr=verification.qr_svg(base_url, document.code, size_mm=None) if document else None,
        url=verification.verification_url(base_url, document.code) if document else None,
    )


@bp.post("/certificate")
@login_required
def certify():
    """Issue a certificate of the record as it is now (or keep the last, if nothing changed)."""
    volunteer = _own_volunteer()
    one_button_action(
        lambda: certificates.certify(db.session, current_user, volunteer, now=utcnow()),
        _("Your certificate is ready. Its code lets anyone check it."),
    )
    return redirect(url_for("volunteering.certificate"))


@bp.get("/certificate.pdf")
@login_required
def certificate_file():
    """The current certificate as a PDF to print or send on."""
    volunteer = _own_volunteer()
    document, record = certificates.current_certificate(db.session, current_user, volunteer)
    if document is None:
        return redirect(url_for("volunteering.certificate"))
    body = certificate_pdf(
        document, record, name=volunteer.real_name, kind_names=_kind_names(),
        base_url=current_app.config["BASE_URL"],
    )  # fmt: skip
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'attachment; filename="volunteer-certificate.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response
