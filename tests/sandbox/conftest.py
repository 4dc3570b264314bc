"""Fixtures: a fresh fake Bot API server per test, an aiogram Bot wired to it, the bot run by polling or webhook."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot.sandbox import FakeTelegram, ManualClock

from .menu_bot import Seen, build_dispatcher

WEBHOOK_SECRET = "sandbox_secret-1"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def fake(clock: ManualClock) -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(clock=clock) as server:
        yield server
        assert not server.internal_errors, server.internal_errors


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    client = fake.bot(default=DefaultBotProperties(parse_mode="HTML"))
    yield client
    await client.session.close()


@pytest.fixture
def seen() -> Seen:
    return Seen()


@pytest.fixture
async def polling(bot: Bot, seen: Seen) -> AsyncIterator[Dispatcher]:
    """The menu bot, long polling the fake as in production."""
    dispatcher = build_dispatcher(seen)
    task = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False, polling_timeout=30)
    )
    await asyncio.sleep(0)
    yield dispatcher
    with contextlib.suppress(RuntimeError):
        await dispatcher.stop_polling()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


@dataclass
class WebhookBot:
    dispatcher: Dispatcher
    url: str


@contextlib.asynccontextmanager
async def serve_webhook(
    dispatcher: Dispatcher, bot: Bot, *, handle_in_background: bool = False
) -> AsyncIterator[WebhookBot]:
    """Serve `dispatcher` behind aiogram's webhook handler on a free port and point the fake at it."""
    app = web.Application()
    handler = SimpleRequestHandler(
        dispatcher, bot, secret_token=WEBHOOK_SECRET, handle_in_background=handle_in_background
    )
    handler.register(app, path="/webhook")
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/webhook"
    await bot.set_webhook(url, secret_token=WEBHOOK_SECRET, allowed_updates=dispatcher.resolve_used_update_types())
    try:
        yield WebhookBot(dispatcher, url)
    finally:
        await runner.cleanup()


@pytest.fixture
async def webhook(bot: Bot, seen: Seen) -> AsyncIterator[WebhookBot]:
    """The menu bot behind aiogram's webhook handler (secret checked, handled before answering)."""
    async with serve_webhook(build_dispatcher(seen), bot) as served:
        yield served
