"""Settings: language, city, notifications (topics and quiet hours), clear chat and forget me."""

from __future__ import annotations

from datetime import datetime

from aiogram import Bot, F, Router, html
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.loader import ContentStore
from bot.services import members
from bot.services.members import MemberInfo
from handlers.member.alerts import AlertsAction
from handlers.member.city import after_city, ask_city, city_name
from handlers.member.handoff import erase_case_topics
from handlers.member.start import LANGUAGE_NAMES, LanguageChoice, language_markup
from handlers.member.subscriptions import Notifications
from handlers.ui import Clock, Nav, Screen, button, keyboard, show

router = Router(name="settings")
DELETE_BATCH = 100  # deleteMessages takes at most 100 ids


class SettingsAction(CallbackData, prefix="set"):
    action: str


async def show_settings(event: Message | CallbackQuery, member: MemberInfo, content: ContentStore) -> None:
    city = content.city(member.city) if member.city else None
    text = "\n".join(
        [
            _("<b>⚙️ Settings</b>"),
            "",
            _("Language: {language}").format(language=LANGUAGE_NAMES[member.language]),
            _("City: {city}").format(city=html.quote(city_name(city, member.language)) if city else _("not set")),
        ]
    )
    buttons = [
        button(_("🌐 Language"), SettingsAction(action="language")),
        button(_("📍 City"), SettingsAction(action="city")),
        button(_("🔔 Notifications"), Notifications()),
        button(_("🚨 Bad-client alerts"), AlertsAction(action="home")),
        button(_("🧹 Clear chat"), SettingsAction(action="clear")),
        button(_("🗑 Forget me"), SettingsAction(action="forget")),
    ]
    await show(event, text, keyboard(buttons, width=2))


@router.message(Command("settings"))
async def settings_command(message: Message, member: MemberInfo, content: ContentStore, state: FSMContext) -> None:
    await state.clear()
    await show_settings(message, member, content)


@router.callback_query(Nav.filter(F.to == Screen.settings))
async def settings_button(query: CallbackQuery, member: MemberInfo, content: ContentStore) -> None:
    await show_settings(query, member, content)
    await query.answer()


@router.callback_query(SettingsAction.filter(F.action == "language"))
async def change_language(query: CallbackQuery) -> None:
    await show(query, _("Choose your language:"), language_markup(then="settings", back=Nav(to=Screen.settings)))
    await query.answer()


@router.callback_query(LanguageChoice.filter(F.code.in_(LANGUAGE_NAMES) & (F.then == "settings")))
async def language_changed(
    query: CallbackQuery,
    callback_data: LanguageChoice,
    member: MemberInfo,
    session: AsyncSession,
    content: ContentStore,
    i18n: I18n,
) -> None:
    await members.set_language(session, member, callback_data.code)
    with i18n.use_locale(member.language):
        await query.answer(_("Language saved"))
        await show_settings(query, member, content)


@router.callback_query(SettingsAction.filter(F.action == "city"))
async def change_city(query: CallbackQuery, member: MemberInfo, content: ContentStore, state: FSMContext) -> None:
    await ask_city(query, state, content, member.language, then="settings", back=Nav(to=Screen.settings))
    await query.answer()


@after_city("settings")
async def _after_city(
    event: Message | CallbackQuery, member: MemberInfo, arg: str, content: ContentStore, now: datetime
) -> None:
    await show_settings(event, member, content)


@router.callback_query(SettingsAction.filter(F.action == "clear"))
async def clear_confirm(query: CallbackQuery) -> None:
    text = _(
        "<b>🧹 Clear chat</b>\n\n"
        "The bot will delete the messages of this chat, yours and its own. Telegram lets a bot delete "
        "only messages from the last 48 hours; you can delete older ones yourself.\n\nClear the chat now?"
    )
    buttons = [button(_("✅ Yes, clear the chat"), SettingsAction(action="clear_yes"))]
    await show(query, text, keyboard(buttons, back=Nav(to=Screen.settings)))
    await query.answer()


