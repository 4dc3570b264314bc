"""What members receive: topics (safety alerts, clinic news, events), quiet hours, and the
unsubscribe button under every broadcast (with an undo)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import subscriptions
from bot.services.members import MemberInfo
from bot.services.subscriptions import QUIET_PRESETS, Topic, format_minute
from handlers.ui import Nav, Screen, button, keyboard, show

router = Router(name="subscriptions")


class TopicToggle(CallbackData, prefix="sub"):
    """Settings: switch one topic on or off."""

    topic: Topic


class QuietChoice(CallbackData, prefix="quiet"):
    """Settings: a quiet-hours preset (index into QUIET_PRESETS), or -1 for none."""

    preset: int


class Unsubscribe(CallbackData, prefix="unsub"):
    """Under a broadcast: stop (or, with undo, restart) this broadcast's topic."""

    topic: Topic
    undo: bool = False


class Notifications(CallbackData, prefix="notif"):
    """Open the notifications screen."""


def topic_name(topic: Topic) -> str:
    names = {
        Topic.safety: _("⚠️ Safety alerts"),
        Topic.clinics: _("🩺 Clinic news"),
        Topic.events: _("📅 Events and campaigns"),
    }
    return names[topic]


def unsubscribe_markup(topic: Topic | str) -> InlineKeyboardMarkup:
    """The button under every broadcast, in the current locale."""
    return InlineKeyboardMarkup(inline_keyboard=[[button(_("🔕 Unsubscribe"), Unsubscribe(topic=Topic(topic)))]])


def quiet_text(window: tuple[int, int] | None) -> str:
    if window is None:
        return _("off")
    return f"{format_minute(window[0])}–{format_minute(window[1])}"


async def show_notifications(event: CallbackQuery, member: MemberInfo, session: AsyncSession) -> None:
    choices = await subscriptions.choices(session, member.id)
    window = await subscriptions.quiet_hours(session, member.id)
    text = "\n".join(
        [
            _("<b>🔔 Notifications</b>"),
            "",
            _("Choose what the bot may send you. Tap to switch on or off."),
            "",
            _("🌙 Quiet hours: {window}. Messages in this time arrive without sound.").format(
                window=quiet_text(window)
            ),
        ]
    )
    buttons = [
        button(("✅ " if choices[topic] else "▫️ ") + topic_name(topic), TopicToggle(topic=topic)) for topic in Topic
    ]
    for index, preset in enumerate(QUIET_PRESETS):
        mark = "✅ " if window == preset else ""
        buttons.append(button(mark + "🌙 " + quiet_text(preset), QuietChoice(preset=index)))
    buttons.append(button(("✅ " if window is None else "") + _("🔔 No quiet hours"), QuietChoice(preset=-1)))
    rows = [[b] for b in buttons[: len(Topic)]]
    rest = buttons[len(Topic) :]
    rows += [rest[i : i + 2] for i in range(0, len(rest), 2)]
    markup = keyboard([], back=Nav(to=Screen.settings))
    markup.inline_keyboard[:0] = rows
    await show(event, text, markup)


@router.callback_query(Notifications.filter())
async def notifications(query: CallbackQuery, member: MemberInfo, session: AsyncSession) -> None:
    await show_notifications(query, member, session)
    await query.answer()


@router.callback_query(TopicToggle.filter())
async def toggle_topic(
    query: CallbackQuery, callback_data: TopicToggle, member: MemberInfo, session: AsyncSession
) -> None:
    current = await subscriptions.choices(session, member.id)
    await subscriptions.set_subscribed(session, member.id, callback_data.topic, not current[callback_data.topic])
    await show_notifications(query, member, session)
    await query.answer(_("Saved"))


@router.callback_query(QuietChoice.filter())
async def choose_quiet(
    query: CallbackQuery, callback_data: QuietChoice, member: MemberInfo, session: AsyncSession
) -> None:
    if callback_data.preset >= len(QUIET_PRESETS) or callback_data.preset < -1:
        await query.answer(_("This button is out of date."), show_alert=True)
        return
    window = None if callback_data.preset == -1 else QUIET_PRESETS[callback_data.preset]
    await subscriptions.set_quiet_hours(session, member.id, window)
    await show_notifications(query, member, session)
    await query.answer(_("Saved"))


@router.callback_query(Unsubscribe.filter())
async def unsubscribe(
    query: CallbackQuery, callback_data: Unsubscribe, member: MemberInfo, session: AsyncSession
) -> None:
    topic = callback_data.topic
    await subscriptions.set_subscribed(session, member.id, topic, callback_data.undo)
    if callback_data.undo:
        text = _("🔔 You will receive {topic} again.").format(topic=topic_name(topic))
        markup = None
    else:
        text = _(
            "🔕 Done: you will not receive {topic} any more. You can change this in Settings → Notifications."
        ).format(topic=topic_name(topic))
        markup = InlineKeyboardMarkup(inline_keyboard=[[button(_("↩️ Undo"), Unsubscribe(topic=topic, undo=True))]])
    await query.answer()
    if query.message is not None:
        await query.message.answer(text, reply_markup=markup)  # type: ignore[union-attr]
