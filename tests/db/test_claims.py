"""Twenty counsellors press Take on the same card at once, a hundred times: exactly one owner each time."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.db.base import create_engine, create_sessionmaker
from bot.db.migrate import upgrade
from bot.db.models import Conversation
from bot.privacy import Privacy
from bot.sandbox.demo import claim_contest
from bot.services import handoff, members
from bot.services import staff as staff_service
from bot.services.handoff import ClaimResult, Topic

PRIVACY = Privacy("c" * 40)
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
COUNSELLORS, ROUNDS = 20, 100


async def _setup(url: str):
    engine = create_engine(url, pool_size=COUNSELLORS + 5) if url.startswith("postgresql") else create_engine(url)
    await upgrade(engine)
    sessions = create_sessionmaker(engine)
    async with sessions() as session:
        staff_ids, conversation_ids = await claim_contest(session, PRIVACY, COUNSELLORS, ROUNDS, NOW)
    return engine, sessions, staff_ids, conversation_ids


async def _press_take(sessions, conversation_id: int, staff_id: int) -> ClaimResult:
    async with sessions() as session:
        result = await handoff.claim(session, conversation_id, staff_id, capacity=1000, now=NOW)
        await session.commit()
        return result


async def test_exactly_one_owner_per_round(database_url: str) -> None:
    engine, sessions, staff_ids, conversation_ids = await _setup(database_url)
    winners = Counter()
    for conversation_id in conversation_ids:
        results = await asyncio.gather(*(_press_take(sessions, conversation_id, s) for s in staff_ids))
        assert results.count(ClaimResult.taken) == 1, results
        assert results.count(ClaimResult.already_taken) == COUNSELLORS - 1
        winners[staff_ids[results.index(ClaimResult.taken)]] += 1
    async with sessions() as session:
        rows = (await session.execute(select(Conversation.status, Conversation.counsellor_id))).all()
    assert all(status == "active" and owner is not None for status, owner in rows)
    assert sum(winners.values()) == ROUNDS
    await engine.dispose()


async def test_capacity_is_respected(database_url: str) -> None:
    engine, sessions, staff_ids, conversation_ids = await _setup(database_url)
    async with sessions() as session:
        assert await handoff.claim(session, conversation_ids[0], staff_ids[0], 1, NOW) is ClaimResult.taken
        assert await handoff.claim(session, conversation_ids[1], staff_ids[0], 1, NOW) is ClaimResult.at_capacity
        assert await handoff.claim(session, conversation_ids[1], staff_ids[0], 1, NOW, force=True) is ClaimResult.taken
        await session.commit()
    await engine.dispose()


async def test_queue_order_is_urgent_first_then_first_come(database_url: str) -> None:
    engine = create_engine(database_url)
    await upgrade(engine)
    sessions = create_sessionmaker(engine)
    async with sessions() as session:
        organisation = await staff_service.create_organisation(session, "org", "Org", ["kyiv"], default=True)
        made = []
        for n, topic in enumerate([Topic.health, Topic.legal, Topic.violence, Topic.other, Topic.pep]):
            member, _ = await members.ensure(session, PRIVACY, 100 + n, 100 + n, "en", NOW.date())
            conversation, _ = await handoff.open_conversation(
                session,
                member_id=member.id,
                organisation_id=organisation.id,
                case_code=f"Q{n}",
                topic=topic,
                language="en",
                now=NOW + timedelta(minutes=n),
            )
            made.append(conversation)
        places = {c.topic: (await handoff.queue_place(session, c, 1, NOW)).position for c in made}
        again, created = await handoff.open_conversation(
            session,
            member_id=made[0].member_id,
            organisation_id=organisation.id,
            case_code="Q0",
            topic=Topic.other,
            language="en",
            now=NOW,
        )
    assert places == {"violence": 1, "pep": 2, "health": 3, "legal": 4, "other": 5}
    assert not created and again.id == made[0].id  # one open conversation per member
    await engine.dispose()
