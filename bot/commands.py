"""The command menu Telegram shows, in each member's language."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.settings import LANGUAGES


def commands(i18n: I18n, language: str) -> list[BotCommand]:
    with i18n.context(), i18n.use_locale(language):
        return [
            BotCommand(command="menu", description=_("Main menu")),
            BotCommand(command="urgent", description=_("Urgent help")),
            BotCommand(command="settings", description=_("Language, city, clear chat, forget me")),
            BotCommand(command="help", description=_("How this bot works")),
        ]


async def set_commands(bot: Bot, i18n: I18n, default_language: str) -> None:
    scope = BotCommandScopeAllPrivateChats()
    for language in LANGUAGES:
        await bot.set_my_commands(commands(i18n, language), scope=scope, language_code=language)
    await bot.set_my_commands(commands(i18n, default_language), scope=scope)
