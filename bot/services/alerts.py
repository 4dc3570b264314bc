"""Alerts: subscriptions by city, the list of recent alerts, "check a number", expiry, and who
receives an approved alert.

Subscriptions are opt-in, one tap per city on Safety -> Alerts: an alert is a push that may light
up a phone someone else looks at, so a member decides to get them (DESIGN: discretion by default),
and a member who picked a city for clinics has not asked for warnings about violence.

"Check a number" answers with counts, categories and how recent, never that someone is safe.

Framework-free: no aiogram imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.base import dialect_insert
from bot.db.models import Alert, AlertDelivery, AlertSubscription, ClientIdentifier, Member
from bot.privacy import Privacy
from bot.services.identifiers import Identifier

MAX_CITIES = 10


# --- subscriptions --------------------------------------------------------------------------------


async def subscribed_cities(session: AsyncSession, member_id: int) -> list[str]:
    rows = await session.scalars(
        select(AlertSubscription.city).where(AlertSubscription.member_id == member_id).order_by(AlertSubscription.id)
    )
    return list(rows)


async def toggle(session: AsyncSession, member_id: int, city: str) -> bool:
    """Subscribe to `city`, or unsubscribe if already subscribed; returns whether now subscribed."""
    removed = await session.execute(
        delete(AlertSubscription).where(AlertSubscription.member_id == member_id, AlertSubscription.city == city)
    )
    if removed.rowcount:
        return False
    if len(await subscribed_cities(session, member_id)) >= MAX_CITIES:
        return False
    await session.execute(
        dialect_insert(session)(AlertSubscription).values(member_id=member_id, city=city).on_conflict_do_nothing()
    )
    return True


async def forget_member(session: AsyncSession, member_id: int) -> None:
    await session.execute(delete(AlertSubscription).where(AlertSubscription.member_id == member_id))


@dataclass(frozen=True)
class Recipient:
    member_id: int
    chat_id_enc: bytes
    language: str


async def recipients(session: AsyncSession, city: str) -> list[Recipient]:
    """Active members subscribed to `city`, in a stable order."""
    rows = await session.execute(
        select(Member.id, Member.chat_id_enc, Member.language)
        .join(AlertSubscription, AlertSubscription.member_id == Member.id)
        .where(AlertSubscription.city == city, Member.active.is_(True))
        .order_by(Member.id)
    )
    return [Recipient(member_id, blob, language) for member_id, blob, language in rows]


# --- lists ----------------------------------------------------------------------------------------


async def recent(session: AsyncSession, city: str, now: datetime, limit: int = 10) -> list[Alert]:
    """Live alerts of a city, the most recently reported first."""
    rows = await session.scalars(
        select(Alert)
        .where(Alert.city == city, Alert.expires_at > now)
        .order_by(Alert.updated_at.desc(), Alert.id.desc())
        .limit(limit)
    )
    return list(rows)


async def get(session: AsyncSession, alert_id: int) -> Alert | None:
    return await session.get(Alert, alert_id)


async def expire(session: AsyncSession, now: datetime) -> int:
    """Delete expired alerts (their identifier hashes go with them); returns how many."""
    result = await session.execute(delete(Alert).where(Alert.expires_at <= now))
    return result.rowcount or 0


# --- check a number -------------------------------------------------------------------------------


@dataclass
class CityMatch:
    city: str
    reports: int
    last: datetime
    categories: list[str]


async def check(session: AsyncSession, privacy: Privacy, found: list[Identifier], now: datetime) -> list[CityMatch]:
    """Live alerts naming any of `found`, summed per city (most reports first)."""
    if not found:
        return []
    hashes = sorted({identifier.hashed(privacy) for identifier in found})
    alert_ids = select(ClientIdentifier.alert_id).where(ClientIdentifier.hash.in_(hashes)).distinct()
    rows = await session.execute(
        select(Alert.city, Alert.report_count, Alert.updated_at, Alert.categories).where(
            Alert.id.in_(alert_ids), Alert.expires_at > now
        )
    )
    by_city: dict[str, CityMatch] = {}
    for city, count, updated_at, categories in rows:
        match = by_city.get(city)
        if match is None:
            match = by_city[city] = CityMatch(city, 0, updated_at, [])
        match.reports += count
        match.last = max(match.last, updated_at)
        match.categories += [c for c in categories.split(",") if c and c not in match.categories]
    return sorted(by_city.values(), key=lambda m: (-m.reports, m.city))


# --- delivery: one row per recipient, claimed before sending ----------------------------------------

PENDING, SENDING, SENT, BLOCKED, FAILED = "pending", "sending", "sent", "blocked", "failed"


async def queue_delivery(session: AsyncSession, alert: Alert, now: datetime) -> int:
    """A pending delivery for every member subscribed to the alert's city; returns how many."""
    rows = [
        {"alert_id": alert.id, "member_id": r.member_id, "status": PENDING, "updated_at": now}
        for r in await recipients(session, alert.city)
    ]
    if rows:
        await session.execute(dialect_insert(session)(AlertDelivery).values(rows).on_conflict_do_nothing())
    return len(rows)


@dataclass(frozen=True)
class Outgoing:
    delivery_id: int
    alert_id: int
    chat_id_enc: bytes
    language: str


async def claim_batch(session: AsyncSession, now: datetime, limit: int = 50) -> list[Outgoing]:
    """Pending deliveries of live alerts, each marked `sending` by a conditional update first: a
    row another worker claimed is skipped, and a row left `sending` by a crash is never sent again
    (a missed alert is better than a doubled one; the list of recent alerts still shows it)."""
    rows = (
        await session.execute(
            select(AlertDelivery.id, AlertDelivery.alert_id, Member.chat_id_enc, Member.language)
            .join(Member, Member.id == AlertDelivery.member_id)
            .join(Alert, Alert.id == AlertDelivery.alert_id)
            .where(AlertDelivery.status == PENDING, Alert.expires_at > now)
            .order_by(AlertDelivery.id)
            .limit(limit)
        )
    ).all()
    claimed = []
    for delivery_id, alert_id, blob, language in rows:
        result = await session.execute(
            update(AlertDelivery)
            .where(AlertDelivery.id == delivery_id, AlertDelivery.status == PENDING)
            .values(status=SENDING, updated_at=now)
        )
        if result.rowcount:
            claimed.append(Outgoing(delivery_id, alert_id, blob, language))
    return claimed


async def mark(session: AsyncSession, delivery_id: int, status: str, now: datetime) -> None:
    await session.execute(
        update(AlertDelivery).where(AlertDelivery.id == delivery_id).values(status=status, updated_at=now)
    )


async def delivery_counts(session: AsyncSession, alert_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(AlertDelivery.status, func.count())
        .where(AlertDelivery.alert_id == alert_id)
        .group_by(AlertDelivery.status)
    )
    return {status: int(count) for status, count in rows}
