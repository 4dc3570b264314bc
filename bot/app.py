"""Assembly: settings in, a ready bot and dispatcher out; polling and webhook runners."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.utils.i18n import I18n
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.commands import set_commands
from bot.content.loader import ContentStore, load_content
from bot.db.base import create_engine, create_sessionmaker
from bot.db.migrate import upgrade
from bot.delivery.engine import DeliveryEngine
from bot.delivery.retry import RetryMiddleware
from bot.health import add_health_routes
from bot.i18n import MemberI18nMiddleware, create_i18n
from bot.leader import Lease, RedisLease, SoleLease
from bot.metrics import Metrics, UpdateMetricsMiddleware, add_metrics_route
from bot.middlewares.context import Clock, MemberContextMiddleware, OutgoingRecorder, utcnow
from bot.middlewares.dedupe import DedupeMiddleware, MemorySeenUpdates, RedisSeenUpdates
from bot.middlewares.keys import HashedKeyBuilder
from bot.middlewares.resilient import ResilientIsolation, ResilientStorage
from bot.middlewares.throttling import Limiter, MemoryLimiter, RedisLimiter, ThrottlingMiddleware
from bot.privacy import Privacy, PrivacyKeyError, load_or_create_key
from bot.response_types import PinResponseTypes
from bot.scheduler import Scheduler
from bot.services import alerts as alerts_service
from bot.services import members, usage
from bot.services import reports as reports_service
from bot.services.canned import load_canned
from bot.services.members import MemberCache
from bot.services.subscriptions import DEFAULT_ZONE
from bot.services.usage import SectionTally
from bot.settings import Settings
from handlers import get_routers

log = logging.getLogger(__name__)
FSM_TTL = timedelta(days=2)  # a half-finished form outlives a night, not a week
CHECK_WINDOW = 3600.0  # number checks are counted per member per hour


def resolve_privacy_key(settings: Settings) -> str:
    """An explicit key always wins; only the embedded default may generate one for itself."""
    if settings.privacy_key is not None:
        return settings.privacy_key.get_secret_value()
    if settings.webhook_mode:
        raise PrivacyKeyError("webhook mode needs an explicit PRIVACY_KEY (generate one with `umbrella key`)")
    return load_or_create_key(settings.data_dir)


@dataclass
class Umbrella:
    settings: Settings
    bot: Bot
    dispatcher: Dispatcher
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    privacy: Privacy
    content: ContentStore
    i18n: I18n
    redis: Redis | None = None
    clock: Clock = utcnow
    scheduler: AsyncIOScheduler | None = field(default=None, repr=False)
    metrics: Metrics = field(default_factory=Metrics, repr=False)
    lease: Lease = field(default_factory=SoleLease)
    leading: bool = False
    delivery: DeliveryEngine | None = field(default=None, repr=False)
    schedules: Scheduler | None = field(default=None, repr=False)

    async def start_background(self) -> None:
        """Commands per language and the timed jobs, which run only in the leader."""
        await set_commands(self.bot, self.i18n, self.settings.default_language)
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        renew = max(1.0, self.settings.leader_lease_seconds / 3)
        self.scheduler.add_job(self.lead, "interval", seconds=renew, coalesce=True, max_instances=1)
        if self.schedules is not None:
            self.schedules.every("retention", timedelta(hours=1), self.purge_expired)
            self.schedules.every("handoff", timedelta(minutes=1), self.handoff_jobs)
            self.schedules.start(self.scheduler, timedelta(seconds=self.settings.scheduler_tick_seconds))
        # Every worker flushes its own tally, leader or not.
        self.scheduler.add_job(self.flush_usage, "interval", minutes=1, coalesce=True, max_instances=1)
        self.scheduler.start()
        if await self.lead() and self.delivery is not None:
            await self.delivery.resume()  # jobs a crashed process left half-sent

    async def run_due(self) -> int:
        """Run due scheduled tasks and wait for every delivery they start (tests, the sandbox)."""
        if self.schedules is None or self.delivery is None:
            return 0
        await self.schedules.settle()
        ran = await self.schedules.tick()
        await self.delivery.drain()
        return ran

    async def lead(self) -> bool:
        """Hold (or take over) the scheduler lease; timed jobs run only while this returns True."""
        try:
            leading = await self.lease.hold()
        except Exception as error:  # Redis unreachable: not leading is the safe side
            log.warning("scheduler lease unavailable: %s", type(error).__name__)
            leading = False
        if leading != self.leading:
            log.info("this worker %s the scheduler leader", "is now" if leading else "is no longer")
        self.leading = leading
        return leading

    async def purge_expired(self) -> None:
        if not await self.lead():
            return
        async with self.sessionmaker() as session:
            messages, old_members = await members.purge_expired(
                session,
                utcnow(),
                timedelta(days=self.settings.chat_message_retention_days),
                timedelta(days=self.settings.inactive_member_retention_days),
            )
            expired_alerts = await alerts_service.expire(session, utcnow())
            stale_reports = await reports_service.purge(session, utcnow())
            await session.commit()
        if messages or old_members:
            log.info("retention: %d message ids and %d inactive members erased", messages, old_members)
        if expired_alerts or stale_reports:
            log.info("retention: %d expired alerts and %d unmoderated reports erased", expired_alerts, stale_reports)

    async def handoff_jobs(self) -> None:
        """Escalations, idle chats and case-topic retention; a failure is logged and retried next minute."""
        from handlers.staff.jobs import HandoffTimings, run_handoff_jobs

        s = self.settings
        timings = HandoffTimings(
            escalate_after=timedelta(minutes=s.handoff_escalate_after),
            supervisor_after=timedelta(minutes=s.handoff_supervisor_after),
            idle_warn_after=timedelta(minutes=s.handoff_idle_warn_after),
            idle_close_after=timedelta(minutes=s.handoff_idle_close_after),
            topic_retention=timedelta(days=s.case_topic_retention_days),
        )
        if not await self.lead():
            return
        try:
            await run_handoff_jobs(self.bot, self.sessionmaker, self.privacy, self.i18n, timings, self.clock)
        except Exception as error:  # the scheduler must keep running; the next minute tries again
            log.error("handoff jobs failed: %s", type(error).__name__)

    async def flush_usage(self) -> None:
        """Add this process's section counts to the database; kept for the next try if it is down."""
        tally: SectionTally = self.dispatcher.workflow_data["section_tally"]
        if not len(tally):
            return
        counts = tally.take()
        try:
            async with self.sessionmaker() as session:
                await usage.add_counts(session, counts)
                await session.commit()
        except Exception as error:  # the database is away: nothing is lost, the next flush retries
            tally.restore(counts)
            log.warning("section counts not saved yet: %s", type(error).__name__)

    async def close(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self.delivery is not None:
            await self.delivery.close()
        await self.flush_usage()
        if self.leading:
            with contextlib.suppress(Exception):  # expiry hands it over anyway
                await self.lease.release()
        await self.bot.session.close()
        await self.dispatcher.storage.close()
        if self.redis is not None:
            await self.redis.aclose()
        await self.engine.dispose()


class BotSession(AiohttpSession):
    """aiogram's session, closed without the 250 ms pause when the Bot API is plain HTTP.

    aiogram waits a quarter of a second on close so TLS connections can shut down cleanly; over
    plain HTTP (a local Bot API server, the sandbox, the tests) there is nothing to wait for, and
    the pause slowed every restart and every test's teardown."""

    async def close(self) -> None:
        if self.api.base.startswith("https://"):
            await super().close()
        elif self._session is not None and not self._session.closed:
            await self._session.close()


def create_bot(settings: Settings, token: str) -> Bot:
    session = BotSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    bot = Bot(token, session=session, default=DefaultBotProperties(parse_mode="HTML", link_preview_is_disabled=True))
    bot.session.middleware(PinResponseTypes())
    bot.session.middleware(RetryMiddleware())
    bot.session.middleware(OutgoingRecorder())
    return bot


async def create_app(
    settings: Settings, *, token: str | None = None, clock: Clock = utcnow, content: ContentStore | None = None
) -> Umbrella:
    privacy = Privacy(resolve_privacy_key(settings))
    content = content or load_content(settings.content_dir)
    i18n = create_i18n(settings.locales_dir, settings.default_language)
    if settings.database.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.database)
    await upgrade(engine)
    sessionmaker = create_sessionmaker(engine)

    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    storage: BaseStorage
    isolation: BaseEventIsolation
    if redis is not None:
        redis_storage = RedisStorage(redis, key_builder=HashedKeyBuilder(privacy), state_ttl=FSM_TTL, data_ttl=FSM_TTL)
        storage = ResilientStorage(redis_storage)
        isolation = ResilientIsolation(redis_storage.create_isolation())
        seen = RedisSeenUpdates(redis)
        limiter = RedisLimiter(redis, settings.throttle_window)
        check_limiter: Limiter = RedisLimiter(redis, CHECK_WINDOW, prefix="umbrella:check")
    else:
        storage, isolation = MemoryStorage(), SimpleEventIsolation()
        seen, limiter = MemorySeenUpdates(), MemoryLimiter(settings.throttle_window)
        check_limiter = MemoryLimiter(CHECK_WINDOW)

    dp = Dispatcher(storage=storage, events_isolation=isolation)
    metrics = Metrics()
    dp.update.outer_middleware(UpdateMetricsMiddleware(metrics))  # outermost: latency covers everything
    dp.update.outer_middleware(DedupeMiddleware(seen))
    # The member cache is for a single process; several workers (Redis) always read the database.
    cache = MemberCache(settings.member_cache_seconds) if redis is None and settings.member_cache_seconds else None
    dp.update.outer_middleware(MemberContextMiddleware(sessionmaker, privacy, settings.default_language, clock, cache))
    dp.update.outer_middleware(MemberI18nMiddleware(i18n))
    throttle = ThrottlingMiddleware(limiter, settings.throttle_limit, privacy)
    dp.message.outer_middleware(throttle)
    dp.callback_query.outer_middleware(throttle)
    dp.include_routers(*get_routers())
    dp.workflow_data.update(
        content=content,
        privacy=privacy,
        sessionmaker=sessionmaker,
        clock=clock,
        i18n=i18n,
        member_cache=cache,
        canned=load_canned(settings.content_dir),
        section_tally=SectionTally(),
        alert_expiry=timedelta(days=settings.alert_expiry_days),
        check_limiter=check_limiter,
        check_limit=settings.number_check_limit,
    )

    bot_token = token or (settings.bot_token.get_secret_value() if settings.bot_token else None)
    if not bot_token:
        raise ValueError("no bot token")
    app = Umbrella(
        settings, create_bot(settings, bot_token), dp, engine, sessionmaker, privacy, content, i18n, redis, clock
    )
    app.metrics = metrics
    metrics.instrument_bot(app.bot)
    if redis is not None:
        app.lease = RedisLease(redis, ttl=settings.leader_lease_seconds)
    setup_delivery(app)
    freeze_startup_heap()
    return app


