"""Bad input gets a clear answer and nothing is lost: unknown commands, stickers, forged buttons,
floods, 429 and 5xx from Telegram, a member who blocked the bot, repeated updates, a restart."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiogram.types import Update
from sqlalchemy import select

from bot.db.models import Member
from tests.e2e.conftest import Harness, labels, restart, start_harness, stop_harness


async def test_unknown_command_is_answered_and_escaped(harness: Harness, no_apologies) -> None:
    member = await harness.started("en")
    await member.send("/<b>drop")
    assert "I don't know the command /<b>drop" in member.last.text
    assert len(labels(member.last)) == 6
    no_apologies(member)


async def test_sticker_and_photo_get_a_clear_answer(harness: Harness, no_apologies) -> None:
    member = await harness.started("ru")
    await member.send_sticker()
    assert "Я понимаю только текст и нажатия кнопок" in member.last.text
    await member.send_photo()
    assert len(labels(member.last)) == 6
    no_apologies(member)


async def test_free_text_and_overlong_text(harness: Harness, no_apologies) -> None:
    member = await harness.started("en")
    await member.send("help " * 900)  # 4500 characters, over a message's limit
    assert "please use the buttons" in member.last.text
    await member.send("<script>alert(1)</script> & co")
    assert "please use the buttons" in member.last.text
    no_apologies(member)


@pytest.mark.parametrize(
    "data",
    [
        "nav:nowhere",  # an unknown screen
        "art:no-such-article:0",  # an article that does not exist
        "art:police-stops:notanumber",  # a malformed field
        "cv:no-such-clinic:pep",
        "cl:pep:atlantis",
        "venue:no-such-clinic",
        "set:drop_tables",
        "lang:xx:city",
        "city:atlantis:home",
        "rc:ZZ",
        "need:../../etc",
        "urg:everything",
        "totally-unknown",
        "x" * 64,
    ],
)
async def test_forged_or_stale_callback_data_gets_a_clear_answer(harness: Harness, data: str, no_apologies) -> None:
    member = await harness.started("en")
    answer = await member.press_data(data)
    assert answer is not None and answer.text, f"{data!r} got no visible answer"
    no_apologies(member)
    assert "failed" not in harness.logs.getvalue()


async def test_a_button_on_a_deleted_message_still_works(harness: Harness, no_apologies) -> None:
    member = await harness.started("en")
    await member.command("/menu")
    menu_id = member.last.message_id
    await harness.app.bot.delete_message(member.chat_id, menu_id)
    await member.press_data("nav:safety", menu_id)
    assert member.last.text.startswith("🛡 Safety")
    no_apologies(member)


async def test_flood_is_answered_once_then_ignored(tmp_path: Path) -> None:
    harness = await start_harness(tmp_path, throttle_limit=5, throttle_window=60)
    try:
        member = harness.member(language_code="en")
        for _ in range(12):
            await member.send("hello")
        answers = member.texts()
        assert len(answers) == 6  # five answers, one warning, then silence
        assert answers[-1].startswith("You are sending messages very fast")
        # Everything the member sent is still known for "clear chat".
        async with harness.app.sessionmaker() as session:
            member_row = await session.scalar(select(Member))
            from bot.services.members import chat_history

            history = await chat_history(session, member_row.id, harness.fake.now_datetime())
        assert len(history.deletable) == 12 + 6
    finally:
        await stop_harness(harness)


async def test_telegram_429_is_waited_out(harness: Harness) -> None:
    member = await harness.started("en")
    harness.fake.flood(1, retry_after=1, method="editMessageText")
    await member.command("/menu")
    await member.press("🛡 Safety")
    assert member.last.text.startswith("🛡 Safety")
    assert "429 on EditMessageText" in harness.logs.getvalue()


async def test_telegram_5xx_is_retried(harness: Harness) -> None:
    member = await harness.started("en")
    harness.fake.server_error(2, method="sendMessage")
    await member.command("/menu")
    assert len(labels(member.last)) == 6


async def test_member_who_blocked_the_bot_is_marked_inactive(harness: Harness) -> None:
    member = await harness.started("en")
    await member.block()  # Telegram sends my_chat_member "kicked"
    async with harness.app.sessionmaker() as session:
        assert (await session.scalar(select(Member.active))) is False
    await member.unblock()
    await member.command("/menu")  # writing again makes them active
    async with harness.app.sessionmaker() as session:
        assert (await session.scalar(select(Member.active))) is True


async def test_a_send_refused_with_403_marks_the_member_inactive(harness: Harness) -> None:
    """The member blocked the bot while their last message was on its way: the answer gets 403."""
    member = await harness.started("en")
    await member.command("/menu")
    update = dict(harness.fake.updates[-1], update_id=10_000)
    await harness.fake.block(member, notify=False)  # (the fake unblocks anyone who writes, so feed directly)
    bot = harness.app.bot
    await harness.app.dispatcher.feed_update(bot, Update.model_validate(update, context={"bot": bot}))
    async with harness.app.sessionmaker() as session:
        assert (await session.scalar(select(Member.active))) is False
    assert "marked inactive" in harness.logs.getvalue()


async def test_a_repeated_update_is_handled_once(harness: Harness) -> None:
    member = await harness.started("en")
    await member.command("/menu")
    count = len(member.bot_messages)
    update_id = harness.fake.updates[-1]["update_id"]
    await harness.fake.redeliver(update_id)
    assert len(member.bot_messages) == count


async def test_restart_in_the_middle_of_a_conversation(harness: Harness, no_apologies) -> None:
    member = await harness.started("uk")
    await member.command("/menu")
    old_menu = member.last.message_id
    await restart(harness)
    # Buttons carry everything they need: one pressed before the restart still works after it.
    await member.press_data("nav:safety", old_menu)
    assert member.last.text.startswith("🛡 Безпека")
    # The language lives in the database, not in memory.
    await member.command("/menu")
    assert "⚙️ Налаштування" in labels(member.last)
    no_apologies(member)


async def test_webhook_refuses_requests_without_telegrams_secret(harness: Harness) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as http:
        async with http.post(harness.webhook_url, json={"update_id": 1}) as response:
            assert response.status == 401
        headers = {"X-Telegram-Bot-Api-Secret-Token": "wrong"}
        async with http.post(harness.webhook_url, json={"update_id": 1}, headers=headers) as response:
            assert response.status == 401
