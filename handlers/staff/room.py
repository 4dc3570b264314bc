"""The staff room as the bot keeps it: a case topic per conversation, a live card in the queue topic,
a control panel in each case topic. Shared by the member side, the counsellor side and the timed jobs.

Nothing here ever shows who a member is: the case code, the topic and the language are all staff see.
"""

from __future__ import annotations

import logging
from datetime import datetime

from aiogram import Bot, html
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Conversation, Organisation
from bot.services import staff as staff_service
from bot.services.handoff import ACTIVE, CLOSED, QUEUED, Topic

log = logging.getLogger(__name__)
FLAGS = {"uk": "🇺🇦", "ru": "🇷🇺", "en": "🇬🇧"}
TOPIC_ICONS = {
    Topic.health: "🩺",
    Topic.pep: "💊",
    Topic.legal: "⚖️",
    Topic.violence: "⚠️",
    Topic.emotional: "💭",
    Topic.other: "💬",
}


class CaseAction(CallbackData, prefix="case"):
    """A button on a queue card or a case panel; the conversation id is checked against the presser."""

    id: int
    action: str  # take, release, transfer, close, close_yes, block, canned


async def counsellor_alias(session: AsyncSession, conversation: Conversation) -> str | None:
    """The alias of the conversation's counsellor (None while it waits), the only name anyone sees."""
    if conversation.counsellor_id is None:
        return None
    person = await staff_service.staff_by_id(session, conversation.counsellor_id)
    return person.alias if person else None


def topic_label(topic: str) -> str:
    labels = {
        Topic.health: _("Health"),
        Topic.pep: _("PEP, condom broke"),
        Topic.legal: _("Legal"),
        Topic.violence: _("Violence"),
        Topic.emotional: _("Feelings"),
        Topic.other: _("Something else"),
    }
    return labels.get(Topic(topic), topic) if topic in Topic._value2member_map_ else topic


def topic_name(conversation: Conversation) -> str:
    """The forum topic's title: the case code and an icon, nothing about the person."""
    icon = TOPIC_ICONS.get(Topic(conversation.topic), "💬")
    urgent = "🔴 " if conversation.urgent else ""
    return f"{urgent}{icon} {conversation.case_code}"


