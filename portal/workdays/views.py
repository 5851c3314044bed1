"""HTTP for administrators: the working-day calendar, and a year's holidays entered by hand."""

from __future__ import annotations

from datetime import date

from babel.dates import format_interval, format_skeleton
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.db import db, utcnow
from portal.numbers import parse_number
from portal.web.forms import saving
from portal.web.templating import current_locale
from portal.workdays import services as workdays
from portal.workdays.arrangement import runs, write_arrangement
from portal.workdays.days import Source
from portal.workdays.forms import ArrangementForm, RemoveYearForm
from portal.workdays.labels import KIND_LABELS, SOURCE_LABELS

bp = Blueprint("workdays", __name__, url_prefix="/admin")


def date_span(first: date, last: date) -> str:
    """A day, or days in a row, with their weekdays, in the reader's language."""
    if first == last:
        return format_skeleton("MMMEd", first, locale=current_locale())
    return format_interval(first, last, "MMMEd", locale=current_locale())


@bp.context_processor
def _helpers() -> dict:
    return {
        "date_span": date_span,
        "kind_label": KIND_LABELS.get,
        "runs": runs,
        "source_label": SOURCE_LABELS.get,
        "Source": Source,
    }


@bp.get("/workdays")
@login_required
def index():
    workdays.require_calendar_manager(current_user)
    this_year = workdays.local_date(utcnow()).year
    first = request.args.get("from", this_year, type=parse_number)
    years = workdays.calendar_overview(db.session, current_user, first)
    return render_template("workdays/index.html", years=years, first=first, this_year=this_year)


@bp.route("/workdays/<int:year>", methods=["GET", "POST"])
@login_required
def year(year: int):
    arrangement = workdays.year_arrangement(db.session, current_user, year)
    form = ArrangementForm()
    if request.method == "GET":
        form.days.data = write_arrangement(arrangement.days)
    if form.validate_on_submit():
        with saving(form) as saved:
            workdays.enter_year(db.session, current_user, year, form.days.data, now=utcnow())
        if saved:
            flash(
                _(
                    "The days of %(year)d are saved. Deadlines count by them from now on.",
                    year=year,
                ),
                "success",
            )
            return redirect(url_for("workdays.year", year=year))
    return _year_page(arrangement, form, RemoveYearForm(formdata=None))


def _year_page(arrangement, form: ArrangementForm, remove_form: RemoveYearForm):
    page = render_template(
        "workdays/year.html", arrangement=arrangement, form=form, remove_form=remove_form
    )
    wrong = any(f.errors or f.form_errors for f in (form, remove_form))
    return page, 400 if wrong else 200


@bp.post("/workdays/<int:year>/remove")
@login_required
def remove(year: int):
    form = RemoveYearForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            workdays.remove_year(db.session, current_user, year, now=utcnow())
        if saved:
            flash(_("What was entered for %(year)d is removed.", year=year), "success")
            return redirect(url_for("workdays.year", year=year))
    arrangement = workdays.year_arrangement(db.session, current_user, year)
    days = ArrangementForm(formdata=None, days=write_arrangement(arrangement.days))
    return _year_page(arrangement, days, form)
