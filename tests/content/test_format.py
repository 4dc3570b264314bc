"""Babel helpers: times and weekday names in the three languages."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.content.format import format_day_month, format_local_time, format_time_range, weekday_name

KYIV = ZoneInfo("Europe/Kyiv")


def plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")  # CLDR puts a narrow space before PM


@pytest.mark.parametrize(("locale", "expected"), [("en", "6:00 PM"), ("ru", "18:00"), ("uk", "18:00")])
def test_local_time_is_shown_in_its_own_zone(locale: str, expected: str) -> None:
    closes_at = datetime(2026, 3, 29, 15, 0, tzinfo=UTC).astimezone(KYIV)  # 18:00 EEST
    assert plain(format_local_time(closes_at, locale)) == expected
    assert plain(format_local_time(time(18, 0), locale)) == expected


@pytest.mark.parametrize(
    ("locale", "monday", "sunday_short"),
    [("en", "Monday", "Sun"), ("ru", "понедельник", "вс"), ("uk", "понеділок", "нд")],
)
def test_weekday_names_are_indexed_from_monday(locale: str, monday: str, sunday_short: str) -> None:
    assert weekday_name(0, locale) == monday
    assert weekday_name(6, locale, "abbreviated") == sunday_short
    assert weekday_name(date(2026, 11, 23).weekday(), locale) == monday  # a Monday


def test_weekday_out_of_range() -> None:
    with pytest.raises(ValueError):
        weekday_name(7, "en")


def test_day_month_and_time_range() -> None:
    assert format_day_month(date(2026, 12, 25), "en") == "Dec 25"
    assert format_day_month(date(2026, 12, 25), "uk").startswith("25 груд")
    assert format_time_range(time(9), time(18), "ru") == "09:00–18:00"
    assert plain(format_time_range(time(9), time(18), "en")) == "9:00 AM–6:00 PM"
