"""Organisation broadcasts: the rules, framework-free.

A broadcast is draft -> (awaiting_approval) -> scheduled -> sending -> done, or rejected /
cancelled. Its audience is members of the cities the organisation serves (never others), in the
chosen languages, who receive the topic (bot/services/subscriptions.py). Delivery is a job of the
shared engine (kind "broadcast"), started by the scheduler when the broadcast falls due.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import scheduler
from bot.db.models import Broadcast, Member, Organisation, OrganisationCity
from bot.services import delivery
from bot.services.subscriptions import Topic, audience_clause
from bot.settings import LANGUAGES

KIND = "broadcast"
TEXT_LIMIT = 4096  # Telegram's limit for a message, after entities are parsed


class Status(StrEnum):
    awaiting_approval = "awaiting_approval"
    scheduled = "scheduled"
    sending = "sending"
    done = "done"
    rejected = "rejected"
    cancelled = "cancelled"


OPEN = (Status.awaiting_approval, Status.scheduled, Status.sending)


class BroadcastError(Exception):
    """A rule said no; `reason` is one of the short codes below (the handler words it)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Draft:
    """What the broadcaster chose, before it is stored."""

    texts: dict[str, str]  # language -> text; the key "all" for one text for everyone
    topic: Topic
    cities: tuple[str, ...]
    languages: tuple[str, ...]

    def text_for(self, language: str) -> str | None:
        return self.texts.get("all") or self.texts.get(language)


def text_for(broadcast: Broadcast, language: str) -> str | None:
    """The text a member reading `language` gets (None: this broadcast has nothing for them)."""
    if broadcast.text_all:
        return broadcast.text_all
    return {"uk": broadcast.text_uk, "ru": broadcast.text_ru, "en": broadcast.text_en}.get(language)


def split(value: str) -> list[str]:
    return [part for part in value.split(",") if part]


async def served_cities(session: AsyncSession, organisation_id: int) -> list[str]:
    rows = await session.scalars(
        select(OrganisationCity.city)
        .where(OrganisationCity.organisation_id == organisation_id)
        .order_by(OrganisationCity.id)
    )
    return list(rows)


def audience(cities: list[str], languages: list[str], topic: Topic | str) -> Select[tuple[int]]:
    return select(Member.id).where(audience_clause(cities=cities, languages=languages, topic=topic))


async def audience_size(session: AsyncSession, cities: list[str], languages: list[str], topic: Topic | str) -> int:
    return int(
        await session.scalar(select(func.count()).select_from(audience(cities, languages, topic).subquery())) or 0
    )


async def create(
    session: AsyncSession,
    organisation: Organisation,
    author_id: int | None,
    draft: Draft,
    send_at: datetime | None,
    now: datetime,
) -> Broadcast:
    """Store a broadcast and, without a second approval, schedule it; the caller commits."""
    served = set(await served_cities(session, organisation.id))
    if not draft.cities or not set(draft.cities) <= served:
        raise BroadcastError("cities")
    if not draft.languages or not set(draft.languages) <= set(LANGUAGES):
        raise BroadcastError("languages")
    if any(draft.text_for(language) is None for language in draft.languages):
        raise BroadcastError("texts")
    if send_at is not None and send_at <= now:
        send_at = None
    broadcast = Broadcast(
        organisation_id=organisation.id,
        author_id=author_id,
        topic=draft.topic.value,
        cities=",".join(draft.cities),
        languages=",".join(draft.languages),
        text_all=draft.texts.get("all"),
        text_uk=draft.texts.get("uk"),
        text_ru=draft.texts.get("ru"),
        text_en=draft.texts.get("en"),
        status=Status.awaiting_approval.value if organisation.broadcast_approval else Status.scheduled.value,
        send_at=send_at,
        created_at=now,
    )
    session.add(broadcast)
    await session.flush()
    if broadcast.status == Status.scheduled:
        await scheduler.schedule(session, KIND, broadcast.id, send_at or now)
    return broadcast


async def get(session: AsyncSession, broadcast_id: int, organisation_id: int | None = None) -> Broadcast | None:
    broadcast = await session.get(Broadcast, broadcast_id, populate_existing=True)
    if broadcast is None or (organisation_id is not None and broadcast.organisation_id != organisation_id):
        return None
    return broadcast


