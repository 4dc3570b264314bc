"""Bare counts per day, city and name, for the anonymous statistics.

What is counted: menu sections opened (`opened:<section>`), and bad-client reports received and
decided (`reports:received`, `reports:approved`, `reports:merged`, `reports:rejected`). No member
id, hash or time of a single event is ever written, and the counts stay when the rows they count
are deleted by retention, so a month's figures can be exported again later.

Menu presses are frequent: they are tallied in memory (`SectionTally`) and added to the rows when
the tally is flushed, every minute and at shutdown (a worker that dies loses at most a minute of
them, acceptable for "how much is each part used"). Rare events are added at once, in the
transaction of the change they count (`count`).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import DailyCount

NO_CITY = ""  # members who did not choose a city
# The sections counted, in menu order (the main menu's entries and help).
SECTIONS = ("rights", "health", "safety", "person", "urgent", "settings", "help")
OPENED = "opened:"
REPORTS = ("received", "approved", "merged", "rejected")

Key = tuple[date, str, str]  # (day, city, name)


def opened(section: str) -> str:
    return OPENED + section


def reports(outcome: str) -> str:
    return "reports:" + outcome


class SectionTally:
    """Menu sections opened since the last flush; one per process."""

    def __init__(self) -> None:
        self._counts: Counter[Key] = Counter()

    def add(self, day: date, city: str | None, section: str) -> None:
        self._counts[(day, city or NO_CITY, opened(section))] += 1

    def __len__(self) -> int:
        return len(self._counts)

    def take(self) -> Counter[Key]:
        """Hand over the counts and start afresh (a failed flush puts them back with `restore`)."""
        counts, self._counts = self._counts, Counter()
        return counts

    def restore(self, counts: Counter[Key]) -> None:
        self._counts.update(counts)


async def add_counts(session: AsyncSession, counts: Counter[Key]) -> None:
    """Add the counts to their rows (created when missing); the caller commits.

    Several workers add to the same rows: the increment is a single UPDATE, and a row created by
    two workers at once is caught by the unique key and retried as an increment.
    """
    for (day, city, name), count in counts.items():
        key = (DailyCount.day == day, DailyCount.city == city, DailyCount.name == name)
        result = await session.execute(update(DailyCount).where(*key).values(count=DailyCount.count + count))
        if result.rowcount:  # type: ignore[attr-defined]
            continue
        try:
            async with session.begin_nested():
                session.add(DailyCount(day=day, city=city, name=name, count=count))
        except IntegrityError:  # another worker created the row in between: add to it instead
            await session.execute(update(DailyCount).where(*key).values(count=DailyCount.count + count))


async def count(session: AsyncSession, day: date, city: str | None, name: str) -> None:
    """One more `name` on `day` in `city`, in the caller's transaction."""
    await add_counts(session, Counter({(day, city or NO_CITY, name): 1}))


async def counts_between(
    session: AsyncSession, start: date, end: date, cities: list[str] | None
) -> dict[tuple[str, str], int]:
    """(city, name) → total on days in [start, end); `cities` None means every city."""
    query = select(DailyCount.city, DailyCount.name, DailyCount.count).where(
        DailyCount.day >= start, DailyCount.day < end
    )
    if cities is not None:
        query = query.where(DailyCount.city.in_(cities))
    totals: Counter[tuple[str, str]] = Counter()
    for city, name, n in (await session.execute(query)).all():
        totals[(city, name)] += n
    return dict(totals)
