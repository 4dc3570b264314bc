"""Talk to a person, the counsellor's side, in the staff room: take a case, answer, release,
transfer with a note, close with a feedback question, block, canned replies; supervisors assign
and unblock. Only the assigned counsellor's messages reach the member; the rest are notes."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from aiogram import Bot, F, Router, html
from aiogram.exceptions import TelegramForbiddenError
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Conversation, Member, Organisation
from bot.privacy import Privacy
from bot.services import handoff
from bot.services import staff as staff_service
from bot.services.canned import CannedReply
from bot.services.handoff import ACTIVE, CLOSED, QUEUED, STAFF, ClaimResult
from bot.services.staff import Role, StaffInfo
from handlers.member.handoff import Feedback
from handlers.staff import room
from handlers.staff.room import CaseAction
from handlers.ui import Clock

router = Router(name="cases")
log = logging.getLogger(__name__)
BLOCK_DAYS = (1, 7, 30)
NO_CAPTION = frozenset({"sticker", "video_note"})  # kinds Telegram cannot caption


class TransferTo(CallbackData, prefix="xfer"):
    id: int
    to: int  # staff id


class BlockFor(CallbackData, prefix="blk"):
    id: int
    days: int


class CannedPick(CallbackData, prefix="cnd"):
    id: int
    reply: str


class CaseInput(StatesGroup):
    transfer_note = State()
    block_reason = State()


# --- helpers --------------------------------------------------------------------------------------


async def member_chat(session: AsyncSession, privacy: Privacy, conversation: Conversation) -> int | None:
    member = await session.get(Member, conversation.member_id)
    return privacy.decrypt_chat_id(member.chat_id_enc) if member is not None else None


def may_act(person: StaffInfo | None, conversation: Conversation, *, assigned_only: bool = True) -> bool:
    """Counsellors of the conversation's organisation; the assigned one (or a supervisor) for most actions."""
    if person is None or not person.active or person.organisation_id != conversation.organisation_id:
        return False
    if person.has(Role.supervisor):
        return True
    if not person.has(Role.counsellor):
        return False
    return not assigned_only or conversation.counsellor_id == person.id


async def tell_member(
    bot: Bot,
    session: AsyncSession,
    privacy: Privacy,
    i18n: I18n,
    conversation: Conversation,
    text_in_language,  # type: ignore[no-untyped-def]  # () -> (text, markup | None), called in the member's locale
) -> int | None:
    """Send the member a message in their own language; returns its id (None if they blocked the bot)."""
    chat_id = await member_chat(session, privacy, conversation)
    if chat_id is None:
        return None
    with i18n.use_locale(conversation.language):
        text, markup = text_in_language()
    try:
        sent = await bot.send_message(chat_id, text, reply_markup=markup, protect_content=True)
    except TelegramForbiddenError:
        log.info("case %s: the member blocked the bot", conversation.case_code)
        return None
    return sent.message_id


async def _load(session: AsyncSession, conversation_id: int) -> tuple[Conversation, Organisation] | None:
    conversation = await handoff.get(session, conversation_id)
    if conversation is None:
        return None
    organisation = await session.get(Organisation, conversation.organisation_id)
    return (conversation, organisation) if organisation is not None else None


async def _refuse(query: CallbackQuery) -> None:
    await query.answer(_("Only the counsellor of this case (or a supervisor) can do this."), show_alert=True)


async def _case_for(
    query: CallbackQuery, session: AsyncSession, staff: StaffInfo | None, conversation_id: int, *, active: bool
) -> tuple[Conversation, Organisation] | None:
    """The case a panel button acts on, if it is still in the right state and the presser may act on it;
    otherwise the presser is told why and None comes back. One place for this rule."""
    loaded = await _load(session, conversation_id)
    if loaded is None or loaded[0].status == CLOSED or (active and loaded[0].status != ACTIVE):
        await query.answer(_("This case is not active.") if active else _("This case is closed."), show_alert=True)
        return None
    if not may_act(staff, loaded[0]):
        await _refuse(query)
        return None
    return loaded


# --- take -----------------------------------------------------------------------------------------


