"""Injected failures reach the bot as the aiogram exceptions production would raise."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramForbiddenError, TelegramRetryAfter, TelegramServerError

from bot.sandbox import FakeTelegram, RateLimits

from .menu_bot import Seen


async def test_blocked_bot_gets_403_and_a_my_chat_member_update(
    fake: FakeTelegram, bot: Bot, polling: object, seen: Seen
) -> None:
    member = fake.user()
    await member.send("hi")

    await member.block()

    assert seen.blocked_by == [member.id]
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(member.chat_id, "still there?")
    with pytest.raises(TelegramForbiddenError):
        await bot.send_chat_action(member.chat_id, "typing")

    await member.send("I'm back")  # writing again unblocks, as in Telegram
    assert member.texts() == ["hi", "I'm back"]
    assert [u["my_chat_member"]["new_chat_member"]["status"] for u in fake.updates if "my_chat_member" in u] == [
        "kicked",
        "member",
    ]


async def test_flood_injection_raises_retry_after(fake: FakeTelegram, bot: Bot) -> None:
    member, other = fake.user(), fake.user()
    fake.flood(2, retry_after=3, method="sendMessage", chat_id=member)

    for _ in range(2):
        with pytest.raises(TelegramRetryAfter) as raised:
            await bot.send_message(member.chat_id, "hello")
        assert raised.value.retry_after == 3
        assert fake.calls[-1].description == "Too Many Requests: retry after 3"
    await bot.send_message(other.chat_id, "other chats are not affected")
    await bot.send_message(member.chat_id, "third time lucky")
    assert fake.stats.error_codes[429] == 2
    assert member.texts() == ["third time lucky"]


async def test_faults_without_a_method_spare_connection_calls(fake: FakeTelegram, bot: Bot) -> None:
    fake.flood(1)
    await bot.get_me()
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(fake.user().chat_id, "hello")


@pytest.mark.parametrize(("status", "description"), [(500, "Internal Server Error"), (502, "Bad Gateway")])
async def test_server_errors(fake: FakeTelegram, bot: Bot, status: int, description: str) -> None:
    member = fake.user()
    fake.server_error(1, status=status)
    with pytest.raises(TelegramServerError, match=description):
        await bot.send_message(member.chat_id, "hello")
    await bot.send_message(member.chat_id, "hello")
    assert fake.calls[-2].error_code == status


async def test_rate_limits_model_telegram(fake: FakeTelegram, bot: Bot) -> None:
    fake.rate_limits = RateLimits(private_burst=3, per_group_per_minute=2)
    member, other = fake.user(), fake.user()
    room = fake.group("Volunteers")
    for _ in range(3):
        await bot.send_message(member.chat_id, "burst")
    with pytest.raises(TelegramRetryAfter) as raised:
        await bot.send_message(member.chat_id, "one too many")
    assert raised.value.retry_after == 1
    await bot.send_message(other.chat_id, "another chat has its own budget")
    await bot.send_message(room.chat_id, "1")
    await bot.send_message(room.chat_id, "2")
    with pytest.raises(TelegramRetryAfter) as raised:
        await bot.send_message(room.chat_id, "3")
    assert 55 <= raised.value.retry_after <= 60
    assert fake.stats.rate_limited == 2