def setup_delivery(app: Umbrella) -> None:
    """The delivery engine and the database-backed scheduler, with the features that use them."""
    from handlers.member.alerts import setup_alerts
    from handlers.staff.broadcasts import setup_broadcasts

    settings = app.settings

    def zone_of(city: str | None) -> ZoneInfo:
        found = app.content.city(city) if city else None
        return found.zone if found is not None else DEFAULT_ZONE

    app.delivery = DeliveryEngine(
        app.bot,
        app.sessionmaker,
        app.privacy,
        rate=settings.broadcast_rate,
        per_chat_interval=settings.delivery_chat_interval,
        clock=app.clock,
        zone_of=zone_of,
        lease=timedelta(seconds=settings.delivery_lease_seconds),
        gate=app.lead,
    )
    app.schedules = Scheduler(app.sessionmaker, app.clock, app.lead)
    app.schedules.after_tick(app.delivery.poll)
    app.dispatcher.workflow_data.update(delivery=app.delivery, schedules=app.schedules)
    setup_broadcasts(app)
    setup_alerts(app)


def freeze_startup_heap() -> None:
    """Keep the garbage collector's full passes off the objects made at start-up.

    aiogram's models, the content and the catalogues are a large, permanent heap; a full
    collection that walks it stalls every update for a few hundred milliseconds (measured with
    bench/handoff.py: claim p99 about 300 ms before, under 50 ms after). Frozen objects are
    never collected, which is right for what lives as long as the process.
    """
    gc.collect()
    gc.freeze()


