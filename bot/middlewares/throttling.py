"""Per-member flood control: a burst is answered once, then ignored until the window passes."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, User
from aiogram.utils.i18n import gettext as _
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.middlewares.resilient import redis_unavailable
from bot.privacy import Privacy


class Limiter(Protocol):
    async def hit(self, key: str) -> int:
        """Count one event for `key` and return how many fell in the current window."""


class MemoryLimiter:
    """Sliding window per key, for a single process."""

    def __init__(self, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}

    async def hit(self, key: str) -> int:
        now = self._clock()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        hits.append(now)
        if len(self._hits) > 100_000:  # forget idle members so memory stays flat
            for stale in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
                del self._hits[stale]
        return len(hits)


class RedisLimiter:
    """Fixed window counter shared by every worker (INCR + EXPIRE)."""

    def __init__(self, redis: Redis, window: float, prefix: str = "umbrella:flood") -> None:
        self._redis = redis
        self._window_ms = max(1, int(window * 1000))
        self._prefix = prefix

    async def hit(self, key: str) -> int:
        name = f"{self._prefix}:{key}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.pexpire(name, self._window_ms, nx=True)
                count, _ = await pipe.execute()
        except RedisError as error:  # no flood control beats no answers
            redis_unavailable(error)
            return 1
        return int(count)


class ThrottlingMiddleware(BaseMiddleware):
    """Keys are keyed hashes, so Redis never holds a Telegram id either."""

    def __init__(self, limiter: Limiter, limit: int, privacy: Privacy) -> None:
        self.limiter = limiter
        self.limit = limit
        self.privacy = privacy

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or not isinstance(event, Message | CallbackQuery):
            return await handler(event, data)
        count = await self.limiter.hit(self.privacy.member_hash(user.id)[:32])
        if count <= self.limit:
            return await handler(event, data)
        if count == self.limit + 1:  # say it once per burst, then stay quiet
            text = _("You are sending messages very fast. Please wait a few seconds and try again.")
            if isinstance(event, CallbackQuery):
                await event.answer(text, show_alert=False)
            else:
                await event.answer(text)
        elif isinstance(event, CallbackQuery):
            await event.answer()
        return None
