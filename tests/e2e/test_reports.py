"""Bad-client reports end to end: a member reports in Russian, a moderator edits and approves in the
staff room's Reports topic, and the members subscribed to that city — and only they — receive the
alert, each with the fixed parts in their own language. The reporter is protected: nothing links
them to the report once moderation ends, and identifiers are stored only as keyed hashes.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, text

from bot.db.models import Alert, ClientIdentifier, Delivery, Report, ReportDraft, ReportReporter
from bot.sandbox.client import TelegramUser
from bot.services import staff as staff_service
from bot.services.staff import Role
from tests.e2e.conftest import Harness, labels, restart
from tests.e2e.staffroom import StaffRoom, add_staff, open_staff_room

CITY = {
    "kyiv": {"uk": "📍 Київ", "ru": "📍 Киев", "en": "📍 Kyiv"},
    "lviv": {"uk": "📍 Львів", "ru": "📍 Львов", "en": "📍 Lviv"},
}
DESCRIPTION = "Высокий, лет 40, серая Шкода. Ударил и забрал деньги <script>"
SANITISED = "Tall man about 40, grey Skoda. Hits and takes the money."


def t(harness: Harness, language: str, msgid: str) -> str:
    return harness.app.i18n.gettext(msgid, locale=language)


async def member_in(harness: Harness, language: str, city: str, **who) -> TelegramUser:
    return await harness.started(language, CITY[city][language], **who)


async def open_safety(harness: Harness, member: TelegramUser, language: str) -> None:
    await member.command("/menu")
    await member.press(t(harness, language, "🛡 Safety"))


async def subscribe(harness: Harness, member: TelegramUser, language: str, city: str) -> None:
    await open_safety(harness, member, language)
    await member.press(t(harness, language, "🚨 Bad-client alerts"))
    await member.press("➕ " + CITY[city][language][2:])


async def start_report(harness: Harness, member: TelegramUser, language: str) -> None:
    await open_safety(harness, member, language)
    await member.press(t(harness, language, "📝 Report a bad client"))
    await member.press(t(harness, language, "📝 Start"))


async def fill_until_description(harness: Harness, member: TelegramUser, language: str, city: str) -> None:
    """City (the member's own is ticked already), when, what happened: up to the description."""
    await member.press("✅ " + CITY[city][language][2:])
    await member.press(t(harness, language, "Yesterday"))
    await member.press(t(harness, language, "👊 Violence"))
    await member.press(t(harness, language, "💰 Robbery"))
    await member.press(t(harness, language, "➡️ Next"))


async def moderator_room(harness: Harness) -> tuple[StaffRoom, TelegramUser]:
    staff_room = await open_staff_room(harness)
    mila = await add_staff(harness, staff_room, "Mila", roles=(Role.moderator,), first_name="Liudmyla")
    return staff_room, mila


async def other_organisation(harness: Harness) -> StaffRoom:
    """A second organisation (Odesa) with its own staff room and moderators."""
    room = harness.fake.forum_group("Other room")
    topics = [await harness.app.bot.create_forum_topic(room.chat_id, name) for name in ("Queue", "Reports", "News")]
    async with harness.app.sessionmaker() as session:
        organisation = await staff_service.create_organisation(
            session, "other", "Other", ["odesa"], "Europe/Kyiv", "en"
        )
        await staff_service.register_staff_room(
            session, organisation, room.chat_id, *(t.message_thread_id for t in topics)
        )
        await session.commit()
        return StaffRoom(room, organisation.id, topics[0].message_thread_id)


def reports_thread(staff_room: StaffRoom) -> int:
    topic = staff_room.room.topic("Reports")
    assert topic is not None
    return topic.thread_id


async def test_report_in_russian_moderated_and_sent_to_subscribers_of_the_city(harness: Harness, no_apologies) -> None:
    staff_room, mila = await moderator_room(harness)
    thread = reports_thread(staff_room)
    kyiv_uk = await member_in(harness, "uk", "kyiv")
    kyiv_en = await member_in(harness, "en", "kyiv")
    lviv_ru = await member_in(harness, "ru", "lviv")
    not_subscribed = await member_in(harness, "en", "kyiv")
    await subscribe(harness, kyiv_uk, "uk", "kyiv")
    await subscribe(harness, kyiv_en, "en", "kyiv")
    await subscribe(harness, lviv_ru, "ru", "lviv")
    assert "🔔 Kyiv" in labels(kyiv_en.last)

    reporter = await member_in(harness, "ru", "kyiv", first_name="Alyona", username="alyona_secret")
    await start_report(harness, reporter, "ru")
    await fill_until_description(harness, reporter, "ru", "kyiv")
    await reporter.send("x" * 1600)  # too long: told, and asked again
    assert "1600" in reporter.last.text
    await reporter.send(DESCRIPTION)
    await reporter.send("+380 67 123 45 67\n@BadGuy_77\nне номер")
    assert "не номер" in reporter.last.text  # what could not be read is named
    assert "+380671234567" in reporter.last.text and "badguy_77" in reporter.last.text
    await reporter.press(t(harness, "ru", "➡️ Next"))
    await reporter.send_sticker()  # a sticker where a photo is expected: a clear answer
    assert t(harness, "ru", "Please send a photo, or tap Skip.") in reporter.last.text
    await reporter.send_photo()
    await reporter.press("⬜ " + t(harness, "ru", "Also to partner lawyers"))
    await reporter.press(t(harness, "ru", "➡️ Next"))
    summary = reporter.last.text
    assert DESCRIPTION in summary and "+380671234567" in summary
    await reporter.press(t(harness, "ru", "✅ Send the report"))
    assert "R-" in reporter.last.text
    no_apologies(reporter)

    # The card in the Reports topic: what moderators need to sanitise, nobody's identity.
    card = [m for m in staff_room.room.messages(thread) if m.from_bot and m.inline_keyboard][-1]
    assert DESCRIPTION in card.text and "+380671234567" in card.text and "@badguy_77" in card.text
    assert "Reports from the same sender in the last 30 days: 1" in card.text
    assert any(m.kind == "photo" for m in staff_room.room.messages(thread))
    room_text = "\n".join(m.text or m.caption or "" for m in staff_room.room.messages())
    for secret in ("Alyona", "alyona_secret", str(reporter.id)):
        assert secret not in room_text

    # Too long a text is refused; a colleague without the moderator role only leaves a note.
    await mila.send("y" * 1600, chat=staff_room.room, thread_id=thread, reply_to=card.message_id)
    assert "1600" in staff_room.room.messages(thread)[-1].text
    ivan = await add_staff(harness, staff_room, "Ivan", roles=(Role.counsellor,))
    await ivan.send("I think it is him", chat=staff_room.room, thread_id=thread, reply_to=card.message_id)
    assert next(m for m in staff_room.room.messages(thread) if m.message_id == card.message_id).text == card.text
    # The moderator replaces the text by replying to the card, then approves.
    await mila.send(SANITISED, chat=staff_room.room, thread_id=thread, reply_to=card.message_id)
    card = next(m for m in staff_room.room.messages(thread) if m.message_id == card.message_id)
    assert SANITISED in card.text
    answer = await mila.press("✅ Approve", chat=staff_room.room)
    assert answer is not None and answer.text == "Approved."
    card = next(m for m in staff_room.room.messages(thread) if m.message_id == card.message_id)
    assert "Approved by Mila" in card.text and DESCRIPTION not in card.text and not card.inline_keyboard

    # The reporter hears the outcome in Russian, with a neutral first line.
    outcome = reporter.last.text
    assert outcome.startswith("ℹ️") and "Киев" in outcome

    await harness.app.delivery.drain()
    for member, language in ((kyiv_uk, "uk"), (kyiv_en, "en")):
        alert = member.last.text
        assert alert.startswith(
            t(harness, language, "🔔 New notice for {city}").format(city=CITY["kyiv"][language][2:])
        )
        assert t(harness, language, "What happened: {what}").split(":")[0] in alert
        assert SANITISED in alert and "+38067*****67" in alert
        assert "+380671234567" not in alert  # the full number only through "check a number"
    for member in (lviv_ru, not_subscribed):
        assert all(SANITISED not in text for text in member.texts())
    assert "Высокий" not in kyiv_en.last.text

    card = next(m for m in staff_room.room.messages(thread) if m.message_id == card.message_id)
    assert "Approved by Mila: alert #1. Delivered 2 of 2, blocked 0, failed 0." in card.text
    # Each subscriber got it once, even when the engine runs again.
    await harness.app.delivery.drain()
    assert sum(SANITISED in text for text in kyiv_uk.texts()) == 1

    async with harness.app.sessionmaker() as session:
        report = await session.scalar(select(Report))
        assert report.status == "approved" and report.payload_enc is None
        assert await session.scalar(select(func.count()).select_from(ReportReporter)) == 0
        assert await session.scalar(select(func.count()).select_from(ReportDraft)) == 0
        delivered = await session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == "sent"))
        assert delivered == 2
        hashes = list(await session.scalars(select(ClientIdentifier.hash)))
        assert len(hashes) == 2 and all(len(h) == 64 for h in hashes)
        dump = await everything_in_the_database(session)
    for secret in ("380671234567", "0671234567", "badguy", "Высокий", "Alyona", str(reporter.id)):
        assert secret not in dump, secret
    logs = harness.logs.getvalue()
    for secret in ("380671234567", "badguy", "Высокий", SANITISED, "Alyona"):
        assert secret not in logs, secret


