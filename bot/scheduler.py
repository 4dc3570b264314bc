"""The scheduler: APScheduler 3.x is the clock, the database says what is due and who runs it.

Two kinds of work:

- one-shot tasks (`scheduled_tasks`: a scheduled broadcast, later anything with a due time).
  `schedule(session, kind, ref_id, due_at)` stores one; each tick claims due rows with a
  conditional `UPDATE ... WHERE status = 'scheduled'` and runs the handler registered for the
  kind only when the row count says this process won. A task whose process died while running
  it (claimed long ago, not done) is claimed again, so handlers are written to be idempotent
  (a broadcast becomes one delivery job whatever happens: `delivery_jobs` is unique per ref).
- periodic jobs (`every(name, interval, job)`: escalations, retention, alert expiry). Each
  interval slot is claimed once in `periodic_runs` (`UPDATE ... SET slot = :now WHERE slot < :now`),
  so two processes never run the same slot even when both believe they lead.

Timed work runs only in the leader (bot/leader.py), which keeps the delivery pace in one process;
the database claims are what make each occurrence run once, not the lease.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.base import dialect_insert
from bot.db.models import PeriodicRun, ScheduledTask

log = logging.getLogger(__name__)

TaskHandler = Callable[[int], Awaitable[None]]
#: A task claimed longer ago than this and still not done belongs to a process that died.
STALE_CLAIM = timedelta(minutes=10)


async def schedule(session: AsyncSession, kind: str, ref_id: int, due_at: datetime) -> int:
    """Store a one-shot task; the caller commits."""
    task = ScheduledTask(kind=kind, ref_id=ref_id, due_at=due_at, status="scheduled")
    session.add(task)
    await session.flush()
    return task.id


async def unschedule(session: AsyncSession, kind: str, ref_id: int) -> int:
    """Cancel the not yet started tasks of (kind, ref_id); returns how many. The caller commits."""
    result = await session.execute(
        update(ScheduledTask)
        .where(ScheduledTask.kind == kind, ScheduledTask.ref_id == ref_id, ScheduledTask.status == "scheduled")
        .values(status="cancelled")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


@dataclass
class _Periodic:
    name: str
    interval: timedelta
    job: Callable[[], Awaitable[object]]


class Scheduler:
    """Runs due tasks and periodic jobs once across every process sharing the database."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Callable[[], datetime],
        is_leader: Callable[[], Awaitable[bool]],
    ) -> None:
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.is_leader = is_leader
        self.token = uuid.uuid4().hex
        self._handlers: dict[str, TaskHandler] = {}
        self._periodic: dict[str, _Periodic] = {}
        self._after_tick: list[Callable[[], Awaitable[object]]] = []
        self._kicks: set[asyncio.Task[int]] = set()
        self._ticking = asyncio.Lock()  # one tick at a time in this process

    def on_due(self, kind: str, handler: TaskHandler) -> None:
        """`handler(ref_id)` runs when a task of `kind` falls due; it must be idempotent."""
        self._handlers[kind] = handler

    def after_tick(self, job: Callable[[], Awaitable[object]]) -> None:
        """Something to do on every tick after the due tasks (e.g. the delivery engine's poll)."""
        self._after_tick.append(job)

    def every(self, name: str, interval: timedelta, job: Callable[[], Awaitable[object]]) -> None:
        """A periodic job: at most one run per `interval` slot across processes (call before start)."""
        self._periodic[name] = _Periodic(name, interval, job)

    def start(self, aps: AsyncIOScheduler, tick: timedelta) -> None:
        aps.add_job(self.tick, "interval", seconds=tick.total_seconds(), coalesce=True, max_instances=1)
        for periodic in self._periodic.values():
            aps.add_job(
                self.run_periodic,
                "interval",
                args=[periodic.name],
                seconds=periodic.interval.total_seconds(),
                coalesce=True,
                max_instances=1,
            )

    def kick(self) -> None:
        """Tick soon, in the background (e.g. a broadcast was approved to go now)."""
        task = asyncio.get_running_loop().create_task(self.tick())
        self._kicks.add(task)
        task.add_done_callback(self._kicks.discard)

    async def settle(self) -> None:
        """Wait for background ticks started by `kick` (tests)."""
        while self._kicks:
            await asyncio.gather(*self._kicks, return_exceptions=True)

    async def tick(self) -> int:
        """Run every due task this process wins; returns how many ran. Only the leader ticks."""
        async with self._ticking:
            return await self._tick()

    async def _tick(self) -> int:
        if not await self.is_leader():
            return 0
        ran = 0
        now = self.clock()
        async with self.sessionmaker() as session:
            due = (
                await session.execute(
                    select(ScheduledTask.id, ScheduledTask.kind, ScheduledTask.ref_id)
                    .where(
                        ScheduledTask.kind.in_(self._handlers),
                        ScheduledTask.due_at <= now,
                        or_(
                            ScheduledTask.status == "scheduled",
                            and_(ScheduledTask.status == "running", ScheduledTask.claimed_at < now - STALE_CLAIM),
                        ),
                    )
                    .order_by(ScheduledTask.due_at, ScheduledTask.id)
                    .limit(50)
                )
            ).all()
        for task_id, kind, ref_id in due:
            if not await self._claim(task_id, now):
                continue
            try:
                await self._handlers[kind](ref_id)
            except Exception as error:  # left "running": retried once the claim is stale
                log.error("scheduled %s %d failed: %s", kind, ref_id, type(error).__name__)
                continue
            async with self.sessionmaker() as session:
                await session.execute(
                    update(ScheduledTask)
                    .where(ScheduledTask.id == task_id, ScheduledTask.claimed_by == self.token)
                    .values(status="done")
                    .execution_options(synchronize_session=False)
                )
                await session.commit()
            ran += 1
        for job in self._after_tick:
            try:
                await job()
            except Exception as error:
                log.error("scheduler tick job failed: %s", type(error).__name__)
        return ran

    async def _claim(self, task_id: int, now: datetime) -> bool:
        async with self.sessionmaker() as session:
            result = await session.execute(
                update(ScheduledTask)
                .where(
                    ScheduledTask.id == task_id,
                    or_(
                        ScheduledTask.status == "scheduled",
                        and_(ScheduledTask.status == "running", ScheduledTask.claimed_at < now - STALE_CLAIM),
                    ),
                )
                .values(status="running", claimed_by=self.token, claimed_at=now)
                .execution_options(synchronize_session=False)
            )
            await session.commit()
            return result.rowcount == 1

    async def run_periodic(self, name: str) -> bool:
        """Run `name` if this process leads and wins the current slot; True if it ran."""
        periodic = self._periodic[name]
        if not await self.is_leader():
            return False
        slot = int(self.clock().timestamp() // periodic.interval.total_seconds())
        async with self.sessionmaker() as session:
            await session.execute(
                dialect_insert(session)(PeriodicRun).values(name=name, slot=0).on_conflict_do_nothing()
            )
            won = await session.execute(
                update(PeriodicRun)
                .where(PeriodicRun.name == name, PeriodicRun.slot < slot)
                .values(slot=slot)
                .execution_options(synchronize_session=False)
            )
            await session.commit()
        if won.rowcount != 1:
            return False
        try:
            await periodic.job()
        except Exception as error:  # the scheduler keeps running; the next slot tries again
            log.error("periodic job %s failed: %s", name, type(error).__name__)
        return True
