"""Throughput and latency of the whole stack against a bare aiogram bot, on the same fake server.

    python bench/throughput.py [--updates 3000] [--members 20]

Both bots run in webhook mode (updates handled before the HTTP answer) in a process of their
own (bench/bot_process.py), as in production; the fake Bot API server and the members pressing
buttons run in this one. The bare bot answers each button press by editing the
screen, the least any menu bot does; Umbrella does the real work: member lookup by keyed hash in
SQLite, language, flood control, message-id bookkeeping, rendering. Figures printed:

- updates/s with `--members` members pressing buttons concurrently, and the ratio to the bare bot;
- p50/p99 handling latency of menu navigation, one update at a time (push to webhook answer);
- peak resident memory (VmHWM) of the bot process.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.sandbox import FakeTelegram
from bot.sandbox.client import TelegramUser

SECRET = "bench-secret"
# Menu navigation: main menu -> section -> main menu, the most common path.
UMBRELLA_PATH = ["nav:rights", "nav:home", "nav:health", "nav:home", "nav:safety", "nav:home", "nav:urgent"]
BARE_PATH = ["a", "b"]


async def measure(
    members: list[TelegramUser], path: list[str], updates: int, press: Callable[[TelegramUser, str], Awaitable[object]]
) -> tuple[float, list[float]]:
    """Concurrent rate over all members, then sequential latencies with the first member."""
    per_member = updates // len(members)

    async def walk(member: TelegramUser) -> None:
        for i in range(per_member):
            await press(member, path[i % len(path)])

    started = time.perf_counter()
    await asyncio.gather(*(walk(m) for m in members))
    rate = per_member * len(members) / (time.perf_counter() - started)
    latencies = []
    for i in range(min(updates, 1000)):
        t0 = time.perf_counter()
        await press(members[0], path[i % len(path)])
        latencies.append((time.perf_counter() - t0) * 1000)
    return rate, latencies


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


async def start_bot(kind: str, base_url: str, workdir: Path) -> tuple[asyncio.subprocess.Process, int]:
    """The bot under test runs in its own process, as in production; it prints its webhook port."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(Path(__file__).with_name("bot_process.py")),
        kind,
        base_url,
        str(workdir),
        stdout=asyncio.subprocess.PIPE,
    )
    line = await asyncio.wait_for(process.stdout.readline(), 60)  # type: ignore[union-attr]
    return process, int(line)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the most resident memory the process ever had."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def run(kind: str, updates: int, concurrency: int, workdir: Path) -> tuple[float, list[float], float, float]:
    async with FakeTelegram() as fake:
        process, _port = await start_bot(kind, fake.base_url, workdir)
        try:
            members = [fake.user(f"m{i}", language_code=("uk", "ru", "en")[i % 3]) for i in range(concurrency)]
            for member in members:
                if kind == "bare":
                    await member.send("hi")
                else:
                    await member.command("/start")
                    await member.press_data(f"lang:{member.language_code}:city")
                    await member.press_data("city:kyiv:home")

            async def press(member: TelegramUser, data: str) -> object:
                return await member.press_data(data, member.last.message_id)  # type: ignore[union-attr]

            path = BARE_PATH if kind == "bare" else UMBRELLA_PATH
            cpu_before = cpu_seconds(process.pid)
            rate, latencies = await measure(members, path, updates, press)
            cpu_ms = (cpu_seconds(process.pid) - cpu_before) * 1000 / (updates + min(updates, 1000))
            return rate, latencies, peak_rss_mb(process.pid), cpu_ms
        finally:
            process.terminate()
            await process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--members", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        bare_rate, bare_lat, bare_mb, bare_cpu = asyncio.run(
            run("bare", args.updates, args.members, Path(workdir) / "bare")
        )
        rate, lat, peak_mb, cpu = asyncio.run(run("umbrella", args.updates, args.members, Path(workdir) / "umbrella"))
    print(f"updates: {args.updates} button presses, {args.members} members at once; SQLite; fake Bot API on loopback")
    for name, r, latencies in (("bare aiogram bot", bare_rate, bare_lat), ("umbrella", rate, lat)):
        p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
        print(f"{name:17}: {r:8.0f} updates/s   p50 {p50:5.2f} ms   p99 {p99:5.2f} ms")
    print(f"bot CPU per update: umbrella {cpu:.2f} ms, bare {bare_cpu:.2f} ms")
    print(f"ratio umbrella / bare: {rate / bare_rate:.2f}   (target >= 0.50)")
    print(f"menu navigation p99: {percentile(lat, 99):.2f} ms   (target <= 20 ms)")
    print(
        f"peak resident memory of the bot process: {peak_mb:.0f} MB (bare bot: {bare_mb:.0f} MB)   (target <= 150 MB)"
    )


if __name__ == "__main__":
    main()