async def everything_in_the_database(session) -> str:
    """Every value of every table as text (blobs as their bytes): what a database leak would show."""
    tables = [row[0] for row in await session.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))]
    parts = []
    for table in tables:
        for row in await session.execute(text(f'SELECT * FROM "{table}"')):
            parts += [value.decode("latin-1") if isinstance(value, bytes) else str(value) for value in row]
    return "\n".join(parts)


async def test_numbers_are_found_whatever_way_they_are_typed(harness: Harness) -> None:
    staff_room, mila = await moderator_room(harness)
    reporter = await member_in(harness, "uk", "kyiv")
    for numbers in ("+380 67 123 45 67", "8 (912) 345-67-89"):
        await start_report(harness, reporter, "uk")
        await fill_until_description(harness, reporter, "uk", "kyiv")
        await reporter.send("Не заплатив і погрожував")
        await reporter.send(numbers)
        await reporter.press(t(harness, "uk", "➡️ Next"))
        await reporter.press(t(harness, "uk", "⏭ Skip"))
        await reporter.press(t(harness, "uk", "➡️ Next"))
        await reporter.press(t(harness, "uk", "✅ Send the report"))
        await mila.press("✅ Approve", chat=staff_room.room)

    checker = await member_in(harness, "ru", "lviv")
    await open_safety(harness, checker, "ru")
    await checker.press(t(harness, "ru", "🔎 Check a number"))
    for typed in ("067-123-45-67", "80671234567", "8 (912) 345-67-89", "+79123456789"):
        await checker.send(typed)
        answer = checker.last.text
        assert answer.startswith("⚠️"), (typed, answer)
        assert "Киев" in answer and "ноябрь 2026" in answer and "насилие" in answer, answer
    await checker.send("+380 50 000 00 00")
    answer = checker.last.text
    assert answer.startswith("🔎")
    # Never a promise of safety: "no reports" is followed at once by what it does not mean.
    assert (
        t(
            harness,
            "ru",
            "That does not mean this person is safe: reports cover only what members told the "
            "organisation. Trust your feelings, tell a friend where you are going and when you will "
            "be back, and read the safety tips.",
        )
        in answer
    )
    await checker.send("hello there")
    assert (
        t(
            harness,
            "ru",
            "I could not read that as a phone number, handle, e-mail or car plate. "
            "Try again, for example +380 67 123 45 67 or @name.",
        )
        in checker.last.text
    )


