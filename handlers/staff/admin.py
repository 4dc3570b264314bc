"""Administration by an organisation's admins: invitations, the team, the roster, the staff room.

In a private chat with the bot: /invite, /staff, /revoke, /roster, /shift, /unshift. In a forum
supergroup: /register_room. Staff appear by alias (or "#id" before they chose one), never by
Telegram name, username or id. Anyone else trying these commands is told plainly that they cannot.
"""

from __future__ import annotations

import logging
import re
from itertools import groupby

from aiogram import Bot, F, Router, html
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import I18n, get_i18n
from aiogram.utils.i18n import gettext as _
from babel.dates import get_day_names
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Organisation
from bot.middlewares.staff import HasRole
from bot.privacy import Privacy
from bot.services import staff as staff_service
from bot.services.staff import DEFAULT_INVITE_TTL, NotACounsellor, Role, RoomTaken, StaffInfo, format_minute
from handlers.staff.cases import release_everything_of
from handlers.staff.onboarding import alias_text, role_label, roles_text
from handlers.ui import Clock

log = logging.getLogger(__name__)

PRIVATE_COMMANDS = ("invite", "staff", "revoke", "roster", "shift", "unshift")
ROOM_COMMANDS = ("register_room",)
_SHIFT_ARGS = re.compile(r"(?P<who>.+?)\s+(?P<day>\S+)\s+(?P<interval>\d{1,2}:\d{2}\s*[-–—]\s*\d{1,2}:\d{2})")
GROUPS = {"group", "supergroup"}
MESSAGE_LIMIT = 3500  # below Telegram's 4096, with room for emoji counted twice in UTF-16

# Admin commands in a private chat with the bot.
private = Router(name="staff_admin_private")
private.message.filter(F.chat.type == "private", HasRole(Role.admin))
# Setting up the staff room, in the group itself.
room = Router(name="staff_admin_room")
room.message.filter(F.chat.type.in_(GROUPS), HasRole(Role.admin))
# Everyone else who tries: a clear refusal.
refusals = Router(name="staff_admin_refusals")

router = Router(name="staff_admin")
router.include_routers(private, room, refusals)


def _day_name(weekday: int, width: str = "wide") -> str:
    return str(get_day_names(width, locale=get_i18n().current_locale)[weekday])


def _interval(start: int, end: int) -> str:
    return f"{format_minute(start)}–{format_minute(end)}"


async def _answer_lines(message: Message, lines: list[str]) -> None:
    """Send lines as few messages as Telegram's length limit allows (a large team, a full roster)."""
    chunk: list[str] = []
    for line in lines:
        if chunk and sum(len(part) + 1 for part in chunk) + len(line) > MESSAGE_LIMIT:
            await message.answer("\n".join(chunk).strip())
            chunk = []
        chunk.append(line)
    if chunk:
        await message.answer("\n".join(chunk).strip())


def _role_keywords() -> str:
    return ", ".join(role.value for role in Role)


# --- invitations and the team ----------------------------------------------------------------------


