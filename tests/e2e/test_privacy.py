"""Privacy invariants after a realistic session with several members, on SQLite and PostgreSQL
(and with Redis): no Telegram id, username or first name in the database, in Redis or in the logs."""

from __future__ import annotations

from pathlib import Path

from redis.asyncio import Redis
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text

from tests.e2e.conftest import Harness, restart, start_harness, stop_harness

PEOPLE = [
    ("Oksana", "oksana_night", "uk"),
    ("Marina", "marina_spb", "ru"),
    ("Alex", "alex_trans", "en"),
]


async def session_with_several_members(harness: Harness) -> list:
    members = []
    for first_name, username, language in PEOPLE:
        member = harness.member(language_code=language, first_name=first_name, username=username)
        await member.command("/start")
        await member.press({"uk": "🇺🇦 Українська", "ru": "🇷🇺 Русский", "en": "🇬🇧 English"}[language])
        await member.send({"uk": "Київ", "ru": "Москва", "en": "Kyiv"}[language])
        await member.send(f"my name is {first_name}, call me on 0671234567")  # free text is never stored
        await member.command("/urgent")
        await member.press_data("urg:condom-broke")
        await member.command("/settings")
        await member.send_sticker()
        members.append(member)
    await members[0].press_data("set:forget_yes")
    return members


def identifiers(members) -> list[str]:
    found = []
    for member in members:
        found += [str(member.id), member.first_name, member.username]
    return [*found, "0671234567"]


async def dump_database(harness: Harness) -> str:
    parts = []
    async with harness.app.engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: sa_inspect(sync).get_table_names())
        for table in tables:
            rows = (await connection.execute(text(f'select * from "{table}"'))).all()
            parts.append(f"{table}: {rows!r}")
    return "\n".join(parts)


async def test_no_identifier_in_database_or_logs(tmp_path: Path, database_url: str) -> None:
    harness = await start_harness(tmp_path, database_url=database_url)
    try:
        members = await session_with_several_members(harness)
        database = await dump_database(harness)
        logs = harness.logs.getvalue()
        assert "members" in database and "Update id=" in logs  # the dump and the capture are real
        for value in identifiers(members):
            assert value not in database, f"{value!r} found in the database"
            assert value not in logs, f"{value!r} found in the logs"
        if database_url.startswith("sqlite"):  # the file itself, including pages SQLite has not reused yet
            raw = (tmp_path / "umbrella.db").read_bytes() + _wal(tmp_path)
            for value in identifiers(members):
                assert value.encode() not in raw
    finally:
        await stop_harness(harness)


def _wal(tmp_path: Path) -> bytes:
    wal = tmp_path / "umbrella.db-wal"
    return wal.read_bytes() if wal.exists() else b""


async def test_no_identifier_in_redis(tmp_path: Path, redis_url: str) -> None:
    harness = await start_harness(tmp_path, redis_url=redis_url)
    try:
        members = await session_with_several_members(harness)
        # Someone in the middle of choosing a city: state is in Redis now.
        waiting = harness.member(language_code="en", first_name="Dana", username="dana_k")
        await waiting.command("/settings")
        await waiting.press("📍 City")
        members.append(waiting)
        redis = Redis.from_url(redis_url)
        keys = [k.decode() for k in await redis.keys("*")]
        values = [repr(await redis.dump(k)) for k in keys]
        await redis.aclose()
        assert any("fsm" in k for k in keys)
        for value in identifiers(members):
            assert all(value not in k for k in keys), f"{value!r} in a Redis key"
            assert all(value not in v for v in values), f"{value!r} in a Redis value"
        # And the half-finished choice survives a restart of the bot.
        await restart(harness)
        await waiting.send("Lviv")
        assert "City: Lviv" in waiting.last.text
    finally:
        await stop_harness(harness)


async def test_logs_redact_long_numbers() -> None:
    from bot.logs import redact

    assert redact("user 500000001 said") == "user <redacted> said"
    assert redact("update 42 handled") == "update 42 handled"