async def test_a_half_filled_report_survives_a_restart(harness: Harness) -> None:
    await open_staff_room(harness)
    reporter = await member_in(harness, "en", "kyiv")
    await start_report(harness, reporter, "en")
    await fill_until_description(harness, reporter, "en", "kyiv")
    assert "step 4 of 8" in reporter.last.text

    await restart(harness)  # in-memory FSM storage is gone; the draft is in the database
    await reporter.send_sticker()  # a sticker where text is expected: a clear answer, the step stays
    assert "Please type your answer as text." in reporter.last.text and "step 4 of 8" in reporter.last.text
    await reporter.send("He followed me to the car park")
    assert "step 5 of 8" in reporter.last.text
    # Buttons of another step, or forged values, change nothing and show where the form is.
    for data in ("rpk:when:today", "rpk:city:atlantis", "rpk:what:prostitution", "rpk:consent:admin"):
        answer = await reporter.press_data(data)
        assert answer is not None and answer.text == "This button is out of date. Here is your report.", data
        assert "step 5 of 8" in reporter.last.text
    await reporter.press("⏭ Skip")
    await reporter.press("⬅️ Back")  # back one step: the identifiers again
    assert "step 5 of 8" in reporter.last.text
    await reporter.press("⏭ Skip")
    await reporter.press("⏭ Skip")
    await reporter.press("➡️ Next")
    assert "He followed me to the car park" in reporter.last.text
    await reporter.press("✅ Send the report")
    assert "R-" in reporter.last.text

    # A draft left for a day no longer takes what the member writes, and is offered again.
    await start_report(harness, reporter, "en")
    await reporter.press("✅ Kyiv")
    harness.clock.advance(timedelta(hours=25))
    await reporter.send("hello")
    assert "step" not in reporter.last.text  # the usual answer to free text, not the form
    await open_safety(harness, reporter, "en")
    await reporter.press("📝 Report a bad client")
    await reporter.press("▶️ Continue")
    assert "step 2 of 8" in reporter.last.text
    await reporter.press("❌ Cancel")
    await open_safety(harness, reporter, "en")
    await reporter.press("📝 Report a bad client")
    await reporter.press("📝 Start")
    await reporter.press("❌ Cancel")
    async with harness.app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(ReportDraft)) == 0


