"""Check a number: handles and plates match however they are typed, odd input gets a clear answer,
and lookups are rate-limited per member (in memory, and shared through Redis without ids)."""

from __future__ import annotations

from pathlib import Path

from redis.asyncio import Redis

from tests.e2e.conftest import Harness, start_harness, stop_harness
from tests.e2e.test_alerts import approved_alert
from tests.e2e.test_reports import member_in, open_safety

LIMIT_TEXT = "You have made many checks in a short time."


async def _alert_naming(harness: Harness, *identifiers: str) -> None:
    """An approved alert whose identifiers are `identifiers` (typed as a reporter would)."""
    from sqlalchemy import select

    from bot.db.models import Alert, ClientIdentifier
    from bot.services.identifiers import parse

    alert_id = await approved_alert(harness)
    async with harness.app.sessionmaker() as session:
        for typed in identifiers:
            found = parse(typed, "UA")[0]
            session.add(ClientIdentifier(alert_id=alert_id, hash=found.hashed(harness.app.privacy), kind=found.kind))
        assert await session.scalar(select(Alert.id)) == alert_id
        await session.commit()


async def checking(harness: Harness, language: str = "en"):
    member = await member_in(harness, language, "kyiv")
    await open_safety(harness, member, language)
    await member.press(harness.app.i18n.gettext("🔎 Check a number", locale=language))
    return member


async def test_handles_plates_and_emails_match_however_typed(harness: Harness, no_apologies) -> None:
    await _alert_naming(harness, "@Bad_Client", "АА 1234 ВВ", "Bad.Guy@Mail.com")
    member = await checking(harness)
    for typed in ("bad_client", "https://t.me/BAD_CLIENT", "aa1234bb", "AA-1234-BB", "bad.guy@mail.com"):
        await member.send(typed)
        assert member.last.text.startswith("⚠️ Reports found"), (typed, member.last.text)
        assert "1 report in Kyiv" in member.last.text and "posing as police, robbery" in member.last.text
    await member.send("<b>@someone_else</b>")
    assert "I could not read that" in member.last.text  # HTML is not an identifier, and is not echoed
    await member.send("@someone_else")
    assert member.last.text.startswith("🔎 No reports found for someone_else.")
    never = member.last.text.replace("does not mean this person is safe", "")
    assert "is safe" not in never and "safe to" not in never
    await member.send_sticker()
    assert member.last.text == "Please type the number as text."
    await member.send("x" * 5000)
    assert "I could not read that" in member.last.text
    no_apologies(member)


async def test_checks_are_rate_limited_per_member(tmp_path: Path) -> None:
    harness = await start_harness(tmp_path, number_check_limit=3)
    try:
        member = await checking(harness, "ru")
        for _ in range(3):
            await member.send("+380671234567")
            assert "+380671234567" in member.last.text
        await member.send("+380671234567")
        assert member.last.text.startswith("Вы сделали много проверок") and "3" in member.last.text
        await member.send("not a number at all")  # unreadable input costs nothing and says so
        assert "Не получилось распознать" in member.last.text
        other = await checking(harness, "en")  # another member has their own allowance
        await other.send("+380671234567")
        assert "No reports found" in other.last.text
    finally:
        await stop_harness(harness)


async def test_the_limit_is_shared_through_redis_and_keyed_by_hash(tmp_path: Path, redis_url: str) -> None:
    harness = await start_harness(tmp_path, redis_url=redis_url, number_check_limit=1)
    try:
        member = await checking(harness)
        await member.send("+380671234567")
        await member.send("+380671234567")
        assert member.last.text.startswith(LIMIT_TEXT)
        client = Redis.from_url(redis_url)
        keys = [key.decode() for key in await client.keys("umbrella:check:*")]
        await client.aclose()
        assert len(keys) == 1 and str(member.id) not in keys[0]
    finally:
        await stop_harness(harness)