@router.callback_query(CaseAction.filter(F.action == "take"))
async def take(
    query: CallbackQuery,
    callback_data: CaseAction,
    bot: Bot,
    session: AsyncSession,
    staff: StaffInfo | None,
    privacy: Privacy,
    i18n: I18n,
    clock: Clock,
) -> None:
    loaded = await _load(session, callback_data.id)
    if loaded is None:
        await query.answer(_("This case no longer exists."), show_alert=True)
        return
    conversation, organisation = loaded
    if not may_act(staff, conversation, assigned_only=False):
        await query.answer(_("Only counsellors of this organisation can take cases."), show_alert=True)
        return
    assert staff is not None
    if not staff.alias:
        await query.answer(_("Choose your alias first: send /start to the bot in a private chat."), show_alert=True)
        return
    now = clock()
    result = await handoff.claim(session, conversation.id, staff.id, staff.capacity, now)
    if result is not ClaimResult.taken:
        messages = {
            ClaimResult.already_taken: _("Someone else has just taken this case."),
            ClaimResult.at_capacity: _("You already have as many chats as your capacity allows."),
            ClaimResult.gone: _("This case is closed."),
        }
        await query.answer(messages[result], show_alert=True)
        return
    await session.refresh(conversation)
    await query.answer(_("The case is yours."))
    await _announce_counsellor(bot, session, privacy, i18n, organisation, conversation, staff.alias, now)


async def _announce_counsellor(
    bot: Bot,
    session: AsyncSession,
    privacy: Privacy,
    i18n: I18n,
    organisation: Organisation,
    conversation: Conversation,
    alias: str,
    now: datetime,
) -> None:
    with room.room_language(i18n, organisation):
        await room.refresh(bot, organisation, conversation, now, alias)
        await room.post_in_case(
            bot, organisation, conversation, "✋ " + _("{alias} took the case.").format(alias=html.quote(alias))
        )
    await tell_member(
        bot,
        session,
        privacy,
        i18n,
        conversation,
        lambda: (
            _("💬 {alias} is here and has read your messages. You can write now.").format(alias=html.quote(alias)),
            None,
        ),
    )


# --- the case topic: answers, edits, notes --------------------------------------------------------


async def _case_of_message(session: AsyncSession, message: Message) -> tuple[Conversation, Organisation] | None:
    if message.message_thread_id is None:
        return None
    return await handoff.case_of_topic(session, message.chat.id, message.message_thread_id)


def _signed(alias: str, html_text: str) -> str:
    return f"<b>{html.quote(alias)}:</b>\n{html_text}" if html_text else f"<b>{html.quote(alias)}:</b>"


async def relay_to_member(
    bot: Bot,
    session: AsyncSession,
    privacy: Privacy,
    conversation: Conversation,
    message: Message,
    alias: str,
    now: datetime,
) -> None:
    """Copy the counsellor's message to the member under the alias, once."""
    chat_id = await member_chat(session, privacy, conversation)
    if chat_id is None:
        return
    if not await handoff.remember_relay(session, conversation.id, STAFF, message.message_id, now):
        return
    reply_to = None
    if message.reply_to_message is not None and message.reply_to_message.message_id != message.message_thread_id:
        reply_to = await handoff.counterpart(session, conversation.id, STAFF, message.reply_to_message.message_id)
    reply = ReplyParameters(message_id=reply_to, allow_sending_without_reply=True) if reply_to else None
    try:
        if message.text is not None:
            sent_id = (
                await bot.send_message(
                    chat_id, _signed(alias, message.html_text), reply_parameters=reply, protect_content=True
                )
            ).message_id
        elif message.content_type in NO_CAPTION:
            await bot.send_message(chat_id, _signed(alias, ""), protect_content=True)
            sent_id = (
                await bot.copy_message(
                    chat_id, message.chat.id, message.message_id, reply_parameters=reply, protect_content=True
                )
            ).message_id
        else:
            caption = _signed(alias, message.html_text if message.caption else "")
            sent_id = (
                await bot.copy_message(
                    chat_id,
                    message.chat.id,
                    message.message_id,
                    caption=caption,
                    reply_parameters=reply,
                    protect_content=True,
                )
            ).message_id
    except TelegramForbiddenError:
        await message.reply(_("The member has blocked the bot; the message was not delivered."))
        return
    await handoff.set_copy(session, conversation.id, STAFF, message.message_id, sent_id)
    await handoff.touch(session, conversation, now)


