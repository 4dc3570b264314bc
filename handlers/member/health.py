"""Health and clinics: the clinic finder first, then short health articles."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.content.loader import ContentStore
from bot.content.schema import Section
from bot.services.members import MemberInfo
from handlers.member.articles import article_buttons
from handlers.member.clinics import FindClinic
from handlers.member.youth import youth_button
from handlers.ui import Nav, Screen, button, cached_markup, keyboard, show

router = Router(name="health")


@router.callback_query(Nav.filter(F.to == Screen.health))
async def health(query: CallbackQuery, member: MemberInfo, content: ContentStore) -> None:
    def build() -> InlineKeyboardMarkup:
        buttons = [button(_("🏥 Find a clinic"), FindClinic())]
        buttons += article_buttons(content.articles(Section.HEALTH), member.language, "📄")
        buttons.append(youth_button(Screen.health))
        return keyboard(buttons)

    text = _("<b>🩺 Health & clinics</b>\n\nFind a friendly clinic, or read about a topic.")
    await show(query, text, cached_markup(content, ("health",), build))
    await query.answer()
