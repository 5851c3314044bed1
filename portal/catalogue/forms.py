"""The administrators' forms for the catalogue (事项清单).

Choices that come from the database (groups, units) and the handling classes (whose
times come from the configuration) are filled in by the views. The services check every
rule again; these validators only catch what is plainly missing or too long.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import FieldList, RadioField, SelectChoice, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional

from portal.catalogue.labels import LEVEL_LABELS
from portal.catalogue.models import HandlingClass
from portal.catalogue.pins import MAX_PINNED
from portal.catalogue.services import RESOLVE_HOURS_MAX
from portal.numbers import optional_id, parse_number
from portal.units.forms import code_field, name_fields
from portal.web.forms import PortalForm, WholeNumberField

HANDLING_NAMES = {
    HandlingClass.EMERGENCY: _l("Emergency"),
    HandlingClass.UTILITIES: _l("Utilities"),
    HandlingClass.GENERAL: _l("General"),
    HandlingClass.COMPLEX: _l("Complex"),
}


class GroupForm(PortalForm):
    """A group of the catalogue; `code` is deleted from the form of an existing group."""

    code = code_field()
    name_zh, name_en = name_fields()


class ItemForm(PortalForm):
    """A kind of problem; `code` is deleted from the form of an existing one."""

    code = code_field()
    group_id = SelectField(_l("Group"), coerce=optional_id, validate_choice=False)
    name_zh, name_en = name_fields()
    default_level = RadioField(
        _l("Level it goes to"),
        coerce=parse_number,
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
    resolve_hours = WholeNumberField(
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
        coerce=optional_id,
        validate_choice=False,
    )


class PinsForm(PortalForm):
    """The kinds a district puts first on the report form, in order; the views fill in the
    choices (every kind in use, and none)."""

    items = FieldList(
        SelectField(_l("Kind of problem"), coerce=optional_id, validate_choice=False),
        min_entries=MAX_PINNED,
        max_entries=MAX_PINNED,
    )
