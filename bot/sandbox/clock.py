"""Time for the fake server: message dates and the 48-hour rules read it, so tests can move it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], "datetime | float | int"]


def to_datetime(value: datetime | float | int) -> datetime:
    """Normalise a clock reading (aware/naive datetime or epoch seconds) to an aware UTC datetime."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return datetime.fromtimestamp(float(value), tz=UTC)


def system_clock() -> datetime:
    """The real time, the default."""
    return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to, for deterministic dates and expiry rules."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = to_datetime(start) if start is not None else datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta | None = None, **parts: float) -> datetime:
        """Move forward by `delta` or by keyword parts (`hours=49`); returns the new time."""
        self.now += (delta or timedelta()) + timedelta(**parts)
        return self.now

    def set(self, moment: datetime) -> None:
        """Jump to a given moment."""
        self.now = to_datetime(moment)
