"""/healthz and /readyz on the webhook server: ready with a working database (and Redis), unready,
naming what is down, when a dependency does not answer; alive either way."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from redis.asyncio import Redis

from bot.db.base import create_engine
from tests.e2e.conftest import Harness, start_harness, stop_harness


def _base(harness: Harness) -> str:
    return harness.webhook_url.rsplit("/", 1)[0]


async def _get(url: str) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.json()


async def test_alive_and_ready_on_sqlite(harness: Harness) -> None:
    assert await _get(_base(harness) + "/healthz") == (200, {"status": "alive"})
    assert await _get(_base(harness) + "/readyz") == (200, {"status": "ready", "checks": {"database": True}})


async def test_unready_while_the_database_is_unreachable(harness: Harness) -> None:
    working = harness.app.engine
    harness.app.engine = create_engine("postgresql+asyncpg://umbrella@127.0.0.1:1/gone")  # nothing listens
    try:
        status, body = await _get(_base(harness) + "/readyz")
        assert (await _get(_base(harness) + "/healthz"))[0] == 200  # alive all the same
    finally:
        await harness.app.engine.dispose()
        harness.app.engine = working
    assert status == 503 and body == {"status": "unready", "checks": {"database": False}}
    assert (await _get(_base(harness) + "/readyz"))[0] == 200


async def test_unready_while_redis_is_unreachable_and_ready_again(tmp_path: Path, redis_url: str) -> None:
    harness = await start_harness(tmp_path, redis_url=redis_url)
    try:
        assert (await _get(_base(harness) + "/readyz"))[1]["checks"] == {"database": True, "redis": True}
        working = harness.app.redis
        harness.app.redis = Redis.from_url("redis://127.0.0.1:1/0")  # nothing listens there
        status, body = await _get(_base(harness) + "/readyz")
        assert status == 503 and body["checks"] == {"database": True, "redis": False}
        await harness.app.redis.aclose()
        harness.app.redis = working
        assert (await _get(_base(harness) + "/readyz"))[0] == 200
    finally:
        await stop_harness(harness)
