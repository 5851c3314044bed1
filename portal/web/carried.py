"""A form's errors carried across a redirect (POST-redirect-GET for refusals too).

A page that answers a refused POST directly is the answer to that POST: reloading sends it
again (spending another try of an SMS code), and for a signed-in person, whose pages are never
stored, the browser's Back meets "Confirm form resubmission" or ERR_CACHE_MISS. Forms whose
refusals should not stay in the history carry them to the GET of the same page instead. What
was typed is not carried: these are short forms (a 6-digit code) whose wrong answer is of no
use again.
"""

from __future__ import annotations

from flask import session
from flask_wtf import FlaskForm

_KEY = "carried_errors"


def carry_errors(form: FlaskForm) -> None:
    """Keep the form's errors for the next page this browser opens."""
    fields = {field.name: list(field.errors) for field in form if field.errors}
    session[_KEY] = {"fields": fields, "form": [str(error) for error in form.form_errors]}


def show_carried_errors(form: FlaskForm) -> None:
    """Put errors carried by carry_errors back on `form` (once)."""
    carried = session.pop(_KEY, None)
    if not carried:
        return
    for name, errors in carried.get("fields", {}).items():
        if name in form:
            form[name].errors = [str(error) for error in errors]
    form.form_errors.extend(carried.get("form", []))
