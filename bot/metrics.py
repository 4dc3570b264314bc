"""Prometheus metrics at /metrics on the webhook server.

Every app has its own registry (tests build many apps in one process). Labels come only from fixed
small sets (update types, conversation states, delivery outcomes): never a member, a chat or text.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramForbiddenError, TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import TelegramObject, Update
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import func, select

from bot.db.models import Conversation
from bot.services.handoff import ACTIVE, CLOSED, QUEUED

if TYPE_CHECKING:
    from bot.app import Umbrella

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
STATES = (QUEUED, ACTIVE, CLOSED)
UPDATE_TYPES = frozenset(Update.model_fields) - {"update_id"}
# Methods that deliver a message to someone; chat actions, edits and deletions are not deliveries.
DELIVERY_METHODS = frozenset({"CopyMessage", "CopyMessages", "ForwardMessage", "ForwardMessages"})


def is_delivery(method: TelegramMethod[Any]) -> bool:
    name = type(method).__name__
    return name in DELIVERY_METHODS or (name.startswith("Send") and name != "SendChatAction")


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.updates = Counter("umbrella_updates", "Updates handled, by type", ["type"], registry=r)
        self.update_seconds = Histogram(
            "umbrella_update_handling_seconds", "Time to handle one update", buckets=LATENCY_BUCKETS, registry=r
        )
        self.deliveries = Counter("umbrella_deliveries", "Messages sent, by outcome", ["outcome"], registry=r)
        for outcome in ("ok", "blocked", "rate_limited", "failed"):
            self.deliveries.labels(outcome)
        self.rate_limited = Counter("umbrella_telegram_429", "429 responses received from Telegram", registry=r)
        self.queue_length = Gauge("umbrella_queue_length", "Conversations waiting in the queue", registry=r)
        self.oldest_wait = Gauge(
            "umbrella_queue_oldest_wait_seconds", "How long the oldest queued conversation has waited", registry=r
        )
        self.conversations = Gauge("umbrella_conversations", "Conversations by state", ["state"], registry=r)

    def instrument_bot(self, bot: Bot) -> None:
        """Deliveries outside the retries (one final outcome per send), 429s inside them (each one)."""
        manager = bot.session.middleware
        others = list(manager)
        for middleware in others:
            manager.unregister(middleware)
        manager(DeliveryMetricsMiddleware(self))
        for middleware in others:
            manager(middleware)
        manager(RateLimitMetricsMiddleware(self))

    async def refresh(self, app: Umbrella) -> None:
        """One grouped query: count and oldest queued_at per state."""
        async with app.sessionmaker() as session:
            rows = (
                await session.execute(
                    select(Conversation.status, func.count(), func.min(Conversation.queued_at)).group_by(
                        Conversation.status
                    )
                )
            ).all()
        by_state = {status: (count, oldest) for status, count, oldest in rows}
        for state in STATES:
            self.conversations.labels(state).set(by_state.get(state, (0, None))[0])
        queued, oldest = by_state.get(QUEUED, (0, None))
        self.queue_length.set(queued)
        self.oldest_wait.set(max((app.clock() - oldest).total_seconds(), 0.0) if oldest is not None else 0)


class UpdateMetricsMiddleware(BaseMiddleware):
    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        start = time.perf_counter()
        try:
            return await handler(event, data)
        finally:
            self.metrics.update_seconds.observe(time.perf_counter() - start)
            try:
                kind = event.event_type if isinstance(event, Update) else None
            except LookupError:
                kind = None
            self.metrics.updates.labels(kind if kind in UPDATE_TYPES else "unknown").inc()


class DeliveryMetricsMiddleware(BaseRequestMiddleware):
    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Any, method: TelegramMethod[TelegramType]
    ) -> Any:
        if not is_delivery(method):
            return await make_request(bot, method)
        outcome = "failed"
        try:
            result = await make_request(bot, method)
            outcome = "ok"
            return result
        except TelegramForbiddenError:
            outcome = "blocked"
            raise
        except TelegramRetryAfter:
            outcome = "rate_limited"
            raise
        finally:
            self.metrics.deliveries.labels(outcome).inc()


class RateLimitMetricsMiddleware(BaseRequestMiddleware):
    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Any, method: TelegramMethod[TelegramType]
    ) -> Any:
        try:
            return await make_request(bot, method)
        except TelegramRetryAfter:
            self.metrics.rate_limited.inc()
            raise


def add_metrics_route(web_app: web.Application, app: Umbrella) -> None:
    async def metrics(_request: web.Request) -> web.Response:
        await app.metrics.refresh(app)
        body = generate_latest(app.metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    web_app.router.add_get("/metrics", metrics)
