"""Anonymous figures per organisation and period, for funders: nobody can be picked out.

Framework-free: takes a session and plain values, returns plain dataclasses. The rules:

- a period is an ISO week (`2026-W48`) or a month (`2026-11`) in the organisation's time zone; a
  conversation belongs to the period in which it was queued;
- counts stay exact in the dataclasses but are `SmallCount`s: presented, 1–4 becomes "<5";
- a median, mean or share is withheld (None) when fewer than `MIN_COUNT` conversations stand behind
  it; a share is also withheld when either of its parts is a small count, since the share would give
  that count away;
- cities are the member's current city (`Member.city`), when they chose one; a forgotten member's
  conversations are gone with them;
- nothing here carries an id, a case code, a hash, an alias or a time of a single conversation.

Menu sections opened and bad-client reports come from day counts per city (bot.services.usage): an
organisation sees the cities it serves (the default one also members who chose no city). Alerts
and broadcasts delivered are the organisation's delivery jobs that started in the period.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Conversation, DeliveryJob, Member, Organisation
from bot.services import usage
from bot.services.handoff import Topic

K = TypeVar("K")
DELIVERY_KINDS = ("alert", "broadcast")  # the delivery engine's kinds (bot.services.alerts, .broadcasts)
MIN_COUNT = 5  # counts below this are shown as "<5"; figures based on fewer are withheld
WITHHELD = "withheld"
SCORES = (1, 2, 3, 4, 5)
_WEEK = re.compile(r"(\d{4})-?W(\d{1,2})", re.IGNORECASE)
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


class PeriodKind(StrEnum):
    week = "week"
    month = "month"


class PeriodInvalid(ValueError):
    """Not an ISO week like 2026-W48 or a month like 2026-11 (or not the kind asked for)."""


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    start: date  # first day
    end: date  # the day after the last

    @property
    def label(self) -> str:
        if self.kind is PeriodKind.week:
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start.year}-{self.start.month:02d}"

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The period as UTC moments [start, end), midnight to midnight in `zone`."""
        start = datetime.combine(self.start, time(), tzinfo=zone).astimezone(UTC)
        end = datetime.combine(self.end, time(), tzinfo=zone).astimezone(UTC)
        return start, end


def week_of(day: date) -> Period:
    start = day - timedelta(days=day.weekday())
    return Period(PeriodKind.week, start, start + timedelta(days=7))


def month_of(day: date) -> Period:
    start = day.replace(day=1)
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return Period(PeriodKind.month, start, end)


def current_period(kind: PeriodKind, today: date) -> Period:
    return week_of(today) if kind is PeriodKind.week else month_of(today)


def parse_period(text: str, kind: PeriodKind | None = None) -> Period:
    """ "2026-W48" → that ISO week, "2026-11" → that month; PeriodInvalid otherwise (or of another kind)."""
    value = text.strip()
    week, month = _WEEK.fullmatch(value), _MONTH.fullmatch(value)
    try:
        if week is not None and kind in (None, PeriodKind.week):
            return week_of(date.fromisocalendar(int(week[1]), int(week[2]), 1))
        if month is not None and kind in (None, PeriodKind.month):
            return month_of(date(int(month[1]), int(month[2]), 1))
    except ValueError as error:
        raise PeriodInvalid(value) from error
    raise PeriodInvalid(value)


@dataclass(frozen=True)
class SmallCount:
    """A count that is presented as "<5" when it is 1–4 (0 stays 0: it singles nobody out), or as
    "withheld" when it had to hide too so that a "<5" beside it cannot be worked out (`protect`)."""

    value: int
    withheld: bool = False

    @property
    def suppressed(self) -> bool:
        return self.withheld or 0 < self.value < MIN_COUNT

    def __str__(self) -> str:
        if self.withheld:
            return WITHHELD
        return f"<{MIN_COUNT}" if self.suppressed else str(self.value)


def protect(parts: dict[K, SmallCount], total: SmallCount) -> dict[K, SmallCount]:
    """Hide one more count where a single "<5" could be worked out by subtraction.

    When the parts add up to a total that is shown and exactly one part reads "<5", the total minus
    the others gives it away; withholding the smallest other non-zero part as well leaves only the
    sum of the two known (secondary suppression, as statistics offices do).
    """
    if total.suppressed:
        return parts
    hidden = [key for key, count in parts.items() if count.suppressed]
    others = [key for key, count in parts.items() if not count.suppressed and count.value > 0]
    if len(hidden) != 1 or not others:
        return parts
    smallest = min(others, key=lambda key: parts[key].value)
    return {**parts, smallest: SmallCount(parts[smallest].value, withheld=True)}


