"""The web sandbox's JSON API against the real bot: what a member's phone and the staff room show,
and that the page can act as each person.
"""

from __future__ import annotations

import re

import pytest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup
from aiohttp import FormData
from aiohttp.test_utils import TestClient

from bot.sandbox.web import Sandbox
from bot.sandbox.web.app import SAMPLE_PHOTO

from .conftest import HEADERS, Api, next_event

pytestmark = pytest.mark.asyncio(loop_scope="module")


# the page itself ---------------------------------------------------------------------------------


async def test_the_page_and_its_files_come_from_this_computer_only(client: TestClient) -> None:
    response = await client.get("/")
    assert response.status == 200
    html = await response.text()
    assert "Umbrella" in html and "/static/sandbox.js" in html
    assert "http://" not in html and "https://" not in html  # no CDN, no fonts from elsewhere
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "connect-src 'self'" in policy
    for name in ("sandbox.js", "sandbox.css", "sample-photo.png", "favicon.svg"):
        static = await client.get(f"/static/{name}")
        assert static.status == 200, name
        if name != "sample-photo.png":
            assert "https://" not in await static.text(), name


async def test_foreign_hosts_and_header_less_actions_are_refused(client: TestClient) -> None:
    rebound = await client.get("/api/state", headers={"Host": "evil.example:8765"})
    assert rebound.status == 403
    no_header = await client.post("/api/phones", json={"language": "en"})
    assert no_header.status == 403
    assert (await client.get("/api/state", headers={"Host": "localhost:8765"})).status == 200


async def test_state_lists_phones_the_staff_room_and_staff(api: Api, sandbox: Sandbox) -> None:
    state = await api.get("/api/state")
    assert state["staff_room"]["title"] == "Staff room"
    assert sandbox.staff_room.record.is_forum
    assert [(p["name"], p["status"]) for p in state["staff"]] == [("Anna", "administrator")]
    phone = await api.phone("ru", started=False)
    state = await api.get("/api/state")
    assert {"key": phone.key, "name": state["phones"][-1]["name"], "role": "member", "language": "ru"} in state[
        "phones"
    ]


# a member's phone --------------------------------------------------------------------------------


async def test_a_new_phone_shows_start_then_the_bot_asks_for_a_language(api: Api, sandbox: Sandbox) -> None:
    phone = await api.phone("uk", started=False)
    view = await phone.view()
    assert view["started"] is False and view["messages"] == []
    assert view["bot"]["name"] == "Umbrella Sandbox"
    await phone.start()
    view = await phone.view()
    assert view["started"] is True
    mine, answer = view["messages"]
    assert mine["out"] and mine["html"] == '<a class="tg-command" href="#" data-command="/start">/start</a>'
    assert not answer["out"] and "Оберіть мову" in answer["html"]
    assert [button["text"] for row in answer["buttons"] for button in row] == [
        "🇺🇦 Українська",
        "🇷🇺 Русский",
        "🇬🇧 English",
    ]
    assert {command["command"] for command in view["commands"]} >= {"menu", "help"}


async def test_a_phone_shows_nothing_telegram_would_hide(api: Api, sandbox: Sandbox) -> None:
    phone = await api.phone("en")
    raw = await phone.raw_view()
    user = sandbox.phones[phone.key].user
    assert str(user.id) not in raw  # no Telegram ids
    assert "callback_data" not in raw and "lang:" not in raw  # button labels only, never their data
    assert "html_source" not in raw and "history" not in raw and "created_by" not in raw


async def test_pressing_buttons_edits_the_screen_in_place_and_shows_the_answer(api: Api) -> None:
    phone = await api.phone("en")
    screen = await phone.last()
    result = await phone.press("🇬🇧 English")
    assert result["answer"] is None or result["answer"]["alert"] is False
    after = await phone.last()
    assert after["id"] == screen["id"] and after["edited"] is True
    assert "Which city are you in?" in after["html"]


async def test_a_member_finds_a_clinic_open_now_or_when_it_opens(api: Api) -> None:
    phone = await api.phone("en")
    for label in ("🇬🇧 English", "⏭ Skip", "🩺 Health & clinics", "🏥 Find a clinic", "🧪 HIV/STI testing", "📍 Kyiv"):
        await phone.press(label)
    html = (await phone.last())["html"]
    assert "<b>🧪 HIV/STI testing — Kyiv</b>" in html
    assert re.search(r"open now|closed, opens", html), html


