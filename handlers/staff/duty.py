"""Duty: counsellors go on and off duty by hand (/onduty, /offduty) and see their status (/me),
in a private chat with the bot or in the staff room. The weekly roster counts on its own."""

from __future__ import annotations

from aiogram import Router, html
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from babel.dates import format_datetime
from sqlalchemy.ext.asyncio import AsyncSession

from bot.middlewares.staff import HasRole, IsStaff
from bot.services import staff as staff_service
from bot.services.staff import Role, StaffInfo
from handlers.staff.onboarding import alias_text, languages_text, roles_text
from handlers.ui import Clock

router = Router(name="staff_duty")
DUTY_COMMANDS = ("onduty", "offduty", "me")


@router.message(Command("onduty"), HasRole(Role.counsellor))
async def on_duty(message: Message, staff: StaffInfo, session: AsyncSession) -> None:
    if staff.alias is None:
        await message.answer(_("Choose an alias first: send /alias and your alias to me in a private chat."))
        return
    await staff_service.set_on_duty(session, staff.id, True)
    await message.answer(
        _("🟢 You are on duty, {alias}. New conversations can reach you; send /offduty when you stop.").format(
            alias=alias_text(staff)
        )
    )


@router.message(Command("offduty"), HasRole(Role.counsellor))
async def off_duty(message: Message, staff: StaffInfo, session: AsyncSession, clock: Clock) -> None:
    await staff_service.set_on_duty(session, staff.id, False)
    working = await staff_service.on_shift(session, staff.organisation_id, clock())
    if any(person.id == staff.id for person in working):
        await message.answer(
            _(
                "⚪ Manual duty is off, but you are on the roster right now, so new conversations can still "
                "reach you. Ask an admin to change the roster if you cannot work this shift."
            )
        )
        return
    await message.answer(_("⚪ You are off duty. Thank you!"))


@router.message(Command("me"), IsStaff())
async def me(message: Message, staff: StaffInfo, session: AsyncSession, clock: Clock) -> None:
    now = clock()
    organisation = await staff_service.organisation_by_id(session, staff.organisation_id)
    lines = [
        _("<b>{alias}</b> · {organisation}").format(
            alias=alias_text(staff), organisation=html.quote(organisation.name if organisation else "")
        ),
        _("Roles: {roles}").format(roles=roles_text(staff)),
        _("Languages: {languages}").format(languages=languages_text(staff.languages)),
    ]
    if staff.has(Role.counsellor) and organisation is not None:
        working = await staff_service.on_shift(session, organisation.id, now)
        if staff.on_duty:
            lines.append(_("Status: 🟢 on duty"))
        elif any(person.id == staff.id for person in working):
            lines.append(_("Status: 🟢 on a roster shift"))
        else:
            lines.append(_("Status: ⚪ off duty"))
        upcoming = await staff_service.next_shift_start(session, organisation.id, now, staff_id=staff.id)
        if upcoming is not None:
            when = format_datetime(
                staff_service.local_time(organisation, upcoming), "EEE d MMM, HH:mm", locale=get_i18n().current_locale
            )
            lines.append(_("Next roster shift: {when}").format(when=html.quote(when)))
        else:
            lines.append(_("You are not on the weekly roster."))
    await message.answer("\n".join(lines))


@router.message(Command(*DUTY_COMMANDS))
async def refuse(message: Message, staff: StaffInfo | None = None) -> None:
    if staff is None:
        await message.answer(_("This command is for an organisation's staff."))
    else:
        await message.answer(_("Only counsellors go on duty. /me shows your roles."))
