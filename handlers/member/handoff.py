"""Talk to a person, the member's side: pick a topic, wait in the queue (place and an honest
estimate), write, and every message reaches the case topic as a copy — never a forward."""

from __future__ import annotations

import contextlib
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router, html
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import BaseFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message, ReplyParameters
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _
from babel.dates import format_datetime
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.loader import ContentStore
from bot.db.models import Conversation, Organisation
from bot.privacy import Privacy
from bot.services import handoff, staff
from bot.services.handoff import ACTIVE, MEMBER, QUEUED, Topic
from bot.services.members import MemberInfo
from handlers.member.emergency import emergency_block
from handlers.staff import room
from handlers.ui import Clock, Nav, Screen, button, keyboard, show

router = Router(name="handoff")
relay_router = Router(name="handoff-relay")


class HandoffTopic(CallbackData, prefix="ho"):
    topic: Topic


class HandoffAction(CallbackData, prefix="hoa"):
    id: int
    action: str  # refresh, leave, end, end_yes


class Feedback(CallbackData, prefix="fb"):
    id: int
    score: int


class SendAnyway(CallbackData, prefix="sa"):
    id: int  # conversation
    message_id: int  # the member's message waiting for a decision
    send: bool


def topic_buttons() -> list:
    labels = {
        Topic.health: _("🩺 Health"),
        Topic.pep: _("💊 Condom broke, PEP"),
        Topic.legal: _("⚖️ Police, legal"),
        Topic.violence: _("⚠️ Violence"),
        Topic.emotional: _("💭 Feelings"),
        Topic.other: _("💬 Something else"),
    }
    return [button(label, HandoffTopic(topic=topic)) for topic, label in labels.items()]


def _format_when(moment: datetime, organisation: Organisation, language: str) -> str:
    local = moment.astimezone(ZoneInfo(organisation.timezone))
    return format_datetime(local, "EEEE HH:mm", locale=language)


async def status_screen(
    event: Message | CallbackQuery,
    session: AsyncSession,
    conversation: Conversation,
    member: MemberInfo,
    content: ContentStore,
    now: datetime,
) -> None:
    """Where the member stands: place in the queue and the estimate, or who they are talking to."""
    organisation = await session.get(Organisation, conversation.organisation_id)
    assert organisation is not None
    if conversation.status == ACTIVE:
        alias = html.quote(await room.counsellor_alias(session, conversation) or "")
        text = _("💬 You are talking to {alias}. Just write here.").format(alias=alias)
        buttons = [button(_("✖️ End the chat"), HandoffAction(id=conversation.id, action="end"))]
        await show(event, text, keyboard(buttons))
        return
    on_shift = await staff.on_shift(session, organisation.id, now)
    place = await handoff.queue_place(session, conversation, len(on_shift), now)
    lines = [_("You are number {position} in the queue.").format(position=place.position)]
    if place.estimate is None:
        upcoming = await staff.next_shift_start(session, organisation.id, now)
        if upcoming is None:
            lines.append(_("No counsellor is on shift right now."))
        else:
            lines.append(
                _("No counsellor is on shift right now. The next shift starts {when}.").format(
                    when=_format_when(upcoming, organisation, member.language)
                )
            )
        lines.append(_("Write your message now: it will be answered when the shift starts."))
        lines.append("")
        lines.append(emergency_block(content, member, member.language))
    else:
        minutes = max(1, round(place.estimate.total_seconds() / 60))
        lines.append(
            ngettext(
                "A counsellor usually answers in about {n} minute.",
                "A counsellor usually answers in about {n} minutes.",
                minutes,
            ).format(n=minutes)
        )
        lines.append(_("Write your message now: it will be waiting for them."))
    buttons = [
        button(_("🔄 Refresh"), HandoffAction(id=conversation.id, action="refresh")),
        button(_("❌ Leave the queue"), HandoffAction(id=conversation.id, action="leave")),
    ]
    await show(event, "\n".join(lines), keyboard(buttons))


@router.callback_query(Nav.filter(F.to == Screen.person))
async def talk_to_person(
    query: CallbackQuery, session: AsyncSession, member: MemberInfo, content: ContentStore, clock: Clock
) -> None:
    await query.answer()
    conversation = await handoff.open_conversation_of(session, member.id)
    if conversation is not None:
        await status_screen(query, session, conversation, member, content, clock())
        return
    text = _(
        "<b>💬 Talk to a person</b>\n\n"
        "A counsellor from a sex worker-led organisation answers here. You stay anonymous: they see only "
        "a case code, never your name, username or number.\n\nWhat is it about?"
    )
    await show(query, text, keyboard(topic_buttons(), width=2))


