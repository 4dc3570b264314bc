"""Handle each update_id once: Telegram re-sends a webhook it did not get 200 for."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.middlewares.resilient import redis_unavailable

SEEN_TTL_SECONDS = 24 * 3600  # Telegram keeps an undelivered update at most 24 hours


class SeenUpdates(Protocol):
    async def first_time(self, bot_id: int, update_id: int) -> bool: ...


class MemorySeenUpdates:
    """Bounded set of recent update ids (one process)."""

    def __init__(self, capacity: int = 50_000) -> None:
        self._seen: OrderedDict[tuple[int, int], None] = OrderedDict()
        self._capacity = capacity

    async def first_time(self, bot_id: int, update_id: int) -> bool:
        key = (bot_id, update_id)
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > self._capacity:
            self._seen.popitem(last=False)
        return True


class RedisSeenUpdates:
    """SET NX with a day's expiry: shared by every worker."""

    def __init__(self, redis: Redis, prefix: str = "umbrella:update") -> None:
        self._redis = redis
        self._prefix = prefix

    async def first_time(self, bot_id: int, update_id: int) -> bool:
        key = f"{self._prefix}:{bot_id}:{update_id}"
        try:
            return bool(await self._redis.set(key, 1, nx=True, ex=SEEN_TTL_SECONDS))
        except RedisError as error:  # answering twice beats not answering at all
            redis_unavailable(error)
            return True


class DedupeMiddleware(BaseMiddleware):
    def __init__(self, seen: SeenUpdates) -> None:
        self.seen = seen

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Update) and not await self.seen.first_time(data["bot"].id, event.update_id):
            return None
        return await handler(event, data)