@dataclass(frozen=True)
class Feedback:
    scores: dict[int, SmallCount]  # 1..5 → how many gave it
    rated: SmallCount
    mean: float | None  # None when fewer than MIN_COUNT ratings


@dataclass(frozen=True)
class Figures:
    """The figures of one group of conversations (an organisation, or its members of one city)."""

    conversations: SmallCount
    by_topic: dict[str, SmallCount]  # every topic, in Topic order
    answered: SmallCount  # claimed by a counsellor
    answered_share: float | None  # 0..1; None when withheld
    median_wait: timedelta | None  # queued → claimed; None below MIN_COUNT claims
    median_handling: timedelta | None  # claimed → closed; None below MIN_COUNT closed after a claim
    feedback: Feedback


@dataclass(frozen=True)
class Stats:
    period: Period
    overall: Figures
    by_city: dict[str, Figures]  # city id → figures, cities sorted; members who chose a city
    city_unknown: SmallCount  # conversations of members who did not choose a city
    sections: dict[str, SmallCount] = field(default_factory=dict)  # section → times opened, in menu order
    sections_by_city: dict[str, dict[str, SmallCount]] = field(default_factory=dict)  # "" = no city chosen
    reports: dict[str, SmallCount] = field(default_factory=dict)  # received, approved, merged, rejected
    delivered: dict[str, SmallCount] = field(default_factory=dict)  # alert, broadcast → messages delivered


@dataclass(frozen=True)
class _Row:
    topic: str
    queued_at: datetime
    claimed_at: datetime | None
    closed_at: datetime | None
    rating: int | None
    city: str | None


def _shown(count: int) -> bool:
    """Whether a count can be revealed exactly (0 or at least MIN_COUNT)."""
    return count == 0 or count >= MIN_COUNT


def _median(values: Sequence[timedelta]) -> timedelta | None:
    if len(values) < MIN_COUNT:
        return None
    return timedelta(seconds=statistics.median(v.total_seconds() for v in values))


def figures(rows: Iterable[_Row]) -> Figures:
    rows = list(rows)
    total = len(rows)
    topics = Counter(row.topic for row in rows)
    by_topic = {topic.value: SmallCount(topics.pop(topic.value, 0)) for topic in Topic}
    for other, count in sorted(topics.items()):  # a topic retired since: still counted
        by_topic[other] = SmallCount(count)
    by_topic = protect(by_topic, SmallCount(total))
    claimed = [row for row in rows if row.claimed_at is not None]
    answered = len(claimed)
    share = answered / total if total >= MIN_COUNT and _shown(answered) and _shown(total - answered) else None
    waits = [row.claimed_at - row.queued_at for row in claimed if row.claimed_at is not None]
    handling = [
        row.closed_at - row.claimed_at
        for row in claimed
        if row.closed_at is not None and row.claimed_at is not None and row.closed_at >= row.claimed_at
    ]
    ratings = [row.rating for row in rows if row.rating in SCORES]
    scores = Counter(ratings)
    mean = statistics.fmean(ratings) if len(ratings) >= MIN_COUNT else None
    return Figures(
        conversations=SmallCount(total),
        by_topic=by_topic,
        answered=SmallCount(answered),
        answered_share=share,
        median_wait=_median(waits),
        median_handling=_median(handling),
        feedback=Feedback(
            protect({score: SmallCount(scores[score]) for score in SCORES}, SmallCount(len(ratings))),
            SmallCount(len(ratings)),
            mean,
        ),
    )


