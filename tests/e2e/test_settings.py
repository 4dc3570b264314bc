"""Settings: language, city, clear chat (within Telegram's 48 hours) and forget me."""

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, text

from bot.db.models import ChatMessage, Member
from tests.e2e.conftest import Harness, labels, start_harness, stop_harness


async def test_language_change_is_kept_in_the_database(harness: Harness) -> None:
    member = await harness.started("en")
    await member.command("/settings")
    await member.press("🌐 Language")
    await member.press("🇷🇺 Русский")
    assert "Язык: 🇷🇺 Русский" in member.last.text
    await member.command("/menu")
    assert "⚙️ Настройки" in labels(member.last)
    async with harness.app.sessionmaker() as session:
        assert await session.scalar(select(Member.language)) == "ru"


async def test_city_change(harness: Harness) -> None:
    member = await harness.started("uk")
    await member.command("/settings")
    await member.press("📍 Місто")
    await member.press("📍 Львів")
    assert "Місто: Львів" in member.last.text
    await member.press("📍 Місто")
    await member.press("🚫 Без міста")
    assert "Місто: не вибрано" in member.last.text


async def test_clear_chat_deletes_both_sides_and_says_what_it_could_not(harness: Harness) -> None:
    member = await harness.started("en")
    await member.send("an old message of mine")
    harness.fake.advance_time(hours=49)  # these are now beyond Telegram's 48 hours
    await member.command("/menu")
    await member.press("🛡 Safety")
    await member.send("something I typed")
    await member.command("/settings")
    await member.press("🧹 Clear chat")
    await member.press("✅ Yes, clear the chat")
    remaining = member.messages
    report = member.last.text
    # What was older than 48 hours stays; everything newer is gone, except the report itself.
    recent = [m for m in remaining if m.date >= harness.fake.now_datetime().replace(microsecond=0) - _hours(47)]
    assert [m.text for m in recent] == [report]
    assert "messages deleted" in report
    assert "older than 48 hours" in report
    assert any(m.text == "an old message of mine" for m in remaining)


def _hours(n: int) -> timedelta:
    return timedelta(hours=n)


async def test_forget_me_leaves_no_row_about_the_member(tmp_path: Path, database_url: str) -> None:
    """On SQLite and PostgreSQL."""
    harness = await start_harness(tmp_path, database_url=database_url)
    try:
        await _forget_scenario(harness)
    finally:
        await stop_harness(harness)


async def _forget_scenario(harness: Harness) -> None:
    other = await harness.started("ru", first_name="Other")
    member = await harness.started("uk", first_name="Olena", username="olena_k")
    await member.command("/settings")
    await member.press("🗑 Забути мене")
    await member.press("🧹 Очистити чат і забути мене")
    assert "Бот видалив усе, що зберігав про вас" in member.last.text
    assert len(member.messages) == 1  # only the goodbye: the chat was cleared first
    async with harness.app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Member)) == 1
        remaining = (await session.execute(select(Member.user_hash))).scalars().all()
        assert remaining == [harness.app.privacy.member_hash(other.id)]
        orphans = await session.scalar(
            select(func.count()).select_from(ChatMessage).where(ChatMessage.member_id.not_in(select(Member.id)))
        )
        assert orphans == 0
        # No table holds anything derived from the forgotten member.
        gone = harness.app.privacy.member_hash(member.id)
        for table in ("members", "chat_messages"):
            rows = (await session.execute(text(f"select * from {table}"))).all()
            assert gone not in repr(rows)
    state = await harness.app.dispatcher.fsm.get_context(harness.app.bot, member.id, member.id).get_state()
    assert state is None


async def test_only_forget_me_keeps_the_chat(harness: Harness) -> None:
    member = await harness.started("en")
    await member.command("/settings")
    await member.press("🗑 Forget me")
    await member.press("🗑 Only forget me")
    assert "erased everything" in member.last.text
    assert len(member.messages) > 3
    async with harness.app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Member)) == 0
    await member.command("/start")  # writing again starts fresh
    assert "Choose your language" in member.last.text
