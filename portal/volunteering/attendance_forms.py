"""Forms of attendance: a coordinator confirming or correcting one volunteer's hours (or
recording them by hand), and undoing a wrong confirmation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from portal.web.forms import DIGITS_KEYBOARD, PortalForm, WholeNumberField


class ConfirmHoursForm(PortalForm):
    """One volunteer's hours: empty minutes confirm what was recorded."""

    minutes = WholeNumberField(
        _l("Minutes"),
        validators=[Optional()],
        description=_l("In half hours: 30, 60, 90 … Leave as recorded to confirm it."),
        render_kw=DIGITS_KEYBOARD,
    )
    reason = TextAreaField(
        _l("Why the time differs, or why it is recorded by hand"),
        validators=[Length(max=500)],
        render_kw={"rows": 2},
    )


class ReverseConfirmationForm(PortalForm):
    reason = TextAreaField(
        _l("Why the confirmation was wrong"), validators=[Length(max=500)], render_kw={"rows": 2}
    )
