"""Three bot workers on one PostgreSQL and one Redis behind a round-robin proxy, as in production.

Telegram (the fake) posts each update to the proxy, which hands it to the next worker; some
updates are posted again, as Telegram does when it missed an answer. Every update is handled once,
a form started on one worker finishes on another, and exactly one worker leads the timed jobs,
with another taking over when the leader dies.
"""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.app import Umbrella, create_app, webhook_application
from bot.sandbox import FakeTelegram
from bot.sandbox.clock import ManualClock
from bot.sandbox.demo import add_staff, open_staff_room
from bot.settings import Settings
from tests.e2e.conftest import DEFAULT_NOW, SECRET, TOKEN, labels, shared_content, shared_content_dir

LEASE_SECONDS = 3.0


async def _worker(settings: Settings, fake: FakeTelegram) -> tuple[Umbrella, web.AppRunner, str]:
    app = await create_app(settings, token=TOKEN, clock=fake.now_datetime, content=shared_content())
    runner = web.AppRunner(webhook_application(app), shutdown_timeout=0.05)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    await app.start_background()
    return app, runner, f"http://127.0.0.1:{runner.addresses[0][1]}/hook"


async def _proxy(targets: list[str]) -> tuple[web.AppRunner, str]:
    """A load balancer: each POST goes to the next worker in turn (skipping dead ones)."""
    turn = itertools.count()
    session = aiohttp.ClientSession()

    async def forward(request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower().startswith("x-telegram")}
        headers["Content-Type"] = request.headers.get("Content-Type", "application/json")
        for _ in range(len(targets)):
            target = targets[next(turn) % len(targets)]
            try:
                async with session.post(target, data=body, headers=headers) as response:
                    return web.Response(status=response.status, body=await response.read())
            except aiohttp.ClientConnectionError:
                continue  # that worker is gone: the balancer tries the next
        return web.Response(status=502)

    app = web.Application()
    app.router.add_post("/hook", forward)
    app.on_cleanup.append(lambda _app: session.close())
    runner = web.AppRunner(app, shutdown_timeout=0.05)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/hook"


async def test_three_workers_share_state_handle_each_update_once_and_elect_one_leader(
    tmp_path: Path, postgres_url: str, redis_url: str
) -> None:
    fake = FakeTelegram(clock=ManualClock(DEFAULT_NOW), token=TOKEN)
    await fake.start()
    settings = Settings(
        _env_file=None,
        telegram_api_url=fake.base_url,
        data_dir=tmp_path / "data",
        database_url=postgres_url,
        redis_url=redis_url,
        privacy_key="workers-privacy-key-" + "w" * 32,
        content_dir=shared_content_dir(),
        webhook_secret=SECRET,
        webhook_path="/hook",
        throttle_limit=10_000,
        leader_lease_seconds=LEASE_SECONDS,
    )
    workers = [await _worker(settings, fake) for _ in range(3)]
    proxy, proxy_url = await _proxy([url for _app, _runner, url in workers])
    apps = [app for app, _runner, _url in workers]
    try:
        await apps[0].bot.set_webhook(proxy_url, secret_token=SECRET)

        # A form that hops between workers: the city question is asked by one, answered on another.
        member = fake.user("Member", language_code="en")
        await member.command("/start")
        await member.press("🇬🇧 English")
        await member.send("Lviv")  # handled by the third worker, from the state the second wrote
        assert len(labels(member.last)) == 6  # the main menu: the city was taken
        await member.command("/settings")
        assert "City: Lviv" in member.last.text

        # Each update once, even when Telegram posts some of them again.
        before = len(member.bot_messages)
        for _ in range(6):
            await member.command("/menu")
        for update in fake.updates[-6:-3]:
            await fake.redeliver(update["update_id"])
        assert len(member.bot_messages) == before + 6
        assert not fake.webhook_failures

        # One leader.
        assert sum(app.leading for app in apps) == 1
        leader = next(app for app in apps if app.leading)

        # A waiting member is escalated once, though every worker runs the minute's jobs.
        room = await open_staff_room(apps[0], fake, cities=("lviv",))
        await add_staff(apps[0], fake, room, "Nata", languages=("en",))
        await member.command("/menu")
        await member.press("💬 Talk to a person")
        await member.press("🩺 Health")
        fake.advance_time(minutes=11)
        await asyncio.gather(*(app.handoff_jobs() for app in apps))
        assert sum(text.startswith("⏰") for text in room.queue_texts()) == 1

        # The leader dies without a word (no lease released); another takes over within the lease.
        index = apps.index(leader)
        dead_app, dead_runner, _url = workers[index]
        dead_app.scheduler.shutdown(wait=False)  # type: ignore[union-attr]
        await dead_runner.cleanup()
        survivors = [app for app in apps if app is not leader]
        started = asyncio.get_running_loop().time()
        while not any(app.leading for app in survivors):
            assert asyncio.get_running_loop().time() - started < LEASE_SECONDS + 3, "no worker took over"
            await asyncio.sleep(0.2)
        assert sum(app.leading for app in survivors) == 1

        # The survivors keep answering, and the next escalation is posted once.
        await member.command("/menu")
        fake.advance_time(minutes=10)
        await asyncio.gather(*(app.handoff_jobs() for app in survivors))
        assert sum(text.startswith("🚨") for text in room.queue_texts()) == 1
        await dead_app.bot.session.close()
        await dead_app.engine.dispose()
    finally:
        await proxy.cleanup()
        for app, runner, _url in workers:
            if app.scheduler is not None and app.scheduler.running:
                await runner.cleanup()
                await app.close()
        await fake.stop()
