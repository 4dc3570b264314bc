"""Bad-client alerts for members: choose the cities (opt-in, several allowed), read the recent alerts
of a city, and receive approved alerts, each rendered in the member's own language.

`AlertSender` delivers approved alerts paced below Telegram's limits from one row per recipient
(`alert_deliveries`), so it resumes after a restart without sending anything twice. It sits behind
two calls (`kick()` after an approval, `drain()` from the scheduler) so a shared delivery engine
can replace it without touching moderation.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiogram import Bot, F, Router, html
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.content.loader import ContentStore
from bot.db.models import Alert
from bot.privacy import Privacy
from bot.services import alerts
from bot.services.identifiers import Kind
from bot.services.members import MemberInfo
from handlers.member.city import city_name
from handlers.member.reports import KIND_ICONS, category_names, when_labels
from handlers.ui import Clock, Nav, Screen, button, show

router = Router(name="alerts")
log = logging.getLogger(__name__)
LIST_LIMIT = 3900  # the list of recent alerts stays one message


class AlertsAction(CallbackData, prefix="al"):
    action: str  # home, toggle, pick, list
    city: str = ""


# --- rendering ------------------------------------------------------------------------------------


def _city(content: ContentStore, city_id: str, language: str) -> str:
    city = content.city(city_id)
    return html.quote(city_name(city, language)) if city else html.quote(city_id)


def masked_lines(alert: Alert) -> list[str]:
    lines = []
    for item in alert.masked.split("\n"):
        kind, _sep, value = item.partition(":")
        if value and kind in Kind._value2member_map_:
            lines.append(f"{KIND_ICONS[Kind(kind)]} {html.quote(value)}")
    return lines


def alert_body(alert: Alert, content: ContentStore, language: str) -> list[str]:
    """The alert's fixed parts in the current language, then the moderators' text as approved."""
    lines = [
        _("What happened: {what}").format(what=category_names(alert.categories)),
        _("When: {when} (reported {date})").format(
            when=when_labels().get(alert.happened, alert.happened).lower(), date=alert.created_at.strftime("%d.%m.%Y")
        ),
        _("Reports about this person: {count}").format(count=alert.report_count),
        "",
        html.quote(alert.text),
    ]
    masked = masked_lines(alert)
    if masked:
        lines += ["", *masked]
    return lines


def alert_message(alert: Alert, content: ContentStore, language: str) -> str:
    city = _city(content, alert.city, language)
    return "\n".join(
        [
            # Discretion: the first line, which a locked phone may show, says nothing about what it is.
            _("🔔 New notice for {city}").format(city=city),
            "",
            _("<b>Bad-client alert</b> from the organisation's moderators:"),
            *alert_body(alert, content, language),
            "",
            _("Before a meeting you can check a number: Safety → Check a number."),
        ]
    )


# --- screens --------------------------------------------------------------------------------------


def _ordered_cities(content: ContentStore, member: MemberInfo, chosen: list[str]) -> list[str]:
    ids = [c.id for c in content.cities]
    first = [member.city] if member.city in ids else []
    return (
        first
        + [c for c in chosen if c in ids and c not in first]
        + [c for c in ids if c not in first and c not in chosen]
    )


async def show_alerts_home(
    event: CallbackQuery, session: AsyncSession, member: MemberInfo, content: ContentStore
) -> None:
    chosen = await alerts.subscribed_cities(session, member.id)
    names = ", ".join(_city(content, c, member.language) for c in chosen) or _("none yet")
    text = "\n\n".join(
        [
            _("<b>🚨 Bad-client alerts</b>"),
            _(
                "When the organisation's moderators warn about a dangerous client, members who chose that "
                "city get a message. Tap a city to turn its alerts on or off."
            ),
            _("Your alert cities: {cities}").format(cities=names),
        ]
    )
    rows: list[list[InlineKeyboardButton]] = []
    toggles = [
        button(
            ("🔔 " if city in chosen else "➕ ") + _city(content, city, member.language),
            AlertsAction(action="toggle", city=city),
        )
        for city in _ordered_cities(content, member, chosen)
    ]
    rows += [toggles[i : i + 2] for i in range(0, len(toggles), 2)]
    rows.append([button(_("📋 Recent alerts"), AlertsAction(action="pick"))])
    rows.append([button(_("⬅️ Back"), Nav(to=Screen.safety)), button(_("🏠 Menu"), Nav(to=Screen.home))])
    await show(event, text, InlineKeyboardMarkup(inline_keyboard=rows))


@router.callback_query(AlertsAction.filter(F.action == "home"))
async def alerts_home(query: CallbackQuery, session: AsyncSession, member: MemberInfo, content: ContentStore) -> None:
    await query.answer()
    await show_alerts_home(query, session, member, content)


@router.callback_query(AlertsAction.filter(F.action == "toggle"))
async def toggle(
    query: CallbackQuery, callback_data: AlertsAction, session: AsyncSession, member: MemberInfo, content: ContentStore
) -> None:
    if content.city(callback_data.city) is None:
        await query.answer(_("This city is not in the list any more."), show_alert=True)
        await show_alerts_home(query, session, member, content)
        return
    on = await alerts.toggle(session, member.id, callback_data.city)
    city = city_name(content.city(callback_data.city), member.language)  # type: ignore[arg-type]  # plain text
    await query.answer((_("Alerts for {city}: on") if on else _("Alerts for {city}: off")).format(city=city))
    await show_alerts_home(query, session, member, content)


@router.callback_query(AlertsAction.filter(F.action == "pick"))
async def pick_city(query: CallbackQuery, session: AsyncSession, member: MemberInfo, content: ContentStore) -> None:
    await query.answer()
    chosen = await alerts.subscribed_cities(session, member.id)
    cities = [
        button("📍 " + _city(content, city, member.language), AlertsAction(action="list", city=city))
        for city in _ordered_cities(content, member, chosen)
    ]
    rows = [cities[i : i + 2] for i in range(0, len(cities), 2)]
    rows.append([button(_("⬅️ Back"), AlertsAction(action="home")), button(_("🏠 Menu"), Nav(to=Screen.home))])
    await show(query, _("Recent alerts for which city?"), InlineKeyboardMarkup(inline_keyboard=rows))


@router.callback_query(AlertsAction.filter(F.action == "list"))
async def list_alerts(
    query: CallbackQuery,
    callback_data: AlertsAction,
    session: AsyncSession,
    member: MemberInfo,
    content: ContentStore,
    clock: Clock,
) -> None:
    await query.answer()
    city = _city(content, callback_data.city, member.language)
    found = await alerts.recent(session, callback_data.city, clock()) if content.city(callback_data.city) else []
    parts = [_("<b>📋 Recent alerts · {city}</b>").format(city=city)]
    if not found:
        parts.append(
            _(
                "No live alerts for {city}. That does not mean that every client is safe: "
                "trust your feelings and tell someone where you go."
            ).format(city=city)
        )
    for alert in found:
        entry = "\n".join(
            [f"<b>#{alert.id}</b> · {alert.updated_at:%d.%m.%Y}", *alert_body(alert, content, member.language)]
        )
        if sum(len(p) for p in parts) + len(entry) > LIST_LIMIT:
            break
        parts.append(entry)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[button(_("⬅️ Back"), AlertsAction(action="pick")), button(_("🏠 Menu"), Nav(to=Screen.home))]]
    )
    await show(query, "\n\n".join(parts), markup)


# --- delivery -------------------------------------------------------------------------------------


class AlertSender:
    """Sends approved alerts to their recipients, at most `rate` messages a second.

    Every recipient is a row; a row is claimed (`sending`) before its message goes out and marked
    `sent`, `blocked` or `failed` after, each in its own transaction. A restart resumes with the
    rows still `pending`. Telegram's 429 is retried by the bot session's RetryMiddleware.
    """

    def __init__(
        self,
        bot: Bot,
        sessionmaker: async_sessionmaker[AsyncSession],
        privacy: Privacy,
        i18n: I18n,
        content: ContentStore,
        clock: Clock,
        rate: float = 25.0,
    ) -> None:
        self.bot, self.sessionmaker, self.privacy, self.i18n, self.content = bot, sessionmaker, privacy, i18n, content
        self.clock = clock
        self.interval = 1.0 / rate
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[int] | None = None

    def kick(self, delay: float = 0.5) -> None:
        """Start sending soon (after the approving transaction has committed)."""
        loop = asyncio.get_running_loop()
        loop.call_later(delay, self._start)

    def _start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.drain())

    async def drain(self) -> int:
        """Send everything pending; returns how many messages went out."""
        sent = 0
        async with self._lock:
            while True:
                async with self.sessionmaker() as session:
                    batch = await alerts.claim_batch(session, self.clock())
                    await session.commit()
                if not batch:
                    return sent
                for outgoing in batch:
                    if await self._send(outgoing):
                        sent += 1
                    await asyncio.sleep(self.interval)

    async def _send(self, outgoing: alerts.Outgoing) -> bool:
        async with self.sessionmaker() as session:
            alert = await alerts.get(session, outgoing.alert_id)
            status = alerts.FAILED
            if alert is not None:
                with self.i18n.context(), self.i18n.use_locale(outgoing.language):
                    text = alert_message(alert, self.content, outgoing.language)
                try:
                    await self.bot.send_message(self.privacy.decrypt_chat_id(outgoing.chat_id_enc), text)
                    status = alerts.SENT
                except TelegramForbiddenError:
                    status = alerts.BLOCKED
                except TelegramBadRequest as error:
                    log.info("alert %s not delivered: %s", outgoing.alert_id, error.message)
            await alerts.mark(session, outgoing.delivery_id, status, self.clock())
            await session.commit()
        return status == alerts.SENT

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
