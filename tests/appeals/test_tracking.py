"""Tracking numbers: their format, their alphabet, and a longer number after unlucky draws."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from portal.appeals.tracking import ALPHABET, LONGER_AFTER, draw_tracking_number

# 16:30 UTC on 30 November is already December in Shanghai.
LATE_NOVEMBER = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)


def test_a_number_is_a_then_the_shanghai_month_then_four_readable_characters():
    number = draw_tracking_number(LATE_NOVEMBER, 0)
    assert re.fullmatch(rf"A2612-[{ALPHABET}]{{4}}", number), number


def test_the_alphabet_leaves_out_what_is_misread_aloud():
    assert not set("01IO") & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET) == 32


def test_the_number_grows_a_character_after_unlucky_draws():
    lengths = [len(draw_tracking_number(LATE_NOVEMBER, attempt)) for attempt in range(10)]
    assert lengths == [10] * LONGER_AFTER + [11] * (10 - LONGER_AFTER)


def test_numbers_are_drawn_at_random_not_counted():
    drawn = [draw_tracking_number(LATE_NOVEMBER, 0) for _ in range(20)]
    # Twenty draws from a million numbers: all different, and not in sequence.
    assert len(set(drawn)) == 20
    assert drawn != sorted(drawn)
