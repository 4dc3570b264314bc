"""Screen plumbing shared by every member feature: navigation callbacks, Back/Home, edit-in-place."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

log = logging.getLogger(__name__)

# The current UTC time; injected through the dispatcher so tests can move it.
Clock = Callable[[], datetime]


class Screen(StrEnum):
    home = "home"
    rights = "rights"
    health = "health"
    safety = "safety"
    person = "person"
    urgent = "urgent"
    settings = "settings"
    help = "help"


class Nav(CallbackData, prefix="nav"):
    """Go to a top-level screen: the only navigation the Back and Home buttons need."""

    to: Screen


def back_home_row(back: CallbackData | None = None) -> list[InlineKeyboardButton]:
    """Back (to the parent screen) and Home, on every screen below the main menu."""
    row = []
    if back is not None:
        row.append(InlineKeyboardButton(text=_("⬅️ Back"), callback_data=back.pack()))
    row.append(InlineKeyboardButton(text=_("🏠 Menu"), callback_data=Nav(to=Screen.home).pack()))
    return row


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def keyboard(
    buttons: list[InlineKeyboardButton], *, width: int = 1, back: CallbackData | None = None
) -> InlineKeyboardMarkup:
    """Buttons in rows of `width`, then the Back/Home row."""
    builder = InlineKeyboardBuilder()
    for start in range(0, len(buttons), width):
        builder.row(*buttons[start : start + width])
    builder.row(*back_home_row(back))
    return builder.as_markup()


async def show(event: Message | CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit the screen in place when the member pressed a button; send a new one otherwise.

    Falls back to a new message when the old one cannot be edited (too old, deleted, a venue).
    """
    if isinstance(event, CallbackQuery):
        message = event.message
        if isinstance(message, Message) and message.text is not None:
            try:
                await message.edit_text(text, reply_markup=markup)
                return
            except TelegramBadRequest as error:
                if "message is not modified" in error.message:
                    return
                log.info("screen not editable (%s); sending a new one", error.message)
        if message is not None:
            await event.bot.send_message(message.chat.id, text, reply_markup=markup)  # type: ignore[union-attr]
        return
    await event.answer(text, reply_markup=markup)