async def test_what_a_member_types_is_escaped(api: Api) -> None:
    phone = await api.phone("en")
    await phone.send('<img src=x onerror="alert(1)"> & <b>not bold</b>')
    mine = next(m for m in (await phone.view())["messages"] if m["out"] and "img" in m["html"])
    assert mine["html"] == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &lt;b&gt;not bold&lt;/b&gt;"


async def test_telegram_formatting_from_the_bot_is_drawn(api: Api, sandbox: Sandbox) -> None:
    phone = await api.phone("en")
    await sandbox.app.bot.send_message(
        sandbox.phones[phone.key].user.chat_id,
        "<b>b</b> <i>i</i> <u>u</u> <s>s</s> <tg-spoiler>secret</tg-spoiler> <code>c</code> "
        '<a href="https://example.org/x?a=1&amp;b=2">link</a> <a href="javascript:alert(1)">bad</a>\n'
        '<pre><code class="language-python">print("&lt;hi&gt;")</code></pre>'
        "<blockquote>quote</blockquote><blockquote expandable>long quote</blockquote>",
    )
    html = (await phone.last())["html"]
    assert "<b>b</b> <i>i</i> <u>u</u> <s>s</s>" in html
    assert '<span class="tg-spoiler" title="spoiler">secret</span>' in html
    assert "<code>c</code>" in html
    assert 'href="https://example.org/x?a=1&amp;b=2"' in html
    assert "javascript" not in html and "bad" in html  # Telegram drops a link it cannot open; the text stays
    assert '<pre class="tg-pre" data-language="python"><code>print(&quot;&lt;hi&gt;&quot;)</code></pre>' in html
    assert '<blockquote class="tg-quote">quote</blockquote>' in html
    assert '<blockquote class="tg-quote tg-expandable">long quote</blockquote>' in html


async def test_edits_and_deletions_reach_the_page_live(api: Api, sandbox: Sandbox) -> None:
    phone = await api.phone("en")
    chat_id = sandbox.phones[phone.key].user.chat_id
    events = sandbox.changes.subscribe()
    try:
        sent = await sandbox.app.bot.send_message(chat_id, "first")
        assert f"phone:{phone.key}" in (await next_event(events, "change"))["panes"]
        await sandbox.app.bot.edit_message_text("second", chat_id=chat_id, message_id=sent.message_id)
        await next_event(events, "change")
        edited = await phone.last()
        assert edited["id"] == sent.message_id and edited["html"] == "second" and edited["edited"]
        await sandbox.app.bot.delete_message(chat_id, sent.message_id)
        await next_event(events, "change")
        assert sent.message_id not in [m["id"] for m in (await phone.view())["messages"]]
    finally:
        sandbox.changes.unsubscribe(events)


async def test_the_event_stream_names_the_pane_that_changed(client: TestClient, api: Api, sandbox: Sandbox) -> None:
    phone = await api.phone("en", started=False)
    response = await client.get("/api/events")
    assert response.headers["Content-Type"] == "text/event-stream"
    assert (await response.content.readuntil(b"\n\n")).startswith(b"retry: 1000\nevent: hello")
    await phone.start()
    chunk = (await response.content.readuntil(b"\n\n")).decode()
    assert chunk.startswith("event: change") and f"phone:{phone.key}" in chunk
    response.close()


async def test_a_member_sends_the_sample_photo_or_their_own(api: Api, client: TestClient) -> None:
    phone = await api.phone("en")
    await api.post(f"/api/phones/{phone.key}/photo", {"text": "look"})
    view = await phone.view()
    photo = next(m for m in view["messages"] if m["kind"] == "photo")
    assert photo["out"] and photo["html"] == "look" and photo["media"]["type"] == "photo"
    picture = await client.get(photo["media"]["src"])
    assert picture.status == 200 and picture.content_type == "image/png"
    assert await picture.read() == SAMPLE_PHOTO.read_bytes()

    form = FormData()
    form.add_field("photo", b"\x89PNG\r\n\x1a\nown", filename="me.png", content_type="image/png")
    form.add_field("caption", "mine")
    response = await client.post(f"/api/phones/{phone.key}/photo", data=form, headers=HEADERS)
    assert response.status == 200, await response.text()
    own = [m for m in (await phone.view())["messages"] if m["kind"] == "photo"][-1]
    assert await (await client.get(own["media"]["src"])).read() == b"\x89PNG\r\n\x1a\nown"

    not_a_picture = FormData()
    not_a_picture.add_field("photo", b"MZ", filename="x.exe", content_type="application/octet-stream")
    response = await client.post(f"/api/phones/{phone.key}/photo", data=not_a_picture, headers=HEADERS)
    assert response.status == 400


