"""The forms of appeals: the resident's report, one question a screen, and staff actions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.accounts.forms import code_field
from portal.appeals.services import DESCRIPTION_MAX, DESCRIPTION_MIN
from portal.numbers import ascii_digits, parse_id, parse_number
from portal.web.forms import (
    DIGITS_KEYBOARD,
    MOBILE_KEYBOARD,
    PortalForm,
    WholeNumberField,
    stripped,
)

# The screens of the report, in order, and the fields each asks. The first is a GET form (see
# views.report); each of the others is sent by POST, kept in the report's draft and followed
# by a redirect to the next screen, so nothing is carried along in the page.
STEPS = ("item", "details", "contact", "check")
STEP_FIELDS = {
    "item": ("item",),
    "details": ("description", "location", "urgent", "wants_meeting"),
    "contact": ("phone", "name", "consent"),
    "check": (),
}
# What each POST brings: its screen's fields, and on the second screen the kind chosen on the
# first, which reached it in the address.
POSTED_FIELDS = {
    "details": ("item", *STEP_FIELDS["details"]),
    "contact": STEP_FIELDS["contact"],
    "check": (),
}


def _kind_of_problem() -> RadioField:
    return RadioField(
        _l("What kind of problem is it?"),
        coerce=parse_id,
        validate_choice=False,
        validators=[InputRequired(_l("Choose what kind of problem it is."))],
    )


class KindForm(PortalForm):
    """The first screen, sent by GET: it opens the report without a session (see
    views._first_screen), so it has no CSRF token to check."""

    class Meta:
        csrf = False

    item = _kind_of_problem()


class ReportForm(PortalForm):
    # Hidden fields are given a label (never shown), else WTForms reads its own catalogue from
    # disk on every request to translate the name it would make up.
    step = HiddenField("", default="details")
    item = _kind_of_problem()
    description = TextAreaField(
        _l("What happened?"),
        description=_l("Say what you see and since when. Up to 2,000 characters."),
        validators=[
            InputRequired(_l("Say what happened, in a few words.")),
            Length(min=DESCRIPTION_MIN, message=_l("Say what happened, in a few words.")),
            Length(max=DESCRIPTION_MAX, message=_l("Keep it within 2,000 characters.")),
        ],
        filters=[stripped],
    )
    location = StringField(
        _l("Where exactly? (optional)"),
        description=_l("For example: unit 2, 5th floor, next to the lift."),
        validators=[Optional(), Length(max=100, message=_l("Keep it within 100 characters."))],
    )
    photos = MultipleFileField(
        _l("Photos (optional, up to 3)"),
        description=_l("A photo helps staff see the problem. Location data is removed."),
    )
    urgent = BooleanField(_l("It is urgent: people or property are in danger"))
    wants_meeting = BooleanField(_l("I would like to talk to the community secretary"))
    phone = StringField(
        _l("Your mobile number"),
        description=_l("We send a code to confirm it, and tell you how it goes."),
        validators=[InputRequired(_l("Enter your mobile number."))],
        render_kw=MOBILE_KEYBOARD,
    )
    name = StringField(
        _l("Your name (optional)"),
        validators=[Optional(), Length(max=50, message=_l("Keep it within 50 characters."))],
    )
    # Shown only to staff filing the report for a resident (代办).
    consent = BooleanField(
        _l("The resident is with me and agrees that I send this for them"),
        description=_l("Otherwise a code is sent to the resident's phone for them to read out."),
    )
    # Left empty by people; filled in by robots that fill in every field.
    website = StringField(_l("Leave this empty"))


class CodeForm(PortalForm):
    code = code_field()


def _four_digits(_form: PortalForm, field: StringField) -> None:
    digits = ascii_digits("".join(field.data.split()))
    if digits is None or len(digits) != 4:
        raise ValidationError(_l("Enter the last 4 digits of your mobile number."))


class LastDigitsForm(PortalForm):
    digits = StringField(
        _l("Last 4 digits of your mobile number"),
        validators=[
            InputRequired(_l("Enter the last 4 digits of your mobile number.")),
            _four_digits,
        ],
        render_kw={**DIGITS_KEYBOARD, "maxlength": 4},
    )


class ReviewForm(PortalForm):
    rating = RadioField(
        _l("How satisfied are you with the result?"),
        choices=[
            SelectChoice("satisfied", _l("Satisfied")),
            SelectChoice("basically_satisfied", _l("Mostly satisfied")),
            SelectChoice("dissatisfied", _l("Not satisfied")),
        ],
        validators=[InputRequired(_l("Choose how satisfied you are."))],
    )
    comment = TextAreaField(
        _l("Anything to add? (optional)"),
        validators=[Optional(), Length(max=500, message=_l("Keep it within 500 characters."))],
    )


class NoteForm(PortalForm):
    note = TextAreaField(
        _l("What was done"),
        description=_l("The resident reads this."),
        validators=[
            InputRequired(_l("Say what was done, so that the resident can read it.")),
            Length(max=DESCRIPTION_MAX, message=_l("Keep it within 2,000 characters.")),
        ],
    )
    photos = MultipleFileField(
        _l("Photos of the result (optional, up to 3)"),
        description=_l("The resident sees them. Location data is removed."),
        render_kw={"accept": "image/*"},
    )


class RelevelForm(PortalForm):
    level = SelectField(
        _l("Send to"),
        coerce=parse_number,
        choices=[
            SelectChoice(1, _l("Level 1: the grid worker")),
            SelectChoice(2, _l("Level 2: the community")),
            SelectChoice(3, _l("Level 3: the street office or a department")),
        ],
    )
    reason = StringField(
        _l("Reason"), validators=[InputRequired(_l("Give the reason, in a few words."))]
    )


class CallBackForm(PortalForm):
    note = TextAreaField(
        _l("What the resident said on the call"),
        validators=[InputRequired(_l("Give the reason, in a few words."))],
    )


class ReclassifyForm(PortalForm):
    item = SelectField(
        _l("The kind of problem it is"),
        coerce=parse_id,
        validate_choice=False,
        validators=[InputRequired(_l("Choose a kind of problem from the list."))],
    )


class TransferForm(PortalForm):
    target = SelectField(_l("Send to"), validate_choice=False)
    reason = StringField(
        _l("Reason"), validators=[InputRequired(_l("Give the reason, in a few words."))]
    )


class SummonForm(PortalForm):
    unit = SelectField(_l("Department"), coerce=parse_id, validate_choice=False)
    hours = WholeNumberField(
        _l("Answer within (hours)"),
        default=24,
        validators=[InputRequired(_l("Give between 1 and 720 hours."))],
    )
    note = TextAreaField(
        _l("What the department is asked to do"),
        validators=[InputRequired(_l("Say what the unit is asked to do."))],
    )


class AnswerForm(PortalForm):
    answer = TextAreaField(
        _l("What your unit did or will do"),
        description=_l("The resident can read this."),
        validators=[InputRequired(_l("Say what your unit did or will do."))],
    )


class MergeForm(PortalForm):
    into = StringField(
        _l("Number of the report that goes on"),
        description=_l("For example A2611-7K3Q. This report's resident is told to follow it."),
        validators=[InputRequired(_l("Give the number of a report that is still being handled."))],
    )


class HideForm(PortalForm):
    reason = StringField(
        _l("Reason"), validators=[InputRequired(_l("Give the reason, in a few words."))]
    )
    block_phone = BooleanField(_l("Also hold this number's next reports for a check"))


class BlockForm(PortalForm):
    phone = StringField(
        _l("Mobile number"),
        validators=[InputRequired(_l("Enter the mobile number."))],
        render_kw={**MOBILE_KEYBOARD, "autocomplete": "off"},
    )
    reason = StringField(
        _l("Reason"), validators=[InputRequired(_l("Give the reason, in a few words."))]
    )


class QueueFilterForm(PortalForm):
    """The queue's filters: a GET form, so the filtered page has its own address to share."""

    class Meta:
        csrf = False

    view = HiddenField()
    stage = SelectField(
        _l("Stage"),
        choices=[
            SelectChoice("", _l("Any")),
            SelectChoice("waiting", _l("Waiting to be taken")),
            SelectChoice("handling", _l("Being handled")),
        ],
        validate_choice=False,
    )
    level = SelectField(
        _l("Level"),
        choices=[
            SelectChoice("", _l("Any")),
            SelectChoice("1", _l("Level 1")),
            SelectChoice("2", _l("Level 2")),
            SelectChoice("3", _l("Level 3")),
        ],
        validate_choice=False,
    )
    item = SelectField(_l("Kind of problem"), validate_choice=False)
    grid = SelectField(_l("Grid"), validate_choice=False)
    due = SelectField(
        _l("Deadline"),
        choices=[
            SelectChoice("", _l("Any")),
            SelectChoice("overdue", _l("Overdue")),
            SelectChoice("today", _l("Due by the end of today")),
        ],
        validate_choice=False,
    )
