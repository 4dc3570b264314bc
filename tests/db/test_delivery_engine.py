"""The delivery engine against the fake Telegram, on SQLite and PostgreSQL: the audience is copied
with one INSERT ... SELECT, each recipient gets one message in their language, blocked members
become inactive, 429s are waited out, quiet hours are silent, and a job left half-done by a dead
process is resumed without sending anything twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.base import create_engine, create_sessionmaker
from bot.db.migrate import upgrade
from bot.db.models import ChatMessage, Delivery, DeliveryJob, Member
from bot.delivery.engine import DeliveryEngine, Outgoing, Recipient
from bot.delivery.retry import RetryMiddleware
from bot.privacy import Privacy
from bot.sandbox import FakeTelegram
from bot.sandbox.client import TelegramUser
from bot.services import delivery, members, subscriptions
from bot.services.delivery import Counts
from bot.services.subscriptions import Topic

NOW = datetime(2026, 12, 17, 10, 0, tzinfo=UTC)  # noon in Kyiv
PRIVACY = Privacy("delivery-test-key-" + "d" * 32)
TEXTS = {"uk": "Привіт", "ru": "Привет", "en": "Hello"}


@dataclass
class World:
    fake: FakeTelegram
    bot: Bot
    sessionmaker: async_sessionmaker[AsyncSession]
    people: dict[int, TelegramUser]  # member id -> their Telegram

    def engine(self, **kwargs) -> DeliveryEngine:
        kwargs.setdefault("rate", 500.0)
        engine = DeliveryEngine(self.bot, self.sessionmaker, PRIVACY, clock=lambda: NOW, **kwargs)
        engine.register("test", render)
        return engine

    async def member(self, language: str, city: str | None) -> int:
        user = self.fake.user(language_code=language)
        async with self.sessionmaker() as session:
            info, _ = await members.ensure(session, PRIVACY, user.id, user.chat_id, language, NOW.date())
            await members.set_city(session, info, city)
            await session.commit()
        self.people[info.id] = user
        return info.id

    def received(self, member_id: int) -> list[str]:
        return [m.text or "" for m in self.people[member_id].bot_messages]


async def render(session: AsyncSession, ref_id: int, to: Recipient) -> Outgoing | None:
    if to.language == "ru" and ref_id == 99:  # a job with no Russian text
        return None
    return Outgoing(text=f"{TEXTS[to.language]} #{ref_id}")


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    engine = create_engine(database_url)
    await upgrade(engine)
    async with FakeTelegram() as fake:
        bot = fake.bot(default=DefaultBotProperties(parse_mode="HTML"))
        bot.session.middleware(RetryMiddleware(backoff=0.01))
        yield World(fake, bot, create_sessionmaker(engine), {})
        await bot.session.close()
    await engine.dispose()


def audience(**kwargs) -> object:
    return select(Member.id).where(subscriptions.audience_clause(**kwargs))


async def make_job(world: World, ref_id: int = 1, **kwargs) -> int:
    async with world.sessionmaker() as session:
        job_id = await delivery.create_job(session, "test", ref_id, audience(**kwargs), now=NOW)
        await session.commit()
    return job_id


async def test_audience_by_city_language_and_topic_each_gets_one_message_in_their_language(world: World) -> None:
    kyiv_uk = await world.member("uk", "kyiv")
    kyiv_ru = await world.member("ru", "kyiv")
    kyiv_en = await world.member("en", "kyiv")
    lviv_uk = await world.member("uk", "lviv")
    no_city = await world.member("uk", None)
    muted = await world.member("en", "kyiv")
    async with world.sessionmaker() as session:
        await subscriptions.set_subscribed(session, muted, Topic.safety, False)
        await subscriptions.set_subscribed(session, kyiv_en, Topic.events, True)
        await session.commit()

    job_id = await make_job(world, cities=["kyiv"], languages=["uk", "ru", "en"], topic=Topic.safety)
    counts = await world.engine().run(job_id)

    assert counts is not None and (counts.total, counts.sent, counts.blocked, counts.failed) == (3, 3, 0, 0)
    assert world.received(kyiv_uk) == ["Привіт #1"]
    assert world.received(kyiv_ru) == ["Привет #1"]
    assert world.received(kyiv_en) == ["Hello #1"]
    for outside in (lviv_uk, no_city, muted):
        assert world.received(outside) == []

    # Events are opt-in: only the member who chose them.
    events_job = await make_job(world, ref_id=2, cities=["kyiv", "lviv"], topic=Topic.events)
    await world.engine().run(events_job)
    assert world.received(kyiv_en) == ["Hello #1", "Hello #2"]
    assert world.received(kyiv_uk) == ["Привіт #1"]

    # The same broadcast cannot become a second job, and a finished job does not run again.
    assert await make_job(world, cities=["kyiv"]) == job_id
    assert await world.engine().run(job_id) is None
    assert world.received(kyiv_uk) == ["Привіт #1"]

    # Message ids (never text) are remembered for "clear chat".
    async with world.sessionmaker() as session:
        ids = set(await session.scalars(select(ChatMessage.member_id)))
    assert ids == {kyiv_uk, kyiv_ru, kyiv_en}


async def test_blocked_members_become_inactive_and_a_skip_is_counted(world: World) -> None:
    blocked = await world.member("uk", "kyiv")
    russian = await world.member("ru", "kyiv")
    fine = await world.member("en", "kyiv")
    await world.fake.block(world.people[blocked], notify=False)

    progress: list[Counts] = []

    async def report(job: DeliveryJob, counts: Counts) -> None:
        progress.append(counts)

    engine = world.engine()
    engine.register("test", render, progress=report)
    counts = await engine.run(await make_job(world, ref_id=99, cities=["kyiv"]))

    assert counts is not None
    assert (counts.sent, counts.blocked, counts.failed, counts.skipped, counts.pending) == (1, 1, 0, 1, 0)
    assert progress[-1] == counts and counts.status == "done"
    assert world.received(fine) == ["Hello #99"] and world.received(russian) == []
    async with world.sessionmaker() as session:
        assert (await session.get(Member, blocked)).active is False  # type: ignore[union-attr]
    # Nothing more is pushed to a member who blocked the bot.
    second = await world.engine().run(await make_job(world, ref_id=3, cities=["kyiv"]))
    assert second is not None and second.total == 2


async def test_429_is_waited_out_and_nothing_is_sent_twice(world: World) -> None:
    ids = [await world.member("uk", "kyiv") for _ in range(6)]
    world.fake.flood(3, retry_after=1, method="sendMessage")  # more than the middleware retries once

    counts = await world.engine().run(await make_job(world, cities=["kyiv"]))

    assert counts is not None and counts.sent == 6
    for member_id in ids:
        assert world.received(member_id) == ["Привіт #1"]


async def test_quiet_hours_make_the_message_silent_in_the_members_zone(world: World) -> None:
    loud = await world.member("uk", "kyiv")
    quiet = await world.member("uk", "kyiv")
    async with world.sessionmaker() as session:
        # 12:00 in Kyiv: inside 11:00-13:00, for this member only
        await subscriptions.set_quiet_hours(session, quiet, (11 * 60, 13 * 60))
        await session.commit()

    await world.engine().run(await make_job(world, cities=["kyiv"]))

    silent = {
        call.params["chat_id"]: bool(call.params.get("disable_notification"))
        for call in world.fake.calls_to("sendMessage")
    }
    assert silent == {world.people[loud].chat_id: False, world.people[quiet].chat_id: True}


async def test_a_dead_process_job_is_resumed_without_double_sends(world: World) -> None:
    ids = [await world.member("en", "kyiv") for _ in range(5)]
    job_id = await make_job(world, cities=["kyiv"])
    first = world.engine()
    # The first process sent to the first two members, then died: one row answered (sent), one
    # claimed with its answer lost (sending), its lease left to expire.
    async with world.sessionmaker() as session:
        rows = list(await session.scalars(select(Delivery).where(Delivery.job_id == job_id).order_by(Delivery.id)))
        await session.execute(
            update(DeliveryJob)
            .where(DeliveryJob.id == job_id)
            .values(status="sending", runner="dead", heartbeat_at=NOW - timedelta(minutes=5))
        )
        rows[0].status, rows[1].status = "sent", "sending"
        await session.commit()
    for member_id in ids[:2]:
        await world.bot.send_message(world.people[member_id].chat_id, "Hello #1")

    assert await first.run(job_id) is not None  # the dead one's lease expired long ago
    for member_id in ids:
        assert world.received(member_id) == ["Hello #1"]
    async with world.sessionmaker() as session:
        figures = await delivery.counts(session, job_id)
    assert (figures.sent, figures.failed, figures.pending) == (4, 1, 0)  # the unanswered one: unknown


async def test_a_live_lease_is_respected_and_two_engines_send_each_message_once(world: World) -> None:
    ids = [await world.member("en", "kyiv") for _ in range(20)]
    job_id = await make_job(world, cities=["kyiv"])
    one, two = world.engine(rate=200.0), world.engine(rate=200.0)
    results = await asyncio.gather(one.run(job_id), two.run(job_id))
    assert sorted(r is None for r in results) == [False, True]
    assert await one.poll() == [] and await two.poll() == []
    for member_id in ids:
        assert world.received(member_id) == ["Hello #1"]


async def test_cancel_stops_a_job_and_forget_me_removes_the_rows(world: World) -> None:
    ids = [await world.member("en", "kyiv") for _ in range(3)]
    job_id = await make_job(world, cities=["kyiv"])
    async with world.sessionmaker() as session:
        assert await delivery.cancel(session, job_id)
        await session.commit()
    assert await world.engine().run(job_id) is None
    assert all(world.received(m) == [] for m in ids)
    async with world.sessionmaker() as session:
        figures = await delivery.counts(session, job_id)
        assert figures.status == "cancelled" and figures.skipped == 3
        await subscriptions.set_subscribed(session, ids[0], Topic.events, True)
        info = members.MemberInfo.of(await session.get(Member, ids[0]))  # type: ignore[arg-type]
        await members.forget(session, info)
        await session.commit()
        assert await session.scalar(select(Delivery).where(Delivery.member_id == ids[0])) is None
        assert await subscriptions.choices(session, ids[0]) == subscriptions.DEFAULTS


async def test_cancel_during_sending_stops_further_messages(world: World) -> None:
    ids = [await world.member("en", "kyiv") for _ in range(30)]
    job_id = await make_job(world, cities=["kyiv"])
    engine = world.engine(rate=50.0)
    cancelled = asyncio.Event()

    async def cancel() -> None:
        async with world.sessionmaker() as session:
            assert await delivery.cancel(session, job_id)
            await session.commit()
        cancelled.set()

    def after_five(call) -> None:  # type: ignore[no-untyped-def]
        if call.method == "sendMessage" and len(world.fake.calls_to("sendMessage")) == 5:
            asyncio.get_running_loop().create_task(cancel())

    world.fake.on_call(after_five)
    counts = await engine.run(job_id)
    assert cancelled.is_set()
    assert counts is not None and counts.status == "cancelled"
    received = sum(len(world.received(m)) for m in ids)
    assert 5 <= received < 30 and counts.sent == received
    assert counts.skipped == 30 - received  # the rest will never go
    assert await world.engine().poll() == []
