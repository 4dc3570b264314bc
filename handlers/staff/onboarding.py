"""Joining the staff: the one-time invite link, then an alias and the languages the person speaks.

`/start inv_<token>` is handled here, before the member /start. Staff can change their alias
(/alias) and languages (/languages) later the same way.
"""

from __future__ import annotations

import logging

from aiogram import F, Router, html
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.middlewares.staff import IsStaff, staff_callback
from bot.privacy import Privacy
from bot.services import staff as staff_service
from bot.services.staff import (
    ALIAS_MAX,
    INVITE_PREFIX,
    AliasInvalid,
    AliasProblem,
    AliasTaken,
    AlreadyStaffElsewhere,
    InviteExpired,
    InviteUsed,
    Role,
    StaffError,
    StaffInfo,
)
from bot.settings import LANGUAGES
from handlers.member.start import LANGUAGE_NAMES
from handlers.ui import Clock, button, show

router = Router(name="staff_onboarding")
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")
log = logging.getLogger(__name__)


class StaffOnboarding(StatesGroup):
    alias = State()


@staff_callback
class StaffLanguage(CallbackData, prefix="stlang"):
    """Toggle one language of the staff person pressing it."""

    code: str


@staff_callback
class StaffLanguagesDone(CallbackData, prefix="stdone"):
    """Finish choosing languages."""


# --- texts shared by the staff features ------------------------------------------------------------


def role_label(role: Role) -> str:
    labels = {
        Role.counsellor: _("counsellor"),
        Role.moderator: _("moderator"),
        Role.supervisor: _("supervisor"),
        Role.broadcaster: _("broadcaster"),
        Role.admin: _("admin"),
    }
    return labels[role]


def roles_text(staff: StaffInfo) -> str:
    return ", ".join(role_label(role) for role in staff.sorted_roles) or "—"


def languages_text(languages: tuple[str, ...]) -> str:
    return ", ".join(LANGUAGE_NAMES[code] for code in languages if code in LANGUAGE_NAMES) or "—"


def alias_text(staff: StaffInfo) -> str:
    """The alias as shown to staff: escaped, since the person typed it."""
    return html.quote(staff.label)


# --- the invite link -------------------------------------------------------------------------------


def _alias_question() -> str:
    return _(
        "Choose an alias: the name members and colleagues will see instead of your Telegram name. "
        "Send it as a message: 1 to {max} characters, no @ and no links."
    ).format(max=ALIAS_MAX)


async def ask_alias(message: Message, state: FSMContext) -> None:
    await state.set_state(StaffOnboarding.alias)
    await message.answer(_alias_question())


@router.message(CommandStart(deep_link=True, magic=F.args.startswith(INVITE_PREFIX)))
async def invite_link(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    privacy: Privacy,
    state: FSMContext,
    clock: Clock,
) -> None:
    user = message.from_user
    if user is None:
        return
    try:
        staff = await staff_service.redeem_invite(
            session, privacy, command.args or "", user.id, message.chat.id, clock()
        )
    except InviteExpired:
        log.info("invite refused: expired")
        await message.answer(_("This invitation link has expired. Please ask your organisation's admin for a new one."))
        return
    except InviteUsed:
        log.info("invite refused: used")
        await message.answer(
            _(
                "This invitation link has already been used: each link works only once. "
                "Please ask your organisation's admin for a new one."
            )
        )
        return
    except AlreadyStaffElsewhere:
        log.info("invite refused: staff of another organisation")
        await message.answer(
            _(
                "You are already on the staff of another organisation, and one Telegram account can serve "
                "only one. Ask an admin there to revoke your access first."
            )
        )
        return
    except StaffError:
        log.info("invite refused: not valid")
        await message.answer(
            _("This invitation link is not valid. Please ask your organisation's admin for a new one.")
        )
        return
    await state.clear()
    organisation = await staff_service.organisation_by_id(session, staff.organisation_id)
    name = html.quote(organisation.name) if organisation else ""
    log.info("invite redeemed for an organisation")
    if staff.alias is None:
        await message.answer(
            _(
                "Welcome to the team of {organisation}! Your role: {roles}.\n\n"
                "The bot never shows your Telegram name, username or number to anyone."
            ).format(organisation=name, roles=roles_text(staff))
        )
        await ask_alias(message, state)
        return
    await message.answer(
        _("Welcome back, {alias}. Your roles in {organisation} now: {roles}.").format(
            alias=alias_text(staff), organisation=name, roles=roles_text(staff)
        )
    )
    if not staff.languages:
        await message.answer(languages_question(staff), reply_markup=languages_markup(staff))


# --- alias -----------------------------------------------------------------------------------------


def alias_problem_text(error: AliasInvalid | AliasTaken) -> str:
    if isinstance(error, AliasTaken):
        return _("Someone in your organisation already uses this alias. Please choose another one.")
    texts = {
        AliasProblem.length: _("An alias must be 1 to {max} characters long. Please send another one.").format(
            max=ALIAS_MAX
        ),
        AliasProblem.link: _("An alias cannot contain @ or links. Please send another one."),
        AliasProblem.characters: _(
            "An alias cannot start with # or / or contain invisible characters. Please send another one."
        ),
    }
    return texts[error.problem]


