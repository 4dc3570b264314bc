"""Tally the menu sections members open (see bot.services.usage): a section and a city, nothing else.

An outer middleware of the member router; the tally, the content and the clock come from the
dispatcher's data, so one middleware object serves every dispatcher."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot.content.loader import ContentStore
from bot.services.members import MemberInfo
from bot.services.usage import SECTIONS, SectionTally
from handlers.ui import Clock, Nav, Screen

# Commands that open a section directly, as its button does.
COMMAND_SECTIONS = {"/urgent": Screen.urgent, "/settings": Screen.settings, "/help": Screen.help}
NAV_PREFIX = Nav.__prefix__ + ":"


class SectionTallyMiddleware(BaseMiddleware):
    @staticmethod
    def section_of(event: TelegramObject) -> str | None:
        if isinstance(event, CallbackQuery) and event.data and event.data.startswith(NAV_PREFIX):
            screen = event.data.removeprefix(NAV_PREFIX)
            return screen if screen in SECTIONS else None
        if isinstance(event, Message) and event.text and event.text.startswith("/"):
            command = event.text.split(maxsplit=1)[0].split("@", 1)[0].lower()
            screen = COMMAND_SECTIONS.get(command)
            return screen.value if screen is not None else None
        return None

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        member: MemberInfo | None = data.get("member")
        tally: SectionTally | None = data.get("section_tally")
        if member is not None and tally is not None:
            section = self.section_of(event)
            if section is not None:
                content: ContentStore = data["content"]
                clock: Clock = data["clock"]
                city = content.city(member.city) if member.city else None
                day = clock().astimezone(city.zone if city is not None else UTC).date()
                tally.add(day, member.city, section)
        return await handler(event, data)
