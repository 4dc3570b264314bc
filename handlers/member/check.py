"""Check a number before a meeting: the member types a phone number, handle, e-mail or car plate;
the bot answers with how many moderated reports name it, in which cities, how recent and what
happened. It never says that someone is safe: no reports means only that nobody reported them.

Lookups are rate-limited per member (a keyed hash in the limiter, never an id): otherwise the bot
would be an oracle for testing whole ranges of numbers.
"""

from __future__ import annotations

from aiogram import F, Router, html
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from babel.dates import format_date
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.loader import ContentStore
from bot.middlewares.throttling import Limiter
from bot.privacy import Privacy
from bot.services import alerts
from bot.services.identifiers import MAX_INPUT, parse, region_of_country
from bot.services.members import MemberInfo
from handlers.member.city import city_name
from handlers.member.reports import category_names
from handlers.ui import Clock, Nav, Screen, button, show

router = Router(name="check")


class CheckAction(CallbackData, prefix="chk"):
    action: str  # start


class CheckInput(StatesGroup):
    typing = State()


def _markup() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[button(_("⬅️ Back"), Nav(to=Screen.safety)), button(_("🏠 Menu"), Nav(to=Screen.home))]]
    )


def _prompt() -> str:
    return _(
        "<b>🔎 Check a number</b>\n\n"
        "Type a phone number, a messenger handle (@name), an e-mail or a car plate. "
        "The bot looks for moderated reports from other members. Nobody learns what you checked."
    )


@router.callback_query(CheckAction.filter(F.action == "start"))
async def start_check(query: CallbackQuery, state: FSMContext) -> None:
    await query.answer()
    await state.set_state(CheckInput.typing)
    await show(query, _prompt(), _markup())


@router.message(CheckInput.typing, F.text)
async def checked(
    message: Message,
    session: AsyncSession,
    member: MemberInfo,
    content: ContentStore,
    privacy: Privacy,
    clock: Clock,
    check_limiter: Limiter,
    check_limit: int,
) -> None:
    typed = (message.text or "").strip()
    if typed.startswith("/"):
        return
    city = content.city(member.city or "")
    found = parse(typed, region_of_country(city.country if city else None)) if len(typed) <= MAX_INPUT else []
    if not found:
        text = _(
            "I could not read that as a phone number, handle, e-mail or car plate. "
            "Try again, for example +380 67 123 45 67 or @name."
        )
        await message.answer(text, reply_markup=_markup())
        return
    if await check_limiter.hit(privacy.member_hash(message.from_user.id)[:32]) > check_limit:  # type: ignore[union-attr]
        text = ngettext(
            "You have made many checks in a short time. You can check again in an hour (at most {n} check an hour).",
            "You have made many checks in a short time. You can check again in an hour (at most {n} checks an hour).",
            check_limit,
        ).format(n=check_limit)
        await message.answer(text, reply_markup=_markup())
        return
    matches = await alerts.check(session, privacy, found, clock())
    shown = html.quote(found[0].value)
    if not matches:
        text = "\n\n".join(
            [
                _("🔎 No reports found for {identifier}.").format(identifier=shown),
                _(
                    "That does not mean this person is safe: reports cover only what members told the "
                    "organisation. Trust your feelings, tell a friend where you are going and when you will "
                    "be back, and read the safety tips."
                ),
            ]
        )
        await message.answer(text, reply_markup=_markup())
        return
    lines = [_("⚠️ Reports found for {identifier}:").format(identifier=shown), ""]
    for match in matches:
        place = content.city(match.city)
        lines.append(
            ngettext(
                "{n} report in {city}, last in {month}: {categories}.",
                "{n} reports in {city}, last in {month}: {categories}.",
                match.reports,
            ).format(
                n=match.reports,
                city=html.quote(city_name(place, member.language)) if place else html.quote(match.city),
                month=format_date(match.last.date(), "LLLL yyyy", locale=member.language),
                categories=category_names(match.categories),
            )
        )
    lines += [
        "",
        _(
            "Think about not meeting this person. If you do: meet somewhere public, tell a friend, and keep "
            "your phone charged. Recent alerts are in Safety → Bad-client alerts."
        ),
    ]
    await message.answer("\n".join(lines), reply_markup=_markup())


@router.message(CheckInput.typing)
async def not_text(message: Message) -> None:
    await message.answer(_("Please type the number as text."), reply_markup=_markup())
