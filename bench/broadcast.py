"""Broadcast pacing against the fake Telegram: achieved rate, 429s, and memory against audience size.

    python bench/broadcast.py [--recipients 100000] [--small 10000] [--factor 15] [--real 500]

The delivery engine (bot/delivery/engine.py) runs in a process of its own, as in production, with
its SQLite database; the fake Bot API server runs in this process with its flood model switched on
(bot/sandbox/faults.py: a sliding one-second window overall, a token bucket per private chat, 429
with retry_after). Figures printed:

- achieved rate over the whole delivery (first to last message, as the fake saw them) as a ratio
  of the engine's configured rate (target >= 0.95), and the 429s the fake answered (target 0);
- peak resident memory (VmHWM) of the engine process for the small and the large audience
  (target: at most 10 MB more for ten times the recipients);
- a short stretch at Telegram's real limits (25 messages/s configured, 30/s enforced).

To finish in minutes on two cores, the large runs scale the engine's rate (25/s) and the fake's
global limit (30/s) by the same `--factor`; the output says so. The per-chat limit (1/s) is not
scaled: every recipient gets one message, so it binds only across jobs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select

from bot.db.base import create_engine, create_sessionmaker
from bot.db.migrate import upgrade
from bot.db.models import DeliveryJob, Member
from bot.privacy import Privacy
from bot.sandbox import FakeTelegram
from bot.sandbox.faults import RateLimits
from bot.sandbox.server import ApiCall
from bot.services import delivery

KEY = "bench-broadcast-key-" + "b" * 32
TOKEN = "123456789:BENCH-broadcast"
REAL_RATE = 25.0  # the engine's default (BROADCAST_RATE)
REAL_LIMIT = 30  # Telegram's bulk limit, as the fake enforces it
TEXT = "<b>Clinic day</b> on Friday: free and anonymous testing, 10:00-18:00."


# --- the engine process ---------------------------------------------------------------------------


def vm(field: str) -> int:
    """A memory figure of this process from /proc, in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


async def engine_process(database_url: str, api_url: str, rate: float) -> None:
    """Send the one pending job and print figures as JSON (run by the benchmark as a child)."""
    from bot.app import create_bot
    from bot.delivery.engine import DeliveryEngine, Outgoing, Recipient
    from bot.settings import Settings

    bot = create_bot(Settings(_env_file=None, telegram_api_url=api_url), TOKEN)
    engine = create_engine(database_url)
    sessionmaker = create_sessionmaker(engine)
    sender = DeliveryEngine(bot, sessionmaker, Privacy(KEY), rate=rate)

    async def render(_session: object, _ref: int, to: Recipient) -> Outgoing:
        return Outgoing(text=TEXT)

    sender.register("bench", render)
    baseline = vm("VmRSS")
    cpu = time.process_time()
    started = time.perf_counter()
    await sender.poll()
    await sender.drain()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    async with sessionmaker() as session:
        job_id = await session.scalar(select(DeliveryJob.id))
        figures = await delivery.counts(session, int(job_id or 0))
    await bot.session.close()
    await engine.dispose()
    print(
        json.dumps(
            {
                "sent": figures.sent,
                "failed": figures.failed,
                "elapsed": elapsed,
                "rss_before": baseline,
                "hwm": vm("VmHWM"),
                "cpu": cpu,
            }
        )
    )


# --- the benchmark -----------------------------------------------------------------------------------


async def prepare(fake: FakeTelegram, directory: Path, recipients: int) -> str:
    """A fresh database with `recipients` members in Kyiv and one pending job for all of them."""
    database_url = f"sqlite+aiosqlite:///{directory / f'bench-{recipients}.db'}"
    engine = create_engine(database_url)
    await upgrade(engine)
    privacy = Privacy(KEY)
    today = datetime.now(UTC).date()
    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker() as session:
        rows = []
        for n in range(recipients):
            user = fake.user(language_code="uk")
            rows.append(
                {
                    "user_hash": privacy.member_hash(user.id),
                    "chat_id_enc": privacy.encrypt_chat_id(user.chat_id),
                    "language": ("uk", "ru", "en")[n % 3],
                    "language_confirmed": True,
                    "city": "kyiv",
                    "active": True,
                    "first_seen": today,
                    "last_seen": today,
                }
            )
            if len(rows) == 5000:
                await session.execute(insert(Member), rows)
                rows = []
        if rows:
            await session.execute(insert(Member), rows)
        audience = select(Member.id).where(Member.city == "kyiv")
        await delivery.create_job(session, "bench", 1, audience, now=datetime.now(UTC))
        await session.commit()
    await engine.dispose()
    return database_url


