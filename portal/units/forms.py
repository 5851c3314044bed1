"""The administrators' forms for units and their members.

The places a unit may serve are filled in by the views. The services check every rule again;
these validators only catch what is plainly missing or too long. The code and name fields
are the catalogue's forms' too.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length

from portal.numbers import optional_id
from portal.units.services import CODE_MAX, NAME_EN_MAX, NAME_ZH_MAX
from portal.web.forms import MOBILE_KEYBOARD, PortalForm


def code_field() -> StringField:
    """A new code; the form of an existing row deletes it (codes never change)."""
    return StringField(
        _l("Code"),
        description=_l(
            "Lower-case letters, digits and hyphens, like rubbish-in-corridor. It cannot be changed later."
        ),
        validators=[
            InputRequired(_l("Enter a code.")),
            Length(
                max=CODE_MAX,
                message=_l(
                    "Use up to 40 lower-case letters, digits and hyphens, like rubbish-in-corridor."
                ),
            ),
        ],
        render_kw={"autocapitalize": "none", "spellcheck": "false"},
    )


def name_fields() -> tuple[StringField, StringField]:
    """The Chinese and the English name."""
    return (
        StringField(
            _l("Name in Chinese"),
            validators=[
                InputRequired(_l("Enter the name in Chinese.")),
                Length(max=NAME_ZH_MAX, message=_l("Keep it within 50 characters.")),
            ],
        ),
        StringField(
            _l("Name in English"),
            validators=[
                InputRequired(_l("Enter the name in English: the portal is read in English too.")),
                Length(max=NAME_EN_MAX, message=_l("Keep it within 100 characters.")),
            ],
        ),
    )


class UnitForm(PortalForm):
    """A street office or department; `code` is deleted from the form of an existing unit."""

    code = code_field()
    place_id = SelectField(
        _l("Street or district it serves"), coerce=optional_id, validate_choice=False
    )
    name_zh, name_en = name_fields()
    phone = StringField(
        _l("Office phone number (optional)"),
        description=_l(
            "Shown in full to residents and communities: an office line, never a mobile someone signs in with."
        ),
        validators=[Length(max=20, message=_l("Keep it within 20 characters."))],
        render_kw={"inputmode": "tel"},
    )


class MemberForm(PortalForm):
    """An officer to add to a unit; made with the prefix "member" beside the unit's own form."""

    phone = StringField(
        _l("Officer's mobile number"),
        description=_l(
            "The number they sign in with. They must hold the officer role for the street or district this unit serves."
        ),
        validators=[InputRequired(_l("Enter the officer's mobile number."))],
        render_kw={**MOBILE_KEYBOARD, "autocomplete": "off"},
    )
