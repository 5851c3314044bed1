"""Meetings as iCalendar files (RFC 5545, with the `icalendar` package): one booking for the
resident's phone calendar, and a host's schedule as a feed their calendar app subscribes to.

Pure: the caller gives the words, in the reader's language, and decides what may be in them
(a host's feed carries times, places and references, never a phone number or what a meeting
is about).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Alarm, Calendar, Event

PRODUCT = "-//Grid community portal//Meetings//ZH"
# Alarms before a meeting: the day before, and an hour before.
ALARMS = (timedelta(days=-1), timedelta(hours=-1))


@dataclass(frozen=True)
class Entry:
    """A meeting as a calendar shows it."""

    uid: str
    start: datetime
    end: datetime
    summary: str
    location: str
    url: str = ""
    description: str = ""
    cancelled: bool = False
    # Raised each time the meeting moves, so that calendars replace the old time.
    sequence: int = 0


def _event(entry: Entry, stamp: datetime, alarm_text: str | None) -> Event:
    event = Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", entry.start)
    event.add("dtend", entry.end)
    event.add("summary", entry.summary)
    event.add("sequence", entry.sequence)
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    if entry.location:
        event.add("location", entry.location)
    if entry.description:
        event.add("description", entry.description)
    if entry.url:
        event.add("url", entry.url)
    if alarm_text and not entry.cancelled:
        for before in ALARMS:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", alarm_text)
            alarm.add("trigger", before)
            event.add_component(alarm)
    return event


def calendar(
    entries: Iterable[Entry], *, name: str, stamp: datetime, alarm_text: str | None = None
) -> bytes:
    """A calendar of `entries` (with two alarms each when `alarm_text` is given)."""
    made = Calendar()
    made.add("prodid", PRODUCT)
    made.add("version", "2.0")
    made.add("calscale", "GREGORIAN")
    made.add("method", "PUBLISH")
    made.add("x-wr-calname", name)
    for entry in entries:
        made.add_component(_event(entry, stamp, alarm_text))
    return made.to_ical()
