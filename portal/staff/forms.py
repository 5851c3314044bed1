"""Forms for managing staff accounts: creating one, finding one, granting roles, resetting."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length

from portal.accounts.forms import phone_field
from portal.accounts.labels import ROLE_LABELS
from portal.permissions import Role
from portal.web.forms import PortalForm

ROLE_CHOICES = [
    SelectChoice(role.value, label) for role, label in ROLE_LABELS.items() if role != Role.RESIDENT
]
PLACE_CODE_HINT = _l(
    "For example the code of a grid or a community. Leave empty for an administrator of the whole portal."
)


class NewStaffForm(PortalForm):
    phone = phone_field(_l("Enter the mobile number."), own=False)
    display_name = StringField(
        _l("Name"),
        validators=[
            InputRequired(_l("Enter the person's name.")),
            Length(max=50, message=_l("Use at most %(max)d characters.")),
        ],
    )
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    place_code = StringField(_l("Code of the place"), description=PLACE_CODE_HINT)
    password = PasswordField(
        _l("Temporary password"),
        validators=[InputRequired(_l("Enter a temporary password."))],
        render_kw={"autocomplete": "new-password"},
        description=_l(
            "Tell it to the person in person or by phone. They must change it when they first sign in."
        ),
    )


class UserSearchForm(PortalForm):
    """Sent by POST, so that a phone number searched for stays out of URLs and access logs."""

    q = StringField(_l("Search by name or phone number"), validators=[Length(max=50)])


class GrantForm(PortalForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    place_code = StringField(_l("Code of the place"), description=PLACE_CODE_HINT)


class ResetPasswordForm(PortalForm):
    password = PasswordField(
        _l("New temporary password"),
        validators=[InputRequired(_l("Enter a temporary password."))],
        render_kw={"autocomplete": "new-password"},
        description=_l(
            "Every session of this account ends. The person must change the password when they next sign in."
        ),
    )
