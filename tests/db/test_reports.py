"""Reports and alerts in the database, on SQLite and PostgreSQL: drafts sealed, the reporter link
gone after moderation, counts per sender without a link, identifiers only as keyed hashes, merge,
expiry, retention and forget me."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text

from bot.db.base import create_engine, create_sessionmaker
from bot.db.migrate import upgrade
from bot.db.models import (
    Alert,
    AlertSubscription,
    ClientIdentifier,
    Report,
    ReportDraft,
    ReportReporter,
    ReportSubmission,
)
from bot.privacy import Privacy
from bot.services import alerts, members, reports, staff
from bot.services.identifiers import parse
from bot.services.reports import Draft, Step

PRIVACY = Privacy("r" * 40)
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
EXPIRY = timedelta(days=90)


async def _sessions(url: str):
    engine = create_engine(url)
    await upgrade(engine)
    return engine, create_sessionmaker(engine)


def _draft(description: str = "Hit me, took the money", numbers: str = "+380 67 123 45 67") -> Draft:
    draft = Draft(step=Step.summary, city="kyiv", when="yesterday", categories=["violence"], description=description)
    for typed in numbers.split(","):
        draft.add_identifiers(parse(typed, "UA")[:1])
    return draft


async def _member(session, user_id: int):
    member, _ = await members.ensure(session, PRIVACY, user_id, user_id, "ru", NOW.date())
    return member


async def test_draft_is_sealed_and_survives_a_new_session(database_url: str) -> None:
    engine, sessions = await _sessions(database_url)
    async with sessions() as session:
        member = await _member(session, 4242)
        await reports.save_draft(session, PRIVACY, member.id, _draft("Описание: высокий, серый BMW"), NOW)
        await session.commit()
    async with sessions() as session:
        assert await reports.draft_step(session, member.id) == Step.summary
        draft = await reports.load_draft(session, PRIVACY, member.id)
        blob = await session.scalar(select(ReportDraft.data_enc))
    assert draft is not None and draft.description == "Описание: высокий, серый BMW"
    assert draft.identifiers == [("phone", "+380671234567")]
    assert "высокий".encode() not in blob and b"380671234567" not in blob
    await engine.dispose()


async def test_moderation_ends_the_link_and_keeps_only_hashes(database_url: str) -> None:
    engine, sessions = await _sessions(database_url)
    async with sessions() as session:
        organisation = await staff.create_organisation(session, "org", "Org", ["kyiv"], default=True)
        member = await _member(session, 4343)
        first = await reports.submit(session, PRIVACY, member.id, "K7F2", _draft(), organisation.id, NOW)
        second = await reports.submit(
            session, PRIVACY, member.id, "K7F2", _draft("Again", "@BadGuy"), organisation.id, NOW + timedelta(hours=1)
        )
        other = await reports.submit(session, PRIVACY, member.id, "ZZZZ", _draft(), organisation.id, NOW)
        await session.commit()
    assert (first.recent_from_sender, second.recent_from_sender, other.recent_from_sender) == (1, 2, 1)
    assert first.reference != second.reference
    async with sessions() as session:
        report = await session.get(Report, first.id)
        await reports.set_alert_text(session, PRIVACY, report, "Tall man, grey car")
        alert = await reports.approve(session, PRIVACY, report, NOW, EXPIRY)
        assert await reports.take_reporter(session, report.id) == member.id
        assert await reports.take_reporter(session, report.id) is None  # told once, then forgotten
        merged = await session.get(Report, second.id)
        await reports.merge(session, PRIVACY, merged, alert, NOW + timedelta(hours=2), EXPIRY)
        await reports.take_reporter(session, merged.id)
        rejected = await session.get(Report, other.id)
        await reports.reject(session, rejected, NOW)
        await reports.take_reporter(session, rejected.id)
        await session.commit()
    async with sessions() as session:
        alert = await session.get(Alert, alert.id)
        assert alert.text == "Tall man, grey car" and alert.report_count == 2
        assert alert.masked.split("\n") == ["phone:+38067*****67", "handle:@ba***y"]
        assert await session.scalar(select(func.count()).select_from(ReportReporter)) == 0
        assert all(r.payload_enc is None for r in await session.scalars(select(Report)))
        hashes = set(await session.scalars(select(ClientIdentifier.hash)))
        assert hashes == {found.hashed(PRIVACY) for found in parse("067 123 45 67", "UA") + parse("@badguy")}
        # Counting per sender needs no report id: the table has none.
        assert "report_id" not in ReportSubmission.__table__.columns
        assert await session.scalar(select(func.count()).select_from(ReportSubmission)) == 3
        # Found by any spelling, counted per city.
        found = await alerts.check(session, PRIVACY, parse("80671234567", "UA"), NOW)
        assert [(m.city, m.reports, m.categories) for m in found] == [("kyiv", 2, ["violence"])]
    async with engine.connect() as conn:
        dump = ""
        for table in ("reports", "alerts", "client_identifiers", "report_submissions"):
            dump += repr((await conn.execute(text(f"select * from {table}"))).all())
    for secret in ("380671234567", "badguy", "K7F2", "Hit me", "Again"):
        assert secret not in dump, secret
    await engine.dispose()


async def test_expiry_retention_and_forget_me(database_url: str) -> None:
    engine, sessions = await _sessions(database_url)
    async with sessions() as session:
        organisation = await staff.create_organisation(session, "org", "Org", ["kyiv"], default=True)
        member = await _member(session, 4444)
        approved = await reports.submit(session, PRIVACY, member.id, "AAAA", _draft(), organisation.id, NOW)
        alert = await reports.approve(session, PRIVACY, approved, NOW, EXPIRY)
        await reports.submit(session, PRIVACY, member.id, "AAAA", _draft(), organisation.id, NOW)  # never moderated
        await alerts.toggle(session, member.id, "kyiv")
        await alerts.toggle(session, member.id, "lviv")
        await reports.save_draft(session, PRIVACY, member.id, _draft(), NOW)
        await session.commit()
        alert_id = alert.id

    async with sessions() as session:
        assert await alerts.subscribed_cities(session, member.id) == ["kyiv", "lviv"]
        assert [a.id for a in await alerts.recent(session, "kyiv", NOW)] == [alert_id]
        # Forget me: subscriptions, the draft and every reporter link go; the reports stay, unlinked.
        info = members.MemberInfo.of(await members.find(session, PRIVACY, 4444))
        await members.forget(session, info)
        await session.commit()
    async with sessions() as session:
        for table in (AlertSubscription, ReportDraft, ReportReporter):
            assert await session.scalar(select(func.count()).select_from(table)) == 0
        assert await session.scalar(select(func.count()).select_from(Report)) == 2

        later = NOW + timedelta(days=31)
        assert await reports.purge(session, later) == 1  # the unmoderated report
        assert await session.scalar(select(func.count()).select_from(ReportSubmission)) == 0
        assert await alerts.expire(session, later) == 0
        await session.commit()
    async with sessions() as session:
        gone = NOW + EXPIRY + timedelta(seconds=1)
        assert await alerts.recent(session, "kyiv", gone) == []
        assert await alerts.check(session, PRIVACY, parse("0671234567", "UA"), gone) == []
        assert await alerts.expire(session, gone) == 1
        assert await session.scalar(select(func.count()).select_from(ClientIdentifier)) == 0
        await session.commit()
    await engine.dispose()


async def test_two_moderators_deciding_at_once_decide_once(database_url: str) -> None:
    engine, sessions = await _sessions(database_url)
    async with sessions() as session:
        organisation = await staff.create_organisation(session, "org", "Org", ["kyiv"], default=True)
        member = await _member(session, 4545)
        report = await reports.submit(session, PRIVACY, member.id, "BBBB", _draft(), organisation.id, NOW)
        await session.commit()
    async with sessions() as first, sessions() as second:
        one = await first.get(Report, report.id)
        two = await second.get(Report, report.id)  # both loaded it while it was pending
        await reports.approve(first, PRIVACY, one, NOW, EXPIRY)
        await first.commit()
        for decide in (
            lambda: reports.approve(second, PRIVACY, two, NOW, EXPIRY),
            lambda: reports.reject(second, two, NOW),
        ):
            try:
                await decide()
            except reports.AlreadyModerated:
                continue
            raise AssertionError("a second decision went through")
        await second.rollback()
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Alert)) == 1
        assert (await session.get(Report, report.id)).status == "approved"
    await engine.dispose()
