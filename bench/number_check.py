"""Check a number: lookup latency with 100,000 alerts in the database.

    python bench/number_check.py [--alerts 100000] [--lookups 2000] [--postgres postgresql://postgres@127.0.0.1/test]

Fills the database with live alerts (each naming one or two phone numbers and sometimes a handle,
all as keyed hashes, as approvals leave them), then times what the bot does for every check a
member types: normalise with phonenumbers, hash, query and sum per city
(`identifiers.parse` + `alerts.check`). Half the lookups are numbers that were reported, typed
in another form than the report (`067-…`, `80…`), half are not. Target: p99 <= 5 ms.
PostgreSQL is measured too when --postgres or TEST_POSTGRES_URL is given.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.db.base import create_engine, create_sessionmaker
from bot.db.migrate import upgrade
from bot.db.models import Alert, ClientIdentifier
from bot.privacy import Privacy
from bot.services import alerts
from bot.services.identifiers import Identifier, Kind, parse

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
PRIVACY = Privacy("bench-privacy-key-" + "x" * 32)
CITIES = ("kyiv", "lviv", "odesa", "kharkiv", "dnipro", "moscow", "st-petersburg", "kazan")
CATEGORIES = ("violence", "robbery", "no_pay", "condom", "threats", "police", "assault", "other")
BATCH = 5000


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def phone(n: int) -> str:
    """A valid Ukrainian mobile number, distinct per n (067 xxx xx xx)."""
    return f"+38067{n % 10_000_000:07d}"


async def fill(url: str, count: int) -> tuple[object, list[int]]:
    engine = create_engine(url)
    await upgrade(engine)
    sessions = create_sessionmaker(engine)
    rng = random.Random(5)
    reported: list[int] = []
    async with sessions() as session:
        for start in range(0, count, BATCH):
            rows = []
            for n in range(start, min(count, start + BATCH)):
                rows.append(
                    {
                        "id": n + 1,
                        "organisation_id": None,
                        "city": CITIES[n % len(CITIES)],
                        "categories": ",".join(rng.sample(CATEGORIES, 2)),
                        "happened": "week",
                        "text": "Sanitised description of the client and what happened.",
                        "masked": "",
                        "report_count": 1 + n % 3,
                        "created_at": NOW - timedelta(days=n % 80),
                        "updated_at": NOW - timedelta(days=n % 80),
                        "expires_at": NOW + timedelta(days=10 + n % 80),
                    }
                )
            await session.execute(Alert.__table__.insert(), rows)
            identifiers = []
            for n in range(start, min(count, start + BATCH)):
                numbers = [2 * n] + ([2 * n + 1] if n % 2 else [])
                for number in numbers:
                    digest = Identifier(Kind.phone, phone(number)).hashed(PRIVACY)
                    identifiers.append({"alert_id": n + 1, "hash": digest, "kind": "phone"})
                reported.append(2 * n)
                if n % 5 == 0:
                    digest = Identifier(Kind.handle, f"client{n}").hashed(PRIVACY)
                    identifiers.append({"alert_id": n + 1, "hash": digest, "kind": "handle"})
            await session.execute(ClientIdentifier.__table__.insert(), identifiers)
            await session.commit()
    return engine, reported


def typed_forms(number: int, rng: random.Random) -> str:
    national = phone(number)[4:]  # 67xxxxxxx
    forms = [f"0{national[:2]}-{national[2:5]}-{national[5:7]}-{national[7:]}", f"80{national}", f"+380 {national}"]
    return rng.choice(forms)


async def measure(url: str, count: int, lookups: int) -> list[float]:
    engine, reported = await fill(url, count)
    sessions = create_sessionmaker(engine)  # type: ignore[arg-type]
    rng = random.Random(7)
    unreported = 2 * count + 10
    timings = []
    hits = 0
    async with sessions() as session:
        for i in range(lookups + 100):
            typed = typed_forms(rng.choice(reported) if i % 2 == 0 else unreported + i, rng)
            started = time.perf_counter()
            found = parse(typed, "UA")
            matches = await alerts.check(session, PRIVACY, found, NOW)
            elapsed = (time.perf_counter() - started) * 1000
            if i >= 100:  # the first hundred warm the connection and the caches
                timings.append(elapsed)
                hits += bool(matches)
    assert hits == lookups // 2, f"expected every reported number to be found ({hits} of {lookups // 2})"
    await engine.dispose()  # type: ignore[attr-defined]
    return timings


async def fresh_postgres(base: str) -> tuple[str, str]:
    name = f"umbrella_bench_{uuid.uuid4().hex[:10]}"
    dsn = base.replace("postgresql+asyncpg://", "postgresql://", 1)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    head = dsn.rsplit("/", 1)[0]
    return f"{head.replace('postgresql://', 'postgresql+asyncpg://', 1)}/{name}", name


async def drop_postgres(base: str, name: str) -> None:
    connection = await asyncpg.connect(base.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def main(count: int, lookups: int, postgres: str | None) -> None:
    print(f"check a number: {count:,} live alerts, {lookups} lookups (half reported numbers typed another way)")
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = await measure(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", count, lookups)
    print(f"  SQLite     : p50 {pct(sqlite, 50):6.2f} ms   p99 {pct(sqlite, 99):6.2f} ms   (target p99 <= 5 ms)")
    if postgres:
        url, name = await fresh_postgres(postgres)
        try:
            pg = await measure(url, count, lookups)
        finally:
            await drop_postgres(postgres, name)
        print(f"  PostgreSQL : p50 {pct(pg, 50):6.2f} ms   p99 {pct(pg, 99):6.2f} ms   (target p99 <= 5 ms)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--postgres", default=os.environ.get("TEST_POSTGRES_URL"))
    args = parser.parse_args()
    asyncio.run(main(args.alerts, args.lookups, args.postgres))
