"""Exactly one scheduler leader among the bot's workers: a lease in Redis, renewed by its holder.

Timed jobs (escalations, idle chats, retention) run only in the worker holding the lease. If that
worker dies, the lease expires after `ttl` and the next worker to renew takes over, so jobs pause
for at most `ttl` plus one renewal interval. A single process without Redis is always the leader.
"""

from __future__ import annotations

import uuid
from typing import Protocol

from redis.asyncio import Redis

# Renew only our own lease, atomically (another worker may hold it by now).
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


class Lease(Protocol):
    async def hold(self) -> bool:
        """Take the lease if it is free, or renew it if it is ours; True while we lead."""

    async def release(self) -> None: ...


class SoleLease:
    """One process, no Redis: nobody to share with."""

    async def hold(self) -> bool:
        return True

    async def release(self) -> None:
        return None


class RedisLease:
    def __init__(self, redis: Redis, name: str = "umbrella:leader:scheduler", ttl: float = 30.0) -> None:
        self.redis = redis
        self.name = name
        self.ttl_ms = int(ttl * 1000)
        self.token = uuid.uuid4().hex  # this worker, for this run

    async def hold(self) -> bool:
        if await self.redis.set(self.name, self.token, nx=True, px=self.ttl_ms):
            return True
        return bool(await self.redis.eval(_RENEW, 1, self.name, self.token, self.ttl_ms))

    async def release(self) -> None:
        await self.redis.eval(_RELEASE, 1, self.name, self.token)
