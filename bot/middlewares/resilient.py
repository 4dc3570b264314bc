"""Keep answering menus while Redis is down.

With several workers, form state, per-member locks, flood counters and update de-duplication live
in Redis. If Redis stops answering, the information menus need none of that: these wrappers let
every update through with in-process stand-ins (a local lock; no form state) instead of failing,
and log the outage once per minute. /readyz reports Redis as down meanwhile.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, StateType, StorageKey
from aiogram.fsm.storage.memory import SimpleEventIsolation
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
_last_warning = 0.0


def redis_unavailable(error: Exception) -> None:
    """One warning a minute at most: an outage must not flood the logs."""
    global _last_warning
    now = time.monotonic()
    if now - _last_warning > 60:
        _last_warning = now
        log.warning("Redis unavailable (%s): carrying on without shared state", type(error).__name__)


class ResilientStorage(BaseStorage):
    """Form state in Redis; while Redis is down, forms cannot continue but nothing else breaks."""

    def __init__(self, inner: BaseStorage) -> None:
        self.inner = inner

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        try:
            await self.inner.set_state(key, state)
        except RedisError as error:
            redis_unavailable(error)

    async def get_state(self, key: StorageKey) -> str | None:
        try:
            return await self.inner.get_state(key)
        except RedisError as error:
            redis_unavailable(error)
            return None

    async def set_data(self, key: StorageKey, data: dict[str, Any]) -> None:
        try:
            await self.inner.set_data(key, data)
        except RedisError as error:
            redis_unavailable(error)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        try:
            return await self.inner.get_data(key)
        except RedisError as error:
            redis_unavailable(error)
            return {}

    async def close(self) -> None:
        await self.inner.close()


class ResilientIsolation(BaseEventIsolation):
    """The per-member lock in Redis; a lock of this process while Redis is down."""

    def __init__(self, inner: BaseEventIsolation) -> None:
        self.inner = inner
        self.local = SimpleEventIsolation()

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        shared = self.inner.lock(key)
        try:
            await shared.__aenter__()
        except RedisError as error:
            redis_unavailable(error)
            async with self.local.lock(key):
                yield
            return
        try:
            yield
        finally:
            try:
                await shared.__aexit__(None, None, None)
            except RedisError as error:  # the lock expires by itself
                redis_unavailable(error)

    async def close(self) -> None:
        await self.inner.close()
        await self.local.close()


__all__ = ["ResilientIsolation", "ResilientStorage", "redis_unavailable"]
