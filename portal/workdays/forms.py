"""The administrators' forms for a year's holidays and make-up working days.

The service reads the lines and names every one that is wrong; this form only limits the
length of what is sent.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal.web.forms import PortalForm
from portal.workdays.arrangement import MAX_CHARACTERS


class ArrangementForm(PortalForm):
    """A year's days off and make-up working days, one line each."""

    days = TextAreaField(
        _l("Holidays and make-up working days"),
        validators=[Length(max=MAX_CHARACTERS, message=_l("Keep it within 5,000 characters."))],
        render_kw={"rows": 14, "spellcheck": "false"},
    )


class RemoveYearForm(PortalForm):
    """Removing a year's days changes every deadline counted by them: said so, and ticked."""

    sure = BooleanField(
        _l("Yes, remove them: deadlines count by the package or by the weekends from now on"),
        validators=[InputRequired(_l("Tick the box to say you are sure."))],
    )
