"""Rights: short articles per country (Ukraine, Russia) and for both."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.content.loader import ContentStore
from bot.content.schema import Article, Section
from bot.services.members import MemberInfo
from handlers.member.articles import article_buttons, back_target
from handlers.member.emergency import country_name, member_countries
from handlers.member.youth import youth_button
from handlers.ui import Nav, Screen, button, cached_markup, keyboard, show

router = Router(name="rights")
ANY_COUNTRY = "*"


class RightsCountry(CallbackData, prefix="rc"):
    country: str


def country_flag(code: str) -> str:
    return {"UA": "🇺🇦", "RU": "🇷🇺"}.get(code, "🌍")


async def show_country_choice(event: Message | CallbackQuery, content: ContentStore) -> None:
    buttons = [button(f"{country_flag(c)} {country_name(c)}", RightsCountry(country=c)) for c in content.countries]
    buttons.append(youth_button(Screen.rights))
    text = _("<b>⚖️ Rights</b>\n\nWhich country are you in?")
    await show(event, text, keyboard(buttons, back=Nav(to=Screen.home)))


async def show_rights(event: Message | CallbackQuery, member: MemberInfo, content: ContentStore, country: str) -> None:
    def build() -> InlineKeyboardMarkup:
        buttons = article_buttons(content.articles(Section.RIGHTS, country), member.language, "📄")
        buttons.append(button(_("🌍 Other country"), RightsCountry(country=ANY_COUNTRY)))
        buttons.append(youth_button(Screen.rights))
        return keyboard(buttons)

    text = _("<b>⚖️ Your rights — {country}</b>\n\nChoose a topic.").format(country=country_name(country))
    await show(event, text, cached_markup(content, ("rights", country), build))


@router.callback_query(Nav.filter(F.to == Screen.rights))
async def rights(query: CallbackQuery, member: MemberInfo, content: ContentStore) -> None:
    countries = member_countries(content, member)
    if len(countries) == 1:
        await show_rights(query, member, content, countries[0])
    else:
        await show_country_choice(query, content)
    await query.answer()


@router.callback_query(RightsCountry.filter(F.country == ANY_COUNTRY))
async def other_country(query: CallbackQuery, content: ContentStore) -> None:
    await show_country_choice(query, content)
    await query.answer()


@back_target(Section.RIGHTS)
def _article_back(article: Article) -> CallbackData:
    """From a country's article back to that country's list, whatever the member's own city."""
    return Nav(to=Screen.rights) if article.country == "all" else RightsCountry(country=article.country)


@router.callback_query(RightsCountry.filter())
async def rights_country(
    query: CallbackQuery, callback_data: RightsCountry, member: MemberInfo, content: ContentStore
) -> None:
    if callback_data.country not in content.countries:
        await query.answer(_("This page is no longer available."), show_alert=True)
        return
    await show_rights(query, member, content, callback_data.country)
    await query.answer()