# --- panel actions: release, close, transfer, block, canned ---------------------------------------


@router.callback_query(CaseAction.filter(F.action == "release"))
async def release(
    query: CallbackQuery,
    callback_data: CaseAction,
    bot: Bot,
    session: AsyncSession,
    staff: StaffInfo | None,
    privacy: Privacy,
    i18n: I18n,
    clock: Clock,
) -> None:
    loaded = await _case_for(query, session, staff, callback_data.id, active=True)
    if loaded is None:
        return
    conversation, organisation = loaded
    await query.answer()
    await release_case(bot, session, privacy, i18n, organisation, conversation, clock())


async def release_case(
    bot: Bot,
    session: AsyncSession,
    privacy: Privacy,
    i18n: I18n,
    organisation: Organisation | None,
    conversation: Conversation,
    now: datetime,
) -> None:
    """Back to the queue with its place kept: the card and panel show it, the member is told."""
    await handoff.release(session, conversation, now)
    if organisation is not None:
        with room.room_language(i18n, organisation):
            await room.refresh(bot, organisation, conversation, now, None)
            await room.post_in_case(bot, organisation, conversation, "🔁 " + _("Back in the queue."))
    await tell_member(
        bot,
        session,
        privacy,
        i18n,
        conversation,
        lambda: (_("Your counsellor had to step away. You are back in the queue and keep your place."), None),
    )


async def release_everything_of(
    bot: Bot, session: AsyncSession, privacy: Privacy, i18n: I18n, staff_id: int, now: datetime
) -> int:
    """A counsellor whose access ended: their chats go back to the queue, keeping their places."""
    conversations = await handoff.active_of(session, staff_id)
    for conversation in conversations:
        organisation = await session.get(Organisation, conversation.organisation_id)
        await release_case(bot, session, privacy, i18n, organisation, conversation, now)
    return len(conversations)


@router.callback_query(CaseAction.filter(F.action == "close"))
async def close_confirm(
    query: CallbackQuery, callback_data: CaseAction, session: AsyncSession, staff: StaffInfo | None
) -> None:
    if await _case_for(query, session, staff, callback_data.id, active=False) is None:
        return
    await query.answer()
    yes = InlineKeyboardButton(
        text=_("✅ Yes, close"), callback_data=CaseAction(id=callback_data.id, action="close_yes").pack()
    )
    if isinstance(query.message, Message):
        await query.message.answer(
            _("Close this case? The member gets a goodbye and a question about how it went."),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[[yes]]),
        )


async def close_case(
    bot: Bot,
    session: AsyncSession,
    privacy: Privacy,
    i18n: I18n,
    organisation: Organisation,
    conversation: Conversation,
    now: datetime,
    *,
    member_text,  # type: ignore[no-untyped-def]  # () -> str, in the member's locale
    note: str,
) -> None:
    """Close a conversation: the member is told and asked for feedback; the card and topic close."""
    alias = await room.counsellor_alias(session, conversation)
    await handoff.close(session, conversation, now)

    def goodbye() -> tuple[str, InlineKeyboardMarkup]:
        stars = [
            InlineKeyboardButton(text="⭐" * score, callback_data=Feedback(id=conversation.id, score=score).pack())
            for score in range(1, 6)
        ]
        question = _("How did it go? 1 star is bad, 5 is very good.")
        return f"{member_text()}\n\n{question}", InlineKeyboardMarkup(inline_keyboard=[stars[:3], stars[3:]])

    await tell_member(bot, session, privacy, i18n, conversation, goodbye)
    with room.room_language(i18n, organisation):
        await room.post_in_case(bot, organisation, conversation, note)
        await room.refresh(bot, organisation, conversation, now, alias)
        await room.close_case_topic(bot, organisation, conversation)


