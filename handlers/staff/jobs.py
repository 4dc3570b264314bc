"""Timed work for conversations, run by the scheduler every minute: escalate waiting members,
warn and close idle chats, and delete case topics (with their id pairs) after the retention period."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiogram import Bot, html
from aiogram.exceptions import TelegramAPIError
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Organisation
from bot.privacy import Privacy
from bot.services import handoff
from bot.services import staff as staff_service
from handlers.staff import room
from handlers.staff.cases import close_case, tell_member

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HandoffTimings:
    escalate_after: timedelta = timedelta(minutes=10)
    supervisor_after: timedelta = timedelta(minutes=20)
    idle_warn_after: timedelta = timedelta(minutes=60)
    idle_close_after: timedelta = timedelta(minutes=90)
    topic_retention: timedelta = timedelta(days=30)


async def run_handoff_jobs(
    bot: Bot,
    sessionmaker: async_sessionmaker[AsyncSession],
    privacy: Privacy,
    i18n: I18n,
    timings: HandoffTimings,
    clock: Callable[[], datetime],
) -> None:
    now = clock()
    with i18n.context():
        async with sessionmaker() as session:
            await escalate(bot, session, privacy, i18n, timings, now)
            await session.commit()
            await idle(bot, session, privacy, i18n, timings, now)
            await session.commit()
            await retention(bot, session, timings, now)
            await session.commit()


async def escalate(
    bot: Bot, session: AsyncSession, privacy: Privacy, i18n: I18n, timings: HandoffTimings, now: datetime
) -> None:
    """Notify the queue again, then the supervisors too, when a member waits too long."""
    due = await handoff.waiting_too_long(session, now, timings.escalate_after, timings.supervisor_after)
    for conversation, level in due:
        organisation = await session.get(Organisation, conversation.organisation_id)
        if organisation is None or organisation.staff_chat_id is None:
            continue
        conversation.escalation = level
        minutes = int((now - conversation.queued_at).total_seconds() // 60)
        with room.room_language(i18n, organisation):
            await room.refresh(bot, organisation, conversation, now, None)
            text = _("<b>{case}</b> has waited {minutes} min.").format(case=conversation.case_code, minutes=minutes)
            supervisors = await staff_service.supervisors(session, organisation.id) if level >= 2 else []
            if level >= 2:
                names = ", ".join(html.quote(s.alias) for s in supervisors if s.alias) or "—"
                text = "🚨 " + text + "\n" + _("Supervisors: {names}").format(names=names)
            else:
                text = "⏰ " + text
        await _send(bot, organisation.staff_chat_id, text, organisation.queue_thread_id)
        for supervisor in supervisors:
            await _send(bot, staff_service.staff_chat_id(privacy, supervisor), text, None)


async def idle(
    bot: Bot, session: AsyncSession, privacy: Privacy, i18n: I18n, timings: HandoffTimings, now: datetime
) -> None:
    """Quiet chats get a notice first, and close when still quiet."""
    to_warn, to_close = await handoff.idle(session, now, timings.idle_warn_after, timings.idle_close_after)
    remaining = int((timings.idle_close_after - timings.idle_warn_after).total_seconds() // 60)
    for conversation in to_warn:
        conversation.idle_warned = True
        await tell_member(
            bot,
            session,
            privacy,
            i18n,
            conversation,
            lambda: (
                _("Is everything OK? This chat will close in {minutes} min if no one writes.").format(
                    minutes=remaining
                ),
                None,
            ),
        )
        organisation = await session.get(Organisation, conversation.organisation_id)
        if organisation is not None:
            with room.room_language(i18n, organisation):
                await room.post_in_case(
                    bot,
                    organisation,
                    conversation,
                    "💤 " + _("Quiet for a while: the chat closes in {minutes} min.").format(minutes=remaining),
                )
    for conversation in to_close:
        organisation = await session.get(Organisation, conversation.organisation_id)
        if organisation is None:
            continue
        with room.room_language(i18n, organisation):
            note = "💤 " + _("Closed after a quiet while.")
        await close_case(
            bot,
            session,
            privacy,
            i18n,
            organisation,
            conversation,
            now,
            member_text=lambda: _(
                "The chat was closed because it was quiet for a while. You can start a new one any time."
            ),
            note=note,
        )


async def retention(bot: Bot, session: AsyncSession, timings: HandoffTimings, now: datetime) -> None:
    """Delete case topics quiet for longer than the retention period, and their message-id pairs."""
    for conversation in await handoff.expired_topics(session, now, timings.topic_retention):
        organisation = await session.get(Organisation, conversation.organisation_id)
        if organisation is not None and organisation.staff_chat_id is not None and conversation.thread_id is not None:
            try:
                await bot.delete_forum_topic(organisation.staff_chat_id, conversation.thread_id)
            except TelegramAPIError as error:
                log.warning("case topic of %s not deleted: %s", conversation.case_code, type(error).__name__)
                continue
        await handoff.forget_topic(session, conversation)


async def _send(bot: Bot, chat_id: int, text: str, thread_id: int | None) -> None:
    try:
        await bot.send_message(chat_id, text, message_thread_id=thread_id)
    except TelegramAPIError as error:
        log.warning("staff notice not sent: %s", type(error).__name__)