async def test_forged_callback_data_cannot_approve_reject_or_read_a_report(harness: Harness) -> None:
    staff_room, mila = await moderator_room(harness)
    counsellor = await add_staff(harness, staff_room, "Ivan", roles=(Role.counsellor,))
    thread = reports_thread(staff_room)
    reporter = await member_in(harness, "en", "kyiv")
    await start_report(harness, reporter, "en")
    await fill_until_description(harness, reporter, "en", "kyiv")
    await reporter.send("Secret details of the incident")
    await reporter.press("⏭ Skip")
    await reporter.press("⏭ Skip")
    await reporter.press("➡️ Next")
    await reporter.press("✅ Send the report")
    async with harness.app.sessionmaker() as session:
        report_id = await session.scalar(select(Report.id))
    card = [m for m in staff_room.room.messages(thread) if m.from_bot and m.inline_keyboard][-1]

    before = len(staff_room.room.messages())
    refusal = "Only moderators of this organisation can do this."
    for data in (
        f"mod:{report_id}:approve",
        f"modr:{report_id}:other",
        f"mod:{report_id}:merge",
        f"modm:{report_id}:1",
    ):
        answer = await counsellor.press_data(data, card.message_id, chat=staff_room.room)
        assert answer is not None and answer.text == refusal and answer.show_alert, data
    # A moderator pressing a forged button on some other message, or for a report that does not exist.
    other = await other_organisation(harness)
    stranger = await add_staff(harness, other, "Olena", roles=(Role.moderator,))
    answer = await stranger.press_data(f"mod:{report_id}:approve", chat=other.room)
    assert answer is not None and answer.text == refusal
    answer = await mila.press_data("mod:999999:approve", card.message_id, chat=staff_room.room)
    assert answer is not None and answer.text == refusal
    # A member forging it in the private chat reaches no staff handler at all.
    answer = await reporter.press_data(f"mod:{report_id}:approve")
    assert answer is not None and "out of date" in answer.text
    assert len(staff_room.room.messages()) == before  # nothing was shown or posted
    assert all("Secret details" not in text for text in other.room.texts())
    async with harness.app.sessionmaker() as session:
        assert (await session.get(Report, report_id)).status == "pending"
        assert await session.scalar(select(func.count()).select_from(Alert)) == 0

    # The real moderator rejects with a reason; the reporter is told, and the link is gone.
    await mila.press("❌ Reject", chat=staff_room.room)
    await mila.press("❌ Not enough detail to warn others", chat=staff_room.room)
    assert "Not enough detail to warn others" in reporter.last.text
    answer = await mila.press_data(f"mod:{report_id}:approve", card.message_id, chat=staff_room.room)
    assert answer is not None and answer.text == "This report has already been moderated."
    async with harness.app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(ReportReporter)) == 0


