"""What the fake Telegram remembers: users, chats, messages, topics, files and callback queries.

Plain records with no HTTP in them, so the server, the test client and a future web sandbox read the
same state. `SandboxState` also turns records into Bot API JSON exactly as Telegram shapes it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

PRIVATE, GROUP, SUPERGROUP = "private", "group", "supergroup"

ADMIN_RIGHTS: dict[str, bool] = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_send_welcome_messages": False,
    "can_pin_messages": True,
    "can_manage_topics": True,
}

TOPIC_ICON_COLORS = (0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F)


@dataclass
class UserRecord:
    """A Telegram account (a member, a staff member, or the bot itself)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        return data


@dataclass
class TopicRecord:
    """A forum topic; its id is the id of the service message that created it, as in Telegram."""

    thread_id: int
    name: str
    icon_color: int
    icon_custom_emoji_id: str | None = None
    closed: bool = False

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"message_thread_id": self.thread_id, "name": self.name, "icon_color": self.icon_color}
        if self.icon_custom_emoji_id:
            data["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return data


@dataclass
class MessageRecord:
    """One message in one chat, in either direction; deleted ones stay, flagged, for assertions."""

    chat_id: int
    message_id: int
    date: int
    sender_id: int
    from_bot: bool
    kind: str = "text"
    thread_id: int | None = None
    text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    html_source: str | None = None
    caption: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    media: dict[str, Any] = field(default_factory=dict)
    reply_markup: dict[str, Any] | None = None
    sent_markup: dict[str, Any] | None = None
    reply_to_message_id: int | None = None
    forward_origin: dict[str, Any] | None = None
    protect_content: bool = False
    edit_date: int | None = None
    deleted: bool = False
    service: bool = False
    created_by: str = ""
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def visible_text(self) -> str | None:
        """Text, or the caption of a media message."""
        return self.text if self.text is not None else self.caption


@dataclass
class ChatRecord:
    """A private chat (id = the user's id), a group or a supergroup (forum or not)."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    is_forum: bool = False
    user_id: int | None = None
    started: bool = False
    blocked: bool = False
    members: dict[int, str] = field(default_factory=dict)
    bot_status: str = "member"
    reply_keyboard: dict[str, Any] | None = None
    reply_keyboard_message_id: int | None = None
    menu_button: dict[str, Any] | None = None
    messages: dict[int, MessageRecord] = field(default_factory=dict)
    topics: dict[int, TopicRecord] = field(default_factory=dict)
    next_message_id: int = 1

    @property
    def bot_is_admin(self) -> bool:
        return self.bot_status in ("administrator", "creator")

    def live_messages(self, thread_id: int | None = None) -> list[MessageRecord]:
        """Messages still visible, oldest first, optionally of one topic."""
        return [m for m in self.messages.values() if not m.deleted and (thread_id is None or m.thread_id == thread_id)]


@dataclass
class FileRecord:
    """A file the fake knows: uploaded through multipart or referred to by a file_id string."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes | None = None
    file_name: str | None = None
    mime_type: str | None = None

    @property
    def size(self) -> int:
        return len(self.data) if self.data is not None else 1024

    @property
    def path(self) -> str:
        return f"{self.kind}s/{self.file_unique_id}"


@dataclass(frozen=True)
class CallbackAnswer:
    """What answerCallbackQuery showed the person: a toast, an alert, or a URL to open."""

    text: str | None = None
    show_alert: bool = False
    url: str | None = None


@dataclass
class CallbackQueryRecord:
    """A button press waiting for (or already given) its answer."""

    id: str
    user_id: int
    chat_id: int | None
    message_id: int | None
    data: str | None
    created: int
    answer: CallbackAnswer | None = None
    answered: bool = False


@dataclass
class BotIdentity:
    """What getMe reports; the id comes from the token the bot uses."""

    id: int = 123456789
    first_name: str = "Umbrella Sandbox"
    username: str = "umbrella_sandbox_bot"
    can_join_groups: bool = True
    can_read_all_group_messages: bool = False
    supports_inline_queries: bool = False
    has_topics_enabled: bool = False

    def user_dict(self) -> dict[str, Any]:
        return {"id": self.id, "is_bot": True, "first_name": self.first_name, "username": self.username}

    def get_me(self) -> dict[str, Any]:
        return {
            **self.user_dict(),
            "can_join_groups": self.can_join_groups,
            "can_read_all_group_messages": self.can_read_all_group_messages,
            "supports_inline_queries": self.supports_inline_queries,
            "can_connect_to_business": False,
            "has_main_web_app": False,
            "has_topics_enabled": self.has_topics_enabled,
        }


class SandboxState:
    """All records plus the id counters; `now` is the server clock as epoch seconds."""

    def __init__(self, now: Callable[[], int], bot: BotIdentity | None = None) -> None:
        self.now = now
        self.bot = bot or BotIdentity()
        self.users: dict[int, UserRecord] = {}
        self.chats: dict[int, ChatRecord] = {}
        self.files: dict[str, FileRecord] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.commands: dict[tuple[tuple[str, int | None, int | None], str], list[dict[str, str]]] = {}
        self.bot_texts: dict[tuple[str, str], str] = {}
        self._user_ids: Iterator[int] = itertools.count(500_000_001)
        self._group_ids: Iterator[int] = itertools.count(1)
        self._file_ids: Iterator[int] = itertools.count(1)
        self._query_ids: Iterator[int] = itertools.count(1)

    # creation ------------------------------------------------------------------------------------

    def new_user(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        started: bool = True,
    ) -> UserRecord:
        """A person with a private chat with the bot (reachable once `started`)."""
        user_id = next(self._user_ids)
        while user_id == self.bot.id:
            user_id = next(self._user_ids)
        user = UserRecord(user_id, first_name, last_name, username, language_code)
        self.users[user_id] = user
        self.chats[user_id] = ChatRecord(id=user_id, type=PRIVATE, user_id=user_id, started=started)
        return user

    def new_group(
        self, title: str, *, supergroup: bool = True, forum: bool = False, bot_admin: bool = True
    ) -> ChatRecord:
        """A group the bot belongs to (as admin by default)."""
        number = next(self._group_ids)
        chat_id = -(1_001_000_000_000 + number) if supergroup or forum else -(4_000_000 + number)
        chat = ChatRecord(
            id=chat_id,
            type=SUPERGROUP if supergroup or forum else GROUP,
            title=title,
            is_forum=forum,
            bot_status="administrator" if bot_admin else "member",
        )
        self.chats[chat_id] = chat
        return chat

    def add_message(self, chat: ChatRecord, *, sender_id: int, from_bot: bool, **fields: Any) -> MessageRecord:
        """Store a message under the chat's next id (shared by both directions, as in Telegram)."""
        message = MessageRecord(
            chat_id=chat.id,
            message_id=chat.next_message_id,
            date=self.now(),
            sender_id=sender_id,
            from_bot=from_bot,
            **fields,
        )
        chat.next_message_id += 1
        chat.messages[message.message_id] = message
        return message

    def new_file(
        self,
        kind: str,
        *,
        data: bytes | None = None,
        file_name: str | None = None,
        mime_type: str | None = None,
        file_id: str | None = None,
    ) -> FileRecord:
        """Register a file; an unknown file_id string is accepted and remembered."""
        number = next(self._file_ids)
        record = FileRecord(
            file_id=file_id or f"SBX{kind[:3].upper()}{number:06d}-{kind}",
            file_unique_id=f"U{number:06d}",
            kind=kind,
            data=data,
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[record.file_id] = record
        return record

    def file(self, file_id: str, kind: str) -> FileRecord:
        """The record behind a file_id, registering unknown ids (tests pass made-up ones)."""
        return self.files.get(file_id) or self.new_file(kind, file_id=file_id)

    def new_callback_query(
        self, user_id: int, chat_id: int | None, message_id: int | None, data: str | None
    ) -> CallbackQueryRecord:
        query = CallbackQueryRecord(
            id=f"{next(self._query_ids)}{user_id % 10_000:04d}",
            user_id=user_id,
            chat_id=chat_id,
            message_id=message_id,
            data=data,
            created=self.now(),
        )
        self.callback_queries[query.id] = query
        return query

    # lookup --------------------------------------------------------------------------------------

    def find_chat(self, chat_id: int | str) -> ChatRecord | None:
        """By numeric id, or by @username for public groups."""
        if isinstance(chat_id, int):
            return self.chats.get(chat_id)
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            wanted = chat_id[1:].lower()
            return next(
                (c for c in self.chats.values() if c.type != PRIVATE and (c.username or "").lower() == wanted), None
            )
        return None

    def user_dict(self, user_id: int) -> dict[str, Any]:
        if user_id == self.bot.id:
            return self.bot.user_dict()
        user = self.users.get(user_id)
        return user.to_dict() if user else {"id": user_id, "is_bot": False, "first_name": ""}

    def chat_dict(self, chat: ChatRecord) -> dict[str, Any]:
        if chat.type == PRIVATE:
            user = self.users[chat.user_id or chat.id]
            data: dict[str, Any] = {"id": chat.id, "type": PRIVATE, "first_name": user.first_name}
            if user.last_name:
                data["last_name"] = user.last_name
            if user.username:
                data["username"] = user.username
            return data
        data = {"id": chat.id, "type": chat.type, "title": chat.title}
        if chat.username:
            data["username"] = chat.username
        if chat.is_forum:
            data["is_forum"] = True
        return data

    def chat_full_info(self, chat: ChatRecord) -> dict[str, Any]:
        """getChat's ChatFullInfo, with the fields aiogram requires."""
        return {
            **self.chat_dict(chat),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def message_dict(self, message: MessageRecord, *, with_reply: bool = True) -> dict[str, Any]:
        """The Bot API `Message` object for a stored message."""
        chat = self.chats[message.chat_id]
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": self.chat_dict(chat),
            "from": self.bot.user_dict() if message.from_bot else self.user_dict(message.sender_id),
        }
        if message.thread_id is not None and chat.is_forum:
            data["message_thread_id"] = message.thread_id
            data["is_topic_message"] = True
        if message.forward_origin:
            data["forward_origin"] = message.forward_origin
        if with_reply and message.reply_to_message_id is not None:
            target = chat.messages.get(message.reply_to_message_id)
            if target is not None and not target.deleted:
                data["reply_to_message"] = self.message_dict(target, with_reply=False)
        if message.edit_date:
            data["edit_date"] = message.edit_date
        if message.protect_content:
            data["has_protected_content"] = True
        if message.text is not None:
            data["text"] = message.text
            if message.entities:
                data["entities"] = message.entities
        data.update(message.media)
        if message.caption is not None:
            data["caption"] = message.caption
            if message.caption_entities:
                data["caption_entities"] = message.caption_entities
        if message.reply_markup:
            data["reply_markup"] = message.reply_markup
        return data

    def member_status(self, chat: ChatRecord, user_id: int) -> str:
        """creator / administrator / member / left / kicked, as getChatMember reports it."""
        if user_id == self.bot.id:
            return chat.bot_status
        if chat.type == PRIVATE:
            return "member" if user_id == chat.id else "left"
        return chat.members.get(user_id, "left")

    def chat_member_dict(self, chat: ChatRecord, user_id: int) -> dict[str, Any]:
        status = self.member_status(chat, user_id)
        data: dict[str, Any] = {"status": status, "user": self.user_dict(user_id)}
        if status == "administrator":
            data.update(ADMIN_RIGHTS)
        elif status == "creator":
            data["is_anonymous"] = False
        elif status == "kicked":
            data["until_date"] = 0
        return data
