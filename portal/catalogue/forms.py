"""The administrators' forms for the catalogue (事项清单) and for units.

Choices that come from the database (groups, units, places) and the handling classes (whose
times come from the configuration) are filled in by the views. The services check every
rule again; these validators only catch what is plainly missing or too long.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from portal.appeals.catalogue import CODE_MAX, NAME_EN_MAX, NAME_ZH_MAX, RESOLVE_HOURS_MAX
from portal.appeals.labels import LEVEL_LABELS
from portal.appeals.models import HandlingClass

HANDLING_NAMES = {
    HandlingClass.EMERGENCY: _l("Emergency"),
    HandlingClass.UTILITIES: _l("Utilities"),
    HandlingClass.GENERAL: _l("General"),
    HandlingClass.COMPLEX: _l("Complex"),
}


def optional_int(value: Any) -> int | None:
    """A select's value as a number; the empty choice is None."""
    if value is None or value == "":
        return None
    return int(value)


def _code_field() -> StringField:
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


def _name_fields() -> tuple[StringField, StringField]:
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


class GroupForm(FlaskForm):
    """A group of the catalogue; `code` is deleted from the form of an existing group."""

    code = _code_field()
    name_zh, name_en = _name_fields()


class ItemForm(FlaskForm):
    """A kind of problem; `code` is deleted from the form of an existing one."""

    code = _code_field()
    group_id = SelectField(_l("Group"), coerce=optional_int, validate_choice=False)
    name_zh, name_en = _name_fields()
    default_level = RadioField(
        _l("Level it goes to"),
        coerce=int,
        choices=[SelectChoice(level, label) for level, label in LEVEL_LABELS.items()],
        validate_choice=False,
        validators=[InputRequired(_l("Choose level 1, 2 or 3."))],
    )
    handling = RadioField(
        _l("Time to resolve it"),
        description=_l("The 12345 hotline's classes."),
        validate_choice=False,
        validators=[InputRequired(_l("Choose how long resolving may take."))],
    )
    resolve_hours = IntegerField(
        _l("Its own time to resolve, in hours (optional)"),
        description=_l(
            "Only when this kind of problem needs a time other than its class's. Whole hours, up to %(max)d (60 days).",
            max=RESOLVE_HOURS_MAX,
        ),
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=RESOLVE_HOURS_MAX,
                message=_l(
                    "Enter a whole number of hours from 1 to %(max)d, or leave it empty.",
                    max=RESOLVE_HOURS_MAX,
                ),
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )
    unit_id = SelectField(
        _l("Unit that takes it at level 3"),
        description=_l(
            "When it reaches level 3, by default or when sent up. A unit serving a street takes only that street's buildings; the others go to their own street office."
        ),
        coerce=optional_int,
        validate_choice=False,
    )


class UnitForm(FlaskForm):
    """A street office or department; `code` is deleted from the form of an existing unit."""

    code = _code_field()
    place_id = SelectField(
        _l("Street or district it serves"), coerce=optional_int, validate_choice=False
    )
    name_zh, name_en = _name_fields()
    phone = StringField(
        _l("Office phone number (optional)"),
        description=_l(
            "Shown in full to residents and communities: an office line, never a mobile someone signs in with."
        ),
        validators=[Length(max=20, message=_l("Keep it within 20 characters."))],
        render_kw={"inputmode": "tel"},
    )


class MemberForm(FlaskForm):
    """An officer to add to a unit; made with the prefix "member" beside the unit's own form."""

    phone = StringField(
        _l("Officer's mobile number"),
        description=_l(
            "The number they sign in with. They must hold the officer role for the street or district this unit serves."
        ),
        validators=[InputRequired(_l("Enter the officer's mobile number."))],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
