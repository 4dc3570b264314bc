"""A bot process killed with SIGKILL in the middle of a broadcast, and started again: every
recipient ends up with exactly one message.

The bot runs as a real process (`python -m bot run`) against the fake Telegram of this test. It is
killed at the worst moment: Telegram has just delivered a message and the answer has not reached
the bot yet, so the delivery row says "sending". The new process takes the job over once the dead
one's lease has expired, and sends only what nobody has sent.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from bot.db.base import create_engine, create_sessionmaker
from bot.db.migrate import upgrade
from bot.db.models import Broadcast, DeliveryJob
from bot.privacy import Privacy
from bot.sandbox import FakeTelegram
from bot.sandbox.client import TelegramUser
from bot.sandbox.server import ApiCall
from bot.services import broadcasts, members
from bot.services import staff as staff_service
from bot.services.broadcasts import Draft
from bot.services.subscriptions import Topic
from tests.e2e.conftest import ROOT_DIR, TOKEN

KEY = "crash-test-privacy-key-" + "c" * 32
PATIENCE = 120.0  # seconds a bot process may take to start and finish (2 shared cores)


def bot_process(fake: FakeTelegram, database_url: str, data_dir: Path, **env: str) -> subprocess.Popen[bytes]:
    """`python -m bot run` in webhook mode (no updates are needed, only the scheduler and delivery)."""
    environment = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": fake.base_url or "",
        "DATABASE_URL": database_url,
        "PRIVACY_KEY": KEY,
        "DATA_DIR": str(data_dir),
        "WEBHOOK_URL": "http://127.0.0.1:9",
        "WEBHOOK_SECRET": "crash-test-secret",
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": "0",
        "BROADCAST_RATE": "20",
        "SCHEDULER_TICK_SECONDS": "0.1",
        "DELIVERY_LEASE_SECONDS": "2",
        "LOG_LEVEL": "WARNING",
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], cwd=ROOT_DIR, env=environment, stdout=subprocess.DEVNULL
    )


async def until(condition: Callable[[], object]) -> None:
    """Wait for something another process does (the test fails if it never happens)."""
    async with asyncio.timeout(PATIENCE):
        while True:  # another process: nothing here to wait on but the condition itself
            if await _call(condition):
                return
            await asyncio.sleep(0.05)


async def _call(condition: Callable[[], object]) -> object:
    result = condition()
    return await result if asyncio.iscoroutine(result) else result


async def seed(fake: FakeTelegram, database_url: str, people: int) -> list[TelegramUser]:
    """An organisation serving Kyiv and `people` members there."""
    engine = create_engine(database_url)
    await upgrade(engine)
    privacy = Privacy(KEY)
    users = [fake.user(language_code="uk") for _ in range(people)]
    async with create_sessionmaker(engine)() as session:
        await staff_service.create_organisation(session, "org", "Org", ["kyiv"], default=True)
        for user in users:
            info, _ = await members.ensure(session, privacy, user.id, user.chat_id, "uk", datetime.now(UTC).date())
            await members.set_city(session, info, "kyiv")
        await session.commit()
    await engine.dispose()
    return users


async def add_broadcasts(database_url: str, texts: list[str], due: list[datetime]) -> None:
    """One safety broadcast to Kyiv per text, each falling due at its moment (now if past)."""
    engine = create_engine(database_url)
    async with create_sessionmaker(engine)() as session:
        organisation = await staff_service.organisation_by_slug(session, "org")
        assert organisation is not None
        for text, moment in zip(texts, due, strict=True):
            draft = Draft(texts={"all": text}, topic=Topic.safety, cities=("kyiv",), languages=("uk", "ru", "en"))
            await broadcasts.create(session, organisation, None, draft, moment, datetime.now(UTC))
        await session.commit()
    await engine.dispose()


async def statuses(database_url: str) -> tuple[list[str], list[str]]:
    engine = create_engine(database_url)
    async with create_sessionmaker(engine)() as session:
        jobs = list(await session.scalars(select(DeliveryJob.status).order_by(DeliveryJob.id)))
        sent = list(await session.scalars(select(Broadcast.status).order_by(Broadcast.id)))
    await engine.dispose()
    return jobs, sent


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def test_sigkill_in_the_middle_of_a_broadcast_then_restart_sends_each_message_once(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'umbrella.db'}"
    async with FakeTelegram() as fake:
        users = await seed(fake, database_url, 60)
        await add_broadcasts(database_url, ["Police checks tonight near the station"], [datetime.now(UTC)])
        chats = {str(user.chat_id) for user in users}
        first = bot_process(fake, database_url, tmp_path / "data")
        delivered: list[ApiCall] = []

        def kill_mid_delivery(call: ApiCall) -> None:
            if call.method == "sendMessage" and call.ok and str(call.params.get("chat_id")) in chats:
                delivered.append(call)
                if len(delivered) == 25 and first.poll() is None:
                    # Delivered, and the answer not yet on its way: the hardest moment to crash.
                    os.kill(first.pid, signal.SIGKILL)

        fake.on_call(kill_mid_delivery)
        try:
            await until(lambda: first.poll() is not None)
            assert first.returncode == -signal.SIGKILL
            assert 25 <= len(delivered) < 60, "killed in the middle"

            second = bot_process(fake, database_url, tmp_path / "data")
            try:
                await until(lambda: _done(database_url))
            finally:
                stop(second)
        finally:
            stop(first)

        for user in users:
            assert [m.text for m in user.bot_messages] == ["Police checks tonight near the station"]
        assert len(delivered) == 60


async def _done(database_url: str) -> bool:
    jobs, sent = await statuses(database_url)
    return jobs == ["done"] and sent == ["done"]
