"""When Redis or the database stops answering, the bot keeps answering menus where it can and says
plainly what is unavailable where it cannot; /readyz reports it; everything is back when they return."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from redis.asyncio import ConnectionPool

from bot.db.base import create_engine, create_sessionmaker
from bot.middlewares.context import MemberContextMiddleware
from tests.e2e.conftest import Harness, labels, start_harness, stop_harness

UNAVAILABLE = "Part of this service is not available right now"


async def _ready(harness: Harness) -> dict:
    url = harness.webhook_url.rsplit("/", 1)[0] + "/readyz"
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return await response.json()


async def test_menus_go_on_while_redis_is_down(tmp_path: Path, redis_url: str, no_apologies) -> None:
    harness = await start_harness(tmp_path, redis_url=redis_url)
    try:
        member = await harness.started("en", "📍 Kyiv")
        client = harness.app.redis  # every Redis user of the bot shares this client
        working = client.connection_pool  # type: ignore[union-attr]
        client.connection_pool = ConnectionPool.from_url("redis://127.0.0.1:1/0")  # Redis "stops"
        await member.command("/menu")
        await member.press("⚖️ Rights")
        assert member.last.text.startswith("⚖️ Your rights — Ukraine")
        await member.press("🏠 Menu")
        await member.press("🆘 Urgent help")
        assert "112" in member.last.text
        no_apologies(member)
        assert (await _ready(harness))["checks"]["redis"] is False

        await client.connection_pool.disconnect()  # Redis is back
        client.connection_pool = working
        await member.command("/settings")
        await member.press("📍 City")
        await member.send("Lviv")  # a form again needs Redis, and works again
        assert "City: Lviv" in member.last.text
        assert (await _ready(harness))["status"] == "ready"
    finally:
        await stop_harness(harness)


async def test_database_down_known_members_still_browse_new_ones_hear_it_plainly(harness: Harness) -> None:
    known = await harness.started("en")  # ends on the main menu
    context = next(m for m in harness.app.dispatcher.update.outer_middleware if isinstance(m, MemberContextMiddleware))
    working = context.sessionmaker
    gone = create_engine("postgresql+asyncpg://umbrella@127.0.0.1:1/gone")  # the database "stops"
    context.sessionmaker = create_sessionmaker(gone)
    try:
        # Recently seen, so served from memory: buttons need no database.
        await known.press("🩺 Health & clinics")
        assert known.last.text.startswith("🩺 Health & clinics")
        stranger = harness.member(language_code="en")
        await stranger.command("/start")
        assert UNAVAILABLE in stranger.last.text and "112" in stranger.last.text
    finally:
        context.sessionmaker = working
        await gone.dispose()
    await stranger.command("/start")  # the database is back
    assert "Choose your language" in stranger.last.text
    assert len(labels(stranger.last)) == 3
