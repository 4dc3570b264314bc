"""The delivery engine: sends one message to every recipient of a delivery job, paced, resumable,
counted. Shared by broadcasts and bad-client alerts.

API (what a feature needs):

    # 1. once, at assembly (bot/app.py does it for broadcasts):
    engine.register("alert", render_alert, progress=alert_progress)

    async def render_alert(session: AsyncSession, ref_id: int, to: Recipient) -> Outgoing | None:
        # `to.language`, `to.city`, `to.member_id`; set the locale yourself for gettext
        return Outgoing(text="...", reply_markup=None)  # None: skip this member

    async def alert_progress(job: DeliveryJob, counts: Counts) -> None:  # optional
        ...  # e.g. edit a card in the staff room; called every few seconds and once at the end

    # 2. per alert, in a handler or service (framework-free part in bot/services/delivery.py):
    audience = select(Member.id).where(subscriptions.audience_clause(cities=[...], topic=Topic.safety))
    job_id = await delivery.create_job(session, "alert", alert.id, audience, now=now, organisation_id=org_id)
    await session.commit()
    engine.wake()  # start now; otherwise the scheduler's next tick (leader) picks it up

    # 3. reading and stopping: delivery.counts(session, job_id), delivery.cancel(session, job_id)

Where things are: the engine is `app.delivery` (bot/app.py `setup_delivery` registers the kinds;
do yours there too), and handlers receive it as `delivery: DeliveryEngine`; the scheduler is
`app.schedules` / `schedules: Scheduler` (bot/scheduler.py: `every(name, interval, job)` for a
periodic job such as alert expiry, `schedule(session, kind, ref_id, due_at)` + `on_due(kind, fn)`
for a one-shot). Audiences: bot/services/subscriptions.py `audience_clause(cities=, languages=,
topic=)` (active members only; Topic.safety is the bad-client alert topic). Tests: `await
app.run_due()` runs due tasks and waits for the deliveries they start.

What the engine does so features don't have to:
- reads recipients from `deliveries` in id-ordered batches joined to `members` (memory does not
  grow with the audience), decrypts each chat id only to send;
- paces at `rate` messages a second overall and one per `per_chat_interval` per chat
  (bot/delivery/pacer.py); on a 429 every sender waits `retry_after`, and the refused message is
  retried later in the job;
- applies the member's quiet hours in one place (`disable_notification`), in their city's zone;
- 403 (blocked the bot) and "chat not found": the row is `blocked` / `failed` and the member
  inactive, so nothing more is pushed to them until they write again;
- remembers the message id for the member's "clear chat";
- one process runs a job at a time (a lease on the job row, renewed as results are written);
  `resume()` at start-up, or `poll()` on each scheduler tick, takes over jobs whose process died.

Exactly once, and the window in between. A row goes pending -> sending (committed) before its
message is requested, and sending -> sent/blocked/failed after Telegram answers. Telegram has no
idempotency key, so a crash between those two writes leaves a row whose message may or may not
have arrived. Such a row is never sent again: at most once is the rule (a duplicate warning
teaches members to mute the bot), and the unknown rows are counted as failed when the job ends.
The window is small: rows are claimed (in one statement) only once the pacer granted the first
of them a slot, in groups of what the pace allows in `claim_window` (20 ms: one row at 25/s).
For the same reason network errors are not retried on these sends (bot/delivery/retry.py),
while a 429 is (it tells us nothing was delivered).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
)
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db.base import dialect_insert
from bot.db.models import ChatMessage, Delivery, DeliveryJob, Member
from bot.delivery.pacer import Pacer
from bot.delivery.retry import DeliveryHooks, delivery_hooks
from bot.privacy import Privacy
from bot.services.delivery import Counts, DeliveryStatus, JobStatus, counts
from bot.services.subscriptions import DEFAULT_ZONE, in_quiet_hours

log = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Recipient:
    """What a renderer may know about a member: no identifier beyond the row id."""

    member_id: int
    language: str
    city: str | None


@dataclass(frozen=True)
class Outgoing:
    """One message as the member will see it (Telegram HTML, the bot's default parse mode)."""

    text: str
    reply_markup: InlineKeyboardMarkup | None = None


Renderer = Callable[[AsyncSession, int, Recipient], Awaitable["Outgoing | None"]]
Progress = Callable[[DeliveryJob, Counts], Awaitable[None]]


@dataclass
class _Kind:
    renderer: Renderer
    progress: Progress | None = None


@dataclass(frozen=True)
class _Sendable:
    row_id: int
    member_id: int
    chat_id: int
    outgoing: Outgoing
    quiet: bool


@dataclass
class _Run:
    """The state of one job while this process sends it."""

    job: DeliveryJob
    results: list[tuple[int, int, str, int | None]] = field(default_factory=list)  # (row, member, status, msg)
    requeue: list[int] = field(default_factory=list)
    inactive: list[int] = field(default_factory=list)
    stop: bool = False
    last_flush: float = 0.0
    flushing: asyncio.Task[None] | None = None
    last_progress: float = 0.0


class DeliveryEngine:
    """Paced, resumable mass delivery; see the module docstring for the API."""

    def __init__(
        self,
        bot: Bot,
        sessionmaker: async_sessionmaker[AsyncSession],
        privacy: Privacy,
        *,
        rate: float = 25.0,
        per_chat_interval: float = 1.0,
        clock: Callable[[], datetime] = _utcnow,
        zone_of: Callable[[str | None], ZoneInfo] | None = None,
        batch_size: int = 200,
        concurrency: int = 32,
        lease: timedelta = timedelta(seconds=60),
        progress_interval: float = 5.0,
        flush_interval: float = 0.5,
        monotonic: Callable[[], float] = time.monotonic,
        gate: Callable[[], Awaitable[bool]] | None = None,
        claim_window: float = 0.02,
    ) -> None:
        self.bot = bot
        self.sessionmaker = sessionmaker
        self.privacy = privacy
        self.pacer = Pacer(rate, per_chat_interval, monotonic=monotonic)
        self.clock = clock
        self.zone_of = zone_of or (lambda _city: DEFAULT_ZONE)
        self.batch_size = batch_size
        # Requests in flight at once: the pace times Telegram's answer time (25/s x 300 ms from afar
        # is 8), with room to spare so a slow answer never holds the pace back.
        self.concurrency = concurrency
        self.lease = lease
        self.progress_interval = progress_interval
        self.flush_interval = flush_interval
        self.monotonic = monotonic
        self.token = uuid.uuid4().hex
        self._db: AsyncEngine = sessionmaker.kw["bind"]
        self._group_size = max(1, int(rate * claim_window))
        # Only the scheduler leader polls, so all mass sending shares one pacer (one process).
        self.gate = gate
        self._kinds: dict[str, _Kind] = {}
        self._running: dict[int, asyncio.Task[Counts | None]] = {}
        self._background: set[asyncio.Task[object]] = set()
        self._hooks = DeliveryHooks(on_retry_after=self.pacer.pause)

    # --- registry and entry points ----------------------------------------------------------------

    def register(self, kind: str, renderer: Renderer, progress: Progress | None = None) -> None:
        """Teach the engine a kind of job: how to render a member's message, whom to tell about progress."""
        self._kinds[kind] = _Kind(renderer, progress)

    def wake(self) -> None:
        """Look for runnable jobs now (after creating one), without waiting for the next tick."""
        task = asyncio.get_running_loop().create_task(self.poll())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def poll(self) -> list[int]:
        """Start every job that is pending, or whose sender died (stale lease); returns their ids."""
        if self.gate is not None and not await self.gate():
            return []
        now = self.clock()
        async with self.sessionmaker() as session:
            ids = list(
                await session.scalars(
                    select(DeliveryJob.id)
                    .where(
                        DeliveryJob.kind.in_(self._kinds),
                        or_(
                            DeliveryJob.status == JobStatus.pending,
                            and_(DeliveryJob.status == JobStatus.sending, DeliveryJob.heartbeat_at < now - self.lease),
                        ),
                    )
                    .order_by(DeliveryJob.id)
                )
            )
        started = []
        for job_id in ids:
            if job_id not in self._running:
                task = asyncio.get_running_loop().create_task(self.run(job_id))
                self._running[job_id] = task
                task.add_done_callback(lambda _t, job_id=job_id: self._running.pop(job_id, None))
                started.append(job_id)
        return started

    async def resume(self) -> list[int]:
        """At start-up: take over unfinished jobs (a crashed process's jobs once their lease expired)."""
        return await self.poll()

    async def drain(self) -> None:
        """Wait until every job this process started has finished (tests, benchmarks, shutdown)."""
        while self._running or self._background:
            await asyncio.gather(*self._running.values(), *self._background, return_exceptions=True)

    async def close(self) -> None:
        for task in [*self._running.values(), *self._background]:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self._running.values(), *self._background, return_exceptions=True)

    # --- one job ------------------------------------------------------------------------------------

    async def _claim_job(self, job_id: int) -> DeliveryJob | None:
        now = self.clock()
        async with self.sessionmaker() as session:
            result = await session.execute(
                update(DeliveryJob)
                .where(
                    DeliveryJob.id == job_id,
                    or_(
                        DeliveryJob.status == JobStatus.pending,
                        and_(DeliveryJob.status == JobStatus.sending, DeliveryJob.heartbeat_at < now - self.lease),
                    ),
                )
                .values(status=JobStatus.sending.value, runner=self.token, heartbeat_at=now)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                await session.rollback()
                return None
            job = await session.get(DeliveryJob, job_id)
            assert job is not None
            if job.started_at is None:
                job.started_at = now
            await session.commit()
            return job

    async def run(self, job_id: int) -> Counts | None:
        """Send job `job_id` to the end (or until cancelled); None if another process holds it."""
        job = await self._claim_job(job_id)
        if job is None:
            return None
        kind = self._kinds.get(job.kind)
        if kind is None:
            log.error("delivery job %d of unknown kind %s", job.id, job.kind)
            return None
        run = _Run(job)
        log.info("delivery job %d (%s) started", job.id, job.kind)
        limit = asyncio.Semaphore(self.concurrency)
        in_flight: set[asyncio.Task[None]] = set()
        token = delivery_hooks.set(self._hooks)
        try:
            for _pass in range(5):  # later passes retry messages refused with 429
                await self._pass(run, kind, limit, in_flight)
                if in_flight:
                    await asyncio.gather(*in_flight)
                if run.flushing is not None:
                    await run.flushing
                await self._flush(run, kind, force=True)
                if run.stop or not run.requeue:
                    break
                await self._requeue(run)
        finally:
            delivery_hooks.reset(token)
            if in_flight:
                await asyncio.gather(*in_flight, return_exceptions=True)
            if run.flushing is not None:
                await asyncio.gather(run.flushing, return_exceptions=True)
        return await self._finish(run, kind)

    async def _pass(self, run: _Run, kind: _Kind, limit: asyncio.Semaphore, in_flight: set[asyncio.Task[None]]) -> None:
        last_id = 0
        while not run.stop:
            async with self.sessionmaker() as session:
                rows = (
                    await session.execute(
                        select(
                            Delivery.id,
                            Delivery.member_id,
                            Member.chat_id_enc,
                            Member.language,
                            Member.city,
                            Member.active,
                            Member.quiet_start,
                            Member.quiet_end,
                        )
                        .join(Member, Member.id == Delivery.member_id)
                        .where(
                            Delivery.job_id == run.job.id,
                            Delivery.status == DeliveryStatus.pending,
                            Delivery.id > last_id,
                        )
                        .order_by(Delivery.id)
                        .limit(self.batch_size)
                    )
                ).all()
                if not rows:
                    return
                # Render the batch while the session is open; send after it is closed, so no
                # transaction stays open for the seconds the pace takes.
                batch: list[tuple[int, int, Outgoing | None, bytes, str | None, int | None, int | None]] = []
                for row_id, member_id, chat_id_enc, language, city, active, quiet_start, quiet_end in rows:
                    outgoing = None
                    if active:
                        outgoing = await kind.renderer(session, run.job.ref_id, Recipient(member_id, language, city))
                    batch.append((row_id, member_id, outgoing, chat_id_enc, city, quiet_start, quiet_end))
                    last_id = row_id
            group: list[_Sendable] = []
            for row_id, member_id, outgoing, chat_id_enc, city, quiet_start, quiet_end in batch:
                if outgoing is None:
                    run.results.append((row_id, member_id, DeliveryStatus.skipped.value, None))
                    continue
                chat_id = self.privacy.decrypt_chat_id(chat_id_enc)
                quiet = in_quiet_hours(quiet_start, quiet_end, self.zone_of(city), self.clock())
                group.append(_Sendable(row_id, member_id, chat_id, outgoing, quiet))
                if len(group) >= self._group_size:
                    if run.stop:
                        return
                    await self._dispatch(run, kind, group, limit, in_flight)
                    group = []
            if group and not run.stop:
                await self._dispatch(run, kind, group, limit, in_flight)
            self._flush_soon(run, kind)

    async def _dispatch(
        self,
        run: _Run,
        kind: _Kind,
        group: list[_Sendable],
        limit: asyncio.Semaphore,
        in_flight: set[asyncio.Task[None]],
    ) -> None:
        """Claim a group of rows in one statement once the first may go, then send each in its slot.

        The group is what the pace allows in `claim_window` seconds (one row at Telegram's real
        rate), so a claimed row waits at most that long before its request leaves.
        """
        await self.pacer.acquire(group[0].chat_id)
        claimed = await self._claim_rows([item.row_id for item in group])
        for position, item in enumerate(group):
            if item.row_id not in claimed:
                continue  # cancelled meanwhile
            if position:
                await self.pacer.acquire(item.chat_id)
            await limit.acquire()
            task = asyncio.get_running_loop().create_task(
                self._send(run, item.row_id, item.member_id, item.chat_id, item.outgoing, item.quiet, limit)
            )
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
        self._flush_soon(run, kind)

    def _flush_soon(self, run: _Run, kind: _Kind) -> None:
        """Write results in the background every `flush_interval`, so sending never waits for it."""
        if run.flushing is not None and not run.flushing.done():
            return
        if self.monotonic() - run.last_flush < self.flush_interval:
            return
        run.flushing = asyncio.get_running_loop().create_task(self._flush(run, kind))

    async def _claim_rows(self, row_ids: list[int]) -> set[int]:
        """pending -> sending, committed before any request; returns the rows this process claimed."""
        async with self._db.begin() as connection:
            result = await connection.execute(
                update(Delivery)
                .where(Delivery.id.in_(row_ids), Delivery.status == DeliveryStatus.pending)
                .values(status=DeliveryStatus.sending.value)
                .returning(Delivery.id)
            )
            return set(result.scalars())

    async def _send(
        self,
        run: _Run,
        row_id: int,
        member_id: int,
        chat_id: int,
        outgoing: Outgoing,
        quiet: bool,
        limit: asyncio.Semaphore,
    ) -> None:
        try:
            message = await self.bot.send_message(
                chat_id, outgoing.text, reply_markup=outgoing.reply_markup, disable_notification=quiet or None
            )
            run.results.append((row_id, member_id, DeliveryStatus.sent.value, message.message_id))
        except TelegramRetryAfter as error:
            self.pacer.pause(error.retry_after)
            run.requeue.append(row_id)  # refused: nothing was delivered, so it may go again
        except TelegramForbiddenError:
            run.results.append((row_id, member_id, DeliveryStatus.blocked.value, None))
            run.inactive.append(member_id)
        except TelegramBadRequest as error:
            if "chat not found" in error.message.lower():
                run.inactive.append(member_id)
            log.warning("delivery job %d: a message was refused (%s)", run.job.id, type(error).__name__)
            run.results.append((row_id, member_id, DeliveryStatus.failed.value, None))
        except (TelegramAPIError, TelegramNetworkError) as error:
            log.warning("delivery job %d: a message failed (%s)", run.job.id, type(error).__name__)
            run.results.append((row_id, member_id, DeliveryStatus.failed.value, None))
        finally:
            limit.release()

    async def _flush(self, run: _Run, kind: _Kind, *, force: bool = False) -> None:
        """Write answered rows, renew the lease (and learn of a cancel), report progress now and then."""
        moment = self.monotonic()
        if not force and moment - run.last_flush < self.flush_interval:
            return
        run.last_flush = moment
        results, run.results = run.results, []
        inactive, run.inactive = run.inactive, []
        now = self.clock()
        tally = {status.value: 0 for status in DeliveryStatus}
        async with self.sessionmaker() as session:
            if results:
                await session.execute(
                    update(Delivery),
                    [{"id": row, "status": status, "message_id": msg} for row, _member, status, msg in results],
                )
                sent = [(member, msg) for _row, member, status, msg in results if msg is not None]
                if sent:
                    minute = now.replace(second=0, microsecond=0)
                    await session.execute(
                        dialect_insert(session)(ChatMessage)
                        .values([{"member_id": m, "message_id": msg, "sent_at": minute} for m, msg in sent])
                        .on_conflict_do_nothing()
                    )
                for _row, _member, status, _msg in results:
                    tally[status] += 1
            if inactive:
                await session.execute(
                    update(Member)
                    .where(Member.id.in_(inactive))
                    .values(active=False)
                    .execution_options(synchronize_session=False)
                )
            renewed = await session.execute(
                update(DeliveryJob)
                .where(
                    DeliveryJob.id == run.job.id,
                    DeliveryJob.runner == self.token,
                    DeliveryJob.status == JobStatus.sending,
                )
                .values(
                    heartbeat_at=now,
                    sent=DeliveryJob.sent + tally["sent"],
                    blocked=DeliveryJob.blocked + tally["blocked"],
                    failed=DeliveryJob.failed + tally["failed"],
                    skipped=DeliveryJob.skipped + tally["skipped"],
                )
                .execution_options(synchronize_session=False)
            )
            if renewed.rowcount != 1:
                run.stop = True  # cancelled, or another process took the job over
            await session.commit()
            if kind.progress is not None and (force or moment - run.last_progress >= self.progress_interval):
                run.last_progress = moment
                figures = await counts(session, run.job.id)
                await self._report(kind, run.job, figures)

    async def _requeue(self, run: _Run) -> None:
        rows, run.requeue = run.requeue, []
        async with self.sessionmaker() as session:
            await session.execute(
                update(Delivery)
                .where(Delivery.id.in_(rows), Delivery.status == DeliveryStatus.sending)
                .values(status=DeliveryStatus.pending.value)
                .execution_options(synchronize_session=False)
            )
            await session.commit()

    async def _finish(self, run: _Run, kind: _Kind) -> Counts | None:
        now = self.clock()
        async with self.sessionmaker() as session:
            if run.requeue:  # still refused after every pass
                await session.execute(
                    update(Delivery)
                    .where(Delivery.id.in_(run.requeue))
                    .values(status=DeliveryStatus.failed.value)
                    .execution_options(synchronize_session=False)
                )
            done = await session.execute(
                update(DeliveryJob)
                .where(
                    DeliveryJob.id == run.job.id,
                    DeliveryJob.runner == self.token,
                    DeliveryJob.status == JobStatus.sending,
                )
                .values(status=JobStatus.done.value, finished_at=now, heartbeat_at=now)
                .execution_options(synchronize_session=False)
            )
            if done.rowcount == 1:
                # Rows claimed by a process that died before Telegram answered: never resent.
                await session.execute(
                    update(Delivery)
                    .where(Delivery.job_id == run.job.id, Delivery.status == DeliveryStatus.sending)
                    .values(status=DeliveryStatus.failed.value)
                    .execution_options(synchronize_session=False)
                )
            await session.commit()
            job = await session.get(DeliveryJob, run.job.id, populate_existing=True)
            if job is None or (done.rowcount != 1 and job.status != JobStatus.cancelled):
                return None  # taken over by another process: it reports
            figures = await counts(session, run.job.id)
        log.info(
            "delivery job %d %s: %d sent, %d blocked, %d failed, %d skipped",
            job.id,
            job.status,
            figures.sent,
            figures.blocked,
            figures.failed,
            figures.skipped,
        )
        await self._report(kind, job, figures)
        return figures

    async def _report(self, kind: _Kind, job: DeliveryJob, figures: Counts) -> None:
        if kind.progress is None:
            return
        try:
            await kind.progress(job, figures)
        except Exception as error:  # progress is a courtesy: sending goes on
            log.warning("delivery job %d: progress not shown (%s)", job.id, type(error).__name__)
