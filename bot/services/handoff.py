"""Conversations between a member and a counsellor: the queue, claims, relay bookkeeping, blocks.

Framework-free: takes a session and plain values. The rules that matter for safety live here:
one open conversation per member, urgent before normal then first come, atomic claims (a
compare-and-set that works on SQLite and PostgreSQL), capacity, and relay id pairs that make a
re-delivered update relay once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.base import dialect_insert
from bot.db.models import Conversation, MemberBlock, Organisation, RelayMessage

QUEUED, ACTIVE, CLOSED = "queued", "active", "closed"
MEMBER, STAFF = "member", "staff"
DEFAULT_WAIT = timedelta(minutes=5)  # before the service has history of its own


class Topic(StrEnum):
    health = "health"
    pep = "pep"
    legal = "legal"
    violence = "violence"
    emotional = "emotional"
    other = "other"


URGENT_TOPICS = frozenset({Topic.violence, Topic.pep})


class ClaimResult(StrEnum):
    taken = "taken"
    already_taken = "already_taken"
    at_capacity = "at_capacity"
    gone = "gone"


@dataclass(frozen=True)
class QueuePlace:
    position: int  # 1 = next
    estimate: timedelta | None  # None when nobody is on shift


async def open_conversation_of(session: AsyncSession, member_id: int) -> Conversation | None:
    return await session.scalar(
        select(Conversation).where(Conversation.member_id == member_id, Conversation.status != CLOSED)
    )


async def touch_open_conversation(session: AsyncSession, member_id: int, now: datetime) -> Conversation | None:
    """The member wrote: their open conversation, its activity time moved to now, in one statement."""
    statement = (
        update(Conversation)
        .where(Conversation.member_id == member_id, Conversation.status != CLOSED)
        .values(last_activity_at=now, idle_warned=False)
        .returning(Conversation)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(select(Conversation).from_statement(statement))).scalar_one_or_none()


async def get(session: AsyncSession, conversation_id: int) -> Conversation | None:
    return await session.get(Conversation, conversation_id)


async def case_of_topic(
    session: AsyncSession, staff_chat_id: int, thread_id: int
) -> tuple[Conversation, Organisation] | None:
    """The conversation of a topic in a staff room, with its organisation, in one query."""
    row = (
        await session.execute(
            select(Conversation, Organisation)
            .join(Organisation, Organisation.id == Conversation.organisation_id)
            .where(Organisation.staff_chat_id == staff_chat_id, Conversation.thread_id == thread_id)
            .order_by(Conversation.id.desc())
            .limit(1)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def by_case_code(session: AsyncSession, organisation_id: int, case_code: str) -> Conversation | None:
    return await session.scalar(
        select(Conversation)
        .where(Conversation.organisation_id == organisation_id, Conversation.case_code == case_code.upper())
        .order_by(Conversation.id.desc())
        .limit(1)
    )


async def open_conversation(
    session: AsyncSession,
    *,
    member_id: int,
    organisation_id: int,
    case_code: str,
    topic: Topic,
    language: str,
    now: datetime,
) -> tuple[Conversation, bool]:
    """The member's open conversation, created if there is none; returns (conversation, created)."""
    existing = await open_conversation_of(session, member_id)
    if existing is not None:
        return existing, False
    conversation = Conversation(
        member_id=member_id,
        organisation_id=organisation_id,
        case_code=case_code,
        topic=topic.value,
        urgent=topic in URGENT_TOPICS,
        language=language,
        status=QUEUED,
        queued_at=now,
        last_activity_at=now,
        escalation=0,
        idle_warned=False,
    )
    session.add(conversation)
    await session.flush()
    return conversation, True


def _ahead_of(conversation: Conversation):  # type: ignore[no-untyped-def]
    """Queued conversations served before this one: urgent first, then first come."""
    earlier = or_(
        Conversation.queued_at < conversation.queued_at,
        and_(Conversation.queued_at == conversation.queued_at, Conversation.id < conversation.id),
    )
    if conversation.urgent:
        return and_(Conversation.urgent.is_(True), earlier)
    return or_(Conversation.urgent.is_(True), earlier)


