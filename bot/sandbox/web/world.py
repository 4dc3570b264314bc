"""The sandbox world: the fake Telegram, the real bot polling it, a staff room and the people in it.

One `Sandbox` owns all of it so that "Reset sandbox" can throw everything away at once (new fake
state, fresh database) and so that tests, the terminal chat and the web page drive the same thing.
The bot runs on the embedded default whatever the environment says: a SQLite file of its own in
the data directory (never the one a real bot uses there) and in-memory state.

Later features seed the world through `seeders`: async callables that get the started sandbox,
e.g. to register `sandbox.staff_room` as a demo organisation's staff room and add its counsellors
with `sandbox.add_staff()`. They run again after every reset.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from bot.sandbox.client import Room, TelegramUser
from bot.sandbox.server import DEFAULT_TOKEN, ApiCall, FakeTelegram
from bot.settings import LANGUAGES, Settings

from .events import ALL, ChangeHub

if TYPE_CHECKING:
    from bot.app import Umbrella

log = logging.getLogger(__name__)

SANDBOX_DATABASE = "sandbox.db"
STAFF_ROOM_TITLE = "Staff room"
TYPING_SECONDS = 5  # how long Telegram shows "typing…" after sendChatAction

Seeder = Callable[["Sandbox"], Awaitable[None]]


@dataclass
class Phone:
    """A Telegram app showing one person's private chat with the bot.

    `key` is the page's handle ("p1"); Telegram ids never reach the page.
    """

    key: str
    user: TelegramUser
    role: Literal["member", "staff"] = "member"

    @property
    def pane(self) -> str:
        return f"phone:{self.key}"


@dataclass
class StaffPerson:
    """Someone in the staff room, typing there through the page."""

    key: str
    user: TelegramUser
    status: str = "member"

    @property
    def name(self) -> str:
        return display_name(self.user)


def display_name(user: TelegramUser) -> str:
    return " ".join(part for part in (user.record.first_name, user.record.last_name) if part)


def _sandbox_settings(settings: Settings, api_url: str) -> Settings:
    """The embedded default, pointed at the fake: own SQLite file, no Redis, no webhook."""
    database = f"sqlite+aiosqlite:///{(settings.data_dir / SANDBOX_DATABASE).resolve()}"
    copied = settings.model_copy(
        update={"telegram_api_url": api_url, "webhook_url": None, "database_url": database, "redis_url": None}
    )
    copied.__dict__.pop("database", None)  # a cached_property copied from the original would be stale
    return copied


class Sandbox:
    """Start, reset and stop the whole world; add phones and staff; tell pages what changed."""

    def __init__(
        self,
        settings: Settings,
        *,
        seeders: Sequence[Seeder] = (),
        first_phone_language: str | None = None,
        default_staff: bool = True,
    ) -> None:
        self.base_settings = settings
        self.seeders = list(seeders)
        self.first_phone_language = first_phone_language
        self.default_staff = default_staff
        self.changes = ChangeHub()
        self.lock = asyncio.Lock()  # one action at a time; a reset waits for the action in flight
        self.phones: dict[str, Phone] = {}
        self.staff: dict[str, StaffPerson] = {}
        self._fake: FakeTelegram | None = None
        self._app: Umbrella | None = None
        self._room: Room | None = None
        self._polling: asyncio.Task[None] | None = None
        self._typing: dict[int, float] = {}
        self._phone_numbers = 0
        self._staff_numbers = 0

    # the parts, once started ----------------------------------------------------------------------

    @property
    def fake(self) -> FakeTelegram:
        if self._fake is None:
            raise RuntimeError("the sandbox is not running")
        return self._fake

    @property
    def app(self) -> Umbrella:
        if self._app is None:
            raise RuntimeError("the sandbox is not running")
        return self._app

    @property
    def staff_room(self) -> Room:
        if self._room is None:
            raise RuntimeError("the sandbox is not running")
        return self._room

    @property
    def settings(self) -> Settings:
        return self.app.settings

    @property
    def database_path(self) -> Path:
        return self.base_settings.data_dir / SANDBOX_DATABASE

    @property
    def running(self) -> bool:
        return self._app is not None

    # lifecycle ------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Fresh database, new fake, the bot polling it, the staff room, seeders, first people."""
        from bot.app import create_app

        self._remove_database()
        fake = FakeTelegram()
        await fake.start()
        assert fake.base_url is not None
        fake.on_call(self._on_call)
        self._fake = fake
        try:
            app = await create_app(
                _sandbox_settings(self.base_settings, fake.base_url), token=DEFAULT_TOKEN, clock=fake.now_datetime
            )
        except BaseException:
            await fake.stop()
            self._fake = None
            raise
        self._app = app
        await app.bot.delete_webhook()
        await app.start_background()
        self._polling = asyncio.create_task(
            app.dispatcher.start_polling(
                app.bot, handle_signals=False, close_bot_session=False, polling_timeout=1, handle_as_tasks=False
            )
        )
        await self._until_polling(fake)
        self._room = fake.forum_group(STAFF_ROOM_TITLE)
        for seed in self.seeders:
            await seed(self)
        if self.default_staff and not self.staff:
            self.add_staff("Anna", status="administrator")
        if self.first_phone_language and not self.phones:
            self.add_phone(self.first_phone_language)

    async def _until_polling(self, fake: FakeTelegram, limit: float = 10.0) -> None:
        """Return once the bot's first getUpdates arrived, so the first action finds it listening."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while not fake.called("getUpdates"):
            if self._polling is not None and self._polling.done():
                self._polling.result()  # polling died: show why
                raise RuntimeError("the bot stopped polling the sandbox")
            if loop.time() > deadline:
                raise RuntimeError(f"the bot did not start polling the sandbox within {limit:.0f}s")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        """Stop polling, close the bot and the fake; pages keep their stream until the server stops."""
        app, fake, polling = self._app, self._fake, self._polling
        self._app = self._fake = self._room = None
        self._polling = None
        if app is not None:
            with contextlib.suppress(RuntimeError):  # "Polling is not started": it never got going
                await app.dispatcher.stop_polling()
        if polling is not None:
            if not polling.done():
                polling.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await polling
        if app is not None:
            await app.close()
        if fake is not None:
            await fake.stop()
        self.phones.clear()
        self.staff.clear()
        self._typing.clear()
        self._phone_numbers = self._staff_numbers = 0

    async def reset(self) -> None:
        """New fake state and a fresh database, as if the sandbox had just started."""
        async with self.lock:
            await self.stop()
            await self.start()
        self.changes.reset()

    def _remove_database(self) -> None:
        path = self.database_path
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    # people ---------------------------------------------------------------------------------------

    def add_phone(self, language: str = "en", name: str | None = None) -> Phone:
        """A new member who has not pressed Start yet, whose Telegram app speaks `language`."""
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
        self._phone_numbers += 1
        user = self.fake.user(name or f"Member {self._phone_numbers}", language_code=language, started=False)
        phone = Phone(f"p{self._phone_numbers}", user)
        self.phones[phone.key] = phone
        self.changes.mark(ALL)
        return phone

    def add_staff(
        self, first_name: str, *, last_name: str | None = None, status: str = "member", language: str = "en"
    ) -> StaffPerson:
        """A staff person in the staff room ("member" or "administrator")."""
        if status not in ("member", "administrator", "creator"):
            raise ValueError("status must be member, administrator or creator")
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
        self._staff_numbers += 1
        user = self.fake.user(first_name, last_name=last_name, language_code=language, started=False)
        self.staff_room.add(user, status=status)
        person = StaffPerson(f"s{self._staff_numbers}", user, status)
        self.staff[person.key] = person
        self.changes.mark(ALL)
        return person

    def phone_of(self, person: StaffPerson) -> Phone:
        """The staff person's own private chat with the bot, as a phone on the page."""
        for phone in self.phones.values():
            if phone.user.id == person.user.id:
                return phone
        self._phone_numbers += 1
        phone = Phone(f"p{self._phone_numbers}", person.user, role="staff")
        self.phones[phone.key] = phone
        self.changes.mark(ALL)
        return phone

    # what changed ---------------------------------------------------------------------------------

    def pane_of_chat(self, chat_id: object) -> str:
        """The pane showing a chat: a phone, the staff room, or all panes when unsure."""
        try:
            chat = int(str(chat_id))
        except ValueError:
            return ALL
        if self._room is not None and chat == self._room.chat_id:
            return "staff"
        for phone in self.phones.values():
            if phone.user.chat_id == chat:
                return phone.pane
        return ALL

    def typing(self, chat_id: int) -> bool:
        """Whether Telegram would still show "typing…" for the bot in this chat."""
        until = self._typing.get(chat_id)
        return until is not None and self.fake.now() < until

    def _on_call(self, call: ApiCall) -> None:
        """Turn the bot's calls into pane changes; reads change nothing a person sees."""
        method = call.method.lower()
        if method == "getupdates":
            updates = call.result if call.ok and isinstance(call.result, list) else []
            panes = {self._pane_of_update(update) for update in updates}
            if panes:
                self.changes.mark(*panes)  # the person's own message shows as soon as the bot has it
            return
        if method.startswith("get") or not call.ok:
            return
        if method == "sendchataction":
            chat = self.fake.state.find_chat(call.params.get("chat_id"))  # type: ignore[arg-type]
            if chat is not None:
                self._typing[chat.id] = self.fake.now() + TYPING_SECONDS
        chat_id = call.params.get("chat_id")
        self.changes.mark(self.pane_of_chat(chat_id) if chat_id is not None else ALL)

    def _pane_of_update(self, update: dict[str, object]) -> str:
        for key in ("message", "edited_message", "callback_query"):
            body = update.get(key)
            if isinstance(body, dict):
                message = body.get("message", body) if key == "callback_query" else body
                chat = message.get("chat") if isinstance(message, dict) else None
                if isinstance(chat, dict):
                    return self.pane_of_chat(chat.get("id"))
        return ALL
