"""The administrators' forms for the kinds of volunteer service."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from portal.volunteering.kinds import NAME_EN_MAX, NAME_ZH_MAX
from portal.web.forms import PortalForm


def _stripped(text: str | None) -> str | None:
    return text.strip() if isinstance(text, str) else text


class KindNamesForm(PortalForm):
    name_zh = StringField(
        _l("Name in Chinese"),
        description=_l("As residents read it: 助餐."),
        validators=[
            InputRequired(_l("Enter the Chinese name.")),
            Length(max=NAME_ZH_MAX, message=_l("Keep the Chinese name within 20 characters.")),
        ],
        filters=[_stripped],
    )
    name_en = StringField(
        _l("Name in English"),
        description=_l("For example: Meals."),
        validators=[
            InputRequired(_l("Enter the English name.")),
            Length(max=NAME_EN_MAX, message=_l("Keep the English name within 40 characters.")),
        ],
        filters=[_stripped],
    )


class KindForm(KindNamesForm):
    code = StringField(
        _l("Code"),
        description=_l("Kept on volunteers and activities, never changed: meals, night-patrol."),
        validators=[
            InputRequired(_l("Enter a code.")),
            Length(
                max=20,
                message=_l(
                    "A code is 2 to 20 small letters, digits, - or _, starting with a letter."
                ),
            ),
        ],
        filters=[_stripped],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"},
    )
