"""Opening hours: is a clinic open now, until when, and when does it open next.

Hours are written in the city's local wall time, so every computation turns local intervals into
absolute instants with zoneinfo and compares them in UTC. (Aware datetimes that share a tzinfo are
compared by wall time in Python, which is wrong around a DST change; UTC avoids that.)

Rules, documented in docs/content-format.md:

- An interval belongs to the day it starts on; "fri 20:00-02:00" is open on Saturday at 01:00.
- A dated exception replaces the intervals *starting* on that date (closed, or its own hours); an
  overnight interval of the day before still runs past midnight into it.
- Back-to-back intervals (Fri 18:00-24:00, Sat 00:00-06:00) are one opening: no "closes at 00:00".
- A nonexistent local time (the skipped hour of spring-forward, 03:00-04:00 in Kyiv) moves forward by
  the length of the gap (03:30 → 04:30), as java.time does. An ambiguous time (the repeated hour in
  autumn) means its first occurrence.

Locale formatting (weekday names, "18:00" vs "6:00 PM") is in bot.content.format; the words
around it belong to the handlers' gettext catalogues.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.content.schema import Clinic, HoursException

CLOSES_HORIZON = timedelta(days=7)
"""When open longer than this from now, `closes_at` is None ("open around the clock")."""

OPENS_HORIZON = timedelta(days=14)
"""When closed longer than this from now, `opens_at` is None ("no opening soon")."""


@dataclass(frozen=True)
class OpeningStatus:
    """Where a clinic stands at one instant; datetimes are aware, in the city's zone.

    `closes_at` is set when open (None: no end within 7 days); `opens_at` is set when closed
    (None: no opening within 14 days).
    """

    is_open: bool
    closes_at: datetime | None
    opens_at: datetime | None


@dataclass(frozen=True)
class _Span:
    start: datetime  # UTC
    end: datetime  # UTC


def _instant(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """The UTC instant of local wall time `day` + `minute` minutes (minute may pass 24:00)."""
    wall = datetime.combine(day, time()) + timedelta(minutes=minute)
    # fold=0: an ambiguous time is its first occurrence; a nonexistent one gets the offset from
    # before the gap, which lands it gap-length later once normalised through UTC.
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC)


def _spans(clinic: Clinic, tz: ZoneInfo, first: date, last: date) -> list[_Span]:
    """Merged opening spans of intervals starting on local dates first..last, in UTC."""
    raw: list[_Span] = []
    day = first
    while day <= last:
        for interval in clinic.intervals_for_date(day):
            start = _instant(day, interval.start_minute, tz)
            end = _instant(day, interval.end_minute, tz)
            if end > start:
                raw.append(_Span(start, end))
        day += timedelta(days=1)
    raw.sort(key=lambda span: span.start)
    merged: list[_Span] = []
    for span in raw:
        if merged and span.start <= merged[-1].end:
            if span.end > merged[-1].end:
                merged[-1] = _Span(merged[-1].start, span.end)
        else:
            merged.append(span)
    return merged


def _require_aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(UTC)


def _window(clinic: Clinic, tz: ZoneInfo, now_utc: datetime) -> list[_Span]:
    today = now_utc.astimezone(tz).date()
    # From yesterday (its overnight interval may still run) to past the 14-day horizon.
    return _spans(clinic, tz, today - timedelta(days=1), today + timedelta(days=OPENS_HORIZON.days + 1))


def opening_status(clinic: Clinic, tz: ZoneInfo, now: datetime) -> OpeningStatus:
    """Open or closed at `now`, with the closing or next opening time in the city's zone."""
    now_utc = _require_aware(now)
    for span in _window(clinic, tz, now_utc):
        if span.start <= now_utc < span.end:
            closes = span.end if span.end - now_utc <= CLOSES_HORIZON else None
            return OpeningStatus(True, closes.astimezone(tz) if closes else None, None)
        if span.start > now_utc:
            opens = span.start if span.start - now_utc <= OPENS_HORIZON else None
            return OpeningStatus(False, None, opens.astimezone(tz) if opens else None)
    return OpeningStatus(False, None, None)


def next_opening(clinic: Clinic, tz: ZoneInfo, now: datetime) -> datetime | None:
    """The next moment after `now` at which the clinic opens (after the current opening if open).

    None when that is not within 14 days.
    """
    now_utc = _require_aware(now)
    for span in _window(clinic, tz, now_utc):
        if span.start > now_utc:
            return span.start.astimezone(tz) if span.start - now_utc <= OPENS_HORIZON else None
    return None


def open_now(clinics: Iterable[Clinic], tz: ZoneInfo, now: datetime) -> list[Clinic]:
    """The clinics open at `now`, in their given order."""
    return [clinic for clinic in clinics if opening_status(clinic, tz, now).is_open]


def sort_by_availability(clinics: Iterable[Clinic], tz: ZoneInfo, now: datetime) -> list[tuple[Clinic, OpeningStatus]]:
    """Open clinics first, those staying open longest first (a member should not arrive at closing);
    then closed ones by soonest opening; then those with no opening soon. Ties keep the file order.
    """

    def key(pair: tuple[Clinic, OpeningStatus]) -> tuple[int, float]:
        status = pair[1]
        if status.is_open:
            return (0, -status.closes_at.timestamp() if status.closes_at else float("-inf"))
        if status.opens_at is not None:
            return (1, status.opens_at.timestamp())
        return (2, 0.0)

    pairs = [(clinic, opening_status(clinic, tz, now)) for clinic in clinics]
    return sorted(pairs, key=key)


def week_schedule(clinic: Clinic) -> list[tuple[int, list[tuple[time, time]]]]:
    """The regular week for display, Monday (0) to Sunday (6); a closed day has an empty list.

    An end of 24:00 is shown as time(0, 0), so (00:00, 00:00) is "open all day"; an end earlier
    than its start is on the next day.
    """
    return [
        (weekday, [(interval.start, interval.end) for interval in clinic.intervals_on(weekday)]) for weekday in range(7)
    ]


def upcoming_exceptions(clinic: Clinic, today: date, days: int = 14) -> list[HoursException]:
    """Holidays and special days from `today` on, within `days`, to show beside the week."""
    last = today + timedelta(days=days)
    return [exception for exception in clinic.exceptions if today <= exception.date <= last]
