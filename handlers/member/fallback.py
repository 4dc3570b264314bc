"""Whatever no feature understood gets a clear answer and a way back, never silence or a crash."""

from __future__ import annotations

from aiogram import F, Router, html
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers.member.menu import home_markup

router = Router(name="fallback")
MAX_ECHO = 32  # an unknown command is echoed back, shortened and escaped


@router.message(F.text.startswith("/"))
async def unknown_command(message: Message) -> None:
    command = (message.text or "").split()[0][:MAX_ECHO]
    text = _("I don't know the command {command}. Here is the menu; /help explains the rest.").format(
        command=html.quote(command)
    )
    await message.answer(text, reply_markup=home_markup())


@router.message(F.text)
async def free_text(message: Message) -> None:
    text = _(
        "I can't read free text yet: please use the buttons.\n\n"
        "To talk to a person, tap “💬 Talk to a person”. If you are in danger, tap “🆘 Urgent help”."
    )
    await message.answer(text, reply_markup=home_markup())


@router.message()
async def not_text(message: Message) -> None:
    await message.answer(_("I can only read text and button presses. Here is the menu."), reply_markup=home_markup())


@router.callback_query()
async def stale_button(query: CallbackQuery) -> None:
    """Old keyboards after an update, or forged callback data: say so, and offer the menu."""
    await query.answer(_("This button is out of date. Here is the menu."), show_alert=True)
    if query.message is not None:
        await query.bot.send_message(query.message.chat.id, _("What do you need?"), reply_markup=home_markup())  # type: ignore[union-attr]
