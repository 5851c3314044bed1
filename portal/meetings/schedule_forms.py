"""The forms of hosts' schedules, days off and online hours: plain fields a phone fills in
without JavaScript (`<input type="time">` and `type="date"`, read as typed text too), turned
into the plain values portal.meetings.schedules takes; what cannot be read is said on its
field, and everything typed stays."""

from __future__ import annotations

import re
from datetime import date, time

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectChoice, StringField
from wtforms.validators import InputRequired, Length, Optional

from portal.meetings.models import MeetingKind, Venue
from portal.meetings.schedules import ONLINE_WEEKDAYS, WEEKDAYS, Plan, Span
from portal.meetings.slots import HolidayRule
from portal.numbers import parse_number, typed
from portal.web.forms import PortalForm, WholeNumberField

RANGES = (1, 2)  # time ranges a day: a morning and an afternoon
_CLOCK = re.compile(r"([01]?[0-9]|2[0-3])[:.]([0-5][0-9])(?::00)?")
_DATE = re.compile(r"([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?")
_DAY_SEPARATORS = re.compile(r"[\s,;、]+")
TIME_INPUT = {"type": "time", "autocomplete": "off"}
DATE_INPUT = {"type": "date", "autocomplete": "off"}
BAD_TIME = _l("Give a time such as 09:00.")
ONE_END = _l("Give both when it starts and when it ends, or neither.")


def parse_clock(raw: str | None) -> time | None:
    """A time of day as typed or as a time input sends it ("09:00", "9：00"); None when
    empty; ValueError when it is not one."""
    text = typed(raw).strip()
    if not text:
        return None
    match = _CLOCK.fullmatch(text)
    if match is None:
        raise ValueError(text)
    return time(int(match[1]), int(match[2]))


def parse_day(raw: str | None) -> date | None:
    """A date as a date input sends it (2026-12-08) or as typed (2026/12/8, 2026年12月8日);
    None when empty; ValueError when it is not one."""
    text = typed(raw).strip()
    if not text:
        return None
    match = _DATE.fullmatch(text)
    if match is None:
        raise ValueError(text)
    return date(int(match[1]), int(match[2]), int(match[3]))


def _time_field(label) -> StringField:
    return StringField(label, render_kw=TIME_INPUT, filters=[str.strip])


def _add_ranges(form_class: type, prefix: str) -> None:
    for n in RANGES:
        setattr(form_class, f"{prefix}_{n}_from", _time_field(_l("Starts at")))
        setattr(form_class, f"{prefix}_{n}_to", _time_field(_l("Ends at")))


def _read_spans(form: PortalForm, prefix: str) -> tuple[Span, ...] | None:
    """The time ranges of one day as typed; None (errors on the fields) when one cannot be
    read or has only one end."""
    spans, ok = [], True
    for n in RANGES:
        start_field, end_field = form[f"{prefix}_{n}_from"], form[f"{prefix}_{n}_to"]
        ends = []
        for each in (start_field, end_field):
            try:
                ends.append(parse_clock(each.data))
            except ValueError:
                each.errors = [*each.errors, str(BAD_TIME)]
                ok = False
        if not ok or ends == [None, None]:
            continue
        if None in ends:
            start_field.errors = [*start_field.errors, str(ONE_END)]
            ok = False
            continue
        spans.append((ends[0], ends[1]))
    return tuple(spans) if ok else None


def _fill_spans(form: PortalForm, prefix: str, spans) -> None:
    for n, span in zip(RANGES, [*spans, None, None], strict=False):
        form[f"{prefix}_{n}_from"].data = span[0].strftime("%H:%M") if span else ""
        form[f"{prefix}_{n}_to"].data = span[1].strftime("%H:%M") if span else ""


def _minutes(label, description=None, required=True) -> WholeNumberField:
    validators = [InputRequired(_l("Give a number."))] if required else [Optional()]
    return WholeNumberField(label, description=description, validators=validators,
                            render_kw={"inputmode": "numeric"})  # fmt: skip


