"""The forms of volunteer activities: publishing one, changing its time, place and seats,
cancelling it. Plain fields a phone fills in without JavaScript: the day and times as the
meetings' schedules take them (`type="date"` and `type="time"`, read as typed text too), in
Shanghai time; what is missing or cannot be read is said on its field, all at once, and
everything typed stays."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from portal.accounts.forms import phone_field
from portal.i18n import SHANGHAI
from portal.meetings.schedule_forms import DATE_INPUT, TIME_INPUT, parse_clock, parse_day
from portal.numbers import parse_number
from portal.volunteering.activities import KIND_MISSING, LOCATION_MISSING, TITLE_MISSING
from portal.web.forms import DIGITS_KEYBOARD, PortalForm, WholeNumberField, stripped

# What an activity may be worth: half an hour to twelve hours, in half hours.
WORTH_CHOICES = range(30, 12 * 60 + 1, 30)


def worth_label(minutes: int) -> str:
    """Half hours as people say them: "1 hour", "1.5 hours" / "1小时", "1.5小时"."""
    if minutes == 60:
        return str(_l("1 hour"))
    return str(_l("%(hours)s hours", hours=f"{minutes / 60:g}"))


class _When(PortalForm):
    """The day, the start and the end of an activity, in Shanghai time."""

    day = StringField(
        _l("Day"), description=_l("For example 2026-12-08."), render_kw=DATE_INPUT,
        filters=[stripped],
    )  # fmt: skip
    starts_at = StringField(_l("Starts at"), render_kw=TIME_INPUT, filters=[stripped])
    ends_at = StringField(
        _l("Ends at"), description=_l("An end before the start is the next morning."),
        render_kw=TIME_INPUT, filters=[stripped],
    )  # fmt: skip
    location = StringField(
        _l("Where"),
        description=_l("For example: the community service centre, 2nd-floor activity room."),
        filters=[stripped],
        validators=[InputRequired(LOCATION_MISSING)],
    )
    seats = WholeNumberField(
        _l("How many volunteers"), validators=[Optional()], render_kw=DIGITS_KEYBOARD
    )

    read_moments: tuple[datetime, datetime] | None = None
    read_seats: int | None = None

    def validate(self, extra_validators=None) -> bool:
        """Each field's checks, then the day, the times and the seats read: every problem the
        form can see is marked at once (the service checks the rest, also at once)."""
        fields_ok = super().validate(extra_validators)
        self.read_moments, self.read_seats = self.moments(), self.seats_given()
        return fields_ok and self.read_moments is not None and self.read_seats is not None

    def moments(self) -> tuple[datetime, datetime] | None:
        """The start and end as UTC moments; None (with errors on the fields) when they
        cannot be read."""
        ok = True
        try:
            day = parse_day(self.day.data)
        except ValueError:
            day = None
        if day is None:
            self.day.errors = [*self.day.errors, str(_l("Give the day, such as 2026-12-08."))]
            ok = False
        clocks = []
        for each in (self.starts_at, self.ends_at):
            try:
                clock = parse_clock(each.data)
            except ValueError:
                clock = None
            if clock is None:
                each.errors = [*each.errors, str(_l("Give a time such as 09:00."))]
                ok = False
            clocks.append(clock)
        if not ok:
            return None
        start = datetime.combine(day, clocks[0], SHANGHAI)
        end = datetime.combine(day, clocks[1], SHANGHAI)
        if end <= start:
            end += timedelta(days=1)
        return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))

    def seats_given(self) -> int | None:
        if self.seats.data is None:
            if not self.seats.errors:
                self.seats.errors = [*self.seats.errors, str(_l("Give a number."))]
            return None
        return self.seats.data

    def fill_when(self, starts_at: datetime, ends_at: datetime, location: str, seats: int) -> None:
        local = starts_at.astimezone(SHANGHAI)
        self.day.data = local.date().isoformat()
        self.starts_at.data = local.strftime("%H:%M")
        self.ends_at.data = ends_at.astimezone(SHANGHAI).strftime("%H:%M")
        self.location.data = location
        self.seats.data = seats


class ActivityForm(_When):
    """A new activity (the view fills the communities and kinds of service to choose from)."""

    community = SelectField(_l("Community"), choices=[], validate_choice=False)
    title = StringField(
        _l("Title"), description=_l("For example: lunch with older neighbours living alone."),
        filters=[stripped], validators=[InputRequired(TITLE_MISSING)],
    )  # fmt: skip
    service_kind = SelectField(
        _l("Kind of service"), choices=[], validate_choice=False,
        validators=[InputRequired(KIND_MISSING)],
    )  # fmt: skip
    description = TextAreaField(
        _l("What volunteers will do (optional)"), filters=[stripped], validators=[Optional()]
    )
    worth_minutes = SelectField(
        _l("Hours it is worth at most"),
        description=_l("Hours are kept in half hours, never more than the activity lasts."),
        choices=[],
        validate_choice=False,
    )
    serves_elderly = BooleanField(_l("It serves older residents (its hours go to the time bank)"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.worth_minutes.choices = [
            SelectChoice(str(minutes), worth_label(minutes)) for minutes in WORTH_CHOICES
        ]

    read_worth: int | None = None

    def validate(self, extra_validators=None) -> bool:
        fields_ok = super().validate(extra_validators)
        self.read_worth = self.worth()
        return fields_ok and self.read_worth is not None

    def worth(self) -> int | None:
        try:
            return parse_number(self.worth_minutes.data, low=1, high=24 * 60)
        except ValueError:
            self.worth_minutes.errors = [
                *self.worth_minutes.errors,
                str(_l("Choose how many hours it is worth.")),
            ]
            return None


class ActivityEditForm(_When):
    """An activity's time, place and seats."""


class ActivityCancelForm(PortalForm):
    reason = StringField(
        _l("Why is it cancelled?"),
        description=_l("Everyone signed up is texted this."),
        filters=[stripped],
    )


class SeatForm(PortalForm):
    """A coordinator seats a volunteer who came without signing up, by their mobile number."""

    phone = phone_field(_l("Enter the volunteer's mobile number."), own=False)
