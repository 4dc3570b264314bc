"""Safety: tips for work, what to do after violence, bad-client alerts, reporting a client and
checking a number before a meeting."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.content.loader import ContentStore
from bot.content.schema import Section
from bot.services.members import MemberInfo
from handlers.member.alerts import AlertsAction
from handlers.member.articles import article_buttons
from handlers.member.check import CheckAction
from handlers.member.reports import ReportNav
from handlers.ui import Nav, Screen, button, cached_markup, keyboard, show

router = Router(name="safety")


@router.callback_query(Nav.filter(F.to == Screen.safety))
async def safety(query: CallbackQuery, member: MemberInfo, content: ContentStore) -> None:
    def build() -> InlineKeyboardMarkup:
        buttons = article_buttons(content.articles(Section.SAFETY), member.language, "📄")
        buttons += [
            button(_("🚨 Bad-client alerts"), AlertsAction(action="home")),
            button(_("📝 Report a bad client"), ReportNav(action="start")),
            button(_("🔎 Check a number"), CheckAction(action="start")),
        ]
        return keyboard(buttons)

    text = _("<b>🛡 Safety</b>\n\nTips from sex workers, and what to do if something happens.")
    await show(query, text, cached_markup(content, ("safety",), build))
    await query.answer()