async def send_simple_report(harness: Harness, member: TelegramUser, description: str, *, alert: bool = True) -> None:
    await start_report(harness, member, "en")
    await fill_until_description(harness, member, "en", "kyiv")
    await member.send(description)
    await member.send("+380 67 123 45 67")
    await member.press("➡️ Next")
    await member.press("⏭ Skip")
    if not alert:
        await member.press("✅ Anonymous alert to the community")
    await member.press("➡️ Next")
    await member.press("✅ Send the report")


async def test_merge_into_a_live_alert_and_a_report_without_consent(harness: Harness) -> None:
    staff_room, mila = await moderator_room(harness)
    subscriber = await member_in(harness, "en", "kyiv")
    await subscribe(harness, subscriber, "en", "kyiv")
    first, second, private = [await member_in(harness, "en", "kyiv") for _ in range(3)]
    await send_simple_report(harness, first, "Grey Skoda, hit me")
    await mila.press("✅ Approve", chat=staff_room.room)
    await harness.app.delivery.drain()
    await send_simple_report(harness, second, "Same grey Skoda, took the money")
    await mila.press("🔗 Merge", chat=staff_room.room)
    choice = next(label for label in labels(staff_room.room.messages()[-2]) if label.startswith("🔗 #"))
    await mila.press(choice, chat=staff_room.room)
    assert "added it to an existing alert" in second.last.text
    await harness.app.delivery.drain()
    assert sum("Grey Skoda" in text for text in subscriber.texts()) == 1  # a merge sends nothing new

    await open_safety(harness, subscriber, "en")
    await subscriber.press("🚨 Bad-client alerts")
    await subscriber.press("📋 Recent alerts")
    await subscriber.press("📍 Kyiv")
    assert "Reports about this person: 2" in subscriber.last.text
    assert "What happened: violence, robbery" in subscriber.last.text

    # Without consent to an alert the card cannot be approved, only rejected.
    await send_simple_report(harness, private, "Please do not publish this", alert=False)
    card = [m for m in staff_room.room.messages(reports_thread(staff_room)) if m.inline_keyboard][-1]
    assert "✅ Approve" not in labels(card) and "❌ Reject" in labels(card)
    assert "did not agree to an alert" in card.text
    async with harness.app.sessionmaker() as session:
        report_id = await session.scalar(select(Report.id).order_by(Report.id.desc()))
    answer = await mila.press_data(f"mod:{report_id}:approve", card.message_id, chat=staff_room.room)
    assert answer is not None and answer.text == "The reporter did not agree to an alert."
    async with harness.app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Alert)) == 1
