"""Members: created on first contact, found by keyed hash, erased on request or after inactivity.

Framework-free: takes a session and plain values, never aiogram objects.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.base import dialect_insert
from bot.db.models import (
    AlertSubscription,
    ChatMessage,
    Delivery,
    Member,
    MemberSubscription,
    ReportDraft,
    ReportReporter,
)
from bot.privacy import Privacy
from bot.settings import LANGUAGES


@dataclass(eq=False)
class MemberInfo:
    """What handlers know about a member: a plain object, changed only through the services below."""

    id: int
    language: str
    language_confirmed: bool
    city: str | None
    active: bool
    last_seen: date
    forgotten: bool = False

    @classmethod
    def of(cls, row: Member) -> MemberInfo:
        return cls(row.id, row.language, row.language_confirmed, row.city, row.active, row.last_seen)

    def key(self) -> tuple[object, ...]:
        return (self.language, self.language_confirmed, self.city, self.active, self.last_seen, self.forgotten)


class MemberCache:
    """Recently seen members of this process, so menu navigation needs no database round trip.

    Only for a single process (no REDIS_URL): every change goes through this process's services,
    which keep the cache in step. Entries expire after `ttl` seconds and the oldest are dropped
    beyond `size`; a forgotten member is removed at once.
    """

    def __init__(self, ttl: float = 300.0, size: int = 20_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.size, self._clock = ttl, size, clock
        self._entries: OrderedDict[str, tuple[float, MemberInfo]] = OrderedDict()

    def get(self, user_hash: str) -> MemberInfo | None:
        entry = self._entries.get(user_hash)
        if entry is None:
            return None
        stored_at, info = entry
        if self._clock() - stored_at > self.ttl:
            del self._entries[user_hash]
            return None
        # A copy: a handler that fails half-way must not leave the cache changed.
        return replace(info)

    def put(self, user_hash: str, info: MemberInfo) -> None:
        if info.forgotten:
            self.discard(user_hash)
            return
        self._entries[user_hash] = (self._clock(), replace(info))
        self._entries.move_to_end(user_hash)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def discard(self, user_hash: str) -> None:
        self._entries.pop(user_hash, None)


# Telegram lets a bot delete messages of a private chat for 48 hours after they were sent.
DELETE_WINDOW = timedelta(hours=48)

# Telegram language codes whose speakers more likely read Russian than English (the member confirms).
_RUSSIAN_READERS = frozenset({"ru", "be", "kk", "ky", "uz", "tg"})


def guess_language(telegram_code: str | None, default: str = "en") -> str:
    """Our best first guess from Telegram's interface language; only ever a suggestion."""
    code = (telegram_code or "").split("-")[0].lower()
    if code in LANGUAGES:
        return code
    if code in _RUSSIAN_READERS:
        return "ru"
    return default


async def find(session: AsyncSession, privacy: Privacy, user_id: int) -> Member | None:
    return await session.scalar(select(Member).where(Member.user_hash == privacy.member_hash(user_id)))


async def ensure(
    session: AsyncSession, privacy: Privacy, user_id: int, chat_id: int, language: str, today: date
) -> tuple[MemberInfo, bool]:
    """The member behind `user_id`, created on first contact; returns (member, created)."""
    member = await find(session, privacy, user_id)
    if member is not None:
        if member.last_seen != today:
            member.last_seen = today
        if not member.active:
            member.active = True
        return MemberInfo.of(member), False
    values = {
        "user_hash": privacy.member_hash(user_id),
        "chat_id_enc": privacy.encrypt_chat_id(chat_id),
        "language": language,
        "language_confirmed": False,
        "city": None,
        "active": True,
        "first_seen": today,
        "last_seen": today,
    }
    # Insert-or-ignore: a parallel update from the same member may have created the row first.
    result = await session.execute(dialect_insert(session)(Member).values(**values).on_conflict_do_nothing())
    member = await find(session, privacy, user_id)
    if member is None:  # pragma: no cover - the row exists after the insert above
        raise RuntimeError("member row vanished")
    return MemberInfo.of(member), bool(result.rowcount)


