"""The administrators' forms for the kinds of volunteer service."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from portal.shortlists import names_form
from portal.web.forms import stripped

KindNamesForm = names_form(_l("As residents read it: 助餐."), _l("For example: Meals."))


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
        filters=[stripped],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"},
    )
