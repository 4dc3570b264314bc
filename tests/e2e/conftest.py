"""End-to-end harness: the real bot (webhook mode) against the fake Bot API server on loopback.

A test acts as a member through `TelegramUser` (send text, press buttons by label) and reads what
the member sees. Updates reach the bot as webhook POSTs that return once handled, so tests need no
sleeps.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import io
import logging
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest
from aiohttp import web

from bot.app import Umbrella, create_app, webhook_application
from bot.content.loader import ContentStore, load_content
from bot.logs import setup_logging
from bot.sandbox.client import TelegramUser
from bot.sandbox.clock import ManualClock
from bot.sandbox.server import FakeTelegram
from bot.settings import Settings
from tests.e2e.content_fixture import build_content

ROOT_DIR = Path(__file__).resolve().parents[2]
TOKEN = "123456789:TEST-token"
SECRET = "webhook-secret-for-tests"
# A Tuesday afternoon in Kyiv: clinics with weekday hours are open.
DEFAULT_NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@dataclass
class Harness:
    fake: FakeTelegram
    app: Umbrella
    clock: ManualClock
    settings: Settings
    logs: io.StringIO
    runner: web.AppRunner | None = None
    webhook_url: str = ""
    _users: list[TelegramUser] = field(default_factory=list)

    def member(self, language_code: str | None = "en", first_name: str = "Member", **kwargs) -> TelegramUser:
        user = self.fake.user(first_name, language_code=language_code, **kwargs)
        self._users.append(user)
        return user

    async def started(self, language: str, city_label: str | None = None, **kwargs) -> TelegramUser:
        """A member who went through /start: language chosen, city chosen (or skipped)."""
        member = self.member(language_code=language, **kwargs)
        await member.command("/start")
        await member.press(LANGUAGE_LABELS[language])
        await member.press(city_label or SKIP_LABELS[language])
        return member


LANGUAGE_LABELS = {"uk": "🇺🇦 Українська", "ru": "🇷🇺 Русский", "en": "🇬🇧 English"}
SKIP_LABELS = {"uk": "⏭ Пропустити", "ru": "⏭ Пропустить", "en": "⏭ Skip"}


@cache
def shared_content_dir() -> Path:
    """The test content is built once per run; it is only read."""
    return build_content(Path(tempfile.mkdtemp(prefix="umbrella-content-")) / "content")


@cache
def shared_content() -> ContentStore:
    return load_content(shared_content_dir())


@cache
def migrated_sqlite() -> Path:
    """An empty SQLite database at the newest schema, made once per run: each test starts from a
    copy, and the bot's own start-up migration then finds nothing to do."""
    from bot.db.base import create_engine
    from bot.db.migrate import upgrade

    async def make(path: Path) -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        await upgrade(engine)
        await engine.dispose()

    path = Path(tempfile.mkdtemp(prefix="umbrella-schema-")) / "umbrella.db"
    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # its own loop: callers may be inside one
        pool.submit(asyncio.run, make(path)).result()
    return path


def fresh_sqlite(tmp_path: Path) -> str:
    database = tmp_path / "umbrella.db"
    shutil.copyfile(migrated_sqlite(), database)
    return f"sqlite+aiosqlite:///{database}"


async def start_harness(
    tmp_path: Path, database_url: str | None = None, redis_url: str | None = None, **overrides
) -> Harness:
    clock = ManualClock(DEFAULT_NOW)
    fake = FakeTelegram(clock=clock, token=TOKEN)
    await fake.start()
    content_dir = shared_content_dir()
    settings = Settings(
        _env_file=None,
        bot_token=TOKEN,
        telegram_api_url=fake.base_url,
        data_dir=tmp_path / "data",
        database_url=database_url or fresh_sqlite(tmp_path),
        redis_url=redis_url,
        privacy_key="e2e-privacy-key-" + "x" * 32,
        content_dir=content_dir,
        webhook_secret=SECRET,
        webhook_path="/hook",
        **({"throttle_limit": 10_000} | overrides),  # flood control is tested on its own
    )
    logs = io.StringIO()
    setup_logging("DEBUG", "text", stream=logs)
    logging.getLogger("aiogram.event").setLevel(logging.DEBUG)
    app = await create_app(settings, clock=fake.now_datetime, content=shared_content())
    harness = Harness(fake, app, clock, settings, logs)
    await attach_webhook(harness)
    await app.start_background()
    return harness


async def attach_webhook(harness: Harness) -> None:
    runner = web.AppRunner(webhook_application(harness.app), shutdown_timeout=0.05)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    harness.runner = runner
    harness.webhook_url = f"http://127.0.0.1:{port}/hook"
    await harness.app.bot.set_webhook(harness.webhook_url, secret_token=SECRET)


async def stop_harness(harness: Harness, *, stop_fake: bool = True) -> None:
    if harness.runner is not None:
        await harness.runner.cleanup()
    await harness.app.close()
    if stop_fake:
        await harness.fake.stop()
    logging.getLogger().handlers.clear()


async def restart(harness: Harness) -> Harness:
    """Stop the bot process (not Telegram) and start a new one on the same database and fake."""
    await stop_harness(harness, stop_fake=False)
    app = await create_app(harness.settings, clock=harness.fake.now_datetime, content=harness.app.content)
    harness.app = app
    await attach_webhook(harness)
    await app.start_background()
    return harness


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    h = await start_harness(tmp_path)
    try:
        yield h
    finally:
        await stop_harness(h)
    assert not h.fake.internal_errors, h.fake.internal_errors


@pytest.fixture
def no_apologies() -> Callable[[TelegramUser], None]:
    def check(member: TelegramUser) -> None:
        for text in member.texts():
            assert "something went wrong" not in text.lower()
            assert "щось пішло не так" not in text.lower()
            assert "что-то пошло не так" not in text.lower()

    return check


def labels(message) -> list[str]:
    """Every button label of a message, row after row."""
    return [label for row in message.buttons for label in row]
