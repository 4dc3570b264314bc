"""Both ways Telegram delivers updates, with the unmodified aiogram stack on the other end."""

from __future__ import annotations

import asyncio

import pytest
from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramConflictError
from aiogram.methods import SendMessage
from aiogram.types import Message

from bot.sandbox import CallbackAnswer, FakeTelegram, TelegramUser

from .conftest import WEBHOOK_SECRET, WebhookBot, serve_webhook
from .menu_bot import Seen


async def walk_the_menu(member: TelegramUser) -> None:
    await member.command("/start")
    welcome = member.last
    assert welcome is not None
    assert welcome.text == "Welcome to Umbrella"
    assert welcome.html == "<b>Welcome</b> to Umbrella"
    assert welcome.buttons == [["🩺 Health", "⚖️ Rights"]]

    answer = await member.press("🩺 Health")

    assert answer == CallbackAnswer(text="Opened health")
    assert len(member.bot_messages) == 1, "the menu is edited in place, not sent again"
    section = member.last
    assert section is not None
    assert section.message_id == welcome.message_id
    assert section.edited
    assert section.html == "Section: <i>🩺 Health</i>"
    assert section.buttons == [["⬅️ Back"]]

    await member.press("⬅️ Back")
    assert member.texts() == ["Welcome to Umbrella"]
    assert member.callback_answers == [CallbackAnswer(text="Opened health"), CallbackAnswer()]


async def test_menu_round_trip_by_long_polling(fake: FakeTelegram, polling: object) -> None:
    await walk_the_menu(fake.user("Olena", language_code="uk", username="olena_k"))
    assert fake.called("getUpdates")


async def test_menu_round_trip_by_webhook(fake: FakeTelegram, webhook: WebhookBot) -> None:
    await walk_the_menu(fake.user("Olena", language_code="uk"))
    assert fake.stats.webhook_posts == 3
    assert not fake.webhook_failures


async def test_message_ids_interleave_both_directions(fake: FakeTelegram, polling: object) -> None:
    member = fake.user()
    await member.send("one")
    await member.send("two")
    assert [(m.message_id, m.from_bot, m.text) for m in member.messages] == [
        (1, False, "one"),
        (2, True, "one"),
        (3, False, "two"),
        (4, True, "two"),
    ]


async def test_wrong_webhook_secret_is_refused_recorded_and_retried(
    fake: FakeTelegram, bot: Bot, webhook: WebhookBot
) -> None:
    await bot.set_webhook(webhook.url, secret_token="not_the_secret")
    member = fake.user()

    await member.send("hello")

    assert [(f.status, f.description) for f in fake.webhook_failures] == [
        (401, "Wrong response from the webhook: 401 Unauthorized")
    ]
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 1
    assert info.last_error_message == "Wrong response from the webhook: 401 Unauthorized"
    assert member.texts() == []

    await bot.set_webhook(webhook.url, secret_token=WEBHOOK_SECRET)
    assert await fake.retry_webhook() == 1
    assert member.texts() == ["hello"]


async def test_get_updates_refused_while_webhook_is_set(bot: Bot, webhook: WebhookBot) -> None:
    with pytest.raises(TelegramConflictError, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates(timeout=0) == []


async def test_redelivered_update_keeps_its_id_when_polling(fake: FakeTelegram, polling: object, seen: Seen) -> None:
    member = fake.user()
    await member.send("hi")
    update_id = fake.updates[-1]["update_id"]

    await fake.redeliver(update_id)

    assert seen.update_ids == [update_id, update_id]
    assert member.texts() == ["hi", "hi"], "the menu bot does not deduplicate; the real bot must"


async def test_redelivered_update_keeps_its_id_by_webhook(fake: FakeTelegram, webhook: WebhookBot, seen: Seen) -> None:
    member = fake.user()
    await member.send("hi")
    await fake.push_update(fake.updates[-1], reuse_update_id=fake.updates[-1]["update_id"])
    assert len(seen.update_ids) == 2
    assert len(set(seen.update_ids)) == 1


async def test_long_poll_wakes_as_soon_as_an_update_arrives(fake: FakeTelegram, bot: Bot) -> None:
    member = fake.user()
    poll = asyncio.create_task(bot.get_updates(timeout=20))
    await asyncio.sleep(0.05)
    loop = asyncio.get_running_loop()
    started = loop.time()

    sent = asyncio.create_task(member.send("hi"))
    updates = await poll

    assert loop.time() - started < 1
    assert [u.message.text for u in updates if u.message] == ["hi"]
    assert not sent.done(), "the member's send waits until the bot confirms the update"
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == [], "offset confirms updates"
    await sent


async def test_second_poller_terminates_the_first(bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.05)
    assert await bot.get_updates(timeout=0) == []
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await first


async def test_update_types_the_bot_did_not_ask_for_are_dropped(fake: FakeTelegram, bot: Bot) -> None:
    member = fake.user()
    block = asyncio.create_task(fake.block(member))
    assert await bot.get_updates(allowed_updates=["message"], timeout=0) == []
    await block
    assert [list(u)[1] for u in fake.dropped_updates] == ["my_chat_member"]


async def test_push_without_a_bot_fails_clearly(fake: FakeTelegram) -> None:
    fake.delivery_timeout = 0.05
    with pytest.raises(AssertionError, match="is a bot polling this fake"):
        await fake.user().send("anyone there?")


async def test_method_returned_in_the_webhook_answer_is_executed(fake: FakeTelegram, bot: Bot) -> None:
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def reply(message: Message) -> SendMessage:
        return message.answer("answered inside the webhook response")

    async with serve_webhook(dispatcher, bot):
        member = fake.user()
        await member.send("hi")
    assert member.texts() == ["answered inside the webhook response"]
    assert (fake.calls[-1].method, fake.calls[-1].via) == ("sendMessage", "webhook_reply")


async def test_background_webhook_handling_needs_webhook_settle(fake: FakeTelegram, bot: Bot) -> None:
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer("later")

    fake.webhook_settle = True
    async with serve_webhook(dispatcher, bot, handle_in_background=True):
        member = fake.user()
        await member.send("hi")
        assert member.texts() == ["later"]


async def test_sequential_polling_waits_for_slow_handlers(fake: FakeTelegram, bot: Bot) -> None:
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def slow(message: Message) -> None:
        await asyncio.sleep(0.15)  # e.g. a slow database, invisible to the fake
        await message.answer("done")

    task = asyncio.create_task(
        dispatcher.start_polling(bot, handle_as_tasks=False, handle_signals=False, close_bot_session=False)
    )
    try:
        member = fake.user()
        await member.send("hi")
        assert member.texts() == ["done"]
    finally:
        await dispatcher.stop_polling()
        await task
