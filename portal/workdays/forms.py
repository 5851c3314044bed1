"""The administrators' form for a year's holidays and make-up working days.

The service reads the lines and names every one that is wrong; this form only limits the
length of what is sent.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import Length

from portal.web.forms import PortalForm
from portal.workdays.arrangement import MAX_CHARACTERS


class ArrangementForm(PortalForm):
    """A year's days off and make-up working days, one line each."""

    days = TextAreaField(
        _l("Holidays and make-up working days"),
        validators=[Length(max=MAX_CHARACTERS, message=_l("Keep it within 5,000 characters."))],
        render_kw={"rows": 14, "spellcheck": "false"},
    )
