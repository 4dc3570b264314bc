"""Alerts: subscriptions by city, the list of recent alerts, "check a number", expiry, and who
receives an approved alert.

Subscriptions are opt-in, one tap per city on Safety -> Alerts: an alert is a push that may light
up a phone someone else looks at, so a member decides to get them (DESIGN: discretion by default),
and a member who picked a city for clinics has not asked for warnings about violence. The member's
"safety" switch in notification settings (bot/services/subscriptions.py) still applies on top, and
the delivery engine sends alerts silently in the member's quiet hours.

"Check a number" answers with counts, categories and how recent, never that someone is safe.

Framework-free: no aiogram imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.base import dialect_insert
from bot.db.models import Alert, AlertSubscription, ClientIdentifier, Member
from bot.privacy import Privacy
from bot.services import delivery
from bot.services.identifiers import Identifier
from bot.services.subscriptions import Topic, audience_clause

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


# --- delivery (by the shared engine, bot/delivery/engine.py) ----------------------------------------

KIND = "alert"


def audience(city: str) -> Select[tuple[int]]:
    """Members who chose alerts for `city` and have not switched safety pushes off in settings."""
    chose_city = select(AlertSubscription.member_id).where(AlertSubscription.city == city)
    return select(Member.id).where(audience_clause(topic=Topic.safety), Member.id.in_(chose_city))


async def queue_delivery(session: AsyncSession, alert: Alert, now: datetime) -> tuple[int, int]:
    """A delivery job for the alert's subscribers; returns (job id, recipients). The caller commits
    and wakes the engine."""
    job_id = await delivery.create_job(
        session, KIND, alert.id, audience(alert.city), now=now, organisation_id=alert.organisation_id
    )
    return job_id, (await delivery.counts(session, job_id)).total
