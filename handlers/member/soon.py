"""Honest screens for parts that are not built yet: no dead buttons, and help available now."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from bot.content.loader import ContentStore
from bot.services.members import MemberInfo
from handlers.ui import Nav, Screen, button, keyboard, show

router = Router(name="soon")


class Soon(CallbackData, prefix="soon"):
    feature: str  # alerts, report, check


def soon_labels() -> dict[str, str]:
    return {
        "alerts": _("🚨 Bad-client alerts"),
        "report": _("📝 Report a bad client"),
        "check": _("🔎 Check a number"),
    }


@router.callback_query(Soon.filter(F.feature.in_({"alerts", "report", "check"})))
async def coming_soon(query: CallbackQuery, callback_data: Soon, member: MemberInfo, content: ContentStore) -> None:
    title = soon_labels()[callback_data.feature]
    text = "\n\n".join(
        [
            f"<b>{title}</b>",
            _("This part is coming soon. We are building it together with sex worker organisations."),
            _("If you are in danger now, use Urgent help."),
        ]
    )
    buttons = [button(_("🆘 Urgent help"), Nav(to=Screen.urgent))]
    await show(query, text, keyboard(buttons, back=Nav(to=Screen.safety)))
    await query.answer()