async def clear_chat(
    bot: Bot, session: AsyncSession, member: MemberInfo, chat_id: int, now: datetime
) -> tuple[int, int]:
    """Delete every message of the private chat the bot may still delete; returns (deleted, left)."""
    history = await members.chat_history(session, member.id, now)
    deleted = 0
    for start in range(0, len(history.deletable), DELETE_BATCH):
        batch = history.deletable[start : start + DELETE_BATCH]
        try:
            await bot.delete_messages(chat_id, batch)
            deleted += len(batch)
        except TelegramBadRequest:
            for message_id in batch:  # one by one, so one undeletable message does not block the rest
                try:
                    await bot.delete_message(chat_id, message_id)
                    deleted += 1
                except TelegramBadRequest:
                    pass
    await members.forget_messages(session, member.id, history.deletable)
    return deleted, len(history.deletable) - deleted + history.too_old


def clear_report(deleted: int, left: int) -> str:
    text = ngettext("🧹 Done: {n} message deleted.", "🧹 Done: {n} messages deleted.", deleted).format(n=deleted)
    if left:
        text += "\n\n" + ngettext(
            "{n} message is older than 48 hours, and Telegram does not let the bot delete it.",
            "{n} messages are older than 48 hours, and Telegram does not let the bot delete them.",
            left,
        ).format(n=left)
    text += "\n\n" + _(
        "Messages we could not know about may remain. To remove everything, use “Clear history” "
        "in Telegram's menu for this chat."
    )
    return text


@router.callback_query(SettingsAction.filter(F.action == "clear_yes"))
async def clear_yes(query: CallbackQuery, bot: Bot, session: AsyncSession, member: MemberInfo, clock: Clock) -> None:
    await query.answer()
    if query.message is None:
        return
    deleted, left = await clear_chat(bot, session, member, query.message.chat.id, clock())
    await bot.send_message(query.message.chat.id, clear_report(deleted, left), reply_markup=keyboard([]))


@router.message(Command("forget"))
async def forget_command(message: Message, state: FSMContext) -> None:
    await state.clear()
    await show(message, _forget_text(), _forget_markup())


def _forget_text() -> str:
    return _(
        "<b>🗑 Forget me</b>\n\n"
        "This erases everything the bot keeps about you: your language, your city, your notification "
        "and alert choices, a report you have not finished, your conversations with counsellors and "
        "the list of messages in this chat. Reports you already sent stay, with no link to you. "
        "It cannot be undone.\n\n"
        "Your messages stay on your phone unless you also clear the chat."
    )


def _forget_markup() -> InlineKeyboardMarkup:
    buttons = [
        button(_("🧹 Clear chat and forget me"), SettingsAction(action="forget_all")),
        button(_("🗑 Only forget me"), SettingsAction(action="forget_yes")),
    ]
    return keyboard(buttons, back=Nav(to=Screen.settings))


@router.callback_query(SettingsAction.filter(F.action == "forget"))
async def forget_confirm(query: CallbackQuery) -> None:
    await show(query, _forget_text(), _forget_markup())
    await query.answer()


@router.callback_query(SettingsAction.filter(F.action.in_({"forget_yes", "forget_all"})))
async def forget_yes(
    query: CallbackQuery,
    callback_data: SettingsAction,
    bot: Bot,
    session: AsyncSession,
    member: MemberInfo,
    state: FSMContext,
    clock: Clock,
) -> None:
    await query.answer()
    if query.message is None:
        return
    chat_id = query.message.chat.id
    if callback_data.action == "forget_all":
        await clear_chat(bot, session, member, chat_id, clock())
    await erase_case_topics(bot, session, member.id)
    await members.forget(session, member)
    await state.clear()
    text = _("Done. The bot has erased everything it kept about you.\n\nIf you write again, you start fresh. /start")
    await bot.send_message(chat_id, text)
