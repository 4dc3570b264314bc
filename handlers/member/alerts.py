"""Bad-client alerts for members: choose the cities (opt-in, several allowed), read the recent alerts
of a city, and receive approved alerts, each rendered in the member's own language.

Approved alerts are sent by the shared delivery engine (bot/delivery/engine.py) as the "alert"
kind: paced below Telegram's limits, silent in quiet hours, resumable without double sends.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiogram import F, Router, html
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.loader import ContentStore
from bot.db.models import Alert
from bot.delivery.engine import Outgoing, Recipient
from bot.services import alerts
from bot.services.identifiers import Kind
from bot.services.members import MemberInfo
from handlers.member.city import city_name
from handlers.member.reports import KIND_ICONS, category_names, when_labels
from handlers.ui import Clock, Nav, Screen, button, show

if TYPE_CHECKING:
    from bot.app import Umbrella
    from bot.db.models import DeliveryJob
    from bot.delivery.engine import DeliveryEngine
    from bot.services.delivery import Counts

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


# --- delivery: the "alert" kind of the shared delivery engine --------------------------------------


def setup_alerts(app: Umbrella) -> None:
    """Register how an alert looks to each recipient (bot/app.py calls this with the engine ready).

    The engine paces, applies quiet hours, resumes after a restart and never sends a row twice.
    """
    engine: DeliveryEngine = app.delivery  # type: ignore[assignment]

    async def render(session: AsyncSession, ref_id: int, to: Recipient) -> Outgoing | None:
        alert = await session.get(Alert, ref_id)  # the session's identity map: one query per batch
        if alert is None:
            return None  # expired meanwhile: nothing to warn about any more
        with app.i18n.context(), app.i18n.use_locale(to.language):
            return Outgoing(text=alert_message(alert, app.content, to.language))

    async def progress(job: DeliveryJob, counts: Counts) -> None:
        from handlers.staff.moderation import show_delivery  # the staff side depends on this module

        await show_delivery(app, job.ref_id, counts)

    engine.register(alerts.KIND, render, progress)
