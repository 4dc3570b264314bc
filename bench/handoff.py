"""Talk to a person: relay overhead per message and claim latency with 20 competing counsellors.

    python bench/handoff.py [--messages 500] [--postgres postgresql://postgres@127.0.0.1/test]

Relay: a member in an active conversation writes, the bot copies each message into the case
topic (and a counsellor's answers back). Measured per message from the push to the webhook
answer, with the fake Bot API on loopback and SQLite; the overhead is the difference to a bare
aiogram bot that only copies the message to the same place.

Claims: 20 counsellors press Take on the same card at once, 100 rounds; the latency of every
press is measured (targets: relay overhead p99 <= 10 ms on SQLite, claim p99 <= 50 ms on
PostgreSQL). PostgreSQL is used when --postgres or TEST_POSTGRES_URL is given.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from aiogram import Bot, Dispatcher
from aiogram.types import Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import create_app, freeze_startup_heap, webhook_application
from bot.db.base import create_engine, create_sessionmaker
from bot.db.migrate import upgrade
from bot.privacy import Privacy
from bot.sandbox import FakeTelegram
from bot.sandbox.demo import add_staff, claim_contest, open_staff_room
from bot.services import handoff
from bot.settings import Settings

SECRET = "bench-secret"
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


async def serve(app: web.Application, bot: Bot) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    await bot.set_webhook(f"http://127.0.0.1:{runner.addresses[0][1]}/hook", secret_token=SECRET)
    return runner


async def timed_sends(user, count: int, **where) -> list[float]:  # type: ignore[no-untyped-def]
    latencies = []
    for i in range(count):
        started = time.perf_counter()
        await user.send(f"message {i}", **where)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


async def bare_relay(count: int) -> list[float]:
    """The least a relay bot does: copy the member's message into a topic of a group."""
    async with FakeTelegram() as fake:
        bot = fake.bot()
        room = fake.forum_group("Staff room")
        topic = await bot.create_forum_topic(room.chat_id, "case")
        dp = Dispatcher()

        @dp.message()
        async def copy(message: Message) -> None:
            await message.copy_to(room.chat_id, message_thread_id=topic.message_thread_id)

        app = web.Application()
        SimpleRequestHandler(dp, bot, secret_token=SECRET, handle_in_background=False).register(app, path="/hook")
        runner = await serve(app, bot)
        try:
            return await timed_sends(fake.user("m"), count)
        finally:
            await runner.cleanup()
            await bot.session.close()


async def umbrella_relay(count: int, workdir: Path) -> tuple[list[float], list[float]]:
    async with FakeTelegram() as fake:
        settings = Settings(
            _env_file=None,
            telegram_api_url=fake.base_url,
            data_dir=workdir,
            privacy_key="bench-privacy-key-" + "x" * 32,
            webhook_secret=SECRET,
            webhook_path="/hook",
            throttle_limit=1_000_000,
        )
        app = await create_app(settings, token=fake.token, clock=fake.now_datetime)
        runner = await serve(webhook_application(app), app.bot)
        try:
            room = await open_staff_room(app, fake)
            counsellor = await add_staff(app, fake, room, "Nata")
            member = fake.user("m", language_code="uk")
            await member.command("/start")
            await member.press_data("lang:uk:city")
            await member.press_data("city:kyiv:home")
            await member.press_data("nav:person")
            await member.press_data("ho:health")
            await counsellor.press("✋ Take", chat=room.room)
            fixed = {"Queue", "Reports", "Broadcasts"}
            thread = next(t.thread_id for t in room.room.topics if t.name not in fixed)
            inbound = await timed_sends(member, count)
            outbound = await timed_sends(counsellor, count, chat=room.room, thread_id=thread)
            return inbound, outbound
        finally:
            await runner.cleanup()
            await app.close()


async def claims(url: str, counsellors: int = 20, rounds: int = 101) -> list[float]:
    engine = create_engine(url, pool_size=counsellors + 5) if url.startswith("postgresql") else create_engine(url)
    await upgrade(engine)
    sessions = create_sessionmaker(engine)
    privacy = Privacy("b" * 40)
    async with sessions() as session:
        staff_ids, conversation_ids = await claim_contest(session, privacy, counsellors, rounds, NOW)

    latencies: list[float] = []

    async def press(conversation_id: int, staff_id: int) -> None:
        started = time.perf_counter()
        async with sessions() as session:
            await handoff.claim(session, conversation_id, staff_id, 1000, NOW)
            await session.commit()
        latencies.append((time.perf_counter() - started) * 1000)

    freeze_startup_heap()  # as the bot does once it has started (bot.app.create_app)
    # The first round opens the pool's connections (a running bot has them open): not measured.
    await asyncio.gather(*(press(conversation_ids[0], s) for s in staff_ids))
    latencies.clear()
    for conversation_id in conversation_ids[1:]:
        await asyncio.gather(*(press(conversation_id, s) for s in staff_ids))
    await engine.dispose()
    return latencies


async def fresh_postgres(base: str) -> tuple[str, str]:
    name = f"umbrella_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(base.replace("postgresql+asyncpg://", "postgresql://"))
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    head = base.replace("postgresql://", "postgresql+asyncpg://", 1).rsplit("/", 1)[0]
    return f"{head}/{name}", name


async def drop_postgres(base: str, name: str) -> None:
    admin = await asyncpg.connect(base.replace("postgresql+asyncpg://", "postgresql://"))
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


async def main(messages: int, postgres: str | None) -> None:
    bare = await bare_relay(messages)
    with tempfile.TemporaryDirectory() as workdir:
        inbound, outbound = await umbrella_relay(messages, Path(workdir))
        sqlite_claims = await claims(f"sqlite+aiosqlite:///{workdir}/claims.db")
    print(f"relay, {messages} messages each way, SQLite, fake Bot API on loopback (handling time per message)")
    print(f"  bare copy bot     : p50 {pct(bare, 50):6.2f} ms   p99 {pct(bare, 99):6.2f} ms")
    print(f"  member -> topic   : p50 {pct(inbound, 50):6.2f} ms   p99 {pct(inbound, 99):6.2f} ms")
    print(f"  counsellor -> member: p50 {pct(outbound, 50):6.2f} ms   p99 {pct(outbound, 99):6.2f} ms")
    print(
        f"  overhead over the bare bot: member -> topic p50 {pct(inbound, 50) - pct(bare, 50):.2f} ms, "
        f"p99 {pct(inbound, 99) - pct(bare, 99):.2f} ms   (target p99 <= 10 ms)"
    )
    print("claims, 20 counsellors pressing Take at once, 100 rounds after a warm-up (latency of each press)")
    print(f"  SQLite     : p50 {pct(sqlite_claims, 50):6.2f} ms   p99 {pct(sqlite_claims, 99):6.2f} ms")
    if postgres:
        url, name = await fresh_postgres(postgres)
        try:
            pg = await claims(url)
        finally:
            await drop_postgres(postgres, name)
        print(f"  PostgreSQL : p50 {pct(pg, 50):6.2f} ms   p99 {pct(pg, 99):6.2f} ms   (target p99 <= 50 ms)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--postgres", default=os.environ.get("TEST_POSTGRES_URL"))
    args = parser.parse_args()
    asyncio.run(main(args.messages, args.postgres))