async def set_language(session: AsyncSession, member: MemberInfo, language: str) -> None:
    """The member's own choice: it wins over every guess from Telegram from now on."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    await session.execute(
        update(Member).where(Member.id == member.id).values(language=language, language_confirmed=True)
    )
    member.language, member.language_confirmed = language, True


async def set_city(session: AsyncSession, member: MemberInfo, city: str | None) -> None:
    await session.execute(update(Member).where(Member.id == member.id).values(city=city))
    member.city = city


async def set_inactive(session: AsyncSession, privacy: Privacy, user_id: int) -> None:
    """The member blocked the bot: nothing more is pushed to them until they write again."""
    await session.execute(update(Member).where(Member.user_hash == privacy.member_hash(user_id)).values(active=False))


async def forget(session: AsyncSession, member: MemberInfo) -> None:
    """Erase a member and everything that hangs off them (message ids, and later features' rows)."""
    await session.execute(delete(ChatMessage).where(ChatMessage.member_id == member.id))
    # Bad-client reports: alert cities, a half-filled report, and the link to reports under moderation
    # (the reports themselves stay with the moderators, tied to nobody).
    for table in (AlertSubscription, ReportDraft, ReportReporter):
        await session.execute(delete(table).where(table.member_id == member.id))
    await session.execute(delete(MemberSubscription).where(MemberSubscription.member_id == member.id))
    await session.execute(delete(Delivery).where(Delivery.member_id == member.id))
    await session.execute(delete(Member).where(Member.id == member.id))
    member.forgotten = True


def _minute(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


async def record_messages(session: AsyncSession, member_id: int, message_ids: Iterable[int], at: datetime) -> None:
    """Remember message ids (never text) of the member's private chat for "clear chat"."""
    ids = sorted(set(message_ids))
    if not ids:
        return
    sent_at = _minute(at)
    rows = [{"member_id": member_id, "message_id": mid, "sent_at": sent_at} for mid in ids]
    # One statement; an id seen before (a re-delivered update) is simply skipped.
    await session.execute(dialect_insert(session)(ChatMessage).values(rows).on_conflict_do_nothing())


@dataclass(frozen=True)
class ChatHistory:
    deletable: list[int]
    too_old: int


async def chat_history(session: AsyncSession, member_id: int, now: datetime) -> ChatHistory:
    """Split the known message ids into those the bot may still delete and those it may not."""
    # A minute of margin: sent_at is truncated to the minute.
    limit = now - DELETE_WINDOW + timedelta(minutes=1)
    rows = (
        await session.execute(
            select(ChatMessage.message_id, ChatMessage.sent_at).where(ChatMessage.member_id == member_id)
        )
    ).all()
    deletable = sorted(mid for mid, sent_at in rows if sent_at >= limit)
    return ChatHistory(deletable=deletable, too_old=len(rows) - len(deletable))


async def forget_messages(session: AsyncSession, member_id: int, message_ids: Iterable[int]) -> None:
    ids = list(message_ids)
    if ids:
        await session.execute(
            delete(ChatMessage).where(ChatMessage.member_id == member_id, ChatMessage.message_id.in_(ids))
        )


async def purge_expired(
    session: AsyncSession, now: datetime, message_retention: timedelta, member_retention: timedelta
) -> tuple[int, int]:
    """Retention: drop old message ids and members silent for too long; returns (messages, members)."""
    messages = await session.execute(delete(ChatMessage).where(ChatMessage.sent_at < now - message_retention))
    cutoff = (now - member_retention).date()
    stale = select(Member.id).where(Member.last_seen < cutoff)
    await session.execute(delete(ChatMessage).where(ChatMessage.member_id.in_(stale)))
    members = await session.execute(delete(Member).where(Member.last_seen < cutoff))
    return messages.rowcount or 0, members.rowcount or 0


async def count_members(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Member)) or 0)