class ScheduleForm(PortalForm):
    """A host's schedule: where, when (a weekly plan for 书记在线, days of the month for legal
    service days), and how the times are cut and offered."""

    venue = RadioField(
        _l("Where do you receive residents?"),
        choices=[
            SelectChoice(Venue.CENTRE.value, _l("At the community's service centre")),
            SelectChoice(Venue.PHONE.value, _l("By phone")),
            SelectChoice(Venue.EITHER.value, _l("Either: the resident chooses")),
        ],
        validators=[InputRequired(_l("Choose where you receive residents."))],
    )
    month_days = StringField(
        _l("Days of the month"),
        description=_l("For example 8, 18, 28."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
        filters=[str.strip],
    )
    slot_minutes = _minutes(_l("Minutes for each meeting"))
    buffer_minutes = _minutes(
        _l("Minutes between meetings"), _l("Kept free for notes and for the next person.")
    )
    daily_cap = _minutes(
        _l("Most meetings a day (optional)"), _l("Leave empty for no limit."), required=False
    )
    horizon_days = _minutes(_l("How many days ahead residents may book"))
    notice_minutes = _minutes(
        _l("Shortest notice, in minutes"), _l("How soon before a meeting it may be booked.")
    )
    on_holiday = RadioField(
        _l("When one of those days is a holiday"),
        choices=[
            SelectChoice(HolidayRule.MOVE.value, _l("Move it to the next working day")),
            SelectChoice(HolidayRule.DROP.value, _l("Drop it")),
        ],
        validators=[InputRequired(_l("Choose what happens on a holiday."))],
    )
    is_active = BooleanField(_l("Residents may book these times"))

    def fill(self, plan: Plan) -> None:
        """Show a stored (or a new) plan."""
        self.venue.data = plan.venue.value
        for day in WEEKDAYS:
            _fill_spans(self, f"day{day}", plan.weekly.get(day, ()))
        self.month_days.data = ", ".join(str(day) for day in sorted(plan.month_days))
        _fill_spans(self, "month", plan.month_hours)
        for name in (
            "slot_minutes",
            "buffer_minutes",
            "daily_cap",
            "horizon_days",
            "notice_minutes",
        ):
            self[name].data = getattr(plan, name)
        self.on_holiday.data = plan.on_holiday.value
        self.is_active.data = plan.is_active

    def _days_of_month(self) -> frozenset[int] | None:
        try:
            return frozenset(
                parse_number(part)
                for part in _DAY_SEPARATORS.split(typed(self.month_days.data))
                if part
            )
        except ValueError:
            self.month_days.errors = [
                *self.month_days.errors,
                str(_l("Write the days as numbers, such as 8, 18, 28.")),
            ]
            return None

    def plan(self, kind: MeetingKind) -> Plan | None:
        """The plan typed, for a schedule of `kind` (a weekly plan, or days of the month);
        None, with the errors on their fields, when some of it cannot be read."""
        ok = self.validate()
        weekly: dict[int, tuple[Span, ...]] = {}
        days: frozenset[int] | None = frozenset()
        month_hours: tuple[Span, ...] | None = ()
        if kind is MeetingKind.SECRETARY:
            for day in WEEKDAYS:
                spans = _read_spans(self, f"day{day}")
                if spans is None:
                    ok = False
                elif spans:
                    weekly[day] = spans
        else:
            days, month_hours = self._days_of_month(), _read_spans(self, "month")
            ok = ok and days is not None and month_hours is not None
        if not ok:
            return None
        return Plan(
            venue=Venue(self.venue.data), weekly=weekly, month_days=days, month_hours=month_hours,
            slot_minutes=self.slot_minutes.data, buffer_minutes=self.buffer_minutes.data,
            daily_cap=self.daily_cap.data, horizon_days=self.horizon_days.data,
            notice_minutes=self.notice_minutes.data, on_holiday=HolidayRule(self.on_holiday.data),
            is_active=bool(self.is_active.data),
        )  # fmt: skip


for _day in WEEKDAYS:
    _add_ranges(ScheduleForm, f"day{_day}")
_add_ranges(ScheduleForm, "month")


def problem_field(form: PortalForm, where: str):
    """The field a service's mistake of `where` goes on: a day's first time for a day."""
    if where.startswith("day") or where == "month_hours":
        prefix = "month" if where == "month_hours" else where
        return form[f"{prefix}_1_from"]
    return form._fields.get(where)


def show_problems(form: PortalForm, problems) -> None:
    for where, message in problems:
        target = problem_field(form, where)
        if target is None:
            form.form_errors.append(str(message))
        else:
            target.errors = [*target.errors, str(message)]


class OnlineHoursForm(PortalForm):
    """When a community answers 书记在线 requests, Monday to Friday."""

    def fill(self, weekly) -> None:
        for day in ONLINE_WEEKDAYS:
            _fill_spans(self, f"day{day}", weekly.get(day, ()))

    def weekly(self) -> dict[int, tuple[Span, ...]] | None:
        ok = self.validate()
        weekly = {}
        for day in ONLINE_WEEKDAYS:
            spans = _read_spans(self, f"day{day}")
            if spans is None:
                ok = False
            else:
                weekly[day] = spans
        return weekly if ok else None


for _day in ONLINE_WEEKDAYS:
    _add_ranges(OnlineHoursForm, f"day{_day}")


class DayOffForm(PortalForm):
    """Whole days off, or part of each day."""

    first_day = StringField(_l("First day"), render_kw=DATE_INPUT, filters=[str.strip])
    last_day = StringField(
        _l("Last day (optional)"), description=_l("Leave empty for one day."),
        render_kw=DATE_INPUT, filters=[str.strip],
    )  # fmt: skip
    start_time = _time_field(_l("From (optional)"))
    end_time = _time_field(_l("To (optional)"))
    reason = StringField(
        _l("Why (optional)"),
        description=_l("For example: annual leave, a meeting at the street office."),
        validators=[Optional(), Length(max=200, message=_l("Keep it within 200 characters."))],
        filters=[str.strip],
    )

    def values(self) -> dict | None:
        """The day off typed, as add_day_off takes it; None, with errors on the fields, when
        it cannot be read."""
        ok = self.validate()
        read = {}
        for name, parse, message in (
            ("first_day", parse_day, _l("Give a date such as 2026-12-08.")),
            ("last_day", parse_day, _l("Give a date such as 2026-12-08.")),
            ("start_time", parse_clock, BAD_TIME),
            ("end_time", parse_clock, BAD_TIME),
        ):
            try:
                read[name] = parse(self[name].data)
            except ValueError:
                self[name].errors = [*self[name].errors, str(message)]
                ok = False
        if ok and read["first_day"] is None:
            self.first_day.errors = [*self.first_day.errors, str(_l("Give the first day."))]
            ok = False
        if not ok:
            return None
        return {
            "first": read["first_day"],
            "last": read["last_day"],
            "start": read["start_time"],
            "end": read["end_time"],
            "reason": self.reason.data or "",
        }
