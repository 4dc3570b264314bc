"""Screen plumbing shared by every member feature: navigation callbacks, Back/Home, edit-in-place."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

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
    """Buttons in rows of `width`, then the Back/Home row (built directly: no builder copies)."""
    rows = [buttons[start : start + width] for start in range(0, len(buttons), width)]
    rows.append(back_home_row(back))
    return InlineKeyboardMarkup(inline_keyboard=rows)


# Per content store (a process has one; tests have a few): the store itself, and its keyboards.
_markups: OrderedDict[int, tuple[object, dict[tuple[object, ...], InlineKeyboardMarkup]]] = OrderedDict()


def cached_markup(
    content: object, key: tuple[object, ...], build: Callable[[], InlineKeyboardMarkup]
) -> InlineKeyboardMarkup:
    """A keyboard that depends only on the content, the language and `key`, built once.

    Menus are pressed far more often than content changes (it is loaded once per process), and
    building keyboards is most of a menu press's CPU time. Callers must not change the result.
    """
    entry = _markups.get(id(content))
    if entry is None or entry[0] is not content:  # holding the store keeps its id from being reused
        entry = _markups[id(content)] = (content, {})
        while len(_markups) > 4:
            _markups.popitem(last=False)
    per_content = entry[1]
    full_key = (get_i18n().current_locale, *key)
    markup = per_content.get(full_key)
    if markup is None:
        markup = per_content[full_key] = build()
    return markup


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
