"""Forms of the accounts feature: signing in and one's own account."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, ValidationError

from portal.accounts import codes
from portal.accounts.passwords import MIN_LENGTH
from portal.accounts.services import valid_phone
from portal.errors import Invalid
from portal.i18n import CHINESE, ENGLISH
from portal.web.forms import CODE_KEYBOARD, MOBILE_KEYBOARD, PortalForm


def mainland_mobile(_form: FlaskForm, field: StringField) -> None:
    try:
        field.data = valid_phone(field.data)
    except Invalid as error:
        raise ValidationError(str(error.message)) from None


def phone_field(required_message=None, *, own: bool = True) -> StringField:
    """A mainland mobile number, normalised as it is validated; the browser offers its
    owner's number only where they type their `own`."""
    return StringField(
        _l("Mobile number"),
        validators=[
            InputRequired(required_message or _l("Enter your mobile number.")),
            mainland_mobile,
        ],
        render_kw=MOBILE_KEYBOARD if own else {**MOBILE_KEYBOARD, "autocomplete": "off"},
    )


class PhoneForm(PortalForm):
    phone = phone_field()
    next = HiddenField()


def code_field() -> StringField:
    """The field for a code from an SMS: a number pad, the phone's offer to fill in the code
    it just received, and full-width digits or spaces read as the code (codes.typed_code)."""
    return StringField(
        _l("Code from the SMS"),
        validators=[InputRequired(_l("Enter the 6-digit code from the SMS.")), _six_digits],
        filters=[lambda raw: codes.typed_code(raw) or raw],
        render_kw={**CODE_KEYBOARD, "maxlength": 12},
    )


def _six_digits(_form: FlaskForm, field: StringField) -> None:
    if field.data and codes.typed_code(field.data) is None:
        raise ValidationError(_l("The code has 6 digits."))


class CodeForm(PortalForm):
    code = code_field()


class PasswordSignInForm(PortalForm):
    phone = phone_field()
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


NEW_PASSWORD_HINT = _l(
    "At least %(count)d characters. A short sentence is easy to remember and hard to guess.",
    count=MIN_LENGTH,
)


class ChangePasswordForm(PortalForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[InputRequired(_l("Enter a new password."))],
        render_kw={"autocomplete": "new-password"},
        description=NEW_PASSWORD_HINT,
    )
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[
            InputRequired(_l("Enter the new password a second time.")),
            EqualTo("new_password", _l("The two new passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class PreferencesForm(PortalForm):
    display_name = StringField(
        _l("Your name (optional)"),
        validators=[Length(max=50, message=_l("Use at most %(max)d characters."))],
        render_kw={"autocomplete": "name"},
    )
    locale = SelectField(
        _l("Language"),
        choices=[
            SelectChoice("", _l("The same as my phone")),
            SelectChoice(CHINESE, "中文"),
            SelectChoice(ENGLISH, "English"),
        ],
    )
