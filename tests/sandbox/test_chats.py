"""Chats as people see them: copies vs forwards, command menus, forum topics, media, keyboards."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BufferedInputFile,
    ChatMemberAdministrator,
    ChatMemberLeft,
    MenuButtonCommands,
)

from bot.sandbox import CallbackAnswer, FakeTelegram

from .menu_bot import Seen


async def test_copy_has_no_forward_header_but_forward_does(fake: FakeTelegram, bot: Bot) -> None:
    member = fake.user("Olena")
    room = fake.forum_group("Staff room")
    story = fake.state.add_message(member.private_chat, sender_id=member.id, from_bot=False, text="my story")
    topic = await bot.create_forum_topic(room.chat_id, "Case 17")

    copied = await bot.copy_message(
        room.chat_id, member.chat_id, story.message_id, message_thread_id=topic.message_thread_id
    )
    forwarded = await bot.forward_message(
        room.chat_id, member.chat_id, story.message_id, message_thread_id=topic.message_thread_id
    )

    seen = {m.message_id: m for m in room.messages(topic.message_thread_id)}
    assert seen[copied.message_id].text == "my story"
    assert not seen[copied.message_id].forwarded
    assert seen[forwarded.message_id].forwarded
    assert seen[forwarded.message_id].forward_origin == {
        "type": "user",
        "date": story.date,
        "sender_user": member.user_dict,
    }
    assert fake.called("forwardMessage"), "tests of the real bot assert the opposite"


async def test_copy_keeps_media_and_replaces_caption(fake: FakeTelegram, polling: object) -> None:
    member = fake.user()
    sent = await member.send_photo(caption="a rash, is this normal?")
    assert member.last is not None
    assert member.last.kind == "photo"
    assert member.last.caption == "Your photo, back"
    assert member.last.media["photo"][-1]["file_id"] == sent["photo"][-1]["file_id"]
    assert not member.last.forwarded


async def test_uploads_and_downloads(fake: FakeTelegram, bot: Bot) -> None:
    member = fake.user()
    sent = await bot.send_document(
        member.chat_id, BufferedInputFile(b"%PDF-1.7 leaflet", "rights.pdf"), caption="<b>Your rights</b>"
    )
    assert sent.document is not None
    assert sent.document.file_name == "rights.pdf"
    assert member.last is not None
    assert member.last.html == "<b>Your rights</b>"
    downloaded = await bot.download(sent.document.file_id)
    assert downloaded is not None
    assert downloaded.read() == b"%PDF-1.7 leaflet"


async def test_venue_location_contact(fake: FakeTelegram, bot: Bot) -> None:
    member = fake.user()
    await bot.send_venue(member.chat_id, 50.45, 30.52, "Clinic 7", "Khreshchatyk 1, Kyiv")
    await bot.send_location(member.chat_id, 49.84, 24.03)
    await bot.send_contact(member.chat_id, "+380441234567", "Hotline")
    venue, location, contact = member.bot_messages
    assert venue.kind == "venue"
    assert venue.venue is not None
    assert venue.venue["title"] == "Clinic 7"
    assert location.location == {"latitude": 49.84, "longitude": 24.03}
    assert contact.contact == {"phone_number": "+380441234567", "first_name": "Hotline"}


async def test_command_menu_resolves_by_scope_and_language(fake: FakeTelegram, bot: Bot) -> None:
    olena, sam = fake.user("Olena", language_code="uk"), fake.user("Sam", language_code="en")
    await bot.set_my_commands(
        [BotCommand(command="start", description="Start"), BotCommand(command="help", description="Help")]
    )
    await bot.set_my_commands(
        [BotCommand(command="start", description="Почати")], scope=BotCommandScopeAllPrivateChats(), language_code="uk"
    )
    assert [(c.command, c.description) for c in olena.commands] == [("start", "Почати")]
    assert [c.command for c in sam.commands] == ["start", "help"]

    await bot.set_my_commands(
        [BotCommand(command="queue", description="Queue")], scope=BotCommandScopeChat(chat_id=sam.id)
    )
    assert [c.command for c in sam.commands] == ["queue"]
    assert [c.command for c in await bot.get_my_commands(language_code="uk")] == []
    assert [
        c.command for c in await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code="uk")
    ] == ["start"]
    await bot.delete_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code="uk")
    assert [c.command for c in olena.commands] == ["start", "help"]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad Command", description="x")])


async def test_forum_topics(fake: FakeTelegram, bot: Bot, polling: object, seen: Seen) -> None:
    room = fake.forum_group("Staff room")
    counsellor = fake.user("Counsellor")
    room.add(counsellor)

    topic = await bot.create_forum_topic(room.chat_id, "Case 17")
    sent = await bot.send_message(room.chat_id, "New case", message_thread_id=topic.message_thread_id)
    assert sent.message_thread_id == topic.message_thread_id
    assert sent.is_topic_message
    assert [t.name for t in room.topics] == ["Case 17"]
    assert room.texts(topic.message_thread_id) == ["New case"]

    await counsellor.send("I'll take it", chat=room, thread_id=topic.message_thread_id)
    assert seen.threads == [topic.message_thread_id]
    assert room.texts(topic.message_thread_id)[-1] == "Noted: I'll take it"

    await bot.close_forum_topic(room.chat_id, topic.message_thread_id)
    assert room.topics[0].closed
    with pytest.raises(AssertionError, match="closed"):
        await counsellor.send("one more", chat=room, thread_id=topic.message_thread_id)
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await bot.close_forum_topic(room.chat_id, topic.message_thread_id)
    await bot.send_message(room.chat_id, "Closed by the bot", message_thread_id=topic.message_thread_id)

    await bot.delete_forum_topic(room.chat_id, topic.message_thread_id)
    assert room.topics == []
    assert room.messages(topic.message_thread_id) == []
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(room.chat_id, "gone", message_thread_id=topic.message_thread_id)


async def test_topics_need_a_forum_and_a_valid_name(fake: FakeTelegram, bot: Bot) -> None:
    plain = fake.group("Not a forum")
    with pytest.raises(TelegramBadRequest, match="the chat is not a forum"):
        await bot.create_forum_topic(plain.chat_id, "Case 1")
    room = fake.forum_group()
    with pytest.raises(TelegramBadRequest, match="1-128"):
        await bot.create_forum_topic(room.chat_id, "x" * 129)
    creation = (await bot.create_forum_topic(room.chat_id, "Case 1")).message_thread_id
    with pytest.raises(TelegramBadRequest, match="message can't be deleted"):
        await bot.delete_message(room.chat_id, creation)


async def test_reply_keyboard_with_contact_request(fake: FakeTelegram, polling: object) -> None:
    member = fake.user("Olena", last_name="K")
    await member.command("/contact")
    assert member.reply_keyboard == [["📱 Share contact"], ["Cancel"]]

    assert await member.press("📱 Share contact") is None

    assert member.texts()[-1] == "Got +380501234567"
    assert member.messages[-2].contact == {
        "phone_number": "+380501234567",
        "first_name": "Olena",
        "last_name": "K",
        "user_id": member.id,
    }
    assert member.reply_keyboard is None


async def test_pressing_a_missing_button_lists_what_is_visible(fake: FakeTelegram, polling: object) -> None:
    member = fake.user()
    await member.command("/start")
    with pytest.raises(AssertionError, match=r"no button 'Housing'.*🩺 Health"):
        await member.press("Housing")


async def test_stale_callback_data(fake: FakeTelegram, polling: object) -> None:
    member = fake.user()
    await member.command("/start")
    answer = await member.press_data("menu:gone")
    assert answer == CallbackAnswer(text="This button has expired", show_alert=True)
    answer = await member.press_data("menu:health", message_id=999)  # a message the bot can no longer see
    assert answer == CallbackAnswer(text="This menu is no longer available", show_alert=True)


async def test_people_who_never_started_the_bot(fake: FakeTelegram, bot: Bot, polling: object) -> None:
    stranger = fake.user(started=False)
    colleague = fake.user(started=False)
    fake.group("Peers").add(colleague)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(stranger.chat_id, "hi")
    with pytest.raises(TelegramForbiddenError, match="bot can't initiate conversation with a user"):
        await bot.send_message(colleague.chat_id, "hi")
    await stranger.command("/start")
    assert stranger.texts() == ["Welcome to Umbrella"]


async def test_privacy_mode_in_groups_where_the_bot_is_not_admin(
    fake: FakeTelegram, polling: object, seen: Seen
) -> None:
    group = fake.group("Peers", bot_admin=False)
    member = fake.user()
    await member.send("chatting among ourselves", chat=group)
    assert seen.update_ids == []
    await member.command("/start@umbrella_sandbox_bot", chat=group)
    assert len(seen.update_ids) == 1


async def test_chat_and_member_lookups(fake: FakeTelegram, bot: Bot) -> None:
    room = fake.forum_group("Staff room")
    staff, outsider = fake.user("Staff"), fake.user("Outsider")
    room.add(staff, status="administrator")
    chat = await bot.get_chat(room.chat_id)
    assert chat.is_forum
    assert chat.title == "Staff room"
    assert isinstance(await bot.get_chat_member(room.chat_id, staff.id), ChatMemberAdministrator)
    assert isinstance(await bot.get_chat_member(room.chat_id, outsider.id), ChatMemberLeft)
    me = await bot.get_chat_member(room.chat_id, bot.id)
    assert isinstance(me, ChatMemberAdministrator)
    assert me.can_manage_topics


@pytest.mark.parametrize("kind", ["sticker", "animation", "audio", "voice", "video", "photo", "document"])
async def test_every_media_kind_by_file_id(fake: FakeTelegram, bot: Bot, kind: str) -> None:
    member = fake.user()
    sent = await getattr(bot, f"send_{kind}")(member.chat_id, f"{kind}-file-id")
    assert sent.content_type == kind
    assert member.last is not None
    assert member.last.kind == kind


async def test_copy_messages_skips_missing_ones(fake: FakeTelegram, bot: Bot) -> None:
    member, room = fake.user(), fake.group("Archive")
    first = await bot.send_message(member.chat_id, "first")
    second = await bot.send_photo(member.chat_id, "photo-id", caption="second")
    copied = await bot.copy_messages(room.chat_id, member.chat_id, [first.message_id, second.message_id, 99])
    assert len(copied) == 2
    assert room.texts() == ["first", "second"]
    assert [m.kind for m in room.messages()] == ["text", "photo"]


async def test_member_forwards_something_to_the_bot(fake: FakeTelegram, polling: object) -> None:
    member, friend = fake.user(), fake.user("Friend")
    await member.forward_from("Hidden Client", text="threatening message")
    await member.forward_from(friend, text="warning")
    origins = [u["message"]["forward_origin"] for u in fake.updates]
    assert [o["type"] for o in origins] == ["hidden_user", "user"]
    assert origins[1]["sender_user"]["id"] == friend.id
    assert member.texts() == ["threatening message", "warning"]


async def test_menu_button_and_bot_profile(fake: FakeTelegram, bot: Bot) -> None:
    member = fake.user()
    assert await bot.set_chat_menu_button(chat_id=member.chat_id, menu_button=MenuButtonCommands())
    assert (await bot.get_chat_menu_button(chat_id=member.chat_id)).type == "commands"
    assert await bot.set_my_description("Rights, clinics, safety", language_code="en")
    assert (await bot.get_my_description(language_code="en")).description == "Rights, clinics, safety"
    me = await bot.get_me()
    assert (me.username, me.can_join_groups) == ("umbrella_sandbox_bot", True)
