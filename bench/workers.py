"""Updates per second with 1, 2 and 3 webhook workers sharing PostgreSQL and Redis.

    python bench/workers.py --postgres postgresql://postgres@127.0.0.1:5432/test \\
        --redis redis://127.0.0.1:6379/14 [--updates 3000] [--members 30] [--workers 1,2,3]

Each worker is a bot process of its own (bench/bot_process.py) on one PostgreSQL database and one
Redis, as in the production compose file. The fake Bot API server posts each update to the next
worker in turn, as the load balancer would (no proxy hop in Python: nginx does that part in
production). Members press menu buttons concurrently; every configuration starts on a fresh
database. Figures printed per worker count: updates/s, the ratio to one worker, and p50/p99 of
the handling latency of each update under that load (post to webhook answer), plus the same one
update at a time. Everything runs on this machine: the workers, the fake, PostgreSQL and Redis
share its cores, so the figures are a floor for a deployment with a core per worker.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import itertools
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
from redis.asyncio import Redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.throughput import UMBRELLA_PATH, cpu_seconds, percentile
from bot.sandbox import FakeTelegram
from bot.sandbox.client import TelegramUser

SECRET = "bench-secret"


class BalancedTelegram(FakeTelegram):
    """The fake, with its webhook spread round-robin over the workers' addresses."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.targets: list[str] = []
        self._turn = itertools.count()

    async def _post_webhook(self, update: dict[str, Any]) -> bool:
        if self.targets and self.webhook is not None:
            self.webhook = dataclasses.replace(self.webhook, url=self.targets[next(self._turn) % len(self.targets)])
        return await super()._post_webhook(update)


async def start_worker(base_url: str, workdir: Path, database_url: str, redis_url: str) -> asyncio.subprocess.Process:
    env = os.environ | {"BENCH_DATABASE_URL": database_url, "BENCH_REDIS_URL": redis_url, "BENCH_NO_WEBHOOK": "1"}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(Path(__file__).with_name("bot_process.py")),
        "umbrella",
        base_url,
        str(workdir),
        stdout=asyncio.subprocess.PIPE,
        env=env,
    )


async def fresh_database(base: str) -> tuple[str, str]:
    name = f"umbrella_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(base)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    head = base.rpartition("/")[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return name, f"{head}/{name}"


async def drop_database(base: str, name: str) -> None:
    admin = await asyncpg.connect(base)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def run(workers: int, updates: int, concurrency: int, postgres: str, redis_url: str, workdir: Path) -> dict:
    name, database_url = await fresh_database(postgres)
    redis = Redis.from_url(redis_url)
    await redis.flushdb()
    processes: list[asyncio.subprocess.Process] = []
    try:
        async with BalancedTelegram() as fake:
            # The first worker migrates the fresh database; the others start once it has.
            for i in range(workers):
                process = await start_worker(fake.base_url, workdir / f"w{i}", database_url, redis_url)
                port = int(await asyncio.wait_for(process.stdout.readline(), 120))  # type: ignore[union-attr]
                processes.append(process)
                fake.targets.append(f"http://127.0.0.1:{port}/hook")
            setter = fake.bot()
            await setter.set_webhook(fake.targets[0], secret_token=SECRET)
            await setter.session.close()

            members = [fake.user(f"m{i}", language_code=("uk", "ru", "en")[i % 3]) for i in range(concurrency)]
            for member in members:
                await member.command("/start")
                await member.press_data(f"lang:{member.language_code}:city")
                await member.press_data("city:kyiv:home")

            async def press(member: TelegramUser, data: str) -> float:
                t0 = time.perf_counter()
                await member.press_data(data, member.last.message_id)  # type: ignore[union-attr]
                return (time.perf_counter() - t0) * 1000

            per_member = updates // concurrency
            loaded: list[float] = []

            async def walk(member: TelegramUser) -> None:
                for i in range(per_member):
                    loaded.append(await press(member, UMBRELLA_PATH[i % len(UMBRELLA_PATH)]))

            # A short warm-up, so each worker's pools and caches are filled before the clock starts.
            await asyncio.gather(*(press(m, "nav:home") for m in members))
            started = time.perf_counter()
            workers_cpu, own_cpu = sum(cpu_seconds(p.pid) for p in processes), time.process_time()
            await asyncio.gather(*(walk(m) for m in members))
            rate = per_member * concurrency / (time.perf_counter() - started)
            handled = per_member * concurrency
            worker_ms = (sum(cpu_seconds(p.pid) for p in processes) - workers_cpu) * 1000 / handled
            fake_ms = (time.process_time() - own_cpu) * 1000 / handled
            alone = [await press(members[0], UMBRELLA_PATH[i % len(UMBRELLA_PATH)]) for i in range(500)]
            failures = len(fake.webhook_failures)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            await process.wait()
        await redis.flushdb()
        await redis.aclose()
        await drop_database(postgres, name)
    return {
        "rate": rate,
        "p50": percentile(loaded, 50),
        "p99": percentile(loaded, 99),
        "alone_p99": percentile(alone, 99),
        "failures": failures,
        "worker_ms": worker_ms,
        "fake_ms": fake_ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default=os.environ.get("TEST_POSTGRES_URL"), required=False)
    parser.add_argument("--redis", default=os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/14")
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--members", type=int, default=30)
    parser.add_argument("--workers", default="1,2,3")
    args = parser.parse_args()
    if not args.postgres:
        parser.error("--postgres (or TEST_POSTGRES_URL) is needed")
    counts = [int(n) for n in args.workers.split(",")]
    results: dict[int, dict] = {}
    with tempfile.TemporaryDirectory() as workdir:
        for n in counts:
            job = run(n, args.updates, args.members, args.postgres, args.redis, Path(workdir) / str(n))
            results[n] = asyncio.run(job)
    print(
        f"{args.updates} button presses by {args.members} members at once; PostgreSQL + Redis; "
        f"fake Bot API on loopback; {os.cpu_count()} cores shared by everything"
    )
    base = results[counts[0]]["rate"]
    for n, r in results.items():
        print(
            f"{n} worker{'s' if n > 1 else ' '}: {r['rate']:7.0f} updates/s   ratio {r['rate'] / base:4.2f}   "
            f"under load p50 {r['p50']:6.2f} ms  p99 {r['p99']:6.2f} ms   one at a time p99 {r['alone_p99']:5.2f} ms"
            f"   webhook failures {r['failures']}"
        )
        print(
            f"          CPU per update: workers {r['worker_ms']:.2f} ms, "
            f"fake Telegram and members (this process) {r['fake_ms']:.2f} ms"
        )
    if 1 in results and 2 in results:
        print(f"2 workers / 1 worker: {results[2]['rate'] / results[1]['rate']:.2f}   (target >= 1.6 on 2 cores)")
    worst = max(r["alone_p99"] for r in results.values())
    print(f"p99 one update at a time, worst configuration: {worst:.2f} ms   (target <= 30 ms)")


if __name__ == "__main__":
    main()
