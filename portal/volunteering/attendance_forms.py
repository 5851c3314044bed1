"""Forms of attendance: a coordinator confirming or correcting one volunteer's hours (or
recording them by hand), and undoing a wrong confirmation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, TextAreaField
from wtforms.validators import Length

from portal.numbers import parse_number
from portal.volunteering import hours
from portal.volunteering.activity_forms import worth_label
from portal.web.forms import PortalForm


class ConfirmHoursForm(PortalForm):
    """One volunteer's hours, chosen in half hours up to what the activity is worth (as every
    other figure of hours in the portal, never typed as minutes); the recorded time chosen, or
    none, confirms what was recorded."""

    minutes = SelectField(
        _l("Hours"),
        choices=[],
        validate_choice=False,
        description=_l("Leave the recorded hours chosen to confirm them."),
    )
    reason = TextAreaField(
        _l("Why the time differs, or why it is recorded by hand"),
        validators=[Length(max=500)],
        render_kw={"rows": 2},
    )

    def offer(self, worth_minutes: int) -> None:
        """Every half hour from none to the activity's worth."""
        self.minutes.choices = [SelectChoice("", _l("Choose…"))] + [
            SelectChoice(str(minutes), worth_label(minutes))
            for minutes in range(0, worth_minutes + 1, hours.STEP_MINUTES)
        ]

    def chosen(self) -> int | None:
        """The minutes chosen (None for none: as recorded); a value no choice has is an error
        on the field, and None."""
        if not self.minutes.data:
            return None
        try:
            return parse_number(self.minutes.data, low=0, high=24 * 60)
        except ValueError:
            self.minutes.errors = [*self.minutes.errors, str(_l("Choose the hours."))]
            return None


class ReverseConfirmationForm(PortalForm):
    reason = TextAreaField(
        _l("Why the confirmation was wrong"), validators=[Length(max=500)], render_kw={"rows": 2}
    )
