"""The forms of help for the elderly: registering an older resident, marking priority, adding
a family member who asks for them, asking for help, matching a volunteer, confirming the time given and cancelling. Plain fields a
phone fills in without JavaScript; the day and time as the activities' forms take them, in
Shanghai time; what cannot be read is said on its field, and everything typed stays."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from portal.accounts.forms import phone_field
from portal.i18n import SHANGHAI
from portal.meetings.schedule_forms import DATE_INPUT, TIME_INPUT, parse_clock, parse_day
from portal.numbers import parse_number
from portal.volunteering.activity_forms import worth_label
from portal.volunteering.family import TIE_LABELS
from portal.volunteering.models import HelpPayer
from portal.web.forms import PortalForm, stripped

# What one request may ask for, and what a coordinator may confirm: half an hour to 8 hours.
HALF_HOURS = range(30, 8 * 60 + 1, 30)


def _half_hours() -> list[SelectChoice]:
    return [SelectChoice(str(minutes), worth_label(minutes)) for minutes in HALF_HOURS]


def read_minutes(field: SelectField) -> int | None:
    """The minutes chosen, or None with an error on the field."""
    try:
        return parse_number(field.data, low=1, high=24 * 60)
    except ValueError:
        field.errors = [*field.errors, str(_l("Choose how long."))]
        return None


class ElderForm(PortalForm):
    """An older resident registered in person (the view fills the communities)."""

    community = SelectField(_l("Community"), choices=[], validate_choice=False)
    real_name = StringField(_l("Name, as on the ID card"), filters=[stripped])
    phone = phone_field(_l("Give their mobile number."), own=False)
    birth_date = StringField(
        _l("Date of birth"), description=_l("For example 1945-03-08."), render_kw=DATE_INPUT,
        filters=[stripped],
    )  # fmt: skip
    lives_alone = BooleanField(_l("Lives alone"))
    low_income = BooleanField(_l("Receives the minimum living allowance (低保)"))
    has_disability = BooleanField(_l("Has a disability"))
    id_card_seen = BooleanField(_l("I have seen their ID card in person (the number is not kept)"))

    def born(self) -> date | None:
        try:
            day = parse_day(self.birth_date.data)
        except ValueError:
            day = None
        if day is None:
            self.birth_date.errors = [
                *self.birth_date.errors,
                str(_l("Give the date of birth, such as 1945-03-08.")),
            ]
        return day


class PriorityForm(PortalForm):
    reason = StringField(
        _l("Why?"),
        description=_l("For example: 82, lives alone. Kept with the decision."),
        filters=[stripped],
    )


class HelpForm(PortalForm):
    """A request for help (the view fills the kinds of service)."""

    service_kind = SelectField(_l("What help is needed"), choices=[], validate_choice=False)
    day = StringField(
        _l("Day"), description=_l("For example 2026-12-08."), render_kw=DATE_INPUT,
        filters=[stripped],
    )  # fmt: skip
    starts_at = StringField(_l("Time"), render_kw=TIME_INPUT, filters=[stripped])
    minutes = SelectField(_l("How long"), choices=[], validate_choice=False)
    location = StringField(
        _l("Where"), description=_l("For example: Xingfuli building 12, room 1203."),
        filters=[stripped],
    )  # fmt: skip
    note = TextAreaField(
        _l("Anything the volunteer should know (optional)"), filters=[stripped],
        validators=[Optional()],
    )  # fmt: skip
    payer = RadioField(
        _l("Who pays the hours"),
        choices=[
            SelectChoice(HelpPayer.OWN.value, _l("My own stored hours")),
            SelectChoice(HelpPayer.POOL.value, _l("The community's pool (priority elderly only)")),
        ],
        validate_choice=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # No length is chosen for the asker: half an hour first would be taken unread.
        self.minutes.choices = [SelectChoice("", _l("Choose…")), *_half_hours()]

    def moment(self) -> datetime | None:
        """The start as a UTC moment; None (with errors on the fields) when it cannot be read."""
        try:
            day = parse_day(self.day.data)
        except ValueError:
            day = None
        try:
            clock = parse_clock(self.starts_at.data)
        except ValueError:
            clock = None
        if day is None:
            self.day.errors = [*self.day.errors, str(_l("Give the day, such as 2026-12-08."))]
        if clock is None:
            self.starts_at.errors = [*self.starts_at.errors, str(_l("Give a time such as 09:00."))]
        if day is None or clock is None:
            return None
        return datetime.combine(day, clock, SHANGHAI).astimezone(ZoneInfo("UTC"))


class FamilyForm(PortalForm):
    """A family member who may ask for help for the older resident, added in person."""

    name = StringField(_l("Their name"), filters=[stripped])
    phone = phone_field(_l("Give their mobile number."), own=False)
    tie = RadioField(
        _l("Who is the older resident to them?"),
        choices=[SelectChoice(tie.value, label) for tie, label in TIE_LABELS.items()],
        validate_choice=False,
    )
    elder_agreed = BooleanField(
        _l("The older resident agreed, in person, that this family member may ask for help "
           "for them and pay with their stored hours")
    )  # fmt: skip


class MatchForm(PortalForm):
    """The volunteer chosen (the view fills the community's approved volunteers)."""

    volunteer = SelectField(_l("Volunteer"), choices=[], validate_choice=False)


class DoneForm(PortalForm):
    minutes = SelectField(
        _l("Time actually given"),
        description=_l("The hours move from the payer to the volunteer when you confirm."),
        choices=[],
        validate_choice=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.minutes.choices = _half_hours()


class HelpCancelForm(PortalForm):
    reason = StringField(
        _l("Why is it cancelled?"), description=_l("Whoever is involved is texted this."),
        filters=[stripped],
    )  # fmt: skip
