"""The main menu, /menu and /help."""

from __future__ import annotations

from functools import cache

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from bot.content.loader import ContentStore
from bot.services.members import MemberInfo
from handlers.member.emergency import backup_block
from handlers.ui import Nav, Screen, button, keyboard, show

router = Router(name="menu")


def home_markup() -> InlineKeyboardMarkup:
    """The main menu in the current language; the same every time, so built once per language."""
    return _home_markup(get_i18n().current_locale)


@cache
def _home_markup(locale: str) -> InlineKeyboardMarkup:
    # Discretion: the first screen's labels say nothing about sex work.
    buttons = [
        button(_("⚖️ Rights"), Nav(to=Screen.rights)),
        button(_("🩺 Health & clinics"), Nav(to=Screen.health)),
        button(_("🛡 Safety"), Nav(to=Screen.safety)),
        button(_("💬 Talk to a person"), Nav(to=Screen.person)),
        button(_("🆘 Urgent help"), Nav(to=Screen.urgent)),
        button(_("⚙️ Settings"), Nav(to=Screen.settings)),
    ]
    markup = keyboard(buttons, width=2)
    markup.inline_keyboard.pop()  # the main menu needs no Back/Home row
    return markup


def home_text() -> str:
    return _("What do you need? Choose below.\n\nYou don't have to give your name or anything else.")


async def show_home(event: Message | CallbackQuery) -> None:
    await show(event, home_text(), home_markup())


@router.message(Command("menu"))
async def menu_command(message: Message, state: FSMContext) -> None:
    await state.clear()
    await show_home(message)


@router.callback_query(Nav.filter(F.to == Screen.home))
async def menu_button(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await show_home(query)
    await query.answer()


def help_text(content: ContentStore, language: str) -> str:
    parts = [
        _(
            "<b>How this bot works</b>\n\n"
            "Use the buttons. Everything is anonymous: staff never see your name, username or number.\n\n"
            "/menu — main menu\n"
            "/urgent — urgent help\n"
            "/settings — language, city, clear chat, forget me\n"
            "/help — this text\n\n"
            "If your phone may be checked by someone, use <b>Settings → Clear chat</b> after you finish."
        )
    ]
    backup = backup_block(content, language)
    if backup is not None:
        parts.append(backup)
    return "\n\n".join(parts)


def help_markup() -> InlineKeyboardMarkup:
    # Imported here: the youth screen builds on city choice, which returns to this module's menu.
    from handlers.member.youth import youth_button

    return keyboard([youth_button(Screen.help)])


@router.message(Command("help"))
async def help_command(message: Message, member: MemberInfo, content: ContentStore) -> None:
    await show(message, help_text(content, member.language), help_markup())


@router.callback_query(Nav.filter(F.to == Screen.help))
async def help_button(query: CallbackQuery, member: MemberInfo, content: ContentStore) -> None:
    await show(query, help_text(content, member.language), help_markup())
    await query.answer()
