"""When an activity or a request for help happens, as a resident reads it: today and tomorrow
said as such, the year only when it is another, British English like every other page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale

from portal.volunteering.when import day_words, when_words

pytestmark = pytest.mark.usefixtures("app_context")

NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # Monday 7 December, 09:00 in Shanghai
STARTS = datetime(2026, 12, 8, 6, 0, tzinfo=UTC)  # Tuesday 14:00


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("zh_Hans_CN", "明天（12月8日周二） 14:00–16:00"), ("en", "Tomorrow (Tue 8 Dec) 14:00–16:00")],
)
def test_tomorrow_is_said_as_tomorrow(locale, expected):
    with force_locale(locale):
        assert when_words(STARTS, STARTS + timedelta(hours=2), NOW) == expected


def test_today_another_day_and_another_year():
    with force_locale("zh_Hans_CN"):
        assert day_words(NOW + timedelta(hours=3), NOW) == "今天（12月7日周一）"
        assert day_words(STARTS + timedelta(days=2), NOW) == "12月10日周四"
        assert day_words(STARTS + timedelta(days=30), NOW) == "2027年1月7日周四"
    with force_locale("en"):
        assert day_words(STARTS + timedelta(days=2), NOW) == "Thu 10 Dec"


def test_an_activity_past_midnight_says_so():
    late = datetime(2026, 12, 9, 14, 0, tzinfo=UTC)  # 22:00 in Shanghai
    with force_locale("en"):
        assert when_words(late, late + timedelta(hours=4), NOW).endswith(
            "22:00–02:00 (the next day)"
        )