@router.callback_query(CaseAction.filter(F.action == "close_yes"))
async def close(
    query: CallbackQuery,
    callback_data: CaseAction,
    bot: Bot,
    session: AsyncSession,
    staff: StaffInfo | None,
    privacy: Privacy,
    i18n: I18n,
    clock: Clock,
) -> None:
    loaded = await _case_for(query, session, staff, callback_data.id, active=False)
    if loaded is None:
        return
    conversation, organisation = loaded
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
    with room.room_language(i18n, organisation):
        note = "✅ " + _("Closed by {alias}.").format(alias=html.quote(staff.alias or "?"))  # type: ignore[union-attr]
    await close_case(
        bot,
        session,
        privacy,
        i18n,
        organisation,
        conversation,
        clock(),
        member_text=lambda: _("The chat has ended. Thank you for writing; you can start a new one any time."),
        note=note,
    )


@router.callback_query(CaseAction.filter(F.action == "transfer"))
async def transfer_pick(
    query: CallbackQuery, callback_data: CaseAction, session: AsyncSession, staff: StaffInfo | None, clock: Clock
) -> None:
    loaded = await _case_for(query, session, staff, callback_data.id, active=True)
    if loaded is None:
        return
    conversation, organisation = loaded
    colleagues = [
        person
        for person in await staff_service.on_shift(session, organisation.id, clock())
        if person.id != conversation.counsellor_id and person.alias
    ]
    if not colleagues:
        await query.answer(_("No colleague is on shift to take it."), show_alert=True)
        return
    await query.answer()
    rows = [
        [
            InlineKeyboardButton(
                text=f"➡️ {person.alias}", callback_data=TransferTo(id=conversation.id, to=person.id).pack()
            )
        ]
        for person in colleagues
    ]
    if isinstance(query.message, Message):
        await query.message.answer(_("Transfer to whom?"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


@router.callback_query(TransferTo.filter())
async def transfer_note(
    query: CallbackQuery, callback_data: TransferTo, session: AsyncSession, staff: StaffInfo | None, state: FSMContext
) -> None:
    loaded = await _case_for(query, session, staff, callback_data.id, active=True)
    if loaded is None:
        return
    target = await staff_service.staff_by_id(session, callback_data.to)
    if target is None or target.organisation_id != loaded[0].organisation_id or not target.has(Role.counsellor):
        await query.answer(_("This colleague cannot take the case."), show_alert=True)
        return
    await query.answer()
    await state.set_state(CaseInput.transfer_note)
    await state.update_data(case=callback_data.id, to=callback_data.to)
    if isinstance(query.message, Message):
        await query.message.edit_text(
            _("Write a short note for {alias} (it stays in the staff room), or send a dash “-” for none.").format(
                alias=html.quote(target.alias or "?")
            )
        )


@router.message(CaseInput.transfer_note, F.text)
async def transfer_done(
    message: Message,
    bot: Bot,
    session: AsyncSession,
    staff: StaffInfo | None,
    state: FSMContext,
    privacy: Privacy,
    i18n: I18n,
    clock: Clock,
) -> None:
    data = await state.get_data()
    await state.clear()
    loaded = await _load(session, int(data.get("case", 0)))
    target = await staff_service.staff_by_id(session, int(data.get("to", 0)))
    if loaded is None or target is None or loaded[0].status != ACTIVE or not may_act(staff, loaded[0]):
        await message.reply(_("The transfer was not possible any more."))
        return
    conversation, organisation = loaded
    now = clock()
    previous = staff.alias if staff else "?"
    await handoff.transfer(session, conversation, target.id, now)
    note = "" if (message.text or "").strip() in {"", "-", "—"} else html.quote(message.text or "")
    with room.room_language(i18n, organisation):
        text = "➡️ " + _("{old} handed the case to {new}.").format(
            old=html.quote(previous or "?"), new=html.quote(target.alias or "?")
        )
        if note:
            text += "\n" + _("Note: {note}").format(note=note)
        await room.post_in_case(bot, organisation, conversation, text)
        await room.refresh(bot, organisation, conversation, now, target.alias)
    await tell_member(
        bot,
        session,
        privacy,
        i18n,
        conversation,
        lambda: (
            _("💬 {alias} is taking over your chat and has read it. You can go on writing.").format(
                alias=html.quote(target.alias or "")
            ),
            None,
        ),
    )


@router.callback_query(CaseAction.filter(F.action == "block"))
async def block_pick(
    query: CallbackQuery, callback_data: CaseAction, session: AsyncSession, staff: StaffInfo | None
) -> None:
    if await _case_for(query, session, staff, callback_data.id, active=False) is None:
        return
    await query.answer()
    labels = {1: _("1 day"), 7: _("7 days"), 30: _("30 days")}
    row = [
        InlineKeyboardButton(text=f"⛔ {labels[d]}", callback_data=BlockFor(id=callback_data.id, days=d).pack())
        for d in BLOCK_DAYS
    ]
    if isinstance(query.message, Message):
        await query.message.answer(
            _("Block this member for how long?"), reply_markup=InlineKeyboardMarkup(inline_keyboard=[row])
        )


@router.callback_query(BlockFor.filter(F.days.in_(BLOCK_DAYS)))
async def block_reason(
    query: CallbackQuery, callback_data: BlockFor, session: AsyncSession, staff: StaffInfo | None, state: FSMContext
) -> None:
    if await _case_for(query, session, staff, callback_data.id, active=False) is None:
        return
    await query.answer()
    await state.set_state(CaseInput.block_reason)
    await state.update_data(case=callback_data.id, days=callback_data.days)
    if isinstance(query.message, Message):
        await query.message.edit_text(_("Write the reason (for staff only; the member is not told it)."))


@router.message(CaseInput.block_reason, F.text)
async def block_done(
    message: Message,
    bot: Bot,
    session: AsyncSession,
    staff: StaffInfo | None,
    state: FSMContext,
    privacy: Privacy,
    i18n: I18n,
    clock: Clock,
) -> None:
    data = await state.get_data()
    await state.clear()
    loaded = await _load(session, int(data.get("case", 0)))
    if loaded is None or loaded[0].status == CLOSED or not may_act(staff, loaded[0]):
        await message.reply(_("The block was not possible any more."))
        return
    conversation, organisation = loaded
    now = clock()
    until = now + timedelta(days=int(data.get("days", 1)))
    await handoff.block(session, conversation.member_id, until, message.text or "", staff.id if staff else None, now)
    with room.room_language(i18n, organisation):
        note = "⛔ " + _("{alias} blocked this member until {date}. Reason: {reason}").format(
            alias=html.quote(staff.alias or "?") if staff else "?",
            date=until.strftime("%d.%m.%Y"),
            reason=html.quote(message.text or ""),
        )
    await close_case(
        bot,
        session,
        privacy,
        i18n,
        organisation,
        conversation,
        now,
        member_text=lambda: _(
            "Sorry, talking to a person is not available to you until {date}. If you are in danger, call 112."
        ).format(date=until.strftime("%d.%m.%Y")),
        note=note,
    )


@router.callback_query(CaseAction.filter(F.action == "canned"))
async def canned_pick(
    query: CallbackQuery,
    callback_data: CaseAction,
    session: AsyncSession,
    staff: StaffInfo | None,
    canned: list[CannedReply],
) -> None:
    if await _case_for(query, session, staff, callback_data.id, active=True) is None:
        return
    await query.answer()
    language = staff.languages[0] if staff and staff.languages else "en"  # labels in the counsellor's language
    rows = [
        [
            InlineKeyboardButton(
                text=reply.label.get(language, reply.label["en"]),
                callback_data=CannedPick(id=callback_data.id, reply=reply.id).pack(),
            )
        ]
        for reply in canned
    ]
    if isinstance(query.message, Message):
        await query.message.answer(_("Which reply?"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


@router.callback_query(CannedPick.filter())
async def canned_send(
    query: CallbackQuery,
    callback_data: CannedPick,
    bot: Bot,
    session: AsyncSession,
    staff: StaffInfo | None,
    privacy: Privacy,
    i18n: I18n,
    canned: list[CannedReply],
    clock: Clock,
) -> None:
    reply = next((r for r in canned if r.id == callback_data.reply), None)
    loaded = await _case_for(query, session, staff, callback_data.id, active=True) if reply else None
    if loaded is None:
        if reply is None:
            await query.answer(_("This reply is no longer available."), show_alert=True)
        return
    conversation, _organisation = loaded
    assert staff is not None
    text = reply.text.get(conversation.language, reply.text["en"])
    sent = await tell_member(
        bot, session, privacy, i18n, conversation, lambda: (_signed(staff.alias or "", html.quote(text)), None)
    )
    await handoff.touch(session, conversation, clock())
    await query.answer(_("Sent.") if sent else _("Not delivered: the member has blocked the bot."))
    if isinstance(query.message, Message):
        await query.message.edit_text("📨 " + html.quote(text))


# --- supervisors -----------------------------------------------------------------------------------


@router.message(Command("assign"))
async def assign(
    message: Message,
    command: CommandObject,
    bot: Bot,
    session: AsyncSession,
    staff: StaffInfo | None,
    privacy: Privacy,
    i18n: I18n,
    clock: Clock,
) -> None:
    """/assign CASE ALIAS: a supervisor gives a waiting (or active) case to a counsellor."""
    if staff is None or not staff.has(Role.supervisor):
        await message.reply(_("Only supervisors can assign cases."))
        return
    parts = (command.args or "").split()
    if len(parts) != 2:
        await message.reply(_("Usage: /assign CASE ALIAS"))
        return
    conversation = await handoff.by_case_code(session, staff.organisation_id, parts[0])
    target = await staff_service.staff_by_alias(session, staff.organisation_id, parts[1])
    organisation = await session.get(Organisation, staff.organisation_id)
    if conversation is None or conversation.status == CLOSED or organisation is None:
        await message.reply(_("No open case with that code."))
        return
    if target is None or not target.has(Role.counsellor) or not target.alias:
        await message.reply(_("No counsellor with that alias."))
        return
    now = clock()
    if conversation.status == QUEUED:
        result = await handoff.claim(session, conversation.id, target.id, target.capacity, now, force=True)
        if result is not ClaimResult.taken:
            await message.reply(_("The case was taken in the meantime."))
            return
        await session.refresh(conversation)
    else:
        await handoff.transfer(session, conversation, target.id, now)
    await message.reply(
        _("{case} is now with {alias}.").format(case=conversation.case_code, alias=html.quote(target.alias))
    )
    await _announce_counsellor(bot, session, privacy, i18n, organisation, conversation, target.alias, now)


@router.message(Command("unblock"))
async def unblock(message: Message, command: CommandObject, session: AsyncSession, staff: StaffInfo | None) -> None:
    """/unblock CASE: a supervisor lifts a block early."""
    if staff is None or not staff.has(Role.supervisor):
        await message.reply(_("Only supervisors can unblock members."))
        return
    conversation = await handoff.by_case_code(session, staff.organisation_id, (command.args or "").strip())
    if conversation is None:
        await message.reply(_("No case with that code."))
        return
    removed = await handoff.unblock(session, conversation.member_id)
    await message.reply(
        _("{case} can write to us again.").format(case=conversation.case_code)
        if removed
        else _("{case} was not blocked.").format(case=conversation.case_code)
    )


# --- messages in a case topic (registered last: commands and form answers come first) ---------------


@router.message(F.message_thread_id)
async def case_topic_message(
    message: Message, bot: Bot, session: AsyncSession, staff: StaffInfo | None, privacy: Privacy, clock: Clock
) -> None:
    if (message.text or "").startswith("/"):
        return
    found = await _case_of_message(session, message)
    if found is None:
        return
    conversation, _organisation = found
    if conversation.status == ACTIVE and staff is not None and staff.id == conversation.counsellor_id and staff.alias:
        await relay_to_member(bot, session, privacy, conversation, message, staff.alias, clock())
    # Anything else is an internal note: it stays in the staff room.


@router.edited_message(F.message_thread_id)
async def case_topic_edit(
    edited: Message, bot: Bot, session: AsyncSession, staff: StaffInfo | None, privacy: Privacy
) -> None:
    found = await _case_of_message(session, edited)
    if found is None:
        return
    conversation, _organisation = found
    if staff is None or staff.id != conversation.counsellor_id or not staff.alias:
        return
    copy_id = await handoff.counterpart(session, conversation.id, STAFF, edited.message_id)
    chat_id = await member_chat(session, privacy, conversation)
    if copy_id is None or chat_id is None:
        return
    if edited.text is not None:
        await bot.edit_message_text(_signed(staff.alias, edited.html_text), chat_id=chat_id, message_id=copy_id)
    elif edited.caption is not None:
        await bot.edit_message_caption(
            chat_id=chat_id, message_id=copy_id, caption=_signed(staff.alias, edited.html_text)
        )
