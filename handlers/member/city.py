"""Choosing a city (buttons or a typed name), then continuing wherever the member was heading.

Features register what happens after the choice with `@after_city("key")`, so this module depends
on none of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from aiogram import F, Router, html
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.loader import ContentStore
from bot.content.schema import City
from bot.services import members
from bot.services.members import MemberInfo
from handlers.member.menu import show_home
from handlers.ui import Clock, Nav, Screen, button, keyboard, show

router = Router(name="city")
NO_CITY = "-"

Continuation = Callable[[Message | CallbackQuery, MemberInfo, str, ContentStore, datetime], Awaitable[None]]
_continuations: dict[str, Continuation] = {}


def after_city(key: str) -> Callable[[Continuation], Continuation]:
    """Register what to show once a city was chosen; `then="key.arg"` passes `arg` along."""

    def register(func: Continuation) -> Continuation:
        _continuations[key] = func
        return func

    return register


class CityChoice(CallbackData, prefix="city"):
    city: str  # a city id, or "-" for none
    then: str  # a registered continuation, optionally "key.arg" (":" separates callback fields)


class CityInput(StatesGroup):
    typing = State()


def city_name(city: City, language: str) -> str:
    return str(city.name.get(language))


def city_markup(content: ContentStore, language: str, then: str, back: CallbackData | None) -> InlineKeyboardMarkup:
    buttons = [button(f"📍 {city_name(c, language)}", CityChoice(city=c.id, then=then)) for c in content.cities]
    buttons.append(button(_("⏭ Skip") if then == "home" else _("🚫 No city"), CityChoice(city=NO_CITY, then=then)))
    return keyboard(buttons, width=2, back=back)


async def ask_city(
    event: Message | CallbackQuery,
    state: FSMContext,
    content: ContentStore,
    language: str,
    then: str,
    back: CallbackData | None = None,
) -> None:
    await state.set_state(CityInput.typing)
    await state.update_data(then=then)
    text = _(
        "Which city are you in? It helps us show clinics nearby.\n\n"
        "This is optional: tap a city, type its name, or skip."
    )
    await show(event, text, city_markup(content, language, then, back))


async def _continue(
    event: Message | CallbackQuery,
    member: MemberInfo,
    session: AsyncSession,
    city: City | None,
    then: str,
    state: FSMContext,
    content: ContentStore,
    now: datetime,
) -> None:
    await members.set_city(session, member, city.id if city else None)
    await state.clear()
    key, _sep, arg = then.partition(".")
    continuation = _continuations.get(key)
    if continuation is None:
        await show_home(event)
        return
    await continuation(event, member, arg, content, now)


@router.callback_query(CityChoice.filter())
async def city_chosen(
    query: CallbackQuery,
    callback_data: CityChoice,
    member: MemberInfo,
    session: AsyncSession,
    state: FSMContext,
    content: ContentStore,
    clock: Clock,
) -> None:
    city = content.city(callback_data.city)
    if city is None and callback_data.city != NO_CITY:
        await query.answer(_("This city is not in the list any more. Please choose again."), show_alert=True)
        await ask_city(query, state, content, member.language, callback_data.then)
        return
    await query.answer()
    await _continue(query, member, session, city, callback_data.then, state, content, clock())


def match_city(content: ContentStore, typed: str) -> City | None:
    wanted = " ".join(typed.split()).casefold()
    for city in content.cities:
        if wanted in {city.id, city.name.en.casefold(), city.name.ru.casefold(), city.name.uk.casefold()}:
            return city
    return None


async def _state_then(state: FSMContext) -> tuple[str, CallbackData]:
    data = await state.get_data()
    return str(data.get("then", "home")), Nav(to=Screen.home)


@router.message(CityInput.typing, F.text)
async def city_typed(
    message: Message, member: MemberInfo, session: AsyncSession, state: FSMContext, content: ContentStore, clock: Clock
) -> None:
    then, back = await _state_then(state)
    city = match_city(content, message.text or "")
    if city is None:
        typed = html.quote((message.text or "")[:100])
        text = _("I don't know the city “{city}”. Tap one below, or skip.").format(city=typed)
        await message.answer(text, reply_markup=city_markup(content, member.language, then, back))
        return
    await _continue(message, member, session, city, then, state, content, clock())


@router.message(CityInput.typing)
async def city_not_text(message: Message, member: MemberInfo, state: FSMContext, content: ContentStore) -> None:
    then, back = await _state_then(state)
    await message.answer(
        _("Please type the name of your city, or tap one below."),
        reply_markup=city_markup(content, member.language, then, back),
    )


@after_city("home")
async def _home(
    event: Message | CallbackQuery, member: MemberInfo, arg: str, content: ContentStore, now: datetime
) -> None:
    await show_home(event)
