"""The fake refuses what Telegram refuses, in Telegram's words (error texts from the Bot API and TDLib)."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramNotFound
from aiogram.methods import TelegramMethod
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.formatting import Bold, Text

from bot.sandbox import FakeTelegram, ManualClock


def keyboard(**button: Any) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Tap", **button)]])


async def test_text_length_is_counted_in_utf16_after_parsing(fake: FakeTelegram, bot: Bot) -> None:
    member = fake.user()
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(member.chat_id, "a" * 4097)
    await bot.send_message(member.chat_id, "a" * 4096)
    await bot.send_message(member.chat_id, f"<b>{'a' * 4096}</b>")  # tags don't count
    await bot.send_message(member.chat_id, "😀" * 2048)  # 2048 characters, 4096 UTF-16 code units
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(member.chat_id, "😀" * 2048 + "a")  # only 2049 characters
    assert [len(text) for text in member.texts()] == [4096, 4096, 2048]


async def test_empty_text_is_refused_after_trimming(fake: FakeTelegram, bot: Bot) -> None:
    member = fake.user()
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(member.chat_id, "  \n ")
    await bot.send_message(member.chat_id, "\n  hi  \n")
    assert member.texts() == ["hi"]


async def test_caption_limit(fake: FakeTelegram, bot: Bot) -> None:
    member = fake.user()
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(member.chat_id, "photo-file-id", caption="c" * 1025)
    await bot.send_photo(member.chat_id, "photo-file-id", caption="c" * 1024)


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<marquee>hi</marquee>", 'Unsupported start tag "marquee" at byte offset 0'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ('<span class="red">x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
async def test_html_parse_errors(fake: FakeTelegram, bot: Bot, html: str, error: str) -> None:
    with pytest.raises(TelegramBadRequest) as raised:
        await bot.send_message(fake.user().chat_id, html)
    assert raised.value.message == f"Bad Request: can't parse entities: {error}"


async def test_html_is_stored_as_text_and_entities(fake: FakeTelegram, bot: Bot) -> None:
    member = fake.user()
    sent = await bot.send_message(member.chat_id, '😀 <b>Clinic</b> &amp; <a href="https://example.org">map</a>')
    assert sent.text == "😀 Clinic & map"
    assert [(e.type, e.offset, e.length) for e in sent.entities or []] == [("bold", 3, 6), ("text_link", 12, 3)]
    assert member.last is not None
    assert member.last.html == '😀 <b>Clinic</b> &amp; <a href="https://example.org">map</a>'


async def test_entities_without_parse_mode(fake: FakeTelegram, bot: Bot) -> None:
    member = fake.user()
    await bot.send_message(member.chat_id, **Text(Bold("<Open>"), " & now").as_kwargs())
    assert member.last is not None
    assert member.last.text == "<Open> & now"
    assert member.last.html == "<b>&lt;Open&gt;</b> &amp; now"


async def test_bare_ampersand_passes_like_telegram_unless_strict(fake: FakeTelegram, bot: Bot) -> None:
    member = fake.user()
    await bot.send_message(member.chat_id, "AT&T")
    fake.strict_html_ampersand = True
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(member.chat_id, "AT&T")
    assert member.texts() == ["AT&T"]


@pytest.mark.parametrize("data", ["a" * 65, "я" * 33, ""])
async def test_callback_data_must_be_1_to_64_bytes(fake: FakeTelegram, bot: Bot, data: str) -> None:
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(fake.user().chat_id, "menu", reply_markup=keyboard(callback_data=data))


async def test_callback_data_of_64_bytes_is_fine(fake: FakeTelegram, bot: Bot) -> None:
    member = fake.user()
    await bot.send_message(member.chat_id, "menu", reply_markup=keyboard(callback_data="я" * 32))
    assert member.last is not None
    assert member.last.buttons == [["Tap"]]


@pytest.mark.parametrize(
    "button",
    [{}, {"callback_data": "x", "url": "https://example.org"}],
    ids=["no action", "two actions"],
)
async def test_inline_button_needs_exactly_one_action(fake: FakeTelegram, bot: Bot, button: dict[str, str]) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse inline keyboard button"):
        await bot.send_message(fake.user().chat_id, "menu", reply_markup=keyboard(**button))


async def test_edit_to_identical_content_is_not_modified(fake: FakeTelegram, bot: Bot) -> None:
    member = fake.user()
    sent = await bot.send_message(member.chat_id, "Menu", reply_markup=keyboard(callback_data="a"))
    with pytest.raises(TelegramBadRequest, match="message is not modified: specified new message content"):
        await bot.edit_message_text(
            "Menu", chat_id=member.chat_id, message_id=sent.message_id, reply_markup=keyboard(callback_data="a")
        )
    await bot.edit_message_text("Menu", chat_id=member.chat_id, message_id=sent.message_id)  # drops the keyboard
    assert member.last is not None
    assert member.last.buttons == []
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=member.chat_id, message_id=sent.message_id)


async def test_edit_and_delete_of_missing_messages(fake: FakeTelegram, bot: Bot) -> None:
    member = fake.user()
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=member.chat_id, message_id=42)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(member.chat_id, 42)


async def test_bot_cannot_edit_the_members_message(fake: FakeTelegram, bot: Bot) -> None:
    member = fake.user()
    sent = fake.state.add_message(member.private_chat, sender_id=member.id, from_bot=False, text="mine")
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("theirs", chat_id=member.chat_id, message_id=sent.message_id)


async def test_delete_window_is_48_hours(fake: FakeTelegram, bot: Bot, clock: ManualClock) -> None:
    member = fake.user()
    old = await bot.send_message(member.chat_id, "old")
    clock.advance(hours=1)
    recent = await bot.send_message(member.chat_id, "recent")
    clock.advance(hours=47)

    with pytest.raises(TelegramBadRequest, match="message can't be deleted"):
        await bot.delete_message(member.chat_id, old.message_id)
    assert await bot.delete_message(member.chat_id, recent.message_id)
    assert member.texts() == ["old"]


async def test_bot_deletes_incoming_messages_in_private_chats_only(fake: FakeTelegram, bot: Bot) -> None:
    member = fake.user()
    group = fake.group("Peers", bot_admin=False)
    group.add(member)
    private = fake.state.add_message(member.private_chat, sender_id=member.id, from_bot=False, text="hi")
    in_group = fake.state.add_message(group.record, sender_id=member.id, from_bot=False, text="hi all")
    assert await bot.delete_message(member.chat_id, private.message_id)
    with pytest.raises(TelegramBadRequest, match="message can't be deleted"):
        await bot.delete_message(group.chat_id, in_group.message_id)
    assert member.messages == []


async def test_delete_messages_skips_missing_ids(fake: FakeTelegram, bot: Bot) -> None:
    member = fake.user()
    first = await bot.send_message(member.chat_id, "one")
    await bot.send_message(member.chat_id, "two")
    third = await bot.send_message(member.chat_id, "three")
    assert await bot.delete_messages(member.chat_id, [first.message_id, third.message_id, 999])
    assert member.texts() == ["two"]
    with pytest.raises(TelegramBadRequest):
        await bot.delete_messages(member.chat_id, list(range(1, 102)))


async def test_sending_to_an_unknown_chat(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(777, "hello?")


class FrobnicateChat(TelegramMethod[bool]):
    """A method Telegram does not have."""

    __returning__ = bool
    __api_method__ = "frobnicateChat"

    chat_id: int


async def test_unknown_method_is_404(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(TelegramNotFound, match="Not Found"):
        await bot(FrobnicateChat(chat_id=1))
    assert fake.calls[-1].method == "frobnicateChat"
    assert fake.calls[-1].error_code == 404


async def test_raw_requests_in_every_encoding_with_any_method_case(fake: FakeTelegram) -> None:
    member = fake.user()
    base = f"{fake.base_url}/bot{fake.token}"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/GETME") as response:
            me = await response.json()
        async with http.post(f"{base}/sendmessage", json={"chat_id": member.chat_id, "text": "json"}) as response:
            assert (await response.json())["ok"] is True
        async with http.post(f"{base}/sendMessage", data={"chat_id": str(member.chat_id), "text": "form"}) as response:
            assert (await response.json())["result"]["text"] == "form"
        async with http.post(f"{base}/nope", json={}) as response:
            assert response.status == 404
            assert await response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        async with http.get(f"{fake.base_url}/botnot-a-token/getMe") as response:
            assert response.status == 401
    assert me["result"]["id"] == 123456789
    assert me["result"]["is_bot"] is True
    assert member.texts() == ["json", "form"]


async def test_callback_answer_text_is_limited(fake: FakeTelegram, bot: Bot) -> None:
    member = fake.user()
    query = fake.state.new_callback_query(member.id, member.chat_id, None, "x")
    with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(query.id, text="x" * 201)
    assert await bot.answer_callback_query(query.id, text="x" * 200)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query.id)