async def approve(session: AsyncSession, broadcast: Broadcast, approver_id: int, now: datetime) -> None:
    """A supervisor's second approval: someone other than the author. The caller commits."""
    if broadcast.status != Status.awaiting_approval:
        raise BroadcastError("state")
    if broadcast.author_id == approver_id:
        raise BroadcastError("own")
    result = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast.id, Broadcast.status == Status.awaiting_approval)
        .values(status=Status.scheduled.value, approver_id=approver_id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # another supervisor pressed first
        raise BroadcastError("state")
    broadcast.status, broadcast.approver_id = Status.scheduled.value, approver_id
    due = broadcast.send_at if broadcast.send_at is not None and broadcast.send_at > now else now
    await scheduler.schedule(session, KIND, broadcast.id, due)


async def reject(session: AsyncSession, broadcast: Broadcast, approver_id: int) -> None:
    if broadcast.status != Status.awaiting_approval:
        raise BroadcastError("state")
    broadcast.status, broadcast.approver_id = Status.rejected.value, approver_id
    await session.flush()


async def cancel(session: AsyncSession, broadcast: Broadcast) -> None:
    """Before sending: it never goes out. While sending: no further message goes out."""
    if broadcast.status not in OPEN:
        raise BroadcastError("state")
    if broadcast.status == Status.sending:
        job = await delivery.job_for(session, KIND, broadcast.id)
        if job is not None:
            await delivery.cancel(session, job.id)
    await scheduler.unschedule(session, KIND, broadcast.id)
    broadcast.status = Status.cancelled.value
    await session.flush()


async def start(session: AsyncSession, broadcast_id: int, now: datetime) -> int | None:
    """The broadcast fell due: its delivery job (one per broadcast, whatever retries). The caller commits."""
    broadcast = await get(session, broadcast_id)
    if broadcast is None:
        return None
    if broadcast.status == Status.scheduled:
        await session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.status == Status.scheduled)
            .values(status=Status.sending.value)
            .execution_options(synchronize_session=False)
        )
    elif broadcast.status != Status.sending:
        return None  # cancelled or rejected meanwhile
    served = set(await served_cities(session, broadcast.organisation_id))
    cities = [city for city in split(broadcast.cities) if city in served]  # a city may have been dropped since
    return await delivery.create_job(
        session,
        KIND,
        broadcast.id,
        audience(cities, split(broadcast.languages), broadcast.topic),
        now=now,
        organisation_id=broadcast.organisation_id,
    )


async def finished(session: AsyncSession, broadcast_id: int, job_status: str) -> Broadcast | None:
    """The delivery job ended: the broadcast is done (or stays cancelled)."""
    broadcast = await get(session, broadcast_id)
    if broadcast is not None and job_status == "done" and broadcast.status == Status.sending:
        broadcast.status = Status.done.value
        await session.flush()
    return broadcast


async def recent(session: AsyncSession, organisation_id: int, limit: int = 10) -> list[Broadcast]:
    rows = await session.scalars(
        select(Broadcast).where(Broadcast.organisation_id == organisation_id).order_by(Broadcast.id.desc()).limit(limit)
    )
    return list(rows)


async def set_approval(session: AsyncSession, organisation_id: int, required: bool) -> None:
    await session.execute(
        update(Organisation).where(Organisation.id == organisation_id).values(broadcast_approval=required)
    )


_FULL = re.compile(r"^(?:(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})\.(\d{1,2})(?:\.(\d{4}))?)\s+(\d{1,2}):(\d{2})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_when(text: str, zone: ZoneInfo, now: datetime) -> datetime | None:
    """ "2026-12-17 10:00", "17.12 10:00", "17.12.2026 10:00" or "10:00" (the next such time), in
    `zone`; None if it does not parse or is not in the future."""
    text = " ".join(text.split())
    local_now = now.astimezone(zone)
    try:
        if match := _TIME.match(text):
            hour, minute = int(match[1]), int(match[2])
            moment = datetime.combine(local_now.date(), datetime.min.time(), zone).replace(hour=hour, minute=minute)
            if moment <= local_now:
                moment = datetime.combine(local_now.date() + timedelta(days=1), moment.timetz())
        elif match := _FULL.match(text):
            if match[1]:
                day = date(int(match[1]), int(match[2]), int(match[3]))
            else:
                day = date(int(match[6]) if match[6] else local_now.year, int(match[5]), int(match[4]))
                if not match[6] and datetime.combine(day, datetime.max.time(), zone) < local_now:
                    day = day.replace(year=day.year + 1)
            moment = datetime(day.year, day.month, day.day, int(match[7]), int(match[8]), tzinfo=zone)
        else:
            return None
    except ValueError:  # 31.02, 25:00
        return None
    return moment if moment > now else None
