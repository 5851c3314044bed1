"""The forms of meetings: asking to meet the secretary, choosing a time, cancelling, and the
host's marks."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.accounts.forms import phone_field
from portal.meetings.legal import ABOUT_MAX as LEGAL_ABOUT_MAX
from portal.meetings.legal import NAME_MAX as LEGAL_NAME_MAX
from portal.meetings.models import BookingState, Venue
from portal.meetings.secretary import ABOUT_MAX, ABOUT_MIN, SUITS_MAX
from portal.numbers import parse_number
from portal.web.forms import PortalForm, stripped


class AskForm(PortalForm):
    about = TextAreaField(
        _l("What would you like to talk about?"),
        description=_l("A few words are enough. Only the secretary and their deputies read it."),
        validators=[
            InputRequired(_l("Say in a few words what you would like to talk about.")),
            Length(
                min=ABOUT_MIN, message=_l("Say in a few words what you would like to talk about.")
            ),
            Length(max=ABOUT_MAX, message=_l("Keep it within 300 characters.")),
        ],
        filters=[stripped],
    )
    suits = StringField(
        _l("Times that suit you (optional)"),
        description=_l("For example: weekday afternoons."),
        validators=[
            Optional(),
            Length(max=SUITS_MAX, message=_l("Keep it within 200 characters.")),
        ],
        filters=[stripped],
    )


# Times offered are written as seconds since 1970: any between 2000 and 2100 reads back.
EARLIEST, LATEST = 946_684_800, 4_102_444_800


def parse_start(raw: str | None) -> datetime | None:
    """A time offered on the page, as it comes back (seconds since 1970, UTC); None if it
    cannot be one."""
    try:
        return datetime.fromtimestamp(parse_number(raw, low=EARLIEST, high=LATEST), UTC)
    except ValueError:
        return None


def start_value(moment: datetime) -> str:
    return str(int(moment.timestamp()))


class TimeForm(PortalForm):
    """One of the free times offered (the view fills the choices)."""

    start = RadioField(
        _l("Choose a time"),
        choices=[],
        validate_choice=False,
        validators=[InputRequired(_l("Choose a time."))],
    )
    venue = RadioField(
        _l("Where would you like to meet?"),
        choices=[
            SelectChoice(Venue.CENTRE.value, _l("At the community's service centre")),
            SelectChoice(Venue.PHONE.value, _l("By phone: the host calls you")),
        ],
        validators=[Optional()],
    )


class CancelForm(PortalForm):
    reason = StringField(
        _l("Why is it cancelled?"),
        validators=[Optional(), Length(max=200, message=_l("Keep it within 200 characters."))],
        filters=[stripped],
    )


class MarkForm(PortalForm):
    outcome = RadioField(
        _l("How did it go?"),
        choices=[
            SelectChoice(BookingState.HELD.value, _l("The meeting was held")),
            SelectChoice(BookingState.NO_SHOW.value, _l("The resident did not come")),
        ],
        validators=[InputRequired(_l("Say whether the meeting was held."))],
    )
    note = StringField(
        _l("A short note (optional)"),
        validators=[Optional(), Length(max=200, message=_l("Keep it within 200 characters."))],
        filters=[stripped],
    )


class LegalBookingForm(TimeForm):
    """A time on a legal service day, and what it is about (only the adviser reads it)."""

    about = TextAreaField(
        _l("What would you like advice on?"),
        description=_l("A few words help the lawyer prepare. Only the lawyer reads them."),
        validators=[
            InputRequired(_l("Say in a few words what you would like advice on.")),
            Length(min=2, message=_l("Say in a few words what you would like advice on.")),
            Length(max=LEGAL_ABOUT_MAX, message=_l("Keep it within 300 characters.")),
        ],
        filters=[stripped],
    )


class WalkInForm(PortalForm):
    """A resident who came without booking, added to today's queue by the adviser."""

    phone = phone_field(_l("Enter the resident's mobile number."), own=False)
    name = StringField(
        _l("Name (optional)"),
        validators=[
            Optional(),
            Length(max=LEGAL_NAME_MAX, message=_l("Keep it within 50 characters.")),
        ],
        filters=[stripped],
    )
    start = RadioField(
        _l("When"),
        choices=[],
        validate_choice=False,
        validators=[Optional()],
    )
