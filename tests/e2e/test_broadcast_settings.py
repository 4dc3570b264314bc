"""What members receive, from their side: topics on and off (safety alerts and clinic news on by
default, events off), quiet hours in their city's time zone (the message still arrives, silently),
stale buttons answered, and "forget me" erasing their choices and delivery rows."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.db.models import Delivery, MemberSubscription, Organisation
from bot.services import broadcasts, subscriptions
from bot.services.broadcasts import Draft
from bot.services.subscriptions import Topic
from tests.e2e.conftest import Harness, labels
from tests.e2e.staffroom import open_staff_room

KYIV = {"uk": "📍 Київ", "ru": "📍 Киев", "en": "📍 Kyiv"}


def t(harness: Harness, language: str, msgid: str) -> str:
    return harness.app.i18n.gettext(msgid, locale=language)


async def broadcast(harness: Harness, organisation_id: int, text: str, topic: Topic) -> None:
    async with harness.app.sessionmaker() as session:
        organisation = await session.get(Organisation, organisation_id)
        draft = Draft(texts={"all": text}, topic=topic, cities=("kyiv",), languages=("uk", "ru", "en"))
        await broadcasts.create(session, organisation, None, draft, None, harness.clock())
        await session.commit()
    await harness.app.run_due()


async def test_topics_quiet_hours_and_forget_me_in_every_language(harness: Harness) -> None:
    staff_room = await open_staff_room(harness)
    for language in ("uk", "ru", "en"):
        member = await harness.started(language, KYIV[language])
        await member.command("/settings")
        await member.press(t(harness, language, "🔔 Notifications"))
        screen = member.last
        assert screen.text.startswith(t(harness, language, "🔔 Notifications"))
        safety, clinics, events = (
            t(harness, language, name) for name in ("⚠️ Safety alerts", "🩺 Clinic news", "📅 Events and campaigns")
        )
        assert labels(screen)[:3] == [f"✅ {safety}", f"✅ {clinics}", f"▫️ {events}"]
        await member.press(f"✅ {safety}")
        await member.press(f"▫️ {events}")
        assert labels(member.last)[:3] == [f"▫️ {safety}", f"✅ {clinics}", f"✅ {events}"]
        assert member.last.message_id == screen.message_id  # edited in place
        await member.press("🌙 22:00–08:00")
        assert "22:00–08:00" in member.last.text and "✅ 🌙 22:00–08:00" in labels(member.last)

        # 12:00 UTC is 14:00 in Kyiv: outside quiet hours, so events arrive with sound; safety is off.
        before = len(member.bot_messages)
        await broadcast(harness, staff_room.organisation_id, f"Event for {language}", Topic.events)
        await broadcast(harness, staff_room.organisation_id, f"Safety for {language}", Topic.safety)
        assert [m.text for m in member.bot_messages[before:]] == [f"Event for {language}"]

        # Forget me: choices and delivery rows go with the member.
        await member.command("/forget")
        await member.press(t(harness, language, "🗑 Only forget me"))
        async with harness.app.sessionmaker() as session:
            assert await session.scalar(select(func.count()).select_from(MemberSubscription)) == 0
            assert await session.scalar(select(func.count()).select_from(Delivery)) == 0
            await session.execute(Delivery.__table__.delete())
            await session.commit()


async def test_quiet_hours_make_a_broadcast_silent_at_night_in_kyiv(harness: Harness) -> None:
    staff_room = await open_staff_room(harness)
    night_owl = await harness.started("uk", KYIV["uk"])
    await night_owl.command("/settings")
    await night_owl.press(t(harness, "uk", "🔔 Notifications"))
    await night_owl.press("🌙 23:00–09:00")
    other = await harness.started("en", KYIV["en"])
    harness.clock.set(datetime(2026, 11, 24, 22, 30, tzinfo=UTC))  # 00:30 in Kyiv
    await broadcast(harness, staff_room.organisation_id, "Night notice", Topic.safety)
    sends = {
        c.params["chat_id"]: c.params.get("disable_notification")
        for c in harness.fake.calls_to("sendMessage")
        if c.params.get("text") == "Night notice"
    }
    assert sends == {night_owl.chat_id: True, other.chat_id: None}
    assert night_owl.last.text == "Night notice"  # delivered, only without sound

    # Stale or forged buttons get a clear answer and change nothing.
    answer = await night_owl.press_data("quiet:7")
    assert answer is not None and answer.text == t(harness, "uk", "This button is out of date.")
    async with harness.app.sessionmaker() as session:
        member_id = (await session.scalars(select(MemberSubscription.member_id))).first()
        assert member_id is None
        assert await subscriptions.quiet_hours(session, 1) == (23 * 60, 9 * 60)