async def run_polling(app: Umbrella) -> None:
    await app.bot.delete_webhook(drop_pending_updates=False)
    await app.start_background()
    try:
        await app.dispatcher.start_polling(
            app.bot, allowed_updates=app.dispatcher.resolve_used_update_types(), close_bot_session=False
        )
    finally:
        await app.close()


def webhook_application(app: Umbrella, *, handle_in_background: bool = False) -> web.Application:
    """The aiohttp app Telegram posts to; the secret-token header is checked on every request.

    Updates are handled before the 200 goes back, so a crash makes Telegram retry instead of losing
    the update; repeated deliveries are dropped by update_id.
    """
    secret = app.settings.webhook_secret.get_secret_value() if app.settings.webhook_secret else None
    web_app = web.Application()
    SimpleRequestHandler(
        app.dispatcher, app.bot, secret_token=secret, handle_in_background=handle_in_background
    ).register(web_app, path=app.settings.webhook_path)
    setup_application(web_app, app.dispatcher, bot=app.bot)
    add_health_routes(web_app, app)
    add_metrics_route(web_app, app)
    return web_app


async def run_webhook(app: Umbrella, stop: asyncio.Event | None = None) -> None:
    """Serve until SIGTERM or SIGINT (or `stop`), then shut down gracefully: stop accepting
    connections, let the updates in flight finish (Telegram gets its 200 and does not re-post them),
    then stop the timed jobs, flush the counts and close the connections."""
    settings = app.settings
    if settings.webhook_secret is None:
        raise PrivacyKeyError("webhook mode needs WEBHOOK_SECRET so only Telegram can post updates")
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGTERM, signal.SIGINT)
    for number in signals:
        loop.add_signal_handler(number, stop.set)
    await app.start_background()
    runner = web.AppRunner(webhook_application(app), shutdown_timeout=settings.shutdown_timeout)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
    await site.start()
    log.info("webhook server listening on %s:%s", settings.webhook_host, settings.webhook_port)
    try:
        # Only once the server listens: Telegram starts posting as soon as the webhook is set.
        await app.bot.set_webhook(
            url=settings.webhook_url.rstrip("/") + settings.webhook_path,  # type: ignore[union-attr]
            secret_token=settings.webhook_secret.get_secret_value(),
            allowed_updates=app.dispatcher.resolve_used_update_types(),
        )
        await stop.wait()
        log.info("stopping: no new connections, finishing the updates in flight")
    finally:
        for number in signals:
            loop.remove_signal_handler(number)
        await runner.cleanup()  # closes the listening socket first, then waits for handlers in flight
        await app.close()
        log.info("stopped")
