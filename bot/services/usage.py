"""Which menu sections members open, as bare counts per day, city and section.

No member id, hash or time of a single visit is ever written: presses are tallied in memory
(`SectionTally`) and added to one row per (day, city, section) when the tally is flushed, every
minute and at shutdown. A worker that dies loses at most a minute of counts, which is acceptable
for figures whose purpose is "how much is each part used".
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import SectionOpen

NO_CITY = ""  # members who did not choose a city
# The sections counted, in menu order (the main menu's entries and help).
SECTIONS = ("rights", "health", "safety", "person", "urgent", "settings", "help")


class SectionTally:
    """Counts since the last flush; one per process."""

    def __init__(self) -> None:
        self._counts: Counter[tuple[date, str, str]] = Counter()

    def add(self, day: date, city: str | None, section: str) -> None:
        self._counts[(day, city or NO_CITY, section)] += 1

    def __len__(self) -> int:
        return len(self._counts)

    def take(self) -> Counter[tuple[date, str, str]]:
        """Hand over the counts and start afresh (a failed flush puts them back with `restore`)."""
        counts, self._counts = self._counts, Counter()
        return counts

    def restore(self, counts: Counter[tuple[date, str, str]]) -> None:
        self._counts.update(counts)


async def add_counts(session: AsyncSession, counts: Counter[tuple[date, str, str]]) -> None:
    """Add the counts to their rows (created when missing); the caller commits.

    Several workers flush into the same rows: the increment is a single UPDATE, and a row
    created by two workers at once is caught by the unique key and retried as an increment.
    """
    for (day, city, section), count in counts.items():
        key = (SectionOpen.day == day, SectionOpen.city == city, SectionOpen.section == section)
        result = await session.execute(update(SectionOpen).where(*key).values(count=SectionOpen.count + count))
        if result.rowcount:  # type: ignore[attr-defined]
            continue
        try:
            async with session.begin_nested():
                session.add(SectionOpen(day=day, city=city, section=section, count=count))
        except IntegrityError:  # another worker created the row in between: add to it instead
            await session.execute(update(SectionOpen).where(*key).values(count=SectionOpen.count + count))


async def counts_between(
    session: AsyncSession, start: date, end: date, cities: list[str] | None
) -> dict[tuple[str, str], int]:
    """(city, section) → opens on days in [start, end); `cities` None means every city."""
    query = select(SectionOpen.city, SectionOpen.section, SectionOpen.count).where(
        SectionOpen.day >= start, SectionOpen.day < end
    )
    if cities is not None:
        query = query.where(SectionOpen.city.in_(cities))
    totals: Counter[tuple[str, str]] = Counter()
    for city, section, count in (await session.execute(query)).all():
        totals[(city, section)] += count
    return dict(totals)