async def _save_alias(
    message: Message, text: str, staff: StaffInfo, session: AsyncSession, state: FSMContext
) -> StaffInfo | None:
    try:
        updated = await staff_service.set_alias(session, staff.id, text)
    except (AliasInvalid, AliasTaken) as error:
        await state.set_state(StaffOnboarding.alias)
        await message.answer(alias_problem_text(error))
        return None
    await state.clear()
    await message.answer(_("Your alias is now <b>{alias}</b>.").format(alias=alias_text(updated)))
    return updated


@router.message(StaffOnboarding.alias, F.text, ~F.text.startswith("/"), IsStaff())
async def alias_typed(message: Message, staff: StaffInfo, session: AsyncSession, state: FSMContext) -> None:
    updated = await _save_alias(message, message.text or "", staff, session, state)
    if updated is not None and not updated.languages:
        await message.answer(languages_question(updated), reply_markup=languages_markup(updated))


@router.message(StaffOnboarding.alias, ~F.text, IsStaff())
async def alias_not_text(message: Message) -> None:
    await message.answer(_("Please send your alias as a text message."))


@router.message(Command("alias"), IsStaff())
async def alias_command(
    message: Message, command: CommandObject, staff: StaffInfo, session: AsyncSession, state: FSMContext
) -> None:
    if not command.args:
        await ask_alias(message, state)
        return
    await _save_alias(message, command.args, staff, session, state)


# --- languages -------------------------------------------------------------------------------------


def languages_question(staff: StaffInfo) -> str:
    text = _(
        "Which languages do you speak with members? Tap each one, then “Done”. "
        "The bot writes to you in the first one you chose."
    )
    if staff.languages:
        text += "\n\n" + _("Chosen: {languages}").format(languages=languages_text(staff.languages))
    return text


def languages_markup(staff: StaffInfo) -> InlineKeyboardMarkup:
    rows = []
    for code in LANGUAGES:
        mark = "✅ " if code in staff.languages else ""
        rows.append([button(mark + LANGUAGE_NAMES[code], StaffLanguage(code=code))])
    rows.append([InlineKeyboardButton(text=_("Done"), callback_data=StaffLanguagesDone().pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


@router.message(Command("languages"), IsStaff())
async def languages_command(message: Message, staff: StaffInfo, state: FSMContext) -> None:
    await state.clear()
    await message.answer(languages_question(staff), reply_markup=languages_markup(staff))


@router.callback_query(StaffLanguage.filter(F.code.in_(LANGUAGES)), IsStaff())
async def language_toggled(
    query: CallbackQuery, callback_data: StaffLanguage, staff: StaffInfo, session: AsyncSession, i18n: I18n
) -> None:
    updated = await staff_service.toggle_language(session, staff.id, callback_data.code)
    with i18n.use_locale(updated.language or i18n.current_locale):
        await show(query, languages_question(updated), languages_markup(updated))
    await query.answer()


def ready_text(staff: StaffInfo, organisation_slug: str) -> str:
    parts = [
        _("✅ All set, <b>{alias}</b>. Members and colleagues see only your alias. Your roles: {roles}.").format(
            alias=alias_text(staff), roles=roles_text(staff)
        )
    ]
    if staff.has(Role.counsellor):
        parts.append(
            _(
                "When your shift starts, send /onduty (here or in the staff room), and /offduty when you stop. "
                "/me shows your status."
            )
        )
    if staff.has(Role.admin):
        parts.append(
            _(
                "As an admin: /invite ROLE makes an invitation link, /staff lists the team, /roster shows the "
                "weekly roster, and /register_room {slug} in your forum group sets up the staff room."
            ).format(slug=organisation_slug)
        )
    parts.append(_("Change your alias with /alias and your languages with /languages."))
    return "\n\n".join(parts)


@router.callback_query(StaffLanguagesDone.filter(), IsStaff())
async def languages_done(query: CallbackQuery, staff: StaffInfo, session: AsyncSession, state: FSMContext) -> None:
    if not staff.languages:
        await query.answer(_("Choose at least one language."), show_alert=True)
        return
    await query.answer()
    if staff.alias is None:
        await show(query, languages_question(staff))
        if isinstance(query.message, Message):
            await ask_alias(query.message, state)
        return
    organisation = await staff_service.organisation_by_id(session, staff.organisation_id)
    await show(query, ready_text(staff, organisation.slug if organisation else ""))


@router.callback_query(F.data.regexp(r"^(stlang|stdone)(:|$)"))
async def stale_staff_button(query: CallbackQuery) -> None:
    """Someone who is not (or no longer) staff, or forged callback data: a clear answer, nothing done."""
    await query.answer(_("This button is out of date or not meant for you."), show_alert=True)
