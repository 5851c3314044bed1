"""A volunteer's time at an activity, as the time bank counts it (pure logic).

Hours are kept in half hours (民政部令第67号): the time between check-in and check-out,
clipped to the activity's window, rounded down to a whole half hour and capped at what the
activity is worth. Without a check-out there is nothing to count.
"""

from __future__ import annotations

from datetime import datetime, timedelta

STEP_MINUTES = 30


def round_down(minutes: int) -> int:
    """Whole half hours in `minutes`, as minutes: 89 → 60, 90 → 90."""
    return max(minutes, 0) // STEP_MINUTES * STEP_MINUTES


def recorded_minutes(
    checked_in_at: datetime | None,
    checked_out_at: datetime | None,
    *,
    starts_at: datetime,
    ends_at: datetime,
    worth_minutes: int,
) -> int | None:
    """The minutes the check-in and check-out record; None when either is missing."""
    if checked_in_at is None or checked_out_at is None:
        return None
    start = max(checked_in_at, starts_at)
    end = min(checked_out_at, ends_at)
    if end <= start:
        return 0
    whole = (end - start) // timedelta(minutes=1)
    return min(round_down(whole), round_down(worth_minutes))


def is_whole_half_hours(minutes: int) -> bool:
    """Whether `minutes` is a whole number of half hours (what a correction may give)."""
    return minutes >= 0 and minutes % STEP_MINUTES == 0