async def test_reply_keyboard_buttons_send_their_label_or_a_contact(api: Api, sandbox: Sandbox) -> None:
    phone = await api.phone("en")
    chat_id = sandbox.phones[phone.key].user.chat_id
    markup = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="Yes"), KeyboardButton(text="Share", request_contact=True)]],
        input_field_placeholder="Answer",
        resize_keyboard=True,
    )
    await sandbox.app.bot.send_message(chat_id, "Question?", reply_markup=markup)
    view = await phone.view()
    assert view["reply_keyboard"]["rows"] == [
        [{"text": "Yes", "request": None}, {"text": "Share", "request": "contact"}]
    ]
    assert view["placeholder"] == "Answer"
    await api.post(f"/api/phones/{phone.key}/keyboard", {"row": 0, "col": 0})
    assert any(m["out"] and m["html"] == "Yes" for m in (await phone.view())["messages"])
    await api.post(f"/api/phones/{phone.key}/keyboard", {"row": 0, "col": 1})
    contact = [m for m in (await phone.view())["messages"] if m["kind"] == "contact"][-1]
    assert contact["out"] and contact["media"]["type"] == "contact"
    await api.post(f"/api/phones/{phone.key}/keyboard", {"row": 3, "col": 0}, status=400)


async def test_url_buttons_are_shown_not_opened(api: Api, sandbox: Sandbox) -> None:
    phone = await api.phone("en")
    markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Site", url="https://example.org")]])
    await sandbox.app.bot.send_message(sandbox.phones[phone.key].user.chat_id, "See", reply_markup=markup)
    assert (await phone.last())["buttons"] == [[{"text": "Site", "kind": "url", "url": "https://example.org"}]]
    assert await phone.press("Site") == {"answer": None, "url": "https://example.org"}


async def test_a_member_edits_a_message_and_replies(api: Api, sandbox: Sandbox) -> None:
    phone = await api.phone("en")
    await phone.send("helo")
    mine = [m for m in (await phone.view())["messages"] if m["out"]][-1]
    await api.post(f"/api/phones/{phone.key}/edit", {"message_id": mine["id"], "text": "hello"})
    edited = next(m for m in (await phone.view())["messages"] if m["id"] == mine["id"])
    assert edited["html"] == "hello" and edited["edited"]
    assert sandbox.fake.updates[-1].get("edited_message", {}).get("text") == "hello"
    await phone.send("again", reply_to=mine["id"])
    reply = [m for m in (await phone.view())["messages"] if m["out"]][-1]
    assert reply["reply"] == {"id": mine["id"], "deleted": False, "sender": "Member " + phone.key[1:], "text": "hello"}


async def test_blocking_the_bot_and_restarting(api: Api, sandbox: Sandbox) -> None:
    phone = await api.phone("en")
    await api.post(f"/api/phones/{phone.key}/block", {"blocked": True})
    assert (await phone.view())["blocked"] is True
    await phone.start()
    assert (await phone.view())["blocked"] is False


async def test_bad_actions_say_why(api: Api) -> None:
    phone = await api.phone("en")
    assert "empty" in (await api.post(f"/api/phones/{phone.key}/send", {"text": "  "}, status=400))["error"]
    assert (
        "gone" in (await api.post(f"/api/phones/{phone.key}/press", {"message_id": 999, "row": 0}, status=400))["error"]
    )
    await api.post("/api/phones", {"language": "de"}, status=400)
    await api.get("/api/phones/p999", status=404)
    await api.get("/api/files/nothing", status=404)


# the staff room ----------------------------------------------------------------------------------