@router.callback_query(HandoffTopic.filter())
async def topic_chosen(
    query: CallbackQuery,
    callback_data: HandoffTopic,
    bot: Bot,
    session: AsyncSession,
    member: MemberInfo,
    content: ContentStore,
    privacy: Privacy,
    i18n: I18n,
    clock: Clock,
) -> None:
    await query.answer()
    now = clock()
    existing = await handoff.open_conversation_of(session, member.id)
    if existing is not None:
        await status_screen(query, session, existing, member, content, now)
        return
    blocked = await handoff.active_block(session, member.id, now)
    if blocked is not None:
        until = blocked.until.strftime("%d.%m.%Y")
        text = _(
            "Sorry, talking to a person is not available to you until {date}. If you are in danger, call 112."
        ).format(date=until)
        await show(query, text, keyboard([]))
        return
    organisation = await staff.organisation_for_city(session, member.city)
    if organisation is None or organisation.staff_chat_id is None or organisation.queue_thread_id is None:
        text = "\n\n".join(
            [
                _("Talking to a person is not available in your area yet."),
                emergency_block(content, member, member.language),
            ]
        )
        await show(query, text, keyboard([]))
        return
    member_hash = privacy.member_hash(query.from_user.id)
    conversation, _created = await handoff.open_conversation(
        session,
        member_id=member.id,
        organisation_id=organisation.id,
        case_code=privacy.case_code(member_hash),
        topic=callback_data.topic,
        language=member.language,
        now=now,
    )
    with room.room_language(i18n, organisation):
        await room.open_case_topic(bot, organisation, conversation, now)
    await status_screen(query, session, conversation, member, content, now)


async def _own_open(
    query: CallbackQuery, session: AsyncSession, member: MemberInfo, conversation_id: int
) -> Conversation | None:
    """The member's own open conversation with this id; a stale or forged button is told it ended."""
    conversation = await handoff.get(session, conversation_id)
    if conversation is None or conversation.member_id != member.id or conversation.status == handoff.CLOSED:
        await query.answer(_("This chat has ended."), show_alert=True)
        return None
    return conversation


@router.callback_query(HandoffAction.filter(F.action == "refresh"))
async def refresh_place(
    query: CallbackQuery,
    callback_data: HandoffAction,
    session: AsyncSession,
    member: MemberInfo,
    content: ContentStore,
    clock: Clock,
) -> None:
    conversation = await _own_open(query, session, member, callback_data.id)
    if conversation is None:
        return
    await query.answer()
    await status_screen(query, session, conversation, member, content, clock())


@router.callback_query(HandoffAction.filter(F.action.in_({"leave", "end"})))
async def leave_or_end(
    query: CallbackQuery,
    callback_data: HandoffAction,
    bot: Bot,
    session: AsyncSession,
    member: MemberInfo,
    i18n: I18n,
    clock: Clock,
) -> None:
    conversation = await _own_open(query, session, member, callback_data.id)
    if conversation is None:
        return
    await query.answer()
    now = clock()
    was_queued = conversation.status == QUEUED
    alias = await room.counsellor_alias(session, conversation)
    await handoff.close(session, conversation, now)
    organisation = await session.get(Organisation, conversation.organisation_id)
    if organisation is not None:
        with room.room_language(i18n, organisation):
            note = _("The member left the queue.") if was_queued else _("The member ended the chat.")
            await room.post_in_case(bot, organisation, conversation, "ℹ️ " + note)
            await room.refresh(bot, organisation, conversation, now, alias)
            await room.close_case_topic(bot, organisation, conversation)
    text = _("You have left the queue.") if was_queued else _("The chat has ended.")
    await show(query, text + "\n\n" + _("You can start a new chat any time."), keyboard([]))


@router.callback_query(Feedback.filter())
async def feedback(query: CallbackQuery, callback_data: Feedback, session: AsyncSession, member: MemberInfo) -> None:
    if await handoff.rate(session, callback_data.id, member.id, callback_data.score):
        await query.answer(_("Thank you!"))
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=None)
    else:
        await query.answer(_("This question has already been answered."), show_alert=True)


class HasOpenConversation(BaseFilter):
    """Passes a member's message on only while they have an open conversation."""

    async def __call__(
        self, message: Message, session: AsyncSession, member: MemberInfo | None, clock: Clock
    ) -> bool | dict:
        if member is None:
            return False
        # Finding it and noting the activity is one statement: this runs for every message in a chat.
        conversation = await handoff.touch_open_conversation(session, member.id, clock())
        return {"conversation": conversation} if conversation is not None else False


