"""Resolve the member once per update, so handlers never repeat look-ups or open sessions.

It also collects the message ids of the private chat (incoming and outgoing, ids only) and stores
them in the same transaction, so "clear chat" knows what it may delete.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from aiogram import BaseMiddleware
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, Message, MessageId, TelegramObject, Update, User
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.privacy import Privacy
from bot.services import members
from bot.services.members import MemberCache, MemberInfo, guess_language

Clock = Callable[[], datetime]
log = logging.getLogger(__name__)

# (chat id, message id) of every message the bot sends while handling the current update.
_OUTGOING: ContextVar[list[tuple[int, int]] | None] = ContextVar("umbrella_outgoing", default=None)


def utcnow() -> datetime:
    return datetime.now(UTC)


class OutgoingRecorder(BaseRequestMiddleware):
    """Session middleware: notes the ids of messages the bot sends into private chats."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Any,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        result = await make_request(bot, method)
        sink = _OUTGOING.get()
        # Edits return the same message again: only new messages need remembering.
        if sink is not None and not type(method).__name__.startswith("Edit"):
            if isinstance(result, Message) and result.chat.type == "private":
                sink.append((result.chat.id, result.message_id))
            elif isinstance(result, MessageId):
                chat_id = getattr(method, "chat_id", None)
                if isinstance(chat_id, int) and chat_id > 0:  # positive ids are private chats
                    sink.append((chat_id, result.message_id))
        return result


class MemberContextMiddleware(BaseMiddleware):
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        privacy: Privacy,
        default_language: str,
        clock: Clock = utcnow,
        cache: MemberCache | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.privacy = privacy
        self.default_language = default_language
        self.clock = clock
        self.cache = cache

    async def _member(self, session: AsyncSession, user: User, chat: Chat, user_hash: str) -> MemberInfo:
        """From this process's cache when it is fresh for today; from the database otherwise."""
        today = self.clock().date()
        member = self.cache.get(user_hash) if self.cache else None
        if member is not None and member.active and member.last_seen == today:
            return member
        language = guess_language(user.language_code, self.default_language)
        member, _created = await members.ensure(session, self.privacy, user.id, chat.id, language, today)
        return member

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        async with self.sessionmaker() as session:  # connects only if a query runs
            data["session"] = session
            member = user_hash = None
            private = chat is not None and chat.type == "private" and user is not None and not user.is_bot
            if private:
                user_hash = self.privacy.member_hash(user.id)
                # "kicked" means the member blocked the bot: never create a row for that.
                if isinstance(event, Update) and event.my_chat_member is not None:
                    if self.cache:
                        self.cache.discard(user_hash)
                else:
                    member = await self._member(session, user, chat, user_hash)
            data["member"] = member
            outgoing: list[tuple[int, int]] = []
            token = _OUTGOING.set(outgoing)
            try:
                result = await handler(event, data)
            finally:
                _OUTGOING.reset(token)
            handler_used_database = session.in_transaction()
            try:
                if member is not None and not member.forgotten:
                    ids = [mid for cid, mid in outgoing if cid == chat.id]
                    if isinstance(event, Update) and event.message is not None:
                        ids.append(event.message.message_id)
                    await members.record_messages(session, member.id, ids, self.clock())
                await session.commit()
            except (OperationalError, InterfaceError, OSError) as error:
                if handler_used_database:
                    raise  # the handler's own changes were not saved: the member must hear it
                # The member got their answer; only "clear chat" bookkeeping is lost during an outage.
                log.warning("database unavailable, message ids not recorded: %s", type(error).__name__)
            if self.cache is not None and member is not None and user_hash is not None:
                self.cache.put(user_hash, member)
            return result
