"""/stats for supervisors and admins, refusals for everyone else, and a CSV export that names nobody."""

from __future__ import annotations

import asyncio
import copy
import csv
from pathlib import Path

import pytest
from sqlalchemy import select

import handlers
from bot import cli
from bot.db.models import Conversation
from bot.services.staff import Role
from handlers.staff import stats as stats_handlers
from tests.e2e.conftest import Harness, start_harness, stop_harness
from tests.e2e.staffroom import add_staff, open_staff_room


@pytest.fixture
async def harness(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The usual harness, with the /stats router in the staff router until handlers/__init__.py has it."""
    original = handlers.staff_router

    def staff_router():  # type: ignore[no-untyped-def]
        router = original()
        if all(sub.name != stats_handlers.router.name for sub in router.sub_routers):
            router.include_router(copy.deepcopy(stats_handlers.router))  # a copy: never attach the module's
        return router

    monkeypatch.setattr(handlers, "staff_router", staff_router)
    h = await start_harness(tmp_path)
    try:
        yield h
    finally:
        await stop_harness(h)
    assert not h.fake.internal_errors, h.fake.internal_errors


def t(harness: Harness, language: str, msgid: str) -> str:
    return harness.app.i18n.gettext(msgid, locale=language)


async def member_in_queue(harness: Harness, **who):
    member = await harness.started("en", "📍 Kyiv", **who)
    await member.command("/menu")
    await member.press(t(harness, "en", "💬 Talk to a person"))
    await member.press(t(harness, "en", "🩺 Health"))
    return member


async def test_supervisor_sees_stats_others_are_refused(harness: Harness) -> None:
    staff_room = await open_staff_room(harness)
    sofia = await add_staff(harness, staff_room, "Sofia", roles=(Role.supervisor,))
    nata = await add_staff(harness, staff_room, "Nata")
    member = await member_in_queue(harness, first_name="Oksana", username="oksana_night")

    await sofia.command("/stats", "month 2026-11", chat=staff_room.room)
    answer = staff_room.room.messages()[-1]
    assert answer.from_bot, harness.logs.getvalue()[-3000:]
    assert "Statistics of Demo organisation, 2026-11" in answer.text
    assert "Conversations: <5" in answer.text  # the fake shows the parsed text  # one conversation: shown as "<5"
    assert "Median wait: withheld" in answer.text
    await harness.app.flush_usage()  # the member opened "Talk to a person" once: a small count
    await sofia.command("/stats", "month 2026-11", chat=staff_room.room)
    answer = staff_room.room.messages()[-1]
    assert "Menu sections opened" in answer.text and "Talk to a person <5" in answer.text
    assert "Rights 0" in answer.text
    for secret in (str(member.id), "Oksana", "oksana_night"):
        assert secret not in answer.text

    # In a private chat too; without arguments, the current month.
    await sofia.command("/stats")
    assert "2026-11" in sofia.last.text and "Conversations: <5" in sofia.last.text
    await sofia.command("/stats", "week 2026-W48")
    assert "2026-W48" in sofia.last.text
    await sofia.command("/stats", "fortnight")
    assert "Usage: /stats" in sofia.last.text

    refusal = "Only an organisation's supervisors and admins can see its statistics."
    await nata.command("/stats", chat=staff_room.room)
    assert staff_room.room.messages()[-1].text == refusal
    await nata.command("/stats")
    assert nata.last.text == refusal
    await member.command("/stats")
    assert member.last.text == refusal


async def test_csv_export_names_nobody(harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    staff_room = await open_staff_room(harness)
    await add_staff(harness, staff_room, "Nata", first_name="Natalia")
    members = [await member_in_queue(harness, first_name=f"Oksana{n}", username=f"oksana_night{n}") for n in range(6)]
    await staff_room.user("Nata").press("✋ Take", chat=staff_room.room)
    async with harness.app.sessionmaker() as session:
        codes = list(await session.scalars(select(Conversation.case_code)))
    assert len(codes) == 6

    # Each member opened "Talk to a person" once; the tally reaches the database when flushed.
    await harness.app.flush_usage()
    out = tmp_path / "stats.csv"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", harness.settings.database)
    monkeypatch.setenv("PRIVACY_KEY", harness.settings.privacy_key.get_secret_value())
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    code = await asyncio.to_thread(
        cli.main, ["stats", "export", "--org", "demo", "--period", "2026-11", "--out", str(out)]
    )
    assert code == 0
    text = out.read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))
    assert rows[0] == ["period", "scope", "metric", "key", "value"]
    assert ["2026-11", "all", "conversations", "", "6"] in rows
    assert ["2026-11", "all", "conversations_by_topic", "health", "6"] in rows
    assert ["2026-11", "all", "answered", "", "<5"] in rows  # one was taken
    assert ["2026-11", "all", "median_wait_minutes", "", "withheld"] in rows
    assert ["2026-11", "all", "sections_opened", "person", "6"] in rows
    assert ["2026-11", "kyiv", "sections_opened", "person", "6"] in rows
    assert ["2026-11", "all", "sections_opened", "rights", "0"] in rows

    secrets = ["Natalia", "real_nata", str(staff_room.user("Nata").id), *codes]
    for member in members:
        secrets += [str(member.id), str(member.chat_id), member.first_name, member.username or ""]
        secrets.append(harness.app.privacy.member_hash(member.id))
    for secret in secrets:
        assert secret and secret not in text, secret

    assert await asyncio.to_thread(cli.main, ["stats", "export", "--org", "nope", "--period", "2026-11"]) == 1
    assert await asyncio.to_thread(cli.main, ["stats", "export", "--org", "demo", "--period", "2026/11"]) == 1


async def test_reports_and_alert_deliveries_are_counted_without_a_trail(harness: Harness) -> None:
    """A report approved and sent to one subscriber: /stats counts it, and its figures outlive the
    report itself (retention deletes the row; the day count stays)."""
    from bot.db.models import Report
    from bot.services import reports as reports_service
    from tests.e2e.test_reports import member_in, moderator_room, send_simple_report, subscribe

    staff_room, mila = await moderator_room(harness)
    sofia = await add_staff(harness, staff_room, "Sofia", roles=(Role.supervisor,))
    subscriber = await member_in(harness, "en", "kyiv")
    await subscribe(harness, subscriber, "en", "kyiv")
    reporter = await member_in(harness, "en", "kyiv")
    await send_simple_report(harness, reporter, "Grey Skoda, hit me")
    await mila.press("✅ Approve", chat=staff_room.room)
    await harness.app.delivery.drain()
    assert any("Grey Skoda" in text for text in subscriber.texts())

    await sofia.command("/stats", "month 2026-11")
    assert "Received <5, approved <5, merged into alerts 0, rejected 0" in sofia.last.text
    assert "Messages delivered: alerts <5, broadcasts 0" in sofia.last.text

    # Long after, retention has deleted the report (its alert expired); the month's figures remain.
    harness.fake.advance_time(days=200)
    async with harness.app.sessionmaker() as session:
        await session.execute(Report.__table__.update().values(alert_id=None))
        await reports_service.purge(session, harness.app.clock())
        await session.commit()
        assert not (await session.scalars(select(Report))).all()
    await sofia.command("/stats", "month 2026-11")
    assert "Received <5, approved <5" in sofia.last.text