def _reveals_identity(message: Message) -> bool:
    return message.contact is not None or message.forward_origin is not None


async def relay_to_room(
    bot: Bot,
    session: AsyncSession,
    conversation: Conversation,
    message_id: int,
    chat_id: int,
    now: datetime,
    reply_to: int | None = None,
) -> bool:
    """Copy one member message into the case topic, once (a re-delivered update is not relayed again)."""
    if conversation.staff_chat_id is None or conversation.thread_id is None:
        return False
    if not await handoff.remember_relay(session, conversation.id, MEMBER, message_id, now):
        return True
    # A reply to the counsellor's message stays a reply to the original in the case topic.
    reply_target = await handoff.counterpart(session, conversation.id, MEMBER, reply_to) if reply_to else None
    copy = await bot.copy_message(
        conversation.staff_chat_id,
        chat_id,
        message_id,
        message_thread_id=conversation.thread_id,
        reply_parameters=ReplyParameters(message_id=reply_target, allow_sending_without_reply=True)
        if reply_target
        else None,
    )
    await handoff.set_copy(session, conversation.id, MEMBER, message_id, copy.message_id)
    return True


@relay_router.message(HasOpenConversation())
async def relay_member_message(
    message: Message, bot: Bot, session: AsyncSession, conversation: Conversation, clock: Clock
) -> None:
    if _reveals_identity(message):
        text = _(
            "⚠️ This message may show who you are or who someone else is (a name or a phone number). "
            "Send it to the counsellor anyway?"
        )
        buttons = [
            button(_("📤 Send anyway"), SendAnyway(id=conversation.id, message_id=message.message_id, send=True)),
            button(_("🚫 Don't send"), SendAnyway(id=conversation.id, message_id=message.message_id, send=False)),
        ]
        markup = keyboard(buttons, width=2)
        markup.inline_keyboard.pop()  # a yes/no question needs no menu row
        await message.answer(text, reply_markup=markup)
        return
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    await relay_to_room(bot, session, conversation, message.message_id, message.chat.id, clock(), reply_to)


@router.callback_query(SendAnyway.filter())
async def send_anyway(
    query: CallbackQuery,
    callback_data: SendAnyway,
    bot: Bot,
    session: AsyncSession,
    member: MemberInfo,
    clock: Clock,
) -> None:
    conversation = await _own_open(query, session, member, callback_data.id)
    if conversation is None:
        return
    if query.message is None:
        await query.answer(_("This chat has ended."), show_alert=True)
        return
    await query.answer()
    if callback_data.send:
        await handoff.touch(session, conversation, clock())
        sent = await relay_to_room(bot, session, conversation, callback_data.message_id, query.message.chat.id, clock())
        text = _("Sent.") if sent else _("Could not send it.")
    else:
        text = _("Not sent. Nothing left this chat.")
    if isinstance(query.message, Message):
        await query.message.edit_text(text)


@relay_router.edited_message(HasOpenConversation())
async def member_edited(message: Message, bot: Bot, session: AsyncSession, conversation: Conversation) -> None:
    """Keep the copy in the case topic in step with the member's edit."""
    organisation = await session.get(Organisation, conversation.organisation_id)
    copy_id = await handoff.counterpart(session, conversation.id, MEMBER, message.message_id)
    if organisation is None or organisation.staff_chat_id is None or copy_id is None:
        return
    if message.text is not None:
        await bot.edit_message_text(message.html_text, chat_id=organisation.staff_chat_id, message_id=copy_id)
    elif message.caption is not None:
        await bot.edit_message_caption(
            chat_id=organisation.staff_chat_id, message_id=copy_id, caption=message.html_text
        )


async def erase_case_topics(bot: Bot, session: AsyncSession, member_id: int) -> None:
    """Forget me: the member's case topics and queue cards leave the staff room too.

    The rows themselves go with the member (foreign keys cascade); this removes what Telegram holds.
    """
    for conversation in await handoff.conversations_of_member(session, member_id):
        organisation = await session.get(Organisation, conversation.organisation_id)
        if organisation is None or organisation.staff_chat_id is None:
            continue
        if conversation.card_message_id is not None:
            with contextlib.suppress(TelegramAPIError):
                await bot.delete_message(organisation.staff_chat_id, conversation.card_message_id)
        if conversation.thread_id is not None:
            with contextlib.suppress(TelegramAPIError):
                await bot.delete_forum_topic(organisation.staff_chat_id, conversation.thread_id)
