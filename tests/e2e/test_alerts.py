"""Alerts as members use them: choose several cities (opt-in), read a city's recent alerts in their own
language, stop seeing expired ones, reach the screen from settings, and lose every subscription,
draft and reporter link with Forget me."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.db.models import AlertSubscription, ReportDraft, ReportReporter
from bot.services import members, reports, staff
from bot.services.reports import Draft, Step
from tests.e2e.conftest import Harness, labels
from tests.e2e.test_reports import member_in, open_safety, start_report

TEXT = "Grey Skoda, says he is from the police, takes phones."


def t(harness: Harness, language: str, msgid: str) -> str:
    return harness.app.i18n.gettext(msgid, locale=language)


async def approved_alert(harness: Harness, city: str = "kyiv") -> int:
    """What a member's report and a moderator's approval leave behind, made through the services."""
    app = harness.app
    async with app.sessionmaker() as session:
        organisation = await staff.create_organisation(session, "org", "Org", [city], default=True)
        reporter, _ = await members.ensure(session, app.privacy, 99, 99, "uk", harness.fake.now_datetime().date())
        draft = Draft(step=Step.summary, city=city, when="today", categories=["police", "robbery"], description=TEXT)
        report = await reports.submit(
            session, app.privacy, reporter.id, "CODE", draft, organisation.id, harness.fake.now_datetime()
        )
        alert = await reports.approve(session, app.privacy, report, harness.fake.now_datetime(), timedelta(days=90))
        await reports.take_reporter(session, report.id)  # the reporter was told
        await session.commit()
        return alert.id


async def test_several_cities_opt_in_and_the_list_in_each_language(harness: Harness, no_apologies) -> None:
    await approved_alert(harness)
    member = await member_in(harness, "uk", "kyiv")
    await open_safety(harness, member, "uk")
    await member.press(t(harness, "uk", "🚨 Bad-client alerts"))
    # Opt-in: nothing is switched on by picking a city at the start.
    assert (
        t(harness, "uk", "Your alert cities: {cities}").format(cities=t(harness, "uk", "none yet")) in member.last.text
    )
    assert labels(member.last)[0] == "➕ Київ"  # the member's own city first
    await member.press("➕ Київ")
    await member.press("➕ Львів")
    assert "Київ, Львів" in member.last.text
    await member.press("🔔 Львів")
    assert "Київ, Львів" not in member.last.text and "🔔 Київ" in labels(member.last)

    await member.press(t(harness, "uk", "📋 Recent alerts"))
    await member.press("📍 Київ")
    listing = member.last.text
    assert TEXT in listing
    assert (
        t(harness, "uk", "What happened: {what}").format(what="видавав себе за поліцейського, пограбування") in listing
    )
    await member.press(t(harness, "uk", "⬅️ Back"))
    await member.press("📍 Львів")
    assert "Львів" in member.last.text and TEXT not in member.last.text

    english = await member_in(harness, "en", "lviv")
    await english.command("/settings")
    await english.press("🚨 Bad-client alerts")
    await english.press("📋 Recent alerts")
    await english.press("📍 Kyiv")
    assert "What happened: posing as police, robbery" in english.last.text and TEXT in english.last.text

    # Expired alerts leave the list.
    harness.clock.advance(timedelta(days=91))
    await english.press("⬅️ Back")
    await english.press("📍 Kyiv")
    assert TEXT not in english.last.text
    assert "That does not mean that every client is safe" in english.last.text
    no_apologies(member)
    no_apologies(english)


async def test_forget_me_removes_subscriptions_drafts_and_reporter_links(harness: Harness) -> None:
    await approved_alert(harness)
    member = await member_in(harness, "en", "kyiv")
    await open_safety(harness, member, "en")
    await member.press("🚨 Bad-client alerts")
    await member.press("➕ Kyiv")
    await start_report(harness, member, "en")  # a draft
    async with harness.app.sessionmaker() as session:
        organisation = await staff.organisation_by_slug(session, "org")
        draft = Draft(step=Step.summary, city="kyiv", when="today", categories=["threats"], description="x")
        row = await members.find(session, harness.app.privacy, member.id)
        now = harness.fake.now_datetime()
        await reports.submit(session, harness.app.privacy, row.id, "SELF", draft, organisation.id, now)  # a link
        await reports.save_draft(session, harness.app.privacy, row.id, draft, now)  # and a draft
        await session.commit()

    await member.command("/forget")
    await member.press("🗑 Only forget me")
    async with harness.app.sessionmaker() as session:
        for table in (AlertSubscription, ReportDraft, ReportReporter):
            assert await session.scalar(select(func.count()).select_from(table)) == 0, table


async def test_alerts_are_silent_in_quiet_hours_and_follow_the_safety_switch(harness: Harness) -> None:
    from datetime import UTC, datetime

    from tests.e2e.test_reports import moderator_room, send_simple_report, subscribe

    staff_room, mila = await moderator_room(harness)
    night_owl, day_person, switched_off = [await member_in(harness, "en", "kyiv") for _ in range(3)]
    for member in (night_owl, day_person, switched_off):
        await subscribe(harness, member, "en", "kyiv")
    await night_owl.command("/settings")
    await night_owl.press("🔔 Notifications")
    await night_owl.press("🌙 23:00–09:00")
    await switched_off.command("/settings")
    await switched_off.press("🔔 Notifications")
    switch = next(label for label in labels(switched_off.last) if "Safety alerts" in label)
    await switched_off.press(switch)

    harness.clock.set(datetime(2026, 11, 24, 22, 30, tzinfo=UTC))  # 00:30 in Kyiv
    await send_simple_report(harness, await member_in(harness, "en", "kyiv"), "Night client, grey Skoda")
    await mila.press("✅ Approve", chat=staff_room.room)
    await harness.app.delivery.drain()
    sends = {
        call.params["chat_id"]: call.params.get("disable_notification")
        for call in harness.fake.calls_to("sendMessage")
        if "Night client, grey Skoda" in call.params.get("text", "") and call.params["chat_id"] > 0
    }
    assert sends == {night_owl.chat_id: True, day_person.chat_id: None}
