"""How the calendar's sources and kinds of day are named to people, in their language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.workdays.days import DayKind, Source

SOURCE_LABELS = {
    Source.ENTERED: _l("Entered by an administrator"),
    Source.PACKAGE: _l("The State Council's published arrangement"),
    Source.WEEKENDS: _l("Not known yet: Monday to Friday"),
}

KIND_LABELS = {
    DayKind.HOLIDAY: _l("Day off"),
    DayKind.WORKDAY: _l("Make-up working day"),
}