@private.message(Command("invite"))
async def invite(
    message: Message,
    command: CommandObject,
    staff: StaffInfo,
    session: AsyncSession,
    privacy: Privacy,
    bot: Bot,
    clock: Clock,
) -> None:
    wanted = (command.args or "").strip().lower()
    if wanted not in Role._value2member_map_:
        await message.answer(_("Usage: /invite ROLE, where ROLE is one of: {roles}.").format(roles=_role_keywords()))
        return
    role = Role(wanted)
    token = await staff_service.create_invite(session, privacy, staff.organisation_id, role, clock())
    organisation = await staff_service.organisation_by_id(session, staff.organisation_id)
    me = await bot.me()
    link = f"https://t.me/{me.username}?start={token}"
    hours = int(DEFAULT_INVITE_TTL.total_seconds() // 3600)
    await message.answer(
        _(
            "Invitation for a new {role} of {organisation}. The link works once, for {hours} hours. "
            "Send it only to the person it is for:\n\n{link}"
        ).format(
            role=role_label(role),
            organisation=html.quote(organisation.name if organisation else ""),
            hours=hours,
            link=html.quote(link),
        )
    )


@private.message(Command("staff"))
async def team(message: Message, staff: StaffInfo, session: AsyncSession) -> None:
    people = await staff_service.list_staff(session, staff.organisation_id)
    lines = [_("<b>Staff</b>")]
    for person in people:
        line = _("• <b>{alias}</b> — {roles}").format(alias=alias_text(person), roles=roles_text(person))
        if person.on_duty:
            line += " · " + _("on duty")
        if person.alias is None:
            line += " · " + _("no alias yet")
        lines.append(line)
    lines.append("")
    lines.append(_("/revoke ALIAS takes someone's access away; /invite ROLE invites someone new."))
    await _answer_lines(message, lines)


@private.message(Command("revoke"))
async def revoke(
    message: Message,
    command: CommandObject,
    staff: StaffInfo,
    session: AsyncSession,
    privacy: Privacy,
    bot: Bot,
    i18n: I18n,
    clock: Clock,
) -> None:
    reference = (command.args or "").strip()
    if not reference:
        await message.answer(_("Usage: /revoke ALIAS. /staff lists the team."))
        return
    person = await staff_service.staff_by_reference(session, staff.organisation_id, reference)
    if person is None:
        await message.answer(
            _("Nobody on your staff is called “{alias}”. /staff lists the team.").format(
                alias=html.quote(reference[:64])
            )
        )
        return
    if person.id == staff.id:
        await message.answer(_("You cannot revoke your own access. Ask another admin to do it."))
        return
    await staff_service.revoke(session, person.id)
    log.info("staff access revoked")
    await release_everything_of(bot, session, privacy, i18n, person.id, clock())
    await message.answer(_("{alias} no longer has staff access.").format(alias=alias_text(person)))
    await _tell_revoked(bot, privacy, i18n, person)


async def _tell_revoked(bot: Bot, privacy: Privacy, i18n: I18n, person: StaffInfo) -> None:
    """A short note to the person whose access ended; they may have blocked the bot."""
    with i18n.use_locale(person.language or i18n.current_locale):
        text = _("Your staff access has ended. Thank you for your work.")
    try:
        await bot.send_message(staff_service.staff_chat_id(privacy, person), text)
    except TelegramAPIError as error:
        log.info("could not tell a revoked staff person: %s", type(error).__name__)


# --- the roster ------------------------------------------------------------------------------------


@private.message(Command("roster"))
async def show_roster(message: Message, staff: StaffInfo, session: AsyncSession, clock: Clock) -> None:
    organisation = await staff_service.organisation_by_id(session, staff.organisation_id)
    if organisation is None:
        return
    entries = await staff_service.roster(session, organisation.id)
    lines = [_("<b>Weekly roster</b> (time zone {timezone})").format(timezone=html.quote(organisation.timezone))]
    if not entries:
        lines.append(_("Nobody is on the roster yet. Add a shift: /shift ALIAS DAY HH:MM-HH:MM"))
    for weekday, day_entries in groupby(entries, key=lambda e: e.weekday):
        lines.append("")
        lines.append(f"<b>{html.quote(_day_name(weekday))}</b>")
        lines += [f"{_interval(e.start_minute, e.end_minute)} {alias_text(e.staff)}" for e in day_entries]
    working = await staff_service.on_shift(session, organisation.id, clock())
    lines.append("")
    if working:
        aliases = ", ".join(alias_text(s) for s in working)
        lines.append(_("On shift now: {aliases}").format(aliases=aliases))
    else:
        lines.append(_("Nobody is on shift now."))
    await _answer_lines(message, lines)


async def _parse_shift(
    message: Message, command: CommandObject, staff: StaffInfo, session: AsyncSession
) -> tuple[StaffInfo, int, int, int] | None:
    """(person, weekday, start, end) from "ALIAS DAY HH:MM-HH:MM", or None after telling what is wrong."""
    match = _SHIFT_ARGS.fullmatch((command.args or "").strip())
    usage = _(
        "Usage: /{command} ALIAS DAY HH:MM-HH:MM, for example /{command} Olena mon 18:00-02:00. "
        "A shift may run past midnight; times are in your organisation's time zone."
    ).format(command=command.command)
    if match is None:
        await message.answer(usage)
        return None
    try:
        weekday = staff_service.parse_weekday(match["day"])
        start, end = staff_service.parse_interval(match["interval"])
    except ValueError:
        await message.answer(usage)
        return None
    person = await staff_service.staff_by_reference(session, staff.organisation_id, match["who"])
    if person is None:
        await message.answer(
            _("Nobody on your staff is called “{alias}”. /staff lists the team.").format(
                alias=html.quote(match["who"][:64])
            )
        )
        return None
    return person, weekday, start, end


@private.message(Command("shift"))
async def add_shift(message: Message, command: CommandObject, staff: StaffInfo, session: AsyncSession) -> None:
    parsed = await _parse_shift(message, command, staff, session)
    if parsed is None:
        return
    person, weekday, start, end = parsed
    try:
        added = await staff_service.add_shift(session, person.id, weekday, start, end)
    except NotACounsellor:
        await message.answer(
            _("{alias} is not a counsellor: only counsellors are on the roster.").format(alias=alias_text(person))
        )
        return
    values = {"alias": alias_text(person), "day": html.quote(_day_name(weekday)), "interval": _interval(start, end)}
    if added:
        await message.answer(_("Added to the roster: {alias}, {day} {interval}.").format(**values))
    else:
        await message.answer(_("Already on the roster: {alias}, {day} {interval}.").format(**values))


@private.message(Command("unshift"))
async def remove_shift(message: Message, command: CommandObject, staff: StaffInfo, session: AsyncSession) -> None:
    parsed = await _parse_shift(message, command, staff, session)
    if parsed is None:
        return
    person, weekday, start, end = parsed
    removed = await staff_service.remove_shift(session, person.id, weekday, start, end)
    values = {"alias": alias_text(person), "day": html.quote(_day_name(weekday)), "interval": _interval(start, end)}
    if removed:
        await message.answer(_("Removed from the roster: {alias}, {day} {interval}.").format(**values))
    else:
        await message.answer(
            _("There is no such shift: {alias}, {day} {interval}. /roster shows them all.").format(**values)
        )


# --- the staff room --------------------------------------------------------------------------------


async def _create_topics(bot: Bot, chat_id: int, organisation: Organisation, i18n: I18n) -> tuple[int, int, int]:
    """The three fixed topics, named in the organisation's language."""
    with i18n.use_locale(organisation.language):
        names = (_("Queue"), _("Reports"), _("Broadcasts"))
    colours = (0x6FB9F0, 0xFB6F5F, 0xFFD67E)
    ids = []
    for name, colour in zip(names, colours, strict=True):
        topic = await bot.create_forum_topic(chat_id, name, icon_color=colour)
        ids.append(topic.message_thread_id)
    return ids[0], ids[1], ids[2]


@room.message(Command("register_room"))
async def register_room(
    message: Message, command: CommandObject, staff: StaffInfo, session: AsyncSession, bot: Bot, i18n: I18n
) -> None:
    own = await staff_service.organisation_by_id(session, staff.organisation_id)
    own_slug = own.slug if own else ""
    slug = (command.args or "").strip().lower()
    if not slug:
        await message.answer(_("Usage: /register_room {slug}").format(slug=own_slug))
        return
    if own is None or slug != own.slug:
        await message.answer(
            _("You are not an admin of an organisation called “{slug}”.").format(slug=html.quote(slug[:32]))
        )
        return
    if not message.chat.is_forum:
        await message.answer(
            _("Topics are off in this group. Turn them on in the group settings, then send /register_room again.")
        )
        return
    taken = await staff_service.organisation_by_staff_chat(session, message.chat.id)
    if taken is not None and taken.id != own.id:
        await message.answer(_("This group is already the staff room of another organisation."))
        return
    if taken is not None and own.queue_thread_id and own.reports_thread_id and own.broadcasts_thread_id:
        await message.answer(_("This group is already your staff room."))
        return
    try:
        threads = await _create_topics(bot, message.chat.id, own, i18n)
    except TelegramBadRequest as error:
        log.info("staff room topics not created: %s", error.message)
        await message.answer(
            _(
                "I could not create topics here. Make me an admin with the right to manage topics, "
                "then send /register_room again."
            )
        )
        return
    try:
        await staff_service.register_staff_room(session, own, message.chat.id, *threads)
    except RoomTaken:  # another admin registered it a moment ago
        await message.answer(_("This group is already the staff room of another organisation."))
        return
    log.info("staff room registered")
    with i18n.use_locale(own.language):
        names = (_("Queue"), _("Reports"), _("Broadcasts"))
    await message.answer(
        _(
            "✅ This group is now the staff room of {organisation}. "
            "The topics “{queue}”, “{reports}” and “{broadcasts}” are ready."
        ).format(organisation=html.quote(own.name), queue=names[0], reports=names[1], broadcasts=names[2])
    )


# --- refusals --------------------------------------------------------------------------------------


@refusals.message(Command(*PRIVATE_COMMANDS, *ROOM_COMMANDS))
async def refuse(message: Message, command: CommandObject, staff: StaffInfo | None = None) -> None:
    private_chat = message.chat.type == "private"
    if staff is None or not staff.has(Role.admin):
        await message.answer(_("Only an organisation's admins can use this command."))
    elif command.command in ROOM_COMMANDS and private_chat:
        await message.answer(_("Send /register_room in your staff room: a forum supergroup where I am an admin."))
    elif command.command in PRIVATE_COMMANDS and not private_chat:
        await message.answer(_("Please send this command to me in a private chat."))
