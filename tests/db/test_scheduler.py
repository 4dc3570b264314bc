"""The database-backed scheduler on SQLite and PostgreSQL: two schedulers that both believe they
lead run each due task once and each periodic slot once; a cancelled task never runs; a task
whose runner died is taken over once its claim is stale."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import scheduler
from bot.db.base import create_engine, create_sessionmaker
from bot.db.migrate import upgrade
from bot.db.models import ScheduledTask
from bot.scheduler import STALE_CLAIM, Scheduler

NOW = datetime(2026, 12, 17, 8, 0, tzinfo=UTC)


@pytest.fixture
async def sessionmaker(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    await upgrade(engine)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def leading() -> bool:
    return True


def pair(sessionmaker: async_sessionmaker[AsyncSession], clock: list[datetime], ran: list[tuple[str, int]]):  # type: ignore[no-untyped-def]
    schedulers = []
    for name in ("one", "two"):
        instance = Scheduler(sessionmaker, lambda: clock[0], leading)

        async def handler(ref_id: int, name: str = name) -> None:
            await asyncio.sleep(0.01)  # let the other one try meanwhile
            ran.append((name, ref_id))

        async def periodic(name: str = name) -> None:
            ran.append((name, -1))

        instance.on_due("test", handler)
        instance.every("cleanup", timedelta(minutes=1), periodic)
        schedulers.append(instance)
    return schedulers


async def test_each_task_and_each_periodic_slot_runs_once_across_two_schedulers(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    clock = [NOW]
    ran: list[tuple[str, int]] = []
    one, two = pair(sessionmaker, clock, ran)
    async with sessionmaker() as session:
        for ref_id in range(1, 7):
            await scheduler.schedule(session, "test", ref_id, NOW + timedelta(minutes=ref_id % 2))
        await scheduler.schedule(session, "test", 99, NOW)
        assert await scheduler.unschedule(session, "test", 99) == 1
        await session.commit()

    await asyncio.gather(one.tick(), two.tick(), one.tick(), two.tick())
    assert sorted(ref for _, ref in ran) == [2, 4, 6]  # due now; the odd ones a minute later; 99 cancelled
    clock[0] = NOW + timedelta(minutes=1)
    await asyncio.gather(one.tick(), two.tick())
    assert sorted(ref for _, ref in ran) == [1, 2, 3, 4, 5, 6]

    ran.clear()
    await asyncio.gather(*(s.run_periodic("cleanup") for s in (one, two, one, two)))
    assert len(ran) == 1
    clock[0] += timedelta(minutes=1)
    await asyncio.gather(*(s.run_periodic("cleanup") for s in (one, two)))
    assert len(ran) == 2


async def test_a_task_whose_runner_died_is_taken_over_once_its_claim_is_stale(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    clock = [NOW]
    ran: list[tuple[str, int]] = []
    one, two = pair(sessionmaker, clock, ran)
    async with sessionmaker() as session:
        task_id = await scheduler.schedule(session, "test", 7, NOW)
        await session.execute(
            update(ScheduledTask)
            .where(ScheduledTask.id == task_id)
            .values(status="running", claimed_by="dead", claimed_at=NOW)
        )
        await session.commit()
    await asyncio.gather(one.tick(), two.tick())
    assert ran == []  # the claim is fresh: its runner may still be working
    clock[0] = NOW + STALE_CLAIM + timedelta(seconds=1)
    await asyncio.gather(one.tick(), two.tick())
    assert [ref for _, ref in ran] == [7]
