"""A demo organisation with a registered staff room and counsellors: for the sandbox, the tests and
the benchmarks, so trying Umbrella needs no Telegram account and no setup."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from aiogram import Bot
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.privacy import Privacy
from bot.sandbox.client import Room, TelegramUser
from bot.sandbox.server import FakeTelegram
from bot.services import staff as staff_service
from bot.services.staff import Role, StaffInfo

if TYPE_CHECKING:
    from bot.sandbox.web.world import Sandbox


@dataclass
class StaffRoom:
    room: Room
    organisation_id: int
    queue_thread: int
    people: dict[str, tuple[TelegramUser, StaffInfo]] = field(default_factory=dict)

    def user(self, alias: str) -> TelegramUser:
        return self.people[alias][0]

    def queue_texts(self) -> list[str]:
        return [m.text or "" for m in self.room.messages(self.queue_thread) if m.from_bot]

    def case_thread(self, case_code: str) -> int:
        for topic in self.room.topics:
            if case_code in topic.name:
                return topic.thread_id
        raise AssertionError(f"no case topic for {case_code}: {self.room.topics}")


class _App(Protocol):
    sessionmaker: async_sessionmaker[AsyncSession]
    privacy: Privacy
    bot: Bot


async def add_staff(
    app: _App,
    fake: FakeTelegram,
    staff_room: StaffRoom,
    alias: str,
    roles: tuple[Role, ...] = (Role.counsellor,),
    languages: tuple[str, ...] = ("uk", "ru"),
    on_duty: bool = True,
    first_name: str | None = None,
    user: TelegramUser | None = None,
) -> TelegramUser:
    """A staff person who redeemed invites for `roles`, set an alias and languages, and joined the room."""
    person = user or fake.user(
        first_name or f"Real{alias}", username=f"real_{alias.lower()}", language_code=languages[0]
    )
    now = fake.now_datetime()
    async with app.sessionmaker() as session:
        info = None
        for role in roles:
            token = await staff_service.create_invite(session, app.privacy, staff_room.organisation_id, role, now)
            info = await staff_service.redeem_invite(session, app.privacy, token, person.id, person.chat_id, now)
        assert info is not None
        await staff_service.set_alias(session, info.id, alias)
        info = await staff_service.set_languages(session, info.id, list(languages))
        if Role.counsellor in roles:
            info = await staff_service.set_on_duty(session, info.id, on_duty)
        await session.commit()
    if user is None:
        staff_room.room.add(person)
    staff_room.people[alias] = (person, info)
    return person


async def open_staff_room(
    app: _App,
    fake: FakeTelegram,
    cities: tuple[str, ...] = ("kyiv", "lviv", "testograd"),
    language: str = "en",
    room: Room | None = None,
) -> StaffRoom:
    """The organisation serving `cities` (and the default one), with its staff room and its three topics."""
    room = room or fake.forum_group("Staff room")
    bot = app.bot
    queue = await bot.create_forum_topic(room.chat_id, "Queue")
    reports = await bot.create_forum_topic(room.chat_id, "Reports")
    broadcasts = await bot.create_forum_topic(room.chat_id, "Broadcasts")
    async with app.sessionmaker() as session:
        organisation = await staff_service.create_organisation(
            session, "demo", "Demo organisation", cities, "Europe/Kyiv", language, default=True
        )
        await staff_service.register_staff_room(
            session,
            organisation,
            room.chat_id,
            queue.message_thread_id,
            reports.message_thread_id,
            broadcasts.message_thread_id,
        )
        await session.commit()
        organisation_id = organisation.id
    return StaffRoom(room, organisation_id, queue.message_thread_id)


async def seed_demo_organisation(sandbox: Sandbox) -> None:
    """The sandbox's organisation: it serves every city of the content, its staff room is the page's
    staff room, Anna holds every role and Ivan is a counsellor; both are on duty."""
    app = sandbox.app
    cities = tuple(city.id for city in app.content.cities)
    staff_room = await open_staff_room(app, sandbox.fake, cities, language="uk", room=sandbox.staff_room)
    team = (
        ("Anna", tuple(Role), ("uk", "ru", "en"), "administrator"),
        ("Ivan", (Role.counsellor,), ("ru", "uk"), "member"),
    )
    for alias, roles, languages, status in team:
        person = sandbox.add_staff(alias, status=status, language=languages[0])
        await add_staff(app, sandbox.fake, staff_room, alias, roles=roles, languages=languages, user=person.user)


async def claim_contest(
    session: AsyncSession, privacy: Privacy, counsellors: int, waiting: int, now: datetime
) -> tuple[list[int], list[int]]:
    """An organisation with `counsellors` counsellors and `waiting` members in its queue, for the
    test and the benchmark of competing Take presses; returns (staff ids, conversation ids)."""
    from bot.services import handoff, members
    from bot.services.handoff import Topic

    organisation = await staff_service.create_organisation(session, "org", "Org", ["kyiv"], default=True)
    staff_ids = []
    for n in range(counsellors):
        token = await staff_service.create_invite(session, privacy, organisation.id, Role.counsellor, now)
        staff_ids.append((await staff_service.redeem_invite(session, privacy, token, 9000 + n, 9000 + n, now)).id)
    conversation_ids = []
    for n in range(waiting):
        member, _ = await members.ensure(session, privacy, n + 1, n + 1, "uk", now.date())
        conversation, _ = await handoff.open_conversation(
            session,
            member_id=member.id,
            organisation_id=organisation.id,
            case_code=f"C{n}",
            topic=Topic.health,
            language="uk",
            now=now + timedelta(seconds=n),
        )
        conversation_ids.append(conversation.id)
    await session.commit()
    return staff_ids, conversation_ids
