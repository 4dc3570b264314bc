"""People in the sandbox: a member in their private chat, or staff in a group, and what they see.

Every action becomes the update Telegram would send and goes through `fake.push_update`, so an
`await member.press("Health")` returns after the bot has handled it. Views are snapshots of the
fake's state: deleted messages disappear, edits show in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .html import render_html, utf16_len
from .markup import labels
from .methods import media_payload
from .state import PRIVATE, CallbackAnswer, ChatRecord, MessageRecord, TopicRecord, UserRecord

if TYPE_CHECKING:
    from .server import FakeTelegram

__all__ = ["BotCommandView", "CallbackAnswer", "Room", "SeenMessage", "TelegramUser"]


@dataclass(frozen=True)
class SeenMessage:
    """A message as a person sees it in the chat right now."""

    message_id: int
    date: datetime
    from_bot: bool
    sender_id: int
    kind: str
    text: str | None
    html: str | None
    html_source: str | None
    caption: str | None
    entities: list[dict[str, Any]]
    buttons: list[list[str]]
    inline_keyboard: list[list[dict[str, Any]]]
    edited: bool
    thread_id: int | None
    reply_to: int | None
    forward_origin: dict[str, Any] | None
    protected: bool
    media: dict[str, Any]
    created_by: str
    history: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_record(cls, message: MessageRecord) -> SeenMessage:
        shown = message.visible_text
        entities = message.entities if message.text is not None else message.caption_entities
        keyboard = (message.reply_markup or {}).get("inline_keyboard", [])
        return cls(
            message_id=message.message_id,
            date=datetime.fromtimestamp(message.date, tz=UTC),
            from_bot=message.from_bot,
            sender_id=message.sender_id,
            kind=message.kind,
            text=shown,
            html=render_html(shown, entities) if shown is not None else None,
            html_source=message.html_source,
            caption=message.caption,
            entities=list(entities),
            buttons=labels(message.reply_markup),
            inline_keyboard=keyboard,
            edited=message.edit_date is not None,
            thread_id=message.thread_id,
            reply_to=message.reply_to_message_id,
            forward_origin=message.forward_origin,
            protected=message.protect_content,
            media=dict(message.media),
            created_by=message.created_by,
            history=list(message.history),
        )

    @property
    def forwarded(self) -> bool:
        """True when Telegram would show a "Forwarded from" header."""
        return self.forward_origin is not None

    @property
    def venue(self) -> dict[str, Any] | None:
        return self.media.get("venue")

    @property
    def location(self) -> dict[str, Any] | None:
        return self.media.get("location")

    @property
    def contact(self) -> dict[str, Any] | None:
        return self.media.get("contact")

    def button(self, label: str) -> dict[str, Any] | None:
        """The inline button with this exact label, if the message has one."""
        return next((b for row in self.inline_keyboard for b in row if b.get("text") == label), None)


@dataclass(frozen=True)
class BotCommandView:
    """One entry of the command menu a person sees."""

    command: str
    description: str


def _command_entities(text: str) -> list[dict[str, Any]]:
    """Telegram clients mark a leading /command as a bot_command entity."""
    if not text.startswith("/") or len(text) < 2:
        return []
    token = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(token)}]


def _find_button(markup: dict[str, Any] | None, label: str) -> dict[str, Any] | None:
    rows = (markup or {}).get("inline_keyboard") or (markup or {}).get("keyboard") or []
    return next((b for row in rows for b in row if isinstance(b, dict) and b.get("text") == label), None)


class TelegramUser:
    """A person using Telegram: a member in their private chat with the bot, or staff in a group."""

    def __init__(self, fake: FakeTelegram, record: UserRecord) -> None:
        self.fake = fake
        self.record = record
        self.opened_urls: list[str] = []
        self._queries: list[str] = []

    def __repr__(self) -> str:
        return f"<TelegramUser {self.record.first_name} id={self.id}>"

    # identity ------------------------------------------------------------------------------------

    @property
    def id(self) -> int:
        return self.record.id

    @property
    def chat_id(self) -> int:
        """Their private chat with the bot has the same id as the user, as in Telegram."""
        return self.record.id

    @property
    def first_name(self) -> str:
        return self.record.first_name

    @property
    def username(self) -> str | None:
        return self.record.username

    @property
    def language_code(self) -> str | None:
        return self.record.language_code

    @language_code.setter
    def language_code(self, value: str | None) -> None:
        """A person can switch their Telegram app language; later updates carry the new code."""
        self.record.language_code = value

    @property
    def user_dict(self) -> dict[str, Any]:
        return self.record.to_dict()

    @property
    def private_chat(self) -> ChatRecord:
        return self.fake.state.chats[self.id]

    # acting --------------------------------------------------------------------------------------

    def _chat(self, chat: Any) -> ChatRecord:
        if chat is None:
            return self.private_chat
        return self.fake.chat_of(chat)

    async def _post(self, chat: Any, thread_id: int | None, reply_to: Any, **fields: Any) -> dict[str, Any]:
        target = self._chat(chat)
        if target.type == PRIVATE:
            if target.id != self.id:
                raise AssertionError(f"{self!r} cannot write in someone else's private chat")
            if target.blocked:
                await self.fake.unblock(self)
            target.started = True
        else:
            target.members.setdefault(self.id, "member")
        if thread_id is not None:
            topic = target.topics.get(thread_id)
            if topic is None:
                raise AssertionError(f"there is no topic {thread_id} in {target.title!r}")
            if topic.closed and target.members.get(self.id) not in ("creator", "administrator"):
                raise AssertionError(f"topic {topic.name!r} is closed; only admins can write there")
        reply_id = getattr(reply_to, "message_id", reply_to)
        if reply_id is None and thread_id is not None:
            reply_id = thread_id
        message = self.fake.state.add_message(
            target,
            sender_id=self.id,
            from_bot=False,
            thread_id=thread_id,
            reply_to_message_id=reply_id,
            created_by="member",
            **fields,
        )
        data = self.fake.state.message_dict(message)
        if self.fake.bot_receives(target, message):
            await self.fake.push_update({"message": data})
        return data

    async def send(
        self,
        text: str,
        *,
        chat: Any = None,
        thread_id: int | None = None,
        reply_to: Any = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Send a text message; returns the Message the bot received."""
        if not text.strip():
            raise AssertionError("Telegram clients do not send empty messages")
        found = _command_entities(text) if entities is None else entities
        return await self._post(chat, thread_id, reply_to, kind="text", text=text, entities=found)

    async def command(
        self, command: str, args: str | None = None, *, chat: Any = None, thread_id: int | None = None
    ) -> dict[str, Any]:
        """Send "/command [args]" with its bot_command entity."""
        text = command if command.startswith("/") else f"/{command}"
        if args:
            text = f"{text} {args}"
        return await self.send(text, chat=chat, thread_id=thread_id)

    async def _media(
        self, kind: str, caption: str | None, file_id: str | None, chat: Any, thread_id: int | None, **extra: Any
    ) -> dict[str, Any]:
        state = self.fake.state
        file = (
            state.file(file_id, kind)
            if file_id
            else state.new_file(kind, data=extra.pop("data", None), file_name=extra.pop("file_name", None))
        )
        fields: dict[str, Any] = {"kind": kind, "media": media_payload(kind, file, **extra)}
        if caption:
            fields["caption"] = caption
        return await self._post(chat, thread_id, None, **fields)

    async def send_photo(
        self, caption: str | None = None, *, file_id: str | None = None, chat: Any = None, thread_id: int | None = None
    ) -> dict[str, Any]:
        return await self._media("photo", caption, file_id, chat, thread_id)

    async def send_document(
        self,
        caption: str | None = None,
        *,
        file_name: str = "document.pdf",
        data: bytes | None = None,
        file_id: str | None = None,
        chat: Any = None,
        thread_id: int | None = None,
    ) -> dict[str, Any]:
        return await self._media("document", caption, file_id, chat, thread_id, file_name=file_name, data=data)

    async def send_voice(
        self, duration: int = 3, *, file_id: str | None = None, chat: Any = None, thread_id: int | None = None
    ) -> dict[str, Any]:
        return await self._media("voice", None, file_id, chat, thread_id, duration=duration)

    async def send_video(
        self, caption: str | None = None, *, file_id: str | None = None, chat: Any = None, thread_id: int | None = None
    ) -> dict[str, Any]:
        return await self._media("video", caption, file_id, chat, thread_id)

    async def send_sticker(
        self, emoji: str = "👍", *, file_id: str | None = None, chat: Any = None, thread_id: int | None = None
    ) -> dict[str, Any]:
        return await self._media("sticker", None, file_id, chat, thread_id, emoji=emoji)

    async def send_location(
        self, latitude: float, longitude: float, *, chat: Any = None, thread_id: int | None = None
    ) -> dict[str, Any]:
        location = {"latitude": latitude, "longitude": longitude}
        return await self._post(chat, thread_id, None, kind="location", media={"location": location})

    async def send_contact(
        self,
        phone_number: str,
        first_name: str,
        last_name: str | None = None,
        *,
        user_id: int | None = None,
        chat: Any = None,
    ) -> dict[str, Any]:
        """Share someone's contact card (or one's own, with user_id=self.id)."""
        contact: dict[str, Any] = {"phone_number": phone_number, "first_name": first_name}
        if last_name:
            contact["last_name"] = last_name
        if user_id is not None:
            contact["user_id"] = user_id
        return await self._post(chat, None, None, kind="contact", media={"contact": contact})

    async def share_contact(self, phone_number: str = "+380501234567") -> dict[str, Any]:
        """What a request_contact button sends: one's own card."""
        return await self.send_contact(phone_number, self.first_name, self.record.last_name, user_id=self.id)

    async def forward_from(
        self, origin: Any, text: str = "Forwarded message", *, chat: Any = None, date: int | None = None
    ) -> dict[str, Any]:
        """Forward a message into the chat; origin is a TelegramUser, a hidden name (str), or a raw origin."""
        when = date if date is not None else self.fake.now() - 3600
        if isinstance(origin, TelegramUser):
            forward: dict[str, Any] = {"type": "user", "date": when, "sender_user": origin.user_dict}
        elif isinstance(origin, str):
            forward = {"type": "hidden_user", "date": when, "sender_user_name": origin}
        else:
            forward = dict(origin)
        return await self._post(chat, None, None, kind="text", text=text, forward_origin=forward)

    async def edit(self, message_id: int, text: str, *, chat: Any = None) -> dict[str, Any]:
        """Edit one of one's own messages (the bot gets an edited_message update)."""
        target = self._chat(chat)
        message = target.messages.get(message_id)
        if message is None or message.deleted or message.sender_id != self.id or message.from_bot:
            raise AssertionError(f"{self!r} has no message {message_id} to edit")
        message.history.append({"text": message.text, "edit_date": message.edit_date})
        message.text, message.entities, message.edit_date = text, _command_entities(text), self.fake.now()
        data = self.fake.state.message_dict(message)
        if self.fake.bot_receives(target, message):
            await self.fake.push_update({"edited_message": data})
        return data

    async def press(self, label: str, *, chat: Any = None, message_id: int | None = None) -> CallbackAnswer | None:
        """Tap a button by its exact label: inline on the newest bot message having it, else the reply keyboard.

        Returns the callback answer (toast/alert) if the bot gave one. Raises AssertionError listing
        the visible buttons when there is no such button.
        """
        target = self._chat(chat)
        candidates = [m for m in reversed(target.live_messages()) if m.from_bot and m.reply_markup]
        if message_id is not None:
            candidates = [m for m in candidates if m.message_id == message_id]
        inline = next(((m, b) for m in candidates if (b := _find_button(m.reply_markup, label))), None)
        reply_button = _find_button(target.reply_keyboard, label) if message_id is None else None
        if inline and reply_button and (target.reply_keyboard_message_id or 0) > inline[0].message_id:
            inline = None  # the reply keyboard is newer than that inline keyboard
        if inline is not None:
            return await self._press_inline(target, inline[0], inline[1])
        if reply_button is not None:
            return await self._press_reply(target, reply_button)
        raise AssertionError(self._no_button(target, label, candidates))

    def _no_button(self, target: ChatRecord, label: str, candidates: list[MessageRecord]) -> str:
        visible = [f"message {m.message_id} inline {labels(m.reply_markup)}" for m in candidates[:5]]
        if target.reply_keyboard:
            visible.append(f"reply keyboard {labels(target.reply_keyboard)}")
        return f"no button {label!r} visible to {self.first_name}; visible: " + ("; ".join(visible) or "none")

    async def _press_reply(self, target: ChatRecord, button: dict[str, Any]) -> None:
        if target.reply_keyboard and target.reply_keyboard.get("one_time_keyboard"):
            target.reply_keyboard, target.reply_keyboard_message_id = None, None
        if button.get("request_contact"):
            await self.send_contact(
                "+380501234567", self.first_name, self.record.last_name, user_id=self.id, chat=target
            )
        elif button.get("request_location"):
            await self.send_location(50.4501, 30.5234, chat=target)
        else:
            await self.send(button["text"], chat=target)
        return None

    async def _press_inline(self, target: ChatRecord, message: MessageRecord, button: dict[str, Any]) -> Any:
        if button.get("url"):
            self.opened_urls.append(button["url"])
            return None
        if button.get("callback_data") is None:
            kind = next((k for k in button if k != "text"), "unknown")
            raise AssertionError(f"button {button['text']!r} is a {kind} button, which the sandbox cannot press")
        return await self._callback(target, message.message_id, button["callback_data"])

    async def press_data(self, data: str, message_id: int | None = None, *, chat: Any = None) -> CallbackAnswer | None:
        """Send callback data that is not (or no longer) on any button: stale or forged presses."""
        target = self._chat(chat)
        if message_id is None:
            bot_messages = [m for m in reversed(target.live_messages()) if m.from_bot]
            with_keyboard = [m for m in bot_messages if m.reply_markup]
            chosen = (with_keyboard or bot_messages or [None])[0]
            if chosen is None:
                raise AssertionError("there is no bot message to attach a callback query to")
            message_id = chosen.message_id
        return await self._callback(target, message_id, data)

    async def _callback(self, target: ChatRecord, message_id: int, data: str) -> CallbackAnswer | None:
        state = self.fake.state
        query = state.new_callback_query(self.id, target.id, message_id, data)
        self._queries.append(query.id)
        message = target.messages.get(message_id)
        if message is not None and not message.deleted:
            shown = state.message_dict(message)
        else:  # InaccessibleMessage, as Telegram sends for messages the bot can no longer see
            shown = {"chat": state.chat_dict(target), "message_id": message_id, "date": 0}
        await self.fake.push_update(
            {
                "callback_query": {
                    "id": query.id,
                    "from": self.user_dict,
                    "message": shown,
                    "chat_instance": str(abs(target.id) * 7919 % 10**12),
                    "data": data,
                }
            }
        )
        return query.answer

    async def block(self) -> None:
        await self.fake.block(self)

    async def unblock(self) -> None:
        await self.fake.unblock(self)

    # seeing --------------------------------------------------------------------------------------

    def messages_in(self, chat: Any = None, thread_id: int | None = None) -> list[SeenMessage]:
        return [SeenMessage.from_record(m) for m in self._chat(chat).live_messages(thread_id)]

    @property
    def messages(self) -> list[SeenMessage]:
        """Everything in the private chat now, both directions, oldest first."""
        return self.messages_in()

    @property
    def bot_messages(self) -> list[SeenMessage]:
        return [m for m in self.messages if m.from_bot]

    @property
    def last(self) -> SeenMessage | None:
        """The newest message from the bot."""
        bot_messages = self.bot_messages
        return bot_messages[-1] if bot_messages else None

    def texts(self) -> list[str]:
        """Plain texts (or captions) of the bot's messages, oldest first."""
        return [m.text for m in self.bot_messages if m.text is not None]

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        queries = self.fake.state.callback_queries
        answers = (queries[query_id].answer for query_id in self._queries)
        return [answer for answer in answers if answer is not None]

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        """Labels of the reply keyboard shown under the input field, if any."""
        keyboard = self.private_chat.reply_keyboard
        return labels(keyboard) if keyboard else None

    @property
    def commands(self) -> list[BotCommandView]:
        """The command menu for this person's language in their private chat."""
        found = self.fake.commands_for(self.private_chat, self.id, self.language_code)
        return [BotCommandView(c["command"], c["description"]) for c in found]

    def commands_in(self, chat: Any) -> list[BotCommandView]:
        found = self.fake.commands_for(self._chat(chat), self.id, self.language_code)
        return [BotCommandView(c["command"], c["description"]) for c in found]


class Room:
    """A group or forum supergroup (the staff room), seen from inside."""

    def __init__(self, fake: FakeTelegram, record: ChatRecord) -> None:
        self.fake = fake
        self.record = record

    def __repr__(self) -> str:
        return f"<Room {self.record.title!r} id={self.chat_id}>"

    @property
    def chat_id(self) -> int:
        return self.record.id

    @property
    def id(self) -> int:
        return self.record.id

    @property
    def title(self) -> str | None:
        return self.record.title

    def add(self, *users: TelegramUser, status: str = "member") -> None:
        """Add people to the group ("member", "administrator" or "creator")."""
        for user in users:
            self.record.members[user.id] = status

    @property
    def topics(self) -> list[TopicRecord]:
        """Open and closed topics, oldest first."""
        return list(self.record.topics.values())

    def topic(self, name: str) -> TopicRecord | None:
        return next((t for t in self.record.topics.values() if t.name == name), None)

    def messages(self, thread_id: int | None = None) -> list[SeenMessage]:
        """Messages in the group, or in one topic."""
        return [SeenMessage.from_record(m) for m in self.record.live_messages(thread_id)]

    def texts(self, thread_id: int | None = None) -> list[str]:
        return [m.text for m in self.messages(thread_id) if m.text is not None]
