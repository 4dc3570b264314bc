"""Anonymous statistics on SQLite and PostgreSQL: the figures, the period bounds in the organisation's
time zone, and small counts and thin medians kept from view."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.db.base import create_engine, create_sessionmaker
from bot.db.migrate import upgrade
from bot.privacy import Privacy
from bot.services import handoff, members, stats
from bot.services import staff as staff_service
from bot.services.handoff import Topic
from bot.services.staff import Role
from bot.services.stats import PeriodInvalid, PeriodKind, SmallCount

PRIVACY = Privacy("s" * 40)
NOV = datetime(2026, 11, 10, 8, 0, tzinfo=UTC)


async def _conversation(session, organisation_id: int, user_id: int, city: str | None, topic: Topic, at: datetime):
    member, _ = await members.ensure(session, PRIVACY, user_id, user_id, "uk", at.date())
    if city is not None:
        await members.set_city(session, member, city)
    conversation, _ = await handoff.open_conversation(
        session,
        member_id=member.id,
        organisation_id=organisation_id,
        case_code=f"C{user_id}",
        topic=topic,
        language="uk",
        now=at,
    )
    return member, conversation


async def _seed(url: str):
    engine = create_engine(url)
    await upgrade(engine)
    sessions = create_sessionmaker(engine)
    async with sessions() as session:
        org = await staff_service.create_organisation(session, "org", "Org", ["kyiv", "lviv"], default=True)
        other = await staff_service.create_organisation(session, "other", "Other", ["odesa"])
        token = await staff_service.create_invite(session, PRIVACY, org.id, Role.counsellor, NOV)
        counsellor = await staff_service.redeem_invite(session, PRIVACY, token, 9_000, 9_000, NOV)
        # Six in Kyiv about health: claimed after 1..6 minutes, closed 10..60 minutes later; five rated.
        for n, rating in enumerate([5, 5, 4, 4, 3, None]):
            at = NOV + timedelta(hours=n)
            member, conversation = await _conversation(session, org.id, 100 + n, "kyiv", Topic.health, at)
            claimed = at + timedelta(minutes=n + 1)
            assert (
                await handoff.claim(session, conversation.id, counsellor.id, 100, claimed) is handoff.ClaimResult.taken
            )
            await session.refresh(conversation)
            await handoff.close(session, conversation, claimed + timedelta(minutes=10 * (n + 1)))
            await session.flush()
            if rating is not None:
                assert await handoff.rate(session, conversation.id, member.id, rating)
        # Two in Lviv about legal matters, never answered.
        for n in range(2):
            await _conversation(session, org.id, 200 + n, "lviv", Topic.legal, NOV + timedelta(days=1, hours=n))
        # No city; queued 22:30 UTC on 31 October = 00:30 on 1 November in Kyiv: November.
        await _conversation(session, org.id, 300, None, Topic.emotional, datetime(2026, 10, 31, 22, 30, tzinfo=UTC))
        # 22:30 UTC on 30 November is 1 December in Kyiv: not November.
        await _conversation(session, org.id, 301, None, Topic.other, datetime(2026, 11, 30, 22, 30, tzinfo=UTC))
        # Another organisation's conversation, and a member who was forgotten: neither counts.
        await _conversation(session, other.id, 400, "odesa", Topic.health, NOV)
        forgotten, _ = await _conversation(session, org.id, 500, "kyiv", Topic.pep, NOV)
        await members.forget(session, forgotten)
        await session.commit()
    return engine, sessions


async def test_month_figures(database_url: str) -> None:
    engine, sessions = await _seed(database_url)
    async with sessions() as session:
        organisation = await staff_service.organisation_by_slug(session, "org")
        result = await stats.compute(session, organisation, stats.parse_period("2026-11"))
    await engine.dispose()

    overall = result.overall
    assert overall.conversations == SmallCount(9)
    assert {topic: count.value for topic, count in overall.by_topic.items()} == {
        "health": 6,
        "pep": 0,
        "legal": 2,
        "violence": 0,
        "emotional": 1,
        "other": 0,
    }
    assert str(overall.by_topic["health"]) == "6"
    assert str(overall.by_topic["legal"]) == "<5" and str(overall.by_topic["emotional"]) == "<5"
    assert str(overall.by_topic["pep"]) == "0"  # nobody: nothing to hide
    assert overall.answered.value == 6
    assert overall.answered_share is None  # 3 unanswered: the share would reveal a count below 5
    assert overall.median_wait == timedelta(minutes=3.5)
    assert overall.median_handling == timedelta(minutes=35)
    assert overall.feedback.rated.value == 5
    assert overall.feedback.mean == pytest.approx(4.2)
    assert {score: str(count) for score, count in overall.feedback.scores.items()} == {
        1: "0",
        2: "0",
        3: "<5",
        4: "<5",
        5: "<5",
    }
    assert str(result.city_unknown) == "<5"

    assert list(result.by_city) == ["kyiv", "lviv"]
    kyiv, lviv = result.by_city["kyiv"], result.by_city["lviv"]
    assert kyiv.conversations.value == 6 and kyiv.answered_share == 1.0
    assert kyiv.median_wait == timedelta(minutes=3.5) and kyiv.feedback.mean == pytest.approx(4.2)
    assert str(lviv.conversations) == "<5"
    assert lviv.median_wait is None and lviv.median_handling is None
    assert lviv.answered_share is None and lviv.feedback.mean is None


async def test_thin_figures_are_withheld(database_url: str) -> None:
    engine, sessions = await _seed(database_url)
    async with sessions() as session:
        organisation = await staff_service.organisation_by_slug(session, "org")
        # Week 46 (9-15 November) holds the six Kyiv conversations and the two in Lviv.
        week = await stats.compute(session, organisation, stats.parse_period("2026-W46"))
        # Week 44 (26 October - 1 November) holds one conversation: the one queued on 1 November.
        thin = await stats.compute(session, organisation, stats.parse_period("2026-W44", PeriodKind.week))
    await engine.dispose()
    assert week.overall.conversations.value == 8
    assert thin.overall.conversations.value == 1 and str(thin.overall.conversations) == "<5"
    assert thin.overall.median_wait is None and thin.overall.answered_share is None
    assert thin.overall.feedback.mean is None
    rows = stats.csv_rows(thin)
    assert ("2026-W44", "all", "conversations", "", "<5") in rows
    assert ("2026-W44", "all", "median_wait_minutes", "", "withheld") in rows
    assert ("2026-W44", "all", "feedback_mean", "", "withheld") in rows
    assert all(value in {"0", "<5", "withheld"} for *_, value in rows)  # nothing below 5 shows


def test_periods() -> None:
    week = stats.parse_period("2026-W48")
    assert (week.kind, week.start, week.end, week.label) == (
        PeriodKind.week,
        date(2026, 11, 23),
        date(2026, 11, 30),
        "2026-W48",
    )
    december = stats.parse_period("2026-12")
    assert (december.start, december.end, december.label) == (date(2026, 12, 1), date(2027, 1, 1), "2026-12")
    assert stats.current_period(PeriodKind.week, date(2026, 11, 26)).label == "2026-W48"
    for bad in ("2026-13", "2026-W54", "november", "2026-11-01", ""):
        with pytest.raises(PeriodInvalid):
            stats.parse_period(bad)
    with pytest.raises(PeriodInvalid):
        stats.parse_period("2026-11", PeriodKind.week)
    assert [str(SmallCount(n)) for n in (0, 1, 4, 5, 12)] == ["0", "<5", "<5", "5", "12"]


async def test_section_opens_add_up_across_flushes_and_stay_within_the_organisations_cities(database_url: str) -> None:
    """Two workers flush into the same day rows; an organisation sees its own cities (and the default
    one members without a city); the table holds counts only."""
    from sqlalchemy import inspect

    from bot.services import usage
    from bot.services.usage import SectionTally

    engine, sessions = await _seed(database_url)
    first, second = SectionTally(), SectionTally()
    for _ in range(7):
        first.add(date(2026, 11, 3), "kyiv", "rights")
    for _ in range(3):
        second.add(date(2026, 11, 3), "kyiv", "rights")
        second.add(date(2026, 11, 4), None, "urgent")
        second.add(date(2026, 11, 4), "odesa", "urgent")  # the other organisation's city
    second.add(date(2026, 12, 1), "kyiv", "rights")  # another month
    try:
        for tally in (first, second):
            async with sessions() as session:
                await usage.add_counts(session, tally.take())
                await session.commit()
        assert not len(first) and not len(second)
        async with sessions() as session:
            org = await staff_service.organisation_by_slug(session, "org")
            other = await staff_service.organisation_by_slug(session, "other")
            november = stats.parse_period("2026-11")
            mine = await stats.compute(session, org, november)
            theirs = await stats.compute(session, other, november)
            described = await session.run_sync(lambda s: inspect(s.bind).get_columns("daily_counts"))
            columns = {column["name"] for column in described}
        assert mine.sections["rights"] == SmallCount(10)
        assert str(mine.sections["urgent"]) == "<5"  # three members without a city, default organisation
        assert mine.sections_by_city["kyiv"]["rights"] == SmallCount(10)
        assert "odesa" not in mine.sections_by_city
        assert str(theirs.sections["urgent"]) == "<5" and theirs.sections["rights"] == SmallCount(0)
        assert ("2026-11", "all", "sections_opened", "rights", "10") in stats.csv_rows(mine)
        assert columns == {"id", "day", "city", "name", "count"}
    finally:
        await engine.dispose()


def test_a_single_small_count_cannot_be_worked_out_by_subtraction() -> None:
    """Topics adding up to a shown total, with one "<5": the smallest other count is withheld too."""
    total = SmallCount(20)
    parts = {"health": SmallCount(12), "legal": SmallCount(6), "pep": SmallCount(2), "other": SmallCount(0)}
    protected = stats.protect(parts, total)
    assert {key: str(count) for key, count in protected.items()} == {
        "health": "12",
        "legal": "withheld",  # else 20 - 12 - 6 - 0 would give pep away
        "pep": "<5",
        "other": "0",
    }
    # Two small counts already hide each other; a hidden total gives nothing to subtract from.
    two = {"a": SmallCount(3), "b": SmallCount(2), "c": SmallCount(9)}
    assert stats.protect(two, SmallCount(14)) == two
    assert stats.protect({"a": SmallCount(3), "b": SmallCount(0)}, SmallCount(3)) == {
        "a": SmallCount(3),
        "b": SmallCount(0),
    }
    health, legal = (stats._Row(topic, NOV, None, None, None, "kyiv") for topic in ("health", "legal"))
    rows = stats.figures([health] * 12 + [legal])
    assert str(rows.by_topic["health"]) == "withheld" and str(rows.by_topic["legal"]) == "<5"
