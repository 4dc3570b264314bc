"""Urgent help: one tap from the main menu to what to do now."""

from __future__ import annotations

from datetime import datetime

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.content.loader import ContentStore
from bot.content.render import utf16_len, visible_text
from bot.content.schema import ServiceTag
from bot.services.members import MemberInfo
from handlers.member.articles import ArticleView
from handlers.member.city import after_city, ask_city
from handlers.member.clinics import ClinicList, clinic_status_lines
from handlers.member.emergency import emergency_block
from handlers.ui import Clock, Nav, Screen, button, cached_markup, keyboard, show

router = Router(name="urgent")

URGENT_IDS = ("violence", "condom-broke", "detained")
PEP_CITY = "pep-city"
TELEGRAM_TEXT_LIMIT = 4096


class Urgent(CallbackData, prefix="urg"):
    item: str


def urgent_labels() -> dict[str, str]:
    return {
        "violence": _("⚠️ Violence just happened"),
        "condom-broke": _("💊 Condom broke"),
        "detained": _("🚓 Detained by police"),
    }


async def show_urgent_menu(event: Message | CallbackQuery, member: MemberInfo, content: ContentStore) -> None:
    def build() -> InlineKeyboardMarkup:
        labels = urgent_labels()
        return keyboard([button(labels[item], Urgent(item=item)) for item in URGENT_IDS])

    text = "\n\n".join(
        [_("<b>🆘 Urgent help</b>\n\nWhat happened? Tap one."), emergency_block(content, member, member.language)]
    )
    await show(event, text, cached_markup(content, ("urgent",), build))


@router.message(Command("urgent"))
async def urgent_command(message: Message, member: MemberInfo, content: ContentStore, state: FSMContext) -> None:
    await state.clear()
    await show_urgent_menu(message, member, content)


@router.callback_query(Nav.filter(F.to == Screen.urgent))
async def urgent_button(query: CallbackQuery, member: MemberInfo, content: ContentStore) -> None:
    await show_urgent_menu(query, member, content)
    await query.answer()


def pep_block(content: ContentStore, member: MemberInfo, now: datetime) -> str:
    """Where to get PEP in the member's city: open now first, else when the next place opens."""
    city = content.city(member.city) if member.city else None
    if city is None:
        return _("<b>Where to get PEP</b>\nChoose your city to see the nearest place that gives PEP.")
    lines = clinic_status_lines(content, city, ServiceTag.PEP, member.language, now, limit=3)
    if not lines:
        return _(
            "<b>Where to get PEP</b>\nWe don't know such a place in this city yet. "
            "Go to a hospital emergency department and ask for PEP."
        )
    return "\n".join([_("<b>Where to get PEP</b>"), *lines])


async def show_urgent_item(
    event: Message | CallbackQuery, item: str, member: MemberInfo, content: ContentStore, now: datetime
) -> None:
    article = content.article(item)
    if article is None:
        await show(event, _("This page is no longer available."), keyboard([], back=Nav(to=Screen.urgent)))
        return
    pages = article.pages(member.language)
    text = pages[0]
    buttons = []
    if len(pages) > 1:
        buttons.append(button(_("Next ▶️"), ArticleView(id=article.id, page=1)))
    if item == "condom-broke":
        combined = f"{text}\n\n{pep_block(content, member, now)}"
        if utf16_len(visible_text(combined)) <= TELEGRAM_TEXT_LIMIT:
            text = combined
        if member.city:
            buttons.append(button(_("🏥 All places with PEP"), ClinicList(tag=ServiceTag.PEP.value, city=member.city)))
        else:
            buttons.append(button(_("📍 Choose city"), Urgent(item=PEP_CITY)))
    buttons.append(button(_("💬 Talk to a person"), Nav(to=Screen.person)))
    await show(event, text, keyboard(buttons, back=Nav(to=Screen.urgent)))


@router.callback_query(Urgent.filter(F.item == PEP_CITY))
async def pep_city(query: CallbackQuery, member: MemberInfo, content: ContentStore, state: FSMContext) -> None:
    await ask_city(query, state, content, member.language, then="pep", back=Urgent(item="condom-broke"))
    await query.answer()


@after_city("pep")
async def _after_city(
    event: Message | CallbackQuery, member: MemberInfo, arg: str, content: ContentStore, now: datetime
) -> None:
    await show_urgent_item(event, "condom-broke", member, content, now)


@router.callback_query(Urgent.filter(F.item.in_(URGENT_IDS)))
async def urgent_item(
    query: CallbackQuery, callback_data: Urgent, member: MemberInfo, content: ContentStore, clock: Clock
) -> None:
    await show_urgent_item(query, callback_data.item, member, content, clock())
    await query.answer()
