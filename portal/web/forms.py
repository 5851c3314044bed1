"""The base of every form, form helpers shared by every feature, and the language switch."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import flash, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    Field,
    FieldList,
    FileField,
    FormField,
    HiddenField,
    IntegerField,
    StringField,
)
from wtforms.i18n import DummyTranslations
from wtforms.validators import StopValidation
from wtforms.widgets import TextArea

from portal.characters import has_control_characters, strip_control_characters
from portal.db import db
from portal.errors import DomainError, Forbidden, Invalid
from portal.numbers import parse_number

CONTROL_CHARACTERS_MESSAGE = _l(
    "This has invisible control characters that cannot be saved. Type it again, or paste it "
    "as plain text."
)


# WTForms' own messages for a choice or a number it cannot read, in the portal's words (its
# catalogue has no Chinese for Babel's zh_Hans_CN); the rest are WTForms' translations.
WTFORMS_MESSAGES = {
    "Invalid Choice: could not coerce.": _l("Choose one of the answers given."),
    "Invalid Choice(s): one or more data inputs could not be coerced.": _l(
        "Choose one of the answers given."
    ),
    "Not a valid choice.": _l("Choose one of the answers given."),
    "Not a valid integer value.": _l("Enter a whole number, in digits."),
}


class _Messages:
    def __init__(self, wtforms: Any) -> None:
        self.wtforms = wtforms

    def gettext(self, string: str) -> str:
        if string in WTFORMS_MESSAGES:
            return str(WTFORMS_MESSAGES[string])
        return self.wtforms.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.wtforms.ngettext(singular, plural, n)


def stripped(text: str | None) -> str | None:
    """A field's filter: spaces around an answer are not part of it (nor enough to be one)."""
    return text.strip() if isinstance(text, str) else text


def _text_or_empty(value: Any) -> Any:
    # A text field missing from what was sent holds "" like an empty one, never None.
    return "" if value is None else value


def _without_control_characters(value: Any) -> Any:
    # Hidden fields carry the portal's own values back; nobody types in them.
    return strip_control_characters(value) if isinstance(value, str) else value


def _sent_text(field: Field) -> Iterable[str]:
    if isinstance(field, FieldList | FormField):
        for subfield in field:
            yield from _sent_text(subfield)
    for value in getattr(field, "raw_data", None) or ():
        if isinstance(value, str):
            yield value


def refuse_control_characters(_form: FlaskForm, field: Field) -> None:
    """Refuse what was sent in `field` if it holds control characters (line breaks and tabs
    are text in a field of several lines); what was typed stays in the field."""
    if not field.raw_data and not isinstance(field, FieldList | FormField):
        return
    multiline = isinstance(field.widget, TextArea)
    for text in _sent_text(field):
        if has_control_characters(text, multiline=multiline):
            raise StopValidation(str(CONTROL_CHARACTERS_MESSAGE))


class PortalForm(FlaskForm):
    """The base of every form of the portal (tests/test_architecture.py checks it).

    Every field refuses control characters first (portal/characters.py), except hidden fields,
    which drop them; every text field holds a string, "" when the field was not sent; only a
    file field takes a file.
    """

    class Meta:
        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            # What was sent, as each field can take it: a file only where a file is asked
            # for, and elsewhere text only (not a file, nor a number or a list from JSON).
            try:
                sent = super().wrap_formdata(form, formdata)  # type: ignore[misc]
            except (TypeError, ValueError):
                return MultiDict()  # a JSON body that is not an object of fields
            if sent is None or sent is request.form or sent is request.args:
                return sent  # text only, as werkzeug parses them
            for_files = {field.name for field in form if isinstance(field, FileField)}
            return MultiDict(
                (name, value)
                for name, value in sent.items(multi=True)
                if name in for_files or isinstance(value, str)
            )

        def get_translations(self, form: Any) -> _Messages:
            return _Messages(super().get_translations(form) or DummyTranslations())  # type: ignore[misc]

        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Field:
            kind = unbound_field.field_class
            if issubclass(kind, StringField):
                first = [_text_or_empty]
                if issubclass(kind, HiddenField):
                    first.append(_without_control_characters)
                filters = [*first, *unbound_field.kwargs.get("filters", ())]
                options = {**options, "filters": filters}
            field = super().bind_field(form, unbound_field, options)  # type: ignore[misc]
            if not issubclass(kind, HiddenField):
                field.validators = [refuse_control_characters, *field.validators]
            return field


class WholeNumberField(IntegerField):
    """A whole number as people type it: full-width digits too, and never more than a
    database column holds (portal/numbers.py); its range is the service's to check."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            return
        try:
            self.data = parse_number(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(str(_l("Enter a whole number, in digits."))) from None


# What a phone's keyboard shows for fields of digits (pass as `render_kw`): the number pad,
# with the owner's number offered for a mobile number and the SMS's code for a code.
MOBILE_KEYBOARD = {"inputmode": "numeric", "autocomplete": "tel", "spellcheck": "false"}
CODE_KEYBOARD = {"inputmode": "numeric", "autocomplete": "one-time-code"}
DIGITS_KEYBOARD = {"inputmode": "numeric", "autocomplete": "off"}


class LanguageForm(PortalForm):
    """The one-button language switch in the header of every page."""

    locale = HiddenField()
    next = HiddenField()


class EmptyForm(PortalForm):
    """A form with nothing but its CSRF token, for one-button actions."""


def show_error(form: FlaskForm, error: DomainError) -> None:
    """Put a service's refusal on the field it concerns, or on the form as a whole; a refusal
    standing for several (portal.errors.Problems) puts each on its own field."""
    if isinstance(error, Invalid) and len(error.problems) > 1:
        for each in error.problems:
            show_error(form, each)
        return
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
