"""Form helpers shared by every feature, and the language switch."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import flash
from flask_wtf import FlaskForm
from wtforms import HiddenField

from portal.db import db
from portal.errors import DomainError, Forbidden

# What a phone's keyboard shows for fields of digits (pass as `render_kw`): the number pad,
# with the owner's number offered for a mobile number and the SMS's code for a code.
MOBILE_KEYBOARD = {"inputmode": "numeric", "autocomplete": "tel", "spellcheck": "false"}
CODE_KEYBOARD = {"inputmode": "numeric", "autocomplete": "one-time-code"}
DIGITS_KEYBOARD = {"inputmode": "numeric", "autocomplete": "off"}


class LanguageForm(FlaskForm):
    """The one-button language switch in the header of every page."""

    locale = HiddenField()
    next = HiddenField()


class EmptyForm(FlaskForm):
    """A form with nothing but its CSRF token, for one-button actions."""


def show_error(form: FlaskForm, error: DomainError) -> None:
    """Put a service's refusal on the field it concerns, or on the form as a whole."""
    field = getattr(form, error.details.get("field", ""), None)
    # A refusal that found several mistakes (lines of a long text) lists each on its own.
    messages = [str(message) for message in error.details.get("each", ())] or [error.message]
    if field is not None:
        field.errors = [*field.errors, *messages]
    else:
        form.form_errors.extend(messages)


class Saved:
    """Whether the action in a `saving` block was committed."""

    def __init__(self) -> None:
        self.ok = True

    def __bool__(self) -> bool:
        return self.ok


@contextmanager
def saving(form: FlaskForm) -> Iterator[Saved]:
    """Run one user action as one transaction.

    A rule that refuses it rolls everything back and is shown on `form`, whose fields keep
    what the person typed; otherwise the action is committed. A refused permission is not a
    mistake to correct on the form: it goes on to the 403 page, which logs it.
    """
    saved = Saved()
    try:
        yield saved
    except Forbidden:
        raise
    except DomainError as error:
        db.session.rollback()
        show_error(form, error)
        saved.ok = False
    else:
        db.session.commit()


def one_button_action(action: Callable[[], object], done_message: str) -> bool:
    """Run the action behind a one-button form as one transaction, and say how it went in a
    flashed message (the caller redirects to the page the button was on)."""
    form = EmptyForm()
    if not form.validate_on_submit():
        return False
    with saving(form) as saved:
        action()
    if saved:
        flash(done_message, "success")
    for message in form.form_errors:
        flash(message, "error")
    return bool(saved)
