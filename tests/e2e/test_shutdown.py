"""Graceful shutdown in webhook mode: on SIGTERM a worker stops accepting connections, finishes the
update it is handling (the member gets the answer, Telegram gets its 200), then exits."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.methods import SendMessage

from bot.app import create_app, run_webhook
from bot.sandbox import FakeTelegram
from tests.e2e.test_quickstart import webhook_run_settings


class SlowReplies(BaseRequestMiddleware):
    """Holds each sendMessage for a while, so an update is surely in flight when the signal comes."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.in_flight = asyncio.Event()

    async def __call__(self, make_request, bot, method) -> Any:  # type: ignore[no-untyped-def]
        if isinstance(method, SendMessage):
            self.in_flight.set()
            await asyncio.sleep(self.delay)
        return await make_request(bot, method)


async def _accepts(port: int) -> bool:
    try:
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    writer.close()
    return True


async def test_sigterm_finishes_the_update_in_flight_and_refuses_new_connections(tmp_path: Path) -> None:
    async with FakeTelegram() as fake:
        settings = webhook_run_settings(fake, tmp_path)
        port = settings.webhook_port
        app = await create_app(settings)
        slow = SlowReplies(delay=1.0)
        app.bot.session.middleware(slow)
        server = asyncio.create_task(run_webhook(app))
        for _ in range(250):  # until the webhook is set and the server listens
            if fake.webhook is not None:
                break
            await asyncio.sleep(0.02)
        assert await _accepts(port)

        member = fake.user("Olena", language_code="en")
        update = asyncio.create_task(member.command("/start"))
        await asyncio.wait_for(slow.in_flight.wait(), 5)
        os.kill(os.getpid(), signal.SIGTERM)  # what the orchestrator sends

        # The listening socket closes at once, while the update is still being handled ...
        for _ in range(50):
            if not await _accepts(port):
                break
            await asyncio.sleep(0.02)
        assert not await _accepts(port)
        assert not update.done()

        # ... which then finishes: the member has the answer and Telegram its 200.
        await asyncio.wait_for(update, 10)
        assert "Choose your language" in member.last.text
        assert not fake.webhook_failures
        await asyncio.wait_for(server, 10)  # and the worker exits on its own
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # no handler left behind
