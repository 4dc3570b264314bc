"""Locale-aware pieces of clinic texts (times, weekday and day names) via Babel's CLDR data.

Only the data is formatted here; the sentences around it ("open now, until {time}") are gettext
strings owned by the handlers, so translators see whole sentences.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal

from babel.dates import format_skeleton, format_time, get_day_names

DayWidth = Literal["wide", "abbreviated", "short", "narrow"]
DayContext = Literal["format", "stand-alone"]


def format_local_time(value: datetime | time, locale: str) -> str:
    """Short local time: "18:00" in ru/uk, "6:00 PM" in en.

    An aware datetime is shown in its own zone (pass the city-zone datetime from OpeningStatus).
    """
    tzinfo = value.tzinfo if isinstance(value, datetime) else None
    return format_time(value, "short", tzinfo=tzinfo, locale=locale)


def weekday_name(weekday: int, locale: str, width: DayWidth = "wide", context: DayContext = "stand-alone") -> str:
    """Name of a weekday, 0 = Monday as in `date.weekday()`.

    Babel's dict is keyed 0 = Monday but iterates from Sunday, so it is indexed, never iterated.
    "stand-alone" is the nominative form for a schedule line ("понеділок"); sentences that need
    another case keep the weekday inside their gettext string instead.
    """
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0..6, not {weekday}")
    return str(get_day_names(width, context=context, locale=locale)[weekday])


def format_day_month(day: date, locale: str) -> str:
    """Day and abbreviated month without the year, for holidays: "Dec 25", "25 дек.", "25 груд."."""
    return str(format_skeleton("MMMd", day, locale=locale))


def format_time_range(start: time, end: time, locale: str) -> str:
    """An opening interval as "09:00–18:00" (en: "9:00 AM–6:00 PM"); an end of 00:00 means midnight."""
    return f"{format_local_time(start, locale)}–{format_local_time(end, locale)}"
