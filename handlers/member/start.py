"""/start: the language (guessed, then confirmed with three buttons), an optional city, nothing else."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import CommandStart
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.loader import ContentStore
from bot.services import members
from bot.services.members import MemberInfo
from bot.settings import LANGUAGES
from handlers.member.city import ask_city
from handlers.member.menu import show_home
from handlers.ui import button, keyboard

router = Router(name="start")

# Each language named in itself: a member who reads only one of them finds it.
LANGUAGE_NAMES = {"uk": "🇺🇦 Українська", "ru": "🇷🇺 Русский", "en": "🇬🇧 English"}


class LanguageChoice(CallbackData, prefix="lang"):
    code: str
    then: str  # "city" during /start, "settings" from the settings screen


def language_markup(then: str, back: CallbackData | None = None) -> InlineKeyboardMarkup:
    buttons = [button(LANGUAGE_NAMES[code], LanguageChoice(code=code, then=then)) for code in LANGUAGES]
    markup = keyboard(buttons, back=back)
    if back is None:
        markup.inline_keyboard.pop()  # before a language is chosen there is nothing to go back to
    return markup


@router.message(CommandStart())
async def start(message: Message, member: MemberInfo, state: FSMContext) -> None:
    await state.clear()
    if member.language_confirmed:
        await show_home(message)
        return
    text = _("Hello! This is a private help bot. We never ask for your name.\n\nChoose your language:")
    await message.answer(text, reply_markup=language_markup(then="city"))


@router.callback_query(LanguageChoice.filter(F.code.in_(LANGUAGES) & (F.then == "city")))
async def language_chosen(
    query: CallbackQuery,
    callback_data: LanguageChoice,
    member: MemberInfo,
    session: AsyncSession,
    state: FSMContext,
    content: ContentStore,
    i18n: I18n,
) -> None:
    await members.set_language(session, member, callback_data.code)
    with i18n.use_locale(member.language):
        await query.answer(_("Language saved"))
        await ask_city(query, state, content, member.language, then="home")
