"""Resolve the staff person behind an update once, for the staff routers, and speak their language.

`StaffContextMiddleware` is a router-level outer middleware: it puts `staff: StaffInfo | None` into
the handler data and, for staff who chose languages, switches gettext to their first language.
`IsStaff` and `HasRole` are the filters handlers (or whole routers) declare.

The staff routers come before the member router, so every member update passes through here. To
keep member navigation free of an extra database round trip, a private-chat update is looked up
only when it can concern staff: a command, a button whose callback data belongs to a class
registered with `@staff_callback`, or any update while an FSM state is set. Every update in a
group (the staff room) is looked up.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from typing import Any, TypeVar

from aiogram import BaseMiddleware, Router
from aiogram.filters import Filter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject, User
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import staff as staff_service
from bot.services.staff import Role, StaffInfo

_STAFF_CALLBACK_PREFIXES: set[str] = set()
_MEMO = "umbrella.staff"  # key in the per-update session's `info`
CallbackClass = TypeVar("CallbackClass", bound=type[CallbackData])


def staff_callback(cls: CallbackClass) -> CallbackClass:
    """Mark a CallbackData class as staff business: its presses in private chats get `staff` resolved."""
    _STAFF_CALLBACK_PREFIXES.add(cls.__prefix__)
    return cls


def is_staff_callback(data: str | None) -> bool:
    return data is not None and data.split(":", 1)[0] in _STAFF_CALLBACK_PREFIXES


def _concerns_staff(event: TelegramObject, chat: Chat | None, data: dict[str, Any]) -> bool:
    if chat is None or chat.type != "private":
        return True
    if data.get("raw_state") is not None:
        return True
    if isinstance(event, Message):
        return (event.text or "").startswith("/")
    if isinstance(event, CallbackQuery):
        return is_staff_callback(event.data)
    return False


class StaffContextMiddleware(BaseMiddleware):
    """Puts `staff` (active staff, or None) into the data and uses the person's first language.

    Needs `session` (opened per update by MemberContextMiddleware) and `privacy` (workflow data).
    """

    def setup(self, router: Router) -> Router:
        """Register on the events staff routers handle; returns the router."""
        for observer in (router.message, router.edited_message, router.callback_query):
            observer.outer_middleware(self)
        return router

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        staff: StaffInfo | None = None
        if user is not None and not user.is_bot and _concerns_staff(event, chat, data):
            session: AsyncSession = data["session"]
            # Several staff routers may each run this middleware for one update: one lookup per session.
            memo: dict[int, StaffInfo | None] = session.info.setdefault(_MEMO, {})
            if user.id not in memo:
                memo[user.id] = await staff_service.find_staff(session, data["privacy"], user.id)
            staff = memo[user.id]
        data["staff"] = staff
        i18n: I18n | None = data.get("i18n")
        language = staff.language if staff is not None else None
        with i18n.use_locale(language) if i18n is not None and language is not None else nullcontext():
            return await handler(event, data)


class ConcernsStaff(Filter):
    """Root filter of the staff router: a member's menu press or plain text in a private chat skips
    the whole staff subtree (and its many handler filters) at once."""

    async def __call__(self, event: TelegramObject, **data: Any) -> bool:
        return _concerns_staff(event, data.get("event_chat"), data)


class IsStaff(Filter):
    """The update comes from active staff (of any role)."""

    async def __call__(self, event: TelegramObject, staff: StaffInfo | None = None) -> bool:
        return staff is not None and staff.active


class HasRole(Filter):
    """The update comes from active staff holding at least one of `roles`."""

    def __init__(self, *roles: Role) -> None:
        if not roles:
            raise ValueError("name at least one role")
        self.roles = frozenset(roles)

    def __str__(self) -> str:
        return f"HasRole({', '.join(sorted(self.roles))})"

    async def __call__(self, event: TelegramObject, staff: StaffInfo | None = None) -> bool:
        return staff is not None and any(staff.has(role) for role in self.roles)