def _minutes(since: datetime, now: datetime) -> int:
    return max(0, int((now - since).total_seconds() // 60))


def card_text(conversation: Conversation, now: datetime, counsellor_alias: str | None = None) -> str:
    head = f"<b>{conversation.case_code}</b> · {TOPIC_ICONS.get(Topic(conversation.topic), '💬')} " + topic_label(
        conversation.topic
    )
    head += f" · {FLAGS.get(conversation.language, '')} {conversation.language}"
    if conversation.status == QUEUED:
        prefix = "🔴 " + _("urgent") + " · " if conversation.urgent else "🆕 "
        waited = _("waiting {minutes} min").format(minutes=_minutes(conversation.queued_at, now))
        return f"{prefix}{head}\n⏱ {waited}"
    if conversation.status == ACTIVE:
        alias = html.quote(counsellor_alias or "?")
        return "✅ " + head + "\n" + _("with {alias}").format(alias=alias)
    return "☑️ " + head + "\n" + _("closed")


def card_markup(conversation: Conversation) -> InlineKeyboardMarkup | None:
    if conversation.status != QUEUED:
        return None
    take = InlineKeyboardButton(text=_("✋ Take"), callback_data=CaseAction(id=conversation.id, action="take").pack())
    return InlineKeyboardMarkup(inline_keyboard=[[take]])


def panel_text(conversation: Conversation, counsellor_alias: str | None) -> str:
    lines = [
        _("<b>Case {case}</b> · {topic} · {flag} {language}").format(
            case=conversation.case_code,
            topic=topic_label(conversation.topic),
            flag=FLAGS.get(conversation.language, ""),
            language=conversation.language,
        )
    ]
    if conversation.status == QUEUED:
        lines.append(_("Waiting for a counsellor."))
    elif conversation.status == ACTIVE:
        lines.append(_("With {alias}.").format(alias=html.quote(counsellor_alias or "?")))
    else:
        lines.append(_("Closed."))
    lines.append(
        _(
            "Only the assigned counsellor's messages in this topic reach the member, signed with their alias. "
            "Anything anyone else writes here stays an internal note."
        )
    )
    return "\n".join(lines)


def panel_markup(conversation: Conversation) -> InlineKeyboardMarkup | None:
    def b(text: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(text=text, callback_data=CaseAction(id=conversation.id, action=action).pack())

    if conversation.status == QUEUED:
        return InlineKeyboardMarkup(inline_keyboard=[[b(_("✋ Take"), "take")]])
    if conversation.status == ACTIVE:
        return InlineKeyboardMarkup(
            inline_keyboard=[
                [b(_("💬 Canned reply"), "canned"), b(_("➡️ Transfer"), "transfer")],
                [b(_("🔁 Back to queue"), "release"), b(_("⛔ Block"), "block")],
                [b(_("✅ Close"), "close")],
            ]
        )
    return None


async def open_case_topic(bot: Bot, organisation: Organisation, conversation: Conversation, now: datetime) -> None:
    """Create the case topic, its panel and the queue card (ids stored on the conversation)."""
    assert organisation.staff_chat_id is not None
    topic = await bot.create_forum_topic(organisation.staff_chat_id, topic_name(conversation))
    conversation.staff_chat_id = organisation.staff_chat_id
    conversation.thread_id = topic.message_thread_id
    panel = await bot.send_message(
        organisation.staff_chat_id,
        panel_text(conversation, None),
        message_thread_id=conversation.thread_id,
        reply_markup=panel_markup(conversation),
    )
    conversation.panel_message_id = panel.message_id
    card = await bot.send_message(
        organisation.staff_chat_id,
        card_text(conversation, now),
        message_thread_id=organisation.queue_thread_id,
        reply_markup=card_markup(conversation),
    )
    conversation.card_message_id = card.message_id


async def refresh(
    bot: Bot, organisation: Organisation, conversation: Conversation, now: datetime, counsellor_alias: str | None
) -> None:
    """Bring the card and the panel up to date with the conversation's state."""
    chat_id = organisation.staff_chat_id
    if chat_id is None:
        return
    edits = [
        (conversation.card_message_id, card_text(conversation, now, counsellor_alias), card_markup(conversation)),
        (conversation.panel_message_id, panel_text(conversation, counsellor_alias), panel_markup(conversation)),
    ]
    for message_id, text, markup in edits:
        if message_id is None:
            continue
        try:
            await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id, reply_markup=markup)
        except TelegramBadRequest as error:  # not modified, or deleted by someone in the room
            if "not modified" not in error.message:
                log.info("staff room message not updated: %s", error.message)


async def post_in_case(bot: Bot, organisation: Organisation, conversation: Conversation, text: str) -> None:
    if organisation.staff_chat_id is not None and conversation.thread_id is not None:
        await bot.send_message(organisation.staff_chat_id, text, message_thread_id=conversation.thread_id)


async def close_case_topic(bot: Bot, organisation: Organisation, conversation: Conversation) -> None:
    if organisation.staff_chat_id is None or conversation.thread_id is None:
        return
    try:
        await bot.close_forum_topic(organisation.staff_chat_id, conversation.thread_id)
    except TelegramBadRequest as error:
        log.info("case topic not closed: %s", error.message)


def room_language(i18n: I18n, organisation: Organisation):  # type: ignore[no-untyped-def]
    """Posts in the staff room are in the organisation's language, whoever triggered them."""
    return i18n.use_locale(organisation.language if organisation.language in i18n.available_locales else "en")


__all__ = [
    "CLOSED",
    "CaseAction",
    "card_text",
    "close_case_topic",
    "open_case_topic",
    "panel_text",
    "post_in_case",
    "refresh",
    "room_language",
    "topic_label",
]
