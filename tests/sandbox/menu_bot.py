"""A tiny bot for exercising the fake: a CallbackData menu edited in place, echo, contact, block tracking."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot, Dispatcher, F, Router, html
from aiogram.filters import Command, CommandStart
from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    CallbackQuery,
    ChatMemberUpdated,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    TelegramObject,
    Update,
)
from aiogram.utils.keyboard import InlineKeyboardBuilder

SECTIONS = {"health": "🩺 Health", "rights": "⚖️ Rights"}
WELCOME = "<b>Welcome</b> to Umbrella"


class Menu(CallbackData, prefix="menu"):
    section: str


@dataclass
class Seen:
    """What the bot observed, for assertions about delivery rather than about replies."""

    update_ids: list[int] = field(default_factory=list)
    blocked_by: list[int] = field(default_factory=list)
    threads: list[int | None] = field(default_factory=list)


def menu_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for section, label in SECTIONS.items():
        builder.button(text=label, callback_data=Menu(section=section))
    return builder.as_markup()


def section_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text="⬅️ Back", callback_data=Menu(section="back"))
    return builder.as_markup()


def build_dispatcher(seen: Seen) -> Dispatcher:
    """A fresh dispatcher (routers attach to one dispatcher only)."""
    dispatcher = Dispatcher()
    router = Router()

    @dispatcher.update.outer_middleware()
    async def remember_update(
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]], event: TelegramObject, data: dict[str, Any]
    ) -> Any:
        assert isinstance(event, Update)
        seen.update_ids.append(event.update_id)
        return await handler(event, data)

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer(WELCOME, reply_markup=menu_keyboard())

    @router.callback_query(Menu.filter(F.section == "back"))
    async def back(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        await query.message.edit_text(WELCOME, reply_markup=menu_keyboard())
        await query.answer()

    @router.callback_query(Menu.filter(F.section.in_(SECTIONS)))
    async def open_section(query: CallbackQuery, callback_data: Menu) -> None:
        if not isinstance(query.message, Message):  # InaccessibleMessage: deleted or too old
            await query.answer("This menu is no longer available", show_alert=True)
            return
        await query.message.edit_text(
            f"Section: <i>{html.quote(SECTIONS[callback_data.section])}</i>", reply_markup=section_keyboard()
        )
        await query.answer(f"Opened {callback_data.section}")

    @router.callback_query()
    async def expired(query: CallbackQuery) -> None:
        await query.answer("This button has expired", show_alert=True)

    @router.message(Command("contact"))
    async def ask_contact(message: Message) -> None:
        keyboard = ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text="📱 Share contact", request_contact=True)], [KeyboardButton(text="Cancel")]],
            one_time_keyboard=True,
            resize_keyboard=True,
        )
        await message.answer("Share your contact?", reply_markup=keyboard)

    @router.message(F.contact)
    async def got_contact(message: Message) -> None:
        assert message.contact is not None
        await message.answer(f"Got {html.quote(message.contact.phone_number)}", reply_markup=ReplyKeyboardRemove())

    @router.message(F.photo)
    async def photo(message: Message, bot: Bot) -> None:
        await bot.copy_message(message.chat.id, message.chat.id, message.message_id, caption="Your photo, back")

    @router.message(F.chat.type == "supergroup", F.text)
    async def staff_room(message: Message) -> None:
        seen.threads.append(message.message_thread_id)
        await message.answer(f"Noted: {html.quote(message.text or '')}")

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(html.quote(message.text or ""))

    @router.my_chat_member()
    async def membership(event: ChatMemberUpdated) -> None:
        if event.new_chat_member.status == "kicked":
            seen.blocked_by.append(event.from_user.id)

    dispatcher.include_router(router)
    return dispatcher
