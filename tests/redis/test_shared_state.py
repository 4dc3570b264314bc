"""State, locks, flood control and update de-duplication on a real Redis (and in memory)."""

import asyncio

from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.redis import RedisStorage
from redis.asyncio import Redis

from bot.middlewares.dedupe import MemorySeenUpdates, RedisSeenUpdates
from bot.middlewares.keys import HashedKeyBuilder
from bot.middlewares.throttling import MemoryLimiter, RedisLimiter
from bot.privacy import Privacy

PRIVACY = Privacy("r" * 40)
USER_ID = 424242424


async def test_update_ids_are_seen_once_across_workers(redis_url: str) -> None:
    one, two = Redis.from_url(redis_url), Redis.from_url(redis_url)
    worker_a, worker_b = RedisSeenUpdates(one), RedisSeenUpdates(two)
    assert await worker_a.first_time(1, 100) is True
    assert await worker_b.first_time(1, 100) is False  # the other worker already took it
    assert await worker_b.first_time(1, 101) is True
    ttl = await one.ttl("umbrella:update:1:100")
    assert 0 < ttl <= 86400
    await one.aclose()
    await two.aclose()


async def test_memory_dedupe_is_bounded() -> None:
    seen = MemorySeenUpdates(capacity=2)
    assert await seen.first_time(1, 1) and await seen.first_time(1, 2) and await seen.first_time(1, 3)
    assert not await seen.first_time(1, 3)
    assert await seen.first_time(1, 1)  # evicted, so counted again: capacity is the memory bound


async def test_redis_flood_window_counts_and_expires(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    limiter = RedisLimiter(redis, window=0.3)
    key = PRIVACY.member_hash(USER_ID)[:32]
    counts = [await limiter.hit(key) for _ in range(4)]
    assert counts == [1, 2, 3, 4]
    keys = [k.decode() for k in await redis.keys("*")]
    assert keys and all(str(USER_ID) not in k for k in keys)
    await asyncio.sleep(0.35)
    assert await limiter.hit(key) == 1
    await redis.aclose()


async def test_memory_flood_window_slides() -> None:
    now = [0.0]
    limiter = MemoryLimiter(window=5, clock=lambda: now[0])
    assert [await limiter.hit("a") for _ in range(3)] == [1, 2, 3]
    now[0] = 5.1
    assert await limiter.hit("a") == 1


async def test_fsm_state_in_redis_carries_no_telegram_id(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    storage = RedisStorage(redis, key_builder=HashedKeyBuilder(PRIVACY))
    key = StorageKey(bot_id=1, chat_id=USER_ID, user_id=USER_ID)
    await storage.set_state(key, "CityInput:typing")
    await storage.set_data(key, {"then": "home"})
    assert await storage.get_state(key) == "CityInput:typing"
    assert await storage.get_data(key) == {"then": "home"}
    keys = [k.decode() for k in await redis.keys("*")]
    assert len(keys) == 2 and all(str(USER_ID) not in k for k in keys)
    isolation = storage.create_isolation()
    async with isolation.lock(key):
        assert any(k.decode().endswith(":lock") for k in await redis.keys("*"))
    await storage.close()