async def queue_place(
    session: AsyncSession, conversation: Conversation, counsellors_on_shift: int, now: datetime
) -> QueuePlace:
    ahead = await session.scalar(
        select(func.count())
        .select_from(Conversation)
        .where(
            Conversation.organisation_id == conversation.organisation_id,
            Conversation.status == QUEUED,
            Conversation.id != conversation.id,
            _ahead_of(conversation),
        )
    )
    position = int(ahead or 0) + 1
    if counsellors_on_shift == 0:
        return QueuePlace(position, None)
    typical = await typical_wait(session, conversation.organisation_id, now)
    # Honest, not precise: each counsellor takes the next person after about the typical wait.
    rounds = -(-position // counsellors_on_shift)
    return QueuePlace(position, typical * rounds)


async def typical_wait(session: AsyncSession, organisation_id: int, now: datetime) -> timedelta:
    """The median wait of the last 20 claimed conversations of the past 30 days."""
    rows = (
        await session.execute(
            select(Conversation.queued_at, Conversation.claimed_at)
            .where(
                Conversation.organisation_id == organisation_id,
                Conversation.claimed_at.is_not(None),
                Conversation.claimed_at > now - timedelta(days=30),
            )
            .order_by(Conversation.claimed_at.desc())
            .limit(20)
        )
    ).all()
    waits = sorted(claimed - queued for queued, claimed in rows)
    if not waits:
        return DEFAULT_WAIT
    return max(waits[len(waits) // 2], timedelta(minutes=1))


async def active_count(session: AsyncSession, staff_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Conversation)
            .where(Conversation.counsellor_id == staff_id, Conversation.status == ACTIVE)
        )
        or 0
    )


async def claim(
    session: AsyncSession, conversation_id: int, staff_id: int, capacity: int, now: datetime, *, force: bool = False
) -> ClaimResult:
    """Take a queued conversation. Two counsellors pressing at once: exactly one wins.

    A compare-and-set on the status (`UPDATE ... WHERE status='queued'` and a row-count check)
    is atomic on SQLite and PostgreSQL alike. `force` is for supervisors assigning a case, who
    may exceed a colleague's capacity.
    """
    busy = (
        select(func.count())
        .select_from(Conversation)
        .where(Conversation.counsellor_id == staff_id, Conversation.status == ACTIVE)
        .scalar_subquery()
    )
    # On PostgreSQL the losers skip the row the winner holds instead of queueing for its lock;
    # SQLite has no row locks and compiles the clause away: the compare-and-set decides alone.
    unlocked = (
        select(Conversation.id)
        .where(Conversation.id == conversation_id, Conversation.status == QUEUED)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    conditions = [Conversation.id == unlocked, Conversation.status == QUEUED]
    if not force:
        conditions.append(busy < capacity)  # capacity checked in the same statement
    result = await session.execute(
        update(Conversation)
        .where(*conditions)
        .values(status=ACTIVE, counsellor_id=staff_id, claimed_at=now, last_activity_at=now, escalation=0)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        return ClaimResult.taken
    status, active = (
        await session.execute(select(Conversation.status, busy).where(Conversation.id == conversation_id))
    ).one_or_none() or (None, 0)
    if status in (None, CLOSED):
        return ClaimResult.gone
    if status == QUEUED and not force and active >= capacity:
        return ClaimResult.at_capacity
    return ClaimResult.already_taken


async def release(session: AsyncSession, conversation: Conversation, now: datetime) -> None:
    """Back to the queue, keeping its place (queued_at does not change)."""
    conversation.status = QUEUED
    conversation.counsellor_id = None
    conversation.escalation = 0
    conversation.last_activity_at = now


async def active_of(session: AsyncSession, staff_id: int) -> list[Conversation]:
    return list(
        await session.scalars(
            select(Conversation).where(Conversation.counsellor_id == staff_id, Conversation.status == ACTIVE)
        )
    )


async def transfer(session: AsyncSession, conversation: Conversation, to_staff_id: int, now: datetime) -> None:
    conversation.status = ACTIVE
    conversation.counsellor_id = to_staff_id
    conversation.last_activity_at = now
    conversation.idle_warned = False


async def close(session: AsyncSession, conversation: Conversation, now: datetime) -> None:
    conversation.status = CLOSED
    conversation.closed_at = now
    conversation.last_activity_at = now


async def rate(session: AsyncSession, conversation_id: int, member_id: int, score: int) -> bool:
    """A 1-5 answer to "how did it go"; only the member of a closed conversation, once."""
    if not 1 <= score <= 5:
        return False
    result = await session.execute(
        update(Conversation)
        .where(
            Conversation.id == conversation_id,
            Conversation.member_id == member_id,
            Conversation.status == CLOSED,
            Conversation.rating.is_(None),
        )
        .values(rating=score)
    )
    return result.rowcount == 1


async def touch(session: AsyncSession, conversation: Conversation, now: datetime) -> None:
    conversation.last_activity_at = now
    conversation.idle_warned = False


async def remember_relay(
    session: AsyncSession, conversation_id: int, side: str, source_message_id: int, now: datetime
) -> bool:
    """Claim the relay of one message; False when it was relayed already (a re-delivered update)."""
    result = await session.execute(
        dialect_insert(session)(RelayMessage)
        .values(conversation_id=conversation_id, source_side=side, source_message_id=source_message_id, created_at=now)
        .on_conflict_do_nothing()
    )
    return bool(result.rowcount)


async def set_copy(
    session: AsyncSession, conversation_id: int, side: str, source_message_id: int, copy_message_id: int
) -> None:
    await session.execute(
        update(RelayMessage)
        .where(
            RelayMessage.conversation_id == conversation_id,
            RelayMessage.source_side == side,
            RelayMessage.source_message_id == source_message_id,
        )
        .values(copy_message_id=copy_message_id)
    )


async def counterpart(session: AsyncSession, conversation_id: int, side: str, message_id: int) -> int | None:
    """The id of a message on the other side: the copy of an original, or the original of a copy."""
    as_source = await session.scalar(
        select(RelayMessage.copy_message_id).where(
            RelayMessage.conversation_id == conversation_id,
            RelayMessage.source_side == side,
            RelayMessage.source_message_id == message_id,
        )
    )
    if as_source is not None:
        return as_source
    other = STAFF if side == MEMBER else MEMBER
    return await session.scalar(
        select(RelayMessage.source_message_id).where(
            RelayMessage.conversation_id == conversation_id,
            RelayMessage.source_side == other,
            RelayMessage.copy_message_id == message_id,
        )
    )


async def block(
    session: AsyncSession, member_id: int, until: datetime, reason: str, staff_id: int | None, now: datetime
) -> None:
    session.add(MemberBlock(member_id=member_id, until=until, reason=reason[:500], staff_id=staff_id, created_at=now))


async def active_block(session: AsyncSession, member_id: int, now: datetime) -> MemberBlock | None:
    return await session.scalar(
        select(MemberBlock)
        .where(MemberBlock.member_id == member_id, MemberBlock.until > now)
        .order_by(MemberBlock.until.desc())
        .limit(1)
    )


async def unblock(session: AsyncSession, member_id: int) -> int:
    result = await session.execute(delete(MemberBlock).where(MemberBlock.member_id == member_id))
    return result.rowcount or 0


async def waiting_too_long(
    session: AsyncSession, now: datetime, first_after: timedelta, supervisor_after: timedelta
) -> list[tuple[Conversation, int]]:
    """Queued conversations due for escalation, with the level they reach (1: notify again, 2: supervisor)."""
    due = []
    for conversation in await session.scalars(select(Conversation).where(Conversation.status == QUEUED)):
        waited = now - conversation.queued_at
        level = 2 if waited >= supervisor_after else 1 if waited >= first_after else 0
        if level > conversation.escalation:
            due.append((conversation, level))
    return due


async def idle(
    session: AsyncSession, now: datetime, warn_after: timedelta, close_after: timedelta
) -> tuple[list[Conversation], list[Conversation]]:
    """Active conversations to warn (quiet for `warn_after`) and to close (quiet for `close_after`)."""
    active = list(await session.scalars(select(Conversation).where(Conversation.status == ACTIVE)))
    to_close = [c for c in active if now - c.last_activity_at >= close_after]
    to_warn = [c for c in active if c not in to_close and not c.idle_warned and now - c.last_activity_at >= warn_after]
    return to_warn, to_close


async def expired_topics(session: AsyncSession, now: datetime, retention: timedelta) -> list[Conversation]:
    """Closed conversations whose case topic has been quiet for longer than the retention period."""
    return list(
        await session.scalars(
            select(Conversation).where(
                Conversation.status == CLOSED,
                Conversation.thread_id.is_not(None),
                Conversation.last_activity_at < now - retention,
            )
        )
    )


async def forget_topic(session: AsyncSession, conversation: Conversation) -> None:
    """After the case topic is deleted, nothing links messages any more."""
    await session.execute(delete(RelayMessage).where(RelayMessage.conversation_id == conversation.id))
    conversation.thread_id = None
    conversation.staff_chat_id = None
    conversation.card_message_id = None
    conversation.panel_message_id = None


async def conversations_of_member(session: AsyncSession, member_id: int) -> list[Conversation]:
    return list(await session.scalars(select(Conversation).where(Conversation.member_id == member_id)))
