"""Members' topic subscriptions and quiet hours: the member's own choices about pushes.

Framework-free. Only explicit choices are stored (`member_subscriptions`); a topic without a row
has its default:

- safety alerts: ON. Police sweeps and dangerous clients are why most members come; a warning that
  never arrives can cost more than an unwanted one, and it can be switched off in one tap.
- clinic news: ON. Testing days and new friendly services are health information members asked for.
- events: OFF. Campaigns and gatherings are the most "political" pushes and the likeliest to be
  noticed on a shared phone; members opt in.

Quiet hours are minutes after local midnight in the member's city (Kyiv without one); pushes in
the window arrive without sound (`disable_notification`), they are never held back.
"""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, delete, exists, not_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.base import dialect_insert
from bot.db.models import Member, MemberSubscription

DEFAULT_ZONE = ZoneInfo("Europe/Kyiv")


class Topic(StrEnum):
    safety = "safety"
    clinics = "clinics"
    events = "events"


DEFAULTS: dict[Topic, bool] = {Topic.safety: True, Topic.clinics: True, Topic.events: False}

#: Quiet-hour presets offered in settings, as (start, end) minutes; the window may cross midnight.
QUIET_PRESETS: tuple[tuple[int, int], ...] = ((22 * 60, 8 * 60), (23 * 60, 9 * 60), (0, 10 * 60))


def subscribed_clause(topic: Topic | str) -> ColumnElement[bool]:
    """A WHERE clause on `members` true for members who receive `topic` (choice, else the default)."""
    topic = Topic(topic)
    chosen = select(MemberSubscription.id).where(
        MemberSubscription.member_id == Member.id, MemberSubscription.topic == topic.value
    )
    if DEFAULTS[topic]:
        return not_(exists(chosen.where(MemberSubscription.subscribed.is_(False))))
    return exists(chosen.where(MemberSubscription.subscribed.is_(True)))


async def choices(session: AsyncSession, member_id: int) -> dict[Topic, bool]:
    """Every topic with the member's current setting."""
    rows = await session.execute(
        select(MemberSubscription.topic, MemberSubscription.subscribed).where(MemberSubscription.member_id == member_id)
    )
    current = dict(DEFAULTS)
    for topic, subscribed in rows:
        if topic in Topic._value2member_map_:
            current[Topic(topic)] = subscribed
    return current


async def set_subscribed(session: AsyncSession, member_id: int, topic: Topic | str, subscribed: bool) -> None:
    topic = Topic(topic)
    insert = dialect_insert(session)(MemberSubscription).values(
        member_id=member_id, topic=topic.value, subscribed=subscribed
    )
    await session.execute(
        insert.on_conflict_do_update(index_elements=["member_id", "topic"], set_={"subscribed": subscribed})
    )


async def forget(session: AsyncSession, member_id: int) -> None:
    await session.execute(delete(MemberSubscription).where(MemberSubscription.member_id == member_id))


async def set_quiet_hours(session: AsyncSession, member_id: int, window: tuple[int, int] | None) -> None:
    start, end = window if window is not None else (None, None)
    if window is not None and not all(0 <= value < 24 * 60 for value in window):
        raise ValueError("quiet hours are minutes within a day")
    await session.execute(update(Member).where(Member.id == member_id).values(quiet_start=start, quiet_end=end))


async def quiet_hours(session: AsyncSession, member_id: int) -> tuple[int, int] | None:
    row = (await session.execute(select(Member.quiet_start, Member.quiet_end).where(Member.id == member_id))).first()
    if row is None or row[0] is None or row[1] is None:
        return None
    return int(row[0]), int(row[1])


def in_quiet_hours(start: int | None, end: int | None, zone: ZoneInfo, now: datetime) -> bool:
    """Whether `now` falls in the window [start, end) of local time; the window may cross midnight."""
    if start is None or end is None or start == end:
        return False
    local = now.astimezone(zone)
    minute = local.hour * 60 + local.minute
    if start < end:
        return start <= minute < end
    return minute >= start or minute < end


def format_minute(minute: int) -> str:
    return time(minute // 60, minute % 60).strftime("%H:%M")


def audience_clause(
    *, cities: list[str] | None = None, languages: list[str] | None = None, topic: Topic | str | None = None
) -> ColumnElement[bool]:
    """Active members, narrowed by city, language and topic; the building block of an audience."""
    conditions: list[ColumnElement[bool]] = [Member.active.is_(True)]
    if cities is not None:
        conditions.append(Member.city.in_(cities))
    if languages is not None:
        conditions.append(Member.language.in_(languages))
    if topic is not None:
        conditions.append(subscribed_clause(topic))
    return and_(*conditions)
