"""Broadcasts end to end: a broadcaster composes in three languages and picks a time, a supervisor
approves in the Broadcasts topic, the scheduler sends at that time to the right members, each in
their language, with live counts on the card; members outside the audience get nothing, and an
unsubscribe button under the message works (with undo). Staff never see who the members are."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services.staff import Role
from tests.e2e.conftest import Harness, labels
from tests.e2e.staffroom import add_staff, open_staff_room

CITY = {"uk": "📍 Київ", "ru": "📍 Киев", "en": "📍 Kyiv"}
LVIV = {"uk": "📍 Львів", "ru": "📍 Львов", "en": "📍 Lviv"}
TEXTS = {
    "uk": "Завтра день клініки <безкоштовно> & анонімно",
    "ru": "Завтра день клиники <бесплатно> & анонимно",
    "en": "Clinic day tomorrow <free> & anonymous",
}
UNSUBSCRIBE = {"uk": "🔕 Відписатися", "ru": "🔕 Отписаться", "en": "🔕 Unsubscribe"}


def t(harness: Harness, language: str, msgid: str) -> str:
    return harness.app.i18n.gettext(msgid, locale=language)


async def test_compose_in_three_languages_approve_and_deliver_at_the_chosen_time(harness: Harness) -> None:
    staff_room = await open_staff_room(harness)
    admin = await add_staff(harness, staff_room, "Ada", roles=(Role.admin,))
    bea = await add_staff(harness, staff_room, "Bea", roles=(Role.broadcaster,))
    sam = await add_staff(harness, staff_room, "Sam", roles=(Role.supervisor,))
    await admin.command("/broadcast_approval", "on")
    assert "a supervisor approves every broadcast" in admin.last.text

    kyiv = {
        language: await harness.started(
            language, CITY[language], first_name=f"Olena-{language}", username=f"olena_{language}"
        )
        for language in ("uk", "ru", "en")
    }
    lviv = await harness.started("uk", LVIV["uk"], first_name="Lesya-Lviv")
    no_city = await harness.started("en", first_name="Nadia-Nowhere")
    muted = await harness.started("en", CITY["en"], first_name="Mila-Muted")
    await muted.command("/settings")
    await muted.press("🔔 Notifications")
    await muted.press("✅ 🩺 Clinic news")
    assert "▫️ 🩺 Clinic news" in labels(muted.last)
    blocked = await harness.started("ru", CITY["ru"], first_name="Vera-Blocked")
    before = {m: len(m.bot_messages) for m in [*kyiv.values(), lviv, no_city, muted, blocked]}

    # Compose: a text per language, clinic news, Kyiv, every language, a time.
    await bea.command("/broadcast")
    await bea.press("🔤 A text per language")
    for language in ("uk", "ru", "en"):
        await bea.send(TEXTS[language])
    await bea.press("🩺 Clinic news")
    await bea.press("▫️ Kyiv")
    await bea.press("➡️ Next")
    assert labels(bea.last)[:3] == ["✅ 🇺🇦 Українська", "✅ 🇷🇺 Русский", "✅ 🇬🇧 English"]
    await bea.press("➡️ Next")
    # Previews exactly as members see them, in each language, then the summary.
    previews = bea.bot_messages[-7:-1]
    assert [m.text for m in previews[1::2]] == [TEXTS["uk"], TEXTS["ru"], TEXTS["en"]]
    assert [labels(m) for m in previews[1::2]] == [[UNSUBSCRIBE["uk"]], [UNSUBSCRIBE["ru"]], [UNSUBSCRIBE["en"]]]
    summary = bea.last.text
    assert "Cities: Kyiv" in summary and "Members who would receive it now: 4" in summary
    answer = await bea.press("🔕 Unsubscribe", message_id=previews[-1].message_id)
    assert answer is not None and "preview" in answer.text
    await bea.press("🕒 Choose a time")
    await bea.send("31.02 10:00")
    assert "could not read that" in bea.last.text
    await bea.send("17.12 10:00")
    assert "waits for a supervisor's approval" in bea.last.text

    card = staff_room.room.messages(None)[-1]
    broadcasts_topic = card.thread_id
    assert "Status: ⏳ waiting for a supervisor's approval" in card.text
    assert "When: 17 Dec 2026, 10:00 (Europe/Kyiv)" in card.text
    topic_texts = [m.text for m in staff_room.room.messages(broadcasts_topic)]
    assert TEXTS["uk"] in topic_texts and TEXTS["en"] in topic_texts  # the supervisor sees what goes out

    # The author cannot approve; a broadcaster is not a supervisor; the supervisor approves.
    answer = await bea.press("✅ Approve", chat=staff_room.room)
    assert answer is not None and "Only a supervisor" in answer.text
    await sam.press("✅ Approve", chat=staff_room.room)
    card = staff_room.room.messages(broadcasts_topic)[-1]
    assert "Status: 🕒 scheduled" in card.text and labels(card) == ["✖️ Cancel"]

    await harness.fake.block(blocked, notify=False)
    assert await harness.app.run_due() == 0  # not yet: 24 November
    assert {m: len(m.bot_messages) for m in before} == before

    harness.clock.set(datetime(2026, 12, 17, 8, 0, tzinfo=UTC))  # 10:00 in Kyiv
    assert await harness.app.run_due() == 1
    for language, member in kyiv.items():
        assert member.last.text == TEXTS[language]
        assert labels(member.last) == [UNSUBSCRIBE[language]]
        assert len(member.bot_messages) == before[member] + 1
    for outside in (lviv, no_city, muted, blocked):
        assert len(outside.bot_messages) == before[outside]
    card = staff_room.room.messages(broadcasts_topic)[-1]
    assert "Status: ✅ sent" in card.text
    assert "Delivered 3 of 4 · blocked 1 · failed 0" in card.text
    assert labels(card) == []
    assert await harness.app.run_due() == 0  # once only

    # Unsubscribe from under the message, then undo.
    member = kyiv["uk"]
    await member.press(UNSUBSCRIBE["uk"])
    assert t(harness, "uk", "🩺 Clinic news") in member.last.text
    await member.press(t(harness, "uk", "↩️ Undo"))
    assert member.last.text.startswith("🔔")

    # Staff saw counts, never a member's name, username or id; the logs carry none either, nor the text.
    seen = [m.text or "" for m in staff_room.room.messages()] + [m.text or "" for m in bea.bot_messages]
    logs = harness.logs.getvalue()
    for person in [*kyiv.values(), lviv, no_city, muted, blocked]:
        for secret in (str(person.id), person.first_name, person.username or "\x00"):
            assert not any(secret in text for text in seen)
            assert secret not in logs
    assert "delivery job 1 done: 3 sent, 1 blocked, 0 failed" in logs
    assert not any(text in logs for text in TEXTS.values())


async def test_send_now_without_approval_cancel_and_refusals(harness: Harness) -> None:
    staff_room = await open_staff_room(harness)
    bea = await add_staff(harness, staff_room, "Bea", roles=(Role.broadcaster,))
    counsellor = await add_staff(harness, staff_room, "Cat", roles=(Role.counsellor,))
    member = await harness.started("ru", CITY["ru"])

    await counsellor.command("/broadcast")
    assert "Only an organisation's broadcasters and admins" in counsellor.last.text
    await counsellor.command("/broadcasts")
    assert "Only an organisation's broadcasters and admins" in counsellor.last.text
    await bea.command("/broadcast_approval", "off")
    assert bea.last.text == "Only an organisation's admins can use this command."
    await member.command("/broadcast")
    assert len(member.bot_messages) >= 1

    # One text for everyone, safety alert, sent now.
    await bea.command("/broadcast")
    await bea.press("🌐 One text for everyone")
    await bea.send("<b>Police</b> at the station tonight")
    await bea.press("⚠️ Safety alerts")
    await bea.press("📍 All our cities")
    await bea.press("➡️ Next")
    await bea.press("✅ 🇬🇧 English")  # English off
    await bea.press("➡️ Next")
    await bea.press("🚀 Send now")
    assert "is going out now" in bea.last.text
    await harness.app.run_due()
    assert member.last.text == "<b>Police</b> at the station tonight"  # shown as typed, not as markup

    # A second one is scheduled and then cancelled from the list: nothing goes out.
    await bea.command("/broadcast")
    await bea.press("🌐 One text for everyone")
    await bea.send("Later")
    await bea.press("⚠️ Safety alerts")
    await bea.press("📍 All our cities")
    await bea.press("➡️ Next")
    await bea.press("➡️ Next")
    await bea.press("🕒 Choose a time")
    await bea.send("2026-11-25 09:00")
    await bea.command("/broadcasts")
    await bea.press("✖️ Cancel")
    assert await harness.app.run_due() == 0
    harness.clock.set(datetime(2026, 11, 26, 0, 0, tzinfo=UTC))
    assert await harness.app.run_due() == 0
    assert member.last.text == "<b>Police</b> at the station tonight"
    cards = [m.text for m in staff_room.room.messages() if m.text and "Broadcast #2" in m.text]
    assert cards and "✖️ cancelled" in cards[-1]
