"""One bot under benchmark, in its own process: `bot_process.py bare|umbrella BASE_URL WORKDIR`.

Prints the webhook port on stdout once the webhook is set, then serves until terminated.
`BENCH_DATABASE_URL` and `BENCH_REDIS_URL` put Umbrella on PostgreSQL and Redis (several workers);
`BENCH_NO_WEBHOOK=1` leaves setting the webhook to the caller (a load balancer in front of workers).
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

from aiogram import Bot, Dispatcher, F
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.sandbox.server import DEFAULT_TOKEN
from bot.sandbox.session import loopback_session

SECRET = "bench-secret"


def bare_dispatcher() -> Dispatcher:
    """The least a menu bot does: answer a press by editing the screen."""
    dp = Dispatcher()
    buttons = [InlineKeyboardButton(text="A", callback_data="a"), InlineKeyboardButton(text="B", callback_data="b")]
    markup = InlineKeyboardMarkup(inline_keyboard=[buttons])

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?", reply_markup=markup)

    @dp.callback_query(F.data)
    async def edit(query: CallbackQuery) -> None:
        await query.message.edit_text(f"screen {query.data} {time.perf_counter_ns()}", reply_markup=markup)  # type: ignore[union-attr]
        await query.answer()

    return dp


async def main(kind: str, base_url: str, workdir: Path) -> None:
    if kind == "bare":
        bot = Bot(DEFAULT_TOKEN, session=loopback_session(base_url))
        app = web.Application()
        SimpleRequestHandler(bare_dispatcher(), bot, secret_token=SECRET, handle_in_background=False).register(
            app, path="/hook"
        )
    else:
        # Imported here, so the bare bot's memory figure carries none of Umbrella's modules.
        from bot.app import create_app, webhook_application
        from bot.settings import Settings

        settings = Settings(
            _env_file=None,
            telegram_api_url=base_url,
            data_dir=workdir,
            privacy_key="bench-privacy-key-" + "x" * 32,
            webhook_secret=SECRET,
            webhook_path="/hook",
            throttle_limit=1_000_000,  # a benchmark is a flood by design
            database_url=os.environ.get("BENCH_DATABASE_URL") or None,
            redis_url=os.environ.get("BENCH_REDIS_URL") or None,
        )
        umbrella = await create_app(settings, token=DEFAULT_TOKEN)
        bot, app = umbrella.bot, webhook_application(umbrella)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    if not os.environ.get("BENCH_NO_WEBHOOK"):
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token=SECRET)
    elif kind != "bare":
        await umbrella.start_background()  # as `umbrella run` does: the lease, the timed jobs
    print(port, flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    if os.environ.get("BENCH_PROFILE"):  # profile the bot process: BENCH_PROFILE=out.prof
        import cProfile
        import signal

        profiler = cProfile.Profile()
        signal.signal(signal.SIGTERM, lambda *_: (profiler.dump_stats(os.environ["BENCH_PROFILE"]), os._exit(0)))
        profiler.enable()
    Path(sys.argv[3]).mkdir(parents=True, exist_ok=True)
    asyncio.run(main(sys.argv[1], sys.argv[2], Path(sys.argv[3])))
