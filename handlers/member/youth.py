"""Under 18: a member who says so is routed to help for young people, not to adult content.

The bot stores nothing about it: no age, no flag. The screen is reached from Help, Rights and Health
and shows only the `youth` articles, the youth-friendly places of the member's city and 112.
"""

from __future__ import annotations

from datetime import datetime

from aiogram import Router, html
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message
from aiogram.utils.i18n import gettext as _

from bot.content.loader import ContentStore
from bot.content.schema import Article, Section, ServiceTag
from bot.services.members import MemberInfo
from handlers.member.articles import article_buttons, back_target
from handlers.member.city import after_city, ask_city, city_name
from handlers.member.clinics import ClinicView, clinic_status_lines
from handlers.ui import Clock, Nav, Screen, button, keyboard, show

router = Router(name="youth")


class YouthView(CallbackData, prefix="youth"):
    """The youth screen; `back` is the screen it was opened from."""

    back: Screen = Screen.help


class YouthCity(CallbackData, prefix="ycity"):
    """Choose a city to see places for young people."""


def youth_button(back: Screen) -> InlineKeyboardButton:
    """The "I am under 18" button for the bottom of Help, Rights and Health."""
    return button(_("🌱 I am under 18"), YouthView(back=back))


def youth_intro() -> str:
    return _(
        "<b>🌱 Help for young people</b>\n\n"
        "Thank you for telling us. This bot is made for adults, so here is help meant for you.\n\n"
        "Whatever happened, <b>it is not your fault</b>, and you are not in trouble. "
        "You don't have to explain anything. We don't save your age.\n\n"
        "In danger now? Call <b>112</b>. It is free."
    )


def places_block(content: ContentStore, member: MemberInfo, now: datetime) -> tuple[str, list[InlineKeyboardButton]]:
    """Youth-friendly places of the member's city: status lines and one button per place."""
    city = content.city(member.city) if member.city else None
    if city is None:
        text = _("Choose your city to see places that help young people.")
        return text, [button(_("📍 Choose city"), YouthCity())]
    name = html.quote(city_name(city, member.language))
    clinics = content.clinics(city.id, ServiceTag.YOUTH)
    other = button(_("📍 Other city"), YouthCity())
    if not clinics:
        text = _(
            "We don't know a place for young people in {city} yet. "
            "A doctor or a social worker can help you find one, or tap “💬 Talk to a person”."
        ).format(city=name)
        return text, [other]
    lines = [_("<b>Places for young people — {city}</b>").format(city=name)]
    lines += clinic_status_lines(content, city, ServiceTag.YOUTH, member.language, now)
    if any(clinic.sample for clinic in clinics):
        lines.append(_("<i>Sample data: check before you go.</i>"))
    buttons = [
        button(f"🏥 {clinic.name.get(member.language)}", ClinicView(id=clinic.id, tag=ServiceTag.YOUTH.value))
        for clinic in clinics
    ]
    return "\n".join(lines), [*buttons, other]


async def show_youth(
    event: Message | CallbackQuery, member: MemberInfo, content: ContentStore, now: datetime, back: Screen
) -> None:
    places, place_buttons = places_block(content, member, now)
    buttons = article_buttons(content.articles(Section.YOUTH), member.language, "📄")
    buttons += place_buttons
    buttons.append(button(_("💬 Talk to a person"), Nav(to=Screen.person)))
    text = "\n\n".join([youth_intro(), places])
    await show(event, text, keyboard(buttons, back=Nav(to=back)))


@router.callback_query(YouthView.filter())
async def youth(
    query: CallbackQuery, callback_data: YouthView, member: MemberInfo, content: ContentStore, clock: Clock
) -> None:
    await show_youth(query, member, content, clock(), callback_data.back)
    await query.answer()


@router.callback_query(YouthCity.filter())
async def youth_city(query: CallbackQuery, member: MemberInfo, content: ContentStore, state: FSMContext) -> None:
    await ask_city(query, state, content, member.language, then="youth", back=YouthView())
    await query.answer()


@after_city("youth")
async def _after_city(
    event: Message | CallbackQuery, member: MemberInfo, arg: str, content: ContentStore, now: datetime
) -> None:
    await show_youth(event, member, content, now, Screen.help)


@back_target(Section.YOUTH)
def _article_back(article: Article) -> CallbackData:
    return YouthView()
