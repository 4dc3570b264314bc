"""Talk to a person, end to end: a Ukrainian-speaking member and counsellors in the staff room.

Labels are looked up in the catalogues, so the test reads as the member sees the screen.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.db.models import Conversation, RelayMessage
from bot.services.staff import Role
from tests.e2e.conftest import Harness, labels, restart
from tests.e2e.staffroom import add_staff, open_staff_room


def t(harness: Harness, language: str, msgid: str) -> str:
    return harness.app.i18n.gettext(msgid, locale=language)


async def member_in_queue(harness: Harness, language: str = "uk", topic: str = "🩺 Health", **who):
    member = await harness.started(language, {"uk": "📍 Київ", "ru": "📍 Киев", "en": "📍 Kyiv"}[language], **who)
    await member.command("/menu")
    await member.press(t(harness, language, "💬 Talk to a person"))
    await member.press(t(harness, language, topic))
    return member


async def case_code(harness: Harness) -> str:
    async with harness.app.sessionmaker() as session:
        return (await session.scalars(select(Conversation.case_code).order_by(Conversation.id.desc()))).first()


async def test_queue_take_relay_both_ways_transfer_close_feedback(harness: Harness, no_apologies) -> None:
    staff_room = await open_staff_room(harness)
    nata = await add_staff(harness, staff_room, "Nata", first_name="Natalia", languages=("uk", "ru"))
    ivan = await add_staff(harness, staff_room, "Ivan", first_name="Ivanko", languages=("uk",))
    member = await member_in_queue(harness, "uk", first_name="Oksana", username="oksana_night")
    assert t(harness, "uk", "You are number {position} in the queue.").format(position=1) in member.last.text

    code = await case_code(harness)
    card = staff_room.queue_texts()[-1]
    assert code in card and "uk" in card
    thread = staff_room.case_thread(code)

    # The member writes while waiting: text and a photo reach the case topic as copies.
    await member.send("Привіт, мені потрібна допомога <b>зараз</b>")
    await member.send_photo(caption="це фото")
    copies = [m for m in staff_room.room.messages(thread) if m.from_bot and not m.inline_keyboard]
    assert any("мені потрібна допомога <b>зараз</b>" in (m.text or "") for m in copies)
    assert any(m.kind == "photo" for m in copies)
    assert all(not m.forwarded for m in staff_room.room.messages(thread))

    # Two counsellors; Nata takes the card.
    answer = await nata.press(t(harness, "en", "✋ Take"), chat=staff_room.room)
    assert answer is not None and answer.text == t(harness, "uk", "The case is yours.")
    assert "Nata" in member.last.text  # "Nata is here and has read your messages"

    await nata.send("Вітаю, я з вами. Що сталося?", chat=staff_room.room, thread_id=thread)
    assert member.last.text == "Nata:\nВітаю, я з вами. Що сталося?"
    assert member.last.protected
    await nata.send_photo(caption="схема проїзду", chat=staff_room.room, thread_id=thread)
    assert member.last.kind == "photo" and member.last.text == "Nata:\nсхема проїзду"

    # Anyone else in the topic writes an internal note: it never reaches the member.
    seen = len(member.messages)
    await ivan.send("внутрішня нотатка", chat=staff_room.room, thread_id=thread)
    assert len(member.messages) == seen

    # The member replies: the reply lands in the topic too.
    await member.send("Дякую")
    assert staff_room.room.messages(thread)[-1].text == "Дякую"

    # Transfer to Ivan with a note.
    await nata.press(t(harness, "en", "➡️ Transfer"), chat=staff_room.room)
    await nata.press("➡️ Ivan", chat=staff_room.room)
    await nata.send("вона питає про ПКП", chat=staff_room.room, thread_id=thread)
    assert any("вона питає про ПКП" in text for text in staff_room.room.texts(thread))
    assert "Ivan" in member.last.text
    await ivan.send("Я тут.", chat=staff_room.room, thread_id=thread)
    assert member.last.text == "Ivan:\nЯ тут."

    # Close and feedback.
    await ivan.press(t(harness, "en", "✅ Close"), chat=staff_room.room)
    await ivan.press(t(harness, "uk", "✅ Yes, close"), chat=staff_room.room)  # in Ivan's language
    assert "⭐⭐⭐⭐⭐" in labels(member.last)
    answer = await member.press("⭐⭐⭐⭐⭐")
    assert answer.text == t(harness, "uk", "Thank you!")
    async with harness.app.sessionmaker() as session:
        conversation = await session.scalar(select(Conversation))
        assert conversation.status == "closed" and conversation.rating == 5
    assert any(topic.closed for topic in staff_room.room.topics if code in topic.name)
    no_apologies(member)

    # Neither side learns who the other is.
    room_text = "\n".join(m.text or "" for m in staff_room.room.messages())
    for secret in (str(member.id), "Oksana", "oksana_night"):
        assert secret not in room_text
    member_text = "\n".join(m.text or "" for m in member.messages)
    for secret in ("Natalia", "Ivanko", "real_nata", "real_ivan", str(nata.id), str(ivan.id)):
        assert secret not in member_text
    assert not harness.fake.called("forwardMessage")


async def test_member_edit_and_contact_warning(harness: Harness) -> None:
    staff_room = await open_staff_room(harness)
    nata = await add_staff(harness, staff_room, "Nata")
    member = await member_in_queue(harness, "en")
    thread = staff_room.case_thread(await case_code(harness))
    await nata.press("✋ Take", chat=staff_room.room)

    sent = await member.send("I am in Podil")
    await member.edit(sent["message_id"], "I am in Obolon")
    assert staff_room.room.messages(thread)[-1].text == "I am in Obolon"

    before = len(staff_room.room.messages(thread))
    await member.send_contact("+380501112233", "Client Name")
    assert "may show who you are" in member.last.text
    await member.press("🚫 Don't send")
    assert len(staff_room.room.messages(thread)) == before
    await member.forward_from("Someone", text="forwarded text")
    await member.press("📤 Send anyway")
    assert staff_room.room.messages(thread)[-1].text == "forwarded text"
    assert not harness.fake.called("forwardMessage")


async def test_nobody_on_shift_shows_next_shift_and_emergency_numbers(harness: Harness) -> None:
    staff_room = await open_staff_room(harness)
    await add_staff(harness, staff_room, "Nata", on_duty=False)
    async with harness.app.sessionmaker() as session:
        from bot.services import staff as staff_service

        info = await staff_service.staff_by_alias(session, staff_room.organisation_id, "Nata")
        await staff_service.add_shift(session, info.id, 2, 18 * 60, 2 * 60)  # Wednesday 18:00-02:00
        await session.commit()
    member = await member_in_queue(harness, "en")  # Tuesday 14:00 in Kyiv
    text = member.last.text
    assert "No counsellor is on shift right now. The next shift starts Wednesday 18:00." in text
    assert "Emergency numbers" in text and "112" in text
    await member.send("please call me back")  # the message waits in the case topic
    thread = staff_room.case_thread(await case_code(harness))
    assert staff_room.room.messages(thread)[-1].text == "please call me back"


async def test_escalation_and_idle_close_by_the_clock(harness: Harness) -> None:
    staff_room = await open_staff_room(harness)
    nata = await add_staff(harness, staff_room, "Nata")
    await add_staff(harness, staff_room, "Sveta", roles=(Role.counsellor, Role.supervisor))
    member = await member_in_queue(harness, "en", topic="⚠️ Violence")
    code = await case_code(harness)

    harness.fake.advance_time(minutes=11)
    await harness.app.handoff_jobs()
    assert any(text.startswith("⏰") and code in text for text in staff_room.queue_texts())
    harness.fake.advance_time(minutes=10)
    await harness.app.handoff_jobs()
    assert any(text.startswith("🚨") and "Sveta" in text for text in staff_room.queue_texts())
    sveta = staff_room.user("Sveta")
    assert any(code in (m.text or "") for m in sveta.bot_messages)  # the supervisor got a direct message
    await harness.app.handoff_jobs()  # nothing more to say: escalations are not repeated
    assert sum(code in text for text in staff_room.queue_texts()) == 3  # the card and two notices

    await nata.press("✋ Take", chat=staff_room.room)
    harness.fake.advance_time(minutes=61)
    await harness.app.handoff_jobs()
    assert "will close in 30 min" in member.last.text
    harness.fake.advance_time(minutes=30)
    await harness.app.handoff_jobs()
    assert "closed because it was quiet" in member.last.text
    async with harness.app.sessionmaker() as session:
        assert (await session.scalar(select(Conversation.status))) == "closed"

    # After the retention period the case topic and its message-id pairs are deleted.
    harness.fake.advance_time(days=31)
    await harness.app.handoff_jobs()
    assert not any(code in topic.name for topic in staff_room.room.topics)
    async with harness.app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(RelayMessage)) == 0


async def test_restart_mid_conversation_loses_nothing_and_sends_nothing_twice(harness: Harness) -> None:
    staff_room = await open_staff_room(harness)
    nata = await add_staff(harness, staff_room, "Nata")
    member = await member_in_queue(harness, "ru")
    thread = staff_room.case_thread(await case_code(harness))
    await nata.press("✋ Take", chat=staff_room.room)
    await member.send("первое")
    await restart(harness)
    await member.send("второе")
    await nata.send("ответ", chat=staff_room.room, thread_id=thread)
    # Telegram re-sends the member's last update after the restart (the new process has no memory of it).
    last_member_update = next(
        u for u in reversed(harness.fake.updates) if "message" in u and u["message"]["chat"]["id"] == member.chat_id
    )
    await harness.fake.redeliver(last_member_update["update_id"])
    copies = [m.text for m in staff_room.room.messages(thread) if m.text in {"первое", "второе"}]
    assert copies == ["первое", "второе"]
    assert [m.text for m in member.bot_messages].count("Nata:\nответ") == 1


async def test_leave_the_queue(harness: Harness) -> None:
    staff_room = await open_staff_room(harness)
    await add_staff(harness, staff_room, "Nata")
    member = await member_in_queue(harness, "en")
    await member.press("❌ Leave the queue")
    assert "You have left the queue." in member.last.text
    assert "✋ Take" not in [label for m in staff_room.room.messages(staff_room.queue_thread) for label in labels(m)]


async def test_blocked_member_is_told_politely(harness: Harness) -> None:
    staff_room = await open_staff_room(harness)
    nata = await add_staff(harness, staff_room, "Nata")
    member = await member_in_queue(harness, "en")
    await nata.press("✋ Take", chat=staff_room.room)
    thread = staff_room.case_thread(await case_code(harness))
    await nata.press("⛔ Block", chat=staff_room.room)
    await nata.press("⛔ 7 days", chat=staff_room.room)
    await nata.send("threats to staff", chat=staff_room.room, thread_id=thread)
    assert "not available to you until" in member.last.text
    assert "threats" not in "\n".join(member.texts())  # the reason stays with staff
    await member.command("/menu")
    await member.press("💬 Talk to a person")
    await member.press("🩺 Health")
    assert "not available to you until" in member.last.text
    harness.fake.advance_time(timedelta(days=8))


async def test_forget_me_removes_the_case_topic_and_every_conversation_row(harness: Harness) -> None:
    staff_room = await open_staff_room(harness)
    nata = await add_staff(harness, staff_room, "Nata")
    member = await member_in_queue(harness, "en")
    code = await case_code(harness)
    await nata.press("✋ Take", chat=staff_room.room)
    await member.send("a message")
    await member.command("/forget")
    await member.press("🗑 Only forget me")
    assert not any(code in topic.name for topic in staff_room.room.topics)
    assert not any(code in (m.text or "") for m in staff_room.room.messages(staff_room.queue_thread))
    async with harness.app.sessionmaker() as session:
        for model in (Conversation, RelayMessage):
            assert await session.scalar(select(func.count()).select_from(model)) == 0


async def test_canned_reply_in_the_members_language_and_counsellor_edits(harness: Harness) -> None:
    staff_room = await open_staff_room(harness)
    nata = await add_staff(harness, staff_room, "Nata")
    member = await member_in_queue(harness, "ru")
    thread = staff_room.case_thread(await case_code(harness))
    await nata.press("✋ Take", chat=staff_room.room)
    await nata.press("💬 Canned reply", chat=staff_room.room)
    await nata.press("🛡 Are you safe?", chat=staff_room.room)  # labels in the counsellor's language
    assert member.last.text.startswith("Nata:\nВы сейчас в безопасности?")  # text in the member's
    sent = await nata.send("Встретимся в 18:00", chat=staff_room.room, thread_id=thread)
    await nata.edit(sent["message_id"], "Встретимся в 19:00", chat=staff_room.room)
    assert member.last.text == "Nata:\nВстретимся в 19:00" and member.last.edited


async def test_a_long_content_text_is_split_into_pages_that_fit(harness: Harness) -> None:
    """The test content's long read is about 5,000 characters in every language."""
    for language in ("en", "ru", "uk"):
        member = await harness.started(language)
        await member.press_data("art:long-read:0")
        first = member.last.text
        await member.press(t(harness, language, "Next ▶️"))
        second = member.last.text
        assert first != second
        for text in (first, second):
            assert len(text.encode("utf-16-le")) // 2 <= 4096
