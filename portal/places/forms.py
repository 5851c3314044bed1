"""Forms for keeping places and buildings up to date, and for importing buildings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from portal.places.csvio import MAX_HOUSEHOLDS
from portal.places.labels import RISK_LABELS
from portal.places.models import RiskGrade
from portal.web.forms import PortalForm, WholeNumberField


class PlaceForm(PortalForm):
    code = StringField(
        _l("Code"),
        validators=[InputRequired(_l("Enter the code of this place.")), Length(max=32)],
        description=_l("The administrative division code, or the grid code used locally."),
    )
    name_zh = StringField(
        _l("Name in Chinese"),
        validators=[InputRequired(_l("Enter the Chinese name of this place.")), Length(max=100)],
    )
    name_en = StringField(_l("Name in English (optional)"), validators=[Length(max=200)])
    phone = StringField(
        _l("Public phone number (optional)"),
        validators=[Length(max=20)],
        description=_l(
            "Printed on the door posters: for a community its hotline, for a grid its grid worker's work number."
        ),
        render_kw={"inputmode": "tel"},
    )
    service_hours_zh = StringField(
        _l("Service centre hours in Chinese (optional)"),
        validators=[Length(max=100)],
        description=_l("For example 周一至周五 8:30–12:00，14:00–18:00."),
    )
    service_hours_en = StringField(
        _l("Service centre hours in English (optional)"), validators=[Length(max=200)]
    )
    service_centre_zh = StringField(
        _l("Service centre address in Chinese (optional)"),
        validators=[Length(max=200)],
        description=_l("Where residents find it, for example 光明社区党群服务中心（幸福路18号）."),
    )
    service_centre_en = StringField(
        _l("Service centre address in English (optional)"), validators=[Length(max=300)]
    )


class BuildingForm(PortalForm):
    name_zh = StringField(
        _l("Name in Chinese"),
        validators=[InputRequired(_l("Enter the Chinese name of the building.")), Length(max=100)],
        description=_l("As residents call it, for example 翠湖花园 3 栋."),
    )
    name_en = StringField(_l("Name in English (optional)"), validators=[Length(max=200)])
    address = StringField(
        _l("Address"),
        validators=[InputRequired(_l("Enter the address of the building.")), Length(max=255)],
    )
    households = WholeNumberField(
        _l("Number of households"),
        default=0,
        validators=[
            Optional(),
            NumberRange(
                min=0, max=MAX_HOUSEHOLDS, message=_l("Enter a whole number from 0 to %(max)s.")
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )
    risk_grade = SelectField(
        _l("Risk grade"),
        choices=[SelectChoice(grade.value, label) for grade, label in RISK_LABELS.items()],
        default=RiskGrade.SAFE.value,
    )
    grid_code = StringField(
        _l("Grid code"),
        validators=[InputRequired(_l("Enter the code of the grid.")), Length(max=32)],
        description=_l(
            "Change it to move the building to another grid. Its QR code stays the same."
        ),
    )


class ImportForm(PortalForm):
    file = FileField(
        _l("CSV file of buildings"),
        validators=[FileRequired(_l("Choose a CSV file."))],
        render_kw={"accept": ".csv,text/csv"},
    )
