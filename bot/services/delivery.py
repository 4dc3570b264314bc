"""Delivery jobs as data: create a job for an audience, read its counts, cancel it.

Framework-free: the sending itself is `bot.delivery.engine.DeliveryEngine`. An audience is a
SELECT of member ids; it is copied into `deliveries` with one INSERT ... SELECT, so no list of
members is ever held in Python, whatever the audience's size.

    audience = select(Member.id).where(subscriptions.audience_clause(cities=["kyiv"], topic="safety"))
    job_id = await delivery.create_job(session, "alert", alert.id, audience, organisation_id=org.id, now=now)
    await session.commit()
    engine.wake()   # or let the scheduler's next tick pick it up
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Select, delete, func, literal, select, update
from sqlalchemy import insert as insert_into
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.base import dialect_insert
from bot.db.models import Delivery, DeliveryJob


class JobStatus(StrEnum):
    pending = "pending"
    sending = "sending"
    done = "done"
    cancelled = "cancelled"


class DeliveryStatus(StrEnum):
    pending = "pending"
    sending = "sending"  # claimed: its message may have gone out; it is never sent again
    sent = "sent"
    blocked = "blocked"
    failed = "failed"
    skipped = "skipped"  # nothing to send to this member (no text in their language, left the audience)
    cancelled = "cancelled"


@dataclass(frozen=True)
class Counts:
    """A job's figures; `pending` includes claimed rows not yet answered."""

    job_id: int
    status: str
    total: int
    sent: int
    blocked: int
    failed: int
    skipped: int
    pending: int

    @property
    def done(self) -> int:
        return self.sent + self.blocked + self.failed + self.skipped


class JobExists(Exception):
    """A job for this (kind, ref_id) exists already: each broadcast or alert is delivered once."""

    def __init__(self, job_id: int) -> None:
        super().__init__(job_id)
        self.job_id = job_id


async def job_for(session: AsyncSession, kind: str, ref_id: int) -> DeliveryJob | None:
    return await session.scalar(select(DeliveryJob).where(DeliveryJob.kind == kind, DeliveryJob.ref_id == ref_id))


async def create_job(
    session: AsyncSession,
    kind: str,
    ref_id: int,
    audience: Select[tuple[int]],
    *,
    now: datetime,
    organisation_id: int | None = None,
) -> int:
    """A pending job with one delivery row per member id the audience selects; returns the job id.

    Idempotent per (kind, ref_id): a second call returns the existing job and adds nobody, so a
    retried scheduler occurrence cannot deliver twice. The caller commits.
    """
    existing = await job_for(session, kind, ref_id)
    if existing is not None:
        return existing.id
    insert = dialect_insert(session)(DeliveryJob).values(
        kind=kind,
        ref_id=ref_id,
        organisation_id=organisation_id,
        status=JobStatus.pending.value,
        total=0,
        sent=0,
        blocked=0,
        failed=0,
        skipped=0,
        created_at=now,
    )
    await session.execute(insert.on_conflict_do_nothing(index_elements=["kind", "ref_id"]))
    job = await job_for(session, kind, ref_id)
    if job is None:  # pragma: no cover - the row exists after the insert above
        raise RuntimeError("delivery job vanished")
    members = audience.subquery()
    rows = select(literal(job.id), members.c[0], literal(DeliveryStatus.pending.value)).distinct()
    # The job is new and the rows distinct: nothing to conflict with.
    result = await session.execute(insert_into(Delivery).from_select(["job_id", "member_id", "status"], rows))
    job.total = result.rowcount or 0
    await session.flush()
    return job.id


async def counts(session: AsyncSession, job_id: int) -> Counts:
    """Figures straight from the delivery rows (the job's own counters may lag a batch behind)."""
    job = await session.get(DeliveryJob, job_id, populate_existing=True)
    if job is None:
        raise LookupError(job_id)
    rows = await session.execute(
        select(Delivery.status, func.count()).where(Delivery.job_id == job_id).group_by(Delivery.status)
    )
    by = {status: int(n) for status, n in rows}
    return Counts(
        job_id=job_id,
        status=job.status,
        total=sum(by.values()),
        sent=by.get(DeliveryStatus.sent, 0),
        blocked=by.get(DeliveryStatus.blocked, 0),
        # A claimed row left behind by a crash is reported as failed: it may or may not have arrived.
        failed=by.get(DeliveryStatus.failed, 0) + (by.get(DeliveryStatus.sending, 0) if job.status == "done" else 0),
        skipped=by.get(DeliveryStatus.skipped, 0) + by.get(DeliveryStatus.cancelled, 0),
        pending=by.get(DeliveryStatus.pending, 0) + (by.get(DeliveryStatus.sending, 0) if job.status != "done" else 0),
    )


async def cancel(session: AsyncSession, job_id: int) -> bool:
    """Stop a job: no further message goes out (one already in flight still arrives). The caller commits."""
    result = await session.execute(
        update(DeliveryJob)
        .where(DeliveryJob.id == job_id, DeliveryJob.status.in_([JobStatus.pending, JobStatus.sending]))
        .values(status=JobStatus.cancelled.value)
    )
    if not result.rowcount:
        return False
    await session.execute(
        update(Delivery)
        .where(Delivery.job_id == job_id, Delivery.status == DeliveryStatus.pending)
        .values(status=DeliveryStatus.cancelled.value)
    )
    return True


async def forget_member(session: AsyncSession, member_id: int) -> None:
    """Forget me: the member's delivery rows go with them."""
    await session.execute(delete(Delivery).where(Delivery.member_id == member_id))
