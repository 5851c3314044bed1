"""Hours as the time bank counts them: check-in to check-out, clipped to the activity's
window, rounded down to half hours, capped at the activity's worth."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.volunteering.hours import is_whole_half_hours, recorded_minutes, round_down

START = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
END = START + timedelta(hours=3)


def minutes(check_in: int | None, check_out: int | None, worth: int = 180) -> int | None:
    def at(offset):
        return None if offset is None else START + timedelta(minutes=offset)

    return recorded_minutes(at(check_in), at(check_out), starts_at=START, ends_at=END,
                            worth_minutes=worth)  # fmt: skip


@pytest.mark.parametrize(
    ("check_in", "check_out", "expected"),
    [
        (0, 120, 120),
        (0, 89, 60),  # rounded down to the half hour
        (0, 90, 90),
        (0, 29, 0),
        (-60, 60, 60),  # arriving early counts from the start
        (150, 240, 30),  # staying late counts to the end
        (-30, 300, 180),
        (200, 260, 0),  # after the end: nothing
        (10, 10, 0),
    ],
)
def test_time_is_clipped_to_the_window_and_rounded_down(check_in, check_out, expected):
    assert minutes(check_in, check_out) == expected


def test_capped_at_the_activity_worth():
    assert minutes(0, 180, worth=120) == 120
    assert minutes(0, 180, worth=100) == 90, "the worth itself rounds down to half hours"


def test_nothing_without_a_check_out_or_a_check_in():
    assert minutes(0, None) is None
    assert minutes(None, 60) is None


def test_half_hours():
    assert round_down(59) == 30 and round_down(-5) == 0
    assert is_whole_half_hours(90) and not is_whole_half_hours(45)
    assert not is_whole_half_hours(-30)