async def run(fake: FakeTelegram, directory: Path, recipients: int, rate: float, limit: int) -> dict[str, float]:
    """One delivery of `recipients` messages at `rate`, the fake enforcing `limit` messages a second."""
    database_url = await prepare(fake, directory, recipients)
    fake.rate_limits = RateLimits(per_second=limit)
    fake.stats.rate_limited = 0
    seen = {"n": 0, "first": 0.0, "last": 0.0}

    def count(call: ApiCall) -> None:
        if call.method == "sendMessage" and call.ok:
            moment = time.perf_counter()
            seen["first"] = seen["first"] or moment
            seen["last"] = moment
            seen["n"] += 1
            if seen["n"] % 5000 == 0:
                fake.calls.clear()  # the call log is for tests; here it would only grow

    fake.listeners[:] = [count]
    fake_cpu = time.process_time()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--engine",
        database_url,
        fake.base_url or "",
        str(rate),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate()
    fake_cpu = time.process_time() - fake_cpu
    figures = json.loads(out.decode().strip().splitlines()[-1])
    achieved = (seen["n"] - 1) / (seen["last"] - seen["first"]) if seen["n"] > 1 else 0.0
    fake.calls.clear()
    return {
        "recipients": recipients,
        "sent": figures["sent"],
        "failed": figures["failed"],
        "achieved": achieved,
        "ratio": achieved / rate,
        "rate_limited": fake.stats.rate_limited,
        "hwm_mb": figures["hwm"] / 1024,
        "seconds": figures["elapsed"],
        "engine_cpu": figures["cpu"] / figures["elapsed"],
        "fake_cpu": fake_cpu / figures["elapsed"],
    }


def line(label: str, result: dict[str, float], rate: float, limit: int) -> str:
    return (
        f"{label}: {int(result['sent'])}/{int(result['recipients'])} sent in {result['seconds']:.1f} s; "
        f"achieved {result['achieved']:.1f} msg/s of {rate:.0f} configured = {result['ratio']:.3f} "
        f"(target >= 0.95); 429s from the fake (limit {limit}/s): {int(result['rate_limited'])}; "
        f"engine peak memory {result['hwm_mb']:.1f} MB; CPU busy: engine {result['engine_cpu']:.0%}, "
        f"fake {result['fake_cpu']:.0%}"
    )


async def main(args: argparse.Namespace) -> None:
    rate, limit = REAL_RATE * args.factor, int(REAL_LIMIT * args.factor)
    print(
        f"Scaled runs: the engine's rate {REAL_RATE:.0f}/s and the fake's limit {REAL_LIMIT}/s are both "
        f"multiplied by {args.factor} ({rate:.0f}/s configured, {limit}/s enforced); per-chat limit 1/s unscaled."
    )
    with tempfile.TemporaryDirectory(prefix="umbrella-bench-") as tmp:
        directory = Path(tmp)
        async with FakeTelegram(token=TOKEN) as fake:
            real = await run(fake, directory, args.real, REAL_RATE, REAL_LIMIT)
            print(line("Real limits", real, REAL_RATE, REAL_LIMIT), flush=True)
            small = await run(fake, directory, args.small, rate, limit)
            print(line(f"{args.small:,} recipients", small, rate, limit), flush=True)
            large = await run(fake, directory, args.recipients, rate, limit)
            print(line(f"{args.recipients:,} recipients", large, rate, limit), flush=True)
    growth = large["hwm_mb"] - small["hwm_mb"]
    print(
        f"Peak memory of the engine process: {small['hwm_mb']:.1f} MB at {args.small:,} recipients, "
        f"{large['hwm_mb']:.1f} MB at {args.recipients:,}: {growth:+.1f} MB (target <= +10 MB)"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--engine":
        asyncio.run(engine_process(sys.argv[2], sys.argv[3], float(sys.argv[4])))
        raise SystemExit(0)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--factor", type=float, default=15)
    parser.add_argument("--real", type=int, default=500, help="recipients of the run at Telegram's real limits")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    asyncio.run(main(parser.parse_args()))
