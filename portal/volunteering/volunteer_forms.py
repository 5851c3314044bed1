"""The forms of becoming a volunteer, and of a coordinator's answer.

Fields check only that what was sent is not too long; the rules (what must be given, the ID
number, the guardian under 18, the kinds of service offered) are the service's, which refuses
every mistake at once, each landing on the field it concerns, in the same words.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal import idnumbers
from portal.volunteering.volunteers import NAME_MAX, NAME_TOO_LONG, REASON_MAX
from portal.web.forms import MOBILE_KEYBOARD, PortalForm, stripped


class CheckboxesField(SelectMultipleField):
    """Several choices, each a checkbox (a phone's multiple select is hard to use)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ApplyForm(PortalForm):
    community = SelectField(_l("Your community"), choices=[], validate_choice=False)
    real_name = StringField(
        _l("Your name, as on your ID card"),
        validators=[Length(max=NAME_MAX, message=NAME_TOO_LONG)],
        filters=[stripped],
        render_kw={"autocomplete": "name"},
    )
    # Not a number pad: the last character may be X. The browser does not remember it (a
    # family's shared phone would offer it to the next person), nor does a switch of language.
    id_number = StringField(
        _l("ID card number (身份证号码)"),
        description=_l("18 characters: 17 digits, then a digit or the letter X."),
        validators=[Length(max=40, message=idnumbers.WRONG_LENGTH)],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )
    services = CheckboxesField(
        _l("What can you help with?"),
        description=_l("Choose one or more."),
        choices=[],
        validate_choice=False,
    )
    guardian_name = StringField(
        _l("Parent or guardian's name (under 18 only)"),
        validators=[Optional(), Length(max=NAME_MAX, message=NAME_TOO_LONG)],
        filters=[stripped],
    )
    # Not offered the owner's number ("tel"), which is the one number it may not be.
    guardian_phone = StringField(
        _l("Parent or guardian's mobile number (under 18 only)"),
        validators=[Optional(), Length(max=30, message=_l("Enter 11 digits, starting with 1."))],
        render_kw={**MOBILE_KEYBOARD, "autocomplete": "off"},
    )
    id_consent = BooleanField(
        _l("I agree that the community keeps my ID card number for volunteering"),
        description=_l(
            "Volunteer hours are recorded by real name, and one person may have only one "
            "time-bank account. Your number is kept safely: only you see it whole; your "
            "community's coordinator sees it masked, and every time they open it is recorded."
        ),
    )


class DeclineForm(PortalForm):
    reason = TextAreaField(
        _l("Why is it declined?"),
        description=_l("The resident reads this. Say what they can do, if anything."),
        validators=[
            InputRequired(_l("Say in a few words why, so that the resident knows.")),
            Length(max=REASON_MAX, message=_l("Keep it within 200 characters.")),
        ],
        filters=[stripped],
    )


class RevealForm(PortalForm):
    reason = StringField(
        _l("Why do you need the whole number?"),
        validators=[
            InputRequired(_l("Say why you need the whole number: it is kept in the audit log.")),
            Length(max=REASON_MAX, message=_l("Keep it within 200 characters.")),
        ],
        filters=[stripped],
    )