async def test_the_staff_room_shows_topics_and_staff_write_and_press_there(api: Api, sandbox: Sandbox) -> None:
    room = sandbox.staff_room
    bot = sandbox.app.bot
    topic = await bot.create_forum_topic(room.chat_id, "Queue")
    markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Take", callback_data="take:1")]])
    card = await bot.send_message(
        room.chat_id, "<b>New case</b> K7F2", message_thread_id=topic.message_thread_id, reply_markup=markup
    )
    view = await api.staff_room()
    assert view["topics"][0]["name"] == "General"
    queue = next(t for t in view["topics"] if t["name"] == "Queue")
    assert queue["id"] == topic.message_thread_id and queue["last"] == "New case K7F2"

    anna = view["staff"][0]["key"]
    opened = await api.staff_room(topic.message_thread_id, anna)
    assert opened["topic"]["name"] == "Queue"
    service, shown = opened["messages"]
    assert service["service"] == "Umbrella Sandbox created the topic «Queue»"
    assert shown["sender"] == "Umbrella Sandbox" and shown["html"] == "<b>New case</b> K7F2"
    assert shown["buttons"] == [[{"text": "Take", "kind": "callback"}]]

    body = {"as": anna, "message_id": card.message_id, "row": 0, "col": 0}
    await api.post("/api/staff-room/press", body)
    pressed = sandbox.fake.updates[-1]["callback_query"]
    assert pressed["data"] == "take:1" and pressed["message"]["chat"]["id"] == room.chat_id

    await api.post("/api/staff-room/send", {"as": anna, "topic": topic.message_thread_id, "text": "on it"})
    mine = (await api.staff_room(topic.message_thread_id, anna))["messages"][-1]
    assert mine["out"] and mine["html"] == "on it" and mine["reply"] is None
    olena = (await api.post("/api/staff", {"name": "Olena", "language": "uk"}))["key"]
    theirs = (await api.staff_room(topic.message_thread_id, olena))["messages"][-1]
    assert not theirs["out"] and theirs["sender"] == "Anna"
    assert "on it" not in str((await api.staff_room("general", anna))["messages"])


async def test_staff_see_relayed_member_messages_without_who_sent_them(api: Api, sandbox: Sandbox) -> None:
    phone = await api.phone("en")
    await phone.send("I need help")
    member = sandbox.phones[phone.key].user
    said = [m for m in (await phone.view())["messages"] if m["out"]][-1]
    await sandbox.app.bot.copy_message(sandbox.staff_room.chat_id, member.chat_id, said["id"])
    raw = str(await api.staff_room())
    assert "I need help" in raw
    assert member.first_name not in raw and str(member.id) not in raw


async def test_closed_topics_take_only_admins(api: Api, sandbox: Sandbox) -> None:
    bot, room = sandbox.app.bot, sandbox.staff_room
    topic = await bot.create_forum_topic(room.chat_id, "Closed case")
    await bot.close_forum_topic(room.chat_id, topic.message_thread_id)
    member = (await api.post("/api/staff", {"name": "Ira"}))["key"]
    admin = (await api.post("/api/staff", {"name": "Vika", "admin": True}))["key"]
    view = await api.staff_room(topic.message_thread_id, member)
    assert view["topic"]["closed"] and next(t for t in view["topics"] if t["id"] == topic.message_thread_id)["closed"]
    body = {"topic": topic.message_thread_id, "text": "note"}
    refused = await api.post("/api/staff-room/send", {**body, "as": member}, status=400)
    assert "closed" in refused["error"]
    await api.post("/api/staff-room/send", {**body, "as": admin})
    await api.post("/api/staff-room/send", {**body, "as": "nobody"}, status=400)


async def test_a_staff_person_opens_their_private_chat_as_a_phone(api: Api, sandbox: Sandbox) -> None:
    person = (await api.post("/api/staff", {"name": "Dana", "admin": True}))["key"]
    key = (await api.post(f"/api/staff/{person}/phone"))["key"]
    assert key == (await api.post(f"/api/staff/{person}/phone"))["key"]  # the same phone again
    view = await api.get(f"/api/phones/{key}")
    assert view["role"] == "staff" and view["name"] == "Dana" and not view["started"]
    await api.post(f"/api/staff-room/photo?as={person}&topic=general", {"text": "a photo for the team"})
    assert (await api.staff_room("general", person))["messages"][-1]["media"]["type"] == "photo"