async def compute(session: AsyncSession, organisation: Organisation, period: Period) -> Stats:
    """The figures of the conversations an organisation received in a period."""
    start, end = period.bounds(ZoneInfo(organisation.timezone))
    result = await session.execute(
        select(
            Conversation.topic,
            Conversation.queued_at,
            Conversation.claimed_at,
            Conversation.closed_at,
            Conversation.rating,
            Member.city,
        )
        .join(Member, Member.id == Conversation.member_id)
        .where(
            Conversation.organisation_id == organisation.id,
            Conversation.queued_at >= start,
            Conversation.queued_at < end,
        )
    )
    rows = [_Row(*row) for row in result.all()]
    cities: dict[str, list[_Row]] = {}
    for row in rows:
        if row.city:
            cities.setdefault(row.city, []).append(row)
    served = [c.city for c in organisation.cities] + ([usage.NO_CITY] if organisation.is_default else [])
    daily = await usage.counts_between(session, period.start, period.end, served)
    per_city: dict[str, Counter[str]] = {}
    reports: Counter[str] = Counter()
    for (city, name), count in daily.items():
        if name.startswith(usage.OPENED):
            per_city.setdefault(city, Counter())[name.removeprefix(usage.OPENED)] += count
        else:
            reports[name] += count

    def in_order(counts: Counter[str]) -> dict[str, SmallCount]:
        return {section: SmallCount(counts[section]) for section in usage.SECTIONS}

    overall = figures(rows)
    by_city = {city: figures(cities[city]) for city in sorted(cities)}
    # The conversations of each city and of no city add up to the total: protect them together.
    places: dict[str | None, SmallCount] = {city: group.conversations for city, group in by_city.items()}
    places[None] = SmallCount(sum(1 for row in rows if not row.city))
    per_place = protect(places, overall.conversations)
    by_city = {city: replace(group, conversations=per_place[city]) for city, group in by_city.items()}
    sections = in_order(sum(per_city.values(), Counter()))
    sections_by_city = {city: in_order(per_city[city]) for city in sorted(per_city)}
    for section, total in sections.items():  # each section's cities add up to its total
        column = protect({city: counts[section] for city, counts in sections_by_city.items()}, total)
        for city, count in column.items():
            sections_by_city[city][section] = count
    received = SmallCount(reports[usage.reports("received")])
    decided = {outcome: SmallCount(reports[usage.reports(outcome)]) for outcome in usage.REPORTS[1:]}
    return Stats(
        period=period,
        overall=overall,
        by_city=by_city,
        city_unknown=per_place[None],
        sections=sections,
        sections_by_city=sections_by_city,
        reports={"received": received, **decided},
        delivered=await _delivered(session, organisation.id, start, end),
    )


async def _delivered(
    session: AsyncSession, organisation_id: int, start: datetime, end: datetime
) -> dict[str, SmallCount]:
    """Messages delivered by the organisation's alerts and broadcasts that started in the period
    (the jobs' own counters, which outlive the per-recipient rows)."""
    result = await session.execute(
        select(DeliveryJob.kind, func.coalesce(func.sum(DeliveryJob.sent), 0))
        .where(
            DeliveryJob.organisation_id == organisation_id,
            DeliveryJob.created_at >= start,
            DeliveryJob.created_at < end,
        )
        .group_by(DeliveryJob.kind)
    )
    sent = dict(result.all())
    return {kind: SmallCount(int(sent.get(kind, 0))) for kind in DELIVERY_KINDS}


# --- presentation helpers shared by the staff command and the CSV export --------------------------


def minutes(value: timedelta | None) -> str:
    """A duration in whole minutes (at least 1 when not zero), or "" when withheld."""
    if value is None:
        return ""
    total = value.total_seconds() / 60
    return str(max(round(total), 1) if total > 0 else 0)


def percent(share: float | None) -> str:
    return "" if share is None else f"{round(share * 100)}%"


def csv_rows(stats: Stats) -> list[tuple[str, str, str, str, str]]:
    """(period, scope, metric, key, value) rows; scope is "all" or a city id; withheld values read
    "withheld". Small counts read "<5". No identifier of any person or conversation."""
    withheld = WITHHELD
    label = stats.period.label
    out: list[tuple[str, str, str, str, str]] = []

    def add(scope: str, group: Figures) -> None:
        out.append((label, scope, "conversations", "", str(group.conversations)))
        for topic, count in group.by_topic.items():
            out.append((label, scope, "conversations_by_topic", topic, str(count)))
        out.append((label, scope, "answered", "", str(group.answered)))
        out.append((label, scope, "answered_share_percent", "", percent(group.answered_share).rstrip("%") or withheld))
        out.append((label, scope, "median_wait_minutes", "", minutes(group.median_wait) or withheld))
        out.append((label, scope, "median_handling_minutes", "", minutes(group.median_handling) or withheld))
        out.append((label, scope, "feedback_rated", "", str(group.feedback.rated)))
        for score, count in group.feedback.scores.items():
            out.append((label, scope, "feedback_score", str(score), str(count)))
        mean = group.feedback.mean
        out.append((label, scope, "feedback_mean", "", f"{mean:.1f}" if mean is not None else withheld))

    add("all", stats.overall)
    out.append((label, "all", "conversations_city_not_chosen", "", str(stats.city_unknown)))
    for city, group in stats.by_city.items():
        add(city, group)
    for section, count in stats.sections.items():
        out.append((label, "all", "sections_opened", section, str(count)))
    for city, sections in stats.sections_by_city.items():
        for section, count in sections.items():
            out.append((label, city or "no_city", "sections_opened", section, str(count)))
    for outcome, count in stats.reports.items():
        out.append((label, "all", "reports", outcome, str(count)))
    for kind, count in stats.delivered.items():
        out.append((label, "all", "messages_delivered", kind, str(count)))
    return out


CSV_HEADER = ("period", "scope", "metric", "key", "value")
