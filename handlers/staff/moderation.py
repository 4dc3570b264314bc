"""Moderation of bad-client reports in the staff room's Reports topic: approve, edit the alert text
(reply to the card), reject with a reason, merge into an existing alert.

Each report gets a card: city, when, what happened, how many reports the same sender sent lately,
the reporter's consent, the description and identifiers (read here, in Telegram, so moderators can
sanitise; the database keeps them sealed and only until moderation ends) and the alert text members
would read. Only moderators of the report's organisation, pressing on the card itself, can act;
forged or stale callback data gets a plain refusal and reveals nothing.

When moderation ends the reporter is told the outcome in their language, the link between them and
the report is deleted, and the card keeps only the outcome and the approved text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from aiogram import Bot, F, Router, html
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import BaseFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.loader import ContentStore
from bot.db.models import Member, Organisation, Report
from bot.delivery.engine import DeliveryEngine
from bot.privacy import Privacy
from bot.services import alerts, reports
from bot.services import staff as staff_service
from bot.services.delivery import Counts
from bot.services.reports import MAX_ALERT_TEXT, Payload, RejectReason, Status
from bot.services.staff import Role, StaffInfo
from handlers.member.city import city_name
from handlers.member.reports import category_names, identifier_lines, when_labels
from handlers.staff import room
from handlers.ui import Clock

if TYPE_CHECKING:
    from bot.app import Umbrella

router = Router(name="moderation")
log = logging.getLogger(__name__)


class ModAction(CallbackData, prefix="mod"):
    """A button on a report card; the report id is checked against the presser and the chat."""

    id: int
    action: str  # approve, edit, reject, merge, back


class ModReject(CallbackData, prefix="modr"):
    id: int
    reason: RejectReason


class ModMerge(CallbackData, prefix="modm"):
    id: int
    alert: int


def reject_reasons() -> dict[RejectReason, str]:
    """Why a report was not published, as moderators pick it (the reporter reads their own language)."""
    return {
        RejectReason.details: _("Not enough detail to warn others"),
        RejectReason.identifies: _("It could identify you or someone else"),
        RejectReason.not_client: _("It is not about a client"),
        RejectReason.other: _("Kept for the organisation only"),
    }


# --- the card -------------------------------------------------------------------------------------


def _city(content: ContentStore, city_id: str, language: str) -> str:
    city = content.city(city_id)
    return html.quote(city_name(city, language)) if city else html.quote(city_id)


def card_text(report: Report, payload: Payload | None, content: ContentStore, language: str, outcome: str = "") -> str:
    yes, no = "✅", "—"
    lines = [
        _("📝 <b>Report {reference}</b> · {city}").format(
            reference=report.reference, city=_city(content, report.city, language)
        ),
        _("When: {when} (reported {date})").format(
            when=when_labels().get(report.happened, report.happened), date=report.created_at.strftime("%d.%m.%Y")
        ),
        _("What happened: {what}").format(what=category_names(report.categories)),
        _("Reports from the same sender in the last 30 days: {count}").format(count=report.recent_from_sender),
        _("Consent: community alert {community} · partner lawyers {lawyers} · police {police}").format(
            community=yes if report.consent_community else no,
            lawyers=yes if report.consent_lawyers else no,
            police=yes if report.consent_police else no,
        ),
    ]
    if payload is not None:
        lines += ["", _("<b>Description</b> (deleted when moderation ends):"), html.quote(payload.description)]
        if payload.identifiers:
            lines += ["", _("<b>Identifiers</b> (members can check them):"), *identifier_lines(payload.identifiers)]
        if payload.photo:
            lines += ["", _("📷 The photo is above this card (moderators only).")]
        lines += [
            "",
            _("<b>Alert text</b> members will read (reply to this card to replace it):"),
            html.quote(payload.alert_text),
        ]
        if not report.consent_community:
            lines += ["", _("⚠️ The reporter did not agree to an alert: no alert can be sent.")]
    if outcome:
        lines += ["", outcome]
    return "\n".join(lines)


def card_markup(report: Report) -> InlineKeyboardMarkup | None:
    if report.status != Status.pending:
        return None

    def b(text: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(text=text, callback_data=ModAction(id=report.id, action=action).pack())

    first = [b(_("✅ Approve"), "approve")] if report.consent_community else []
    first.append(b(_("✏️ Edit text"), "edit"))
    second = [b(_("❌ Reject"), "reject")]
    if report.consent_community:
        second.append(b(_("🔗 Merge"), "merge"))
    return InlineKeyboardMarkup(inline_keyboard=[first, second])


async def post_card(
    bot: Bot,
    session: AsyncSession,
    privacy: Privacy,
    i18n: I18n,
    content: ContentStore,
    organisation: Organisation,
    report: Report,
) -> None:
    """The report's card (and its photo, first) in the organisation's Reports topic."""
    assert organisation.staff_chat_id is not None
    payload = reports.payload_of(privacy, report)
    with room.room_language(i18n, organisation):
        language = i18n.current_locale
        if payload is not None and payload.photo:
            try:
                await bot.send_photo(
                    organisation.staff_chat_id,
                    payload.photo,
                    caption=_("📷 Photo for report {reference}").format(reference=report.reference),
                    message_thread_id=organisation.reports_thread_id,
                )
            except TelegramBadRequest as error:
                log.info("report photo not posted: %s", error.message)
        card = await bot.send_message(
            organisation.staff_chat_id,
            card_text(report, payload, content, language),
            message_thread_id=organisation.reports_thread_id,
            reply_markup=card_markup(report),
        )
    await reports.set_card(session, report.id, organisation.staff_chat_id, card.message_id)
    report.staff_chat_id, report.card_message_id = organisation.staff_chat_id, card.message_id


async def _refresh_card(
    bot: Bot,
    privacy: Privacy,
    i18n: I18n,
    content: ContentStore,
    organisation: Organisation,
    report: Report,
    outcome: str = "",
) -> None:
    if report.staff_chat_id is None or report.card_message_id is None:
        return
    with room.room_language(i18n, organisation):
        text = card_text(report, reports.payload_of(privacy, report), content, i18n.current_locale, outcome)
        try:
            await bot.edit_message_text(
                text, chat_id=report.staff_chat_id, message_id=report.card_message_id, reply_markup=card_markup(report)
            )
        except TelegramBadRequest as error:
            if "not modified" not in error.message:
                log.info("report card not updated: %s", error.message)


# --- who may act ----------------------------------------------------------------------------------


async def _report_for(
    query: CallbackQuery, session: AsyncSession, staff: StaffInfo | None, report_id: int
) -> tuple[Report, Organisation] | None:
    """The pending report a card button acts on, if the presser moderates its organisation and pressed
    in the room holding its card; otherwise a refusal that says nothing about the report."""
    report = await reports.get(session, report_id)
    chat_id = query.message.chat.id if query.message is not None else None
    if (
        report is None
        or staff is None
        or not staff.has(Role.moderator)
        or staff.organisation_id != report.organisation_id
        or chat_id != report.staff_chat_id
    ):
        await query.answer(_("Only moderators of this organisation can do this."), show_alert=True)
        return None
    if report.status != Status.pending:
        await query.answer(_("This report has already been moderated."), show_alert=True)
        return None
    organisation = await session.get(Organisation, report.organisation_id)
    if organisation is None:
        await query.answer(_("Only moderators of this organisation can do this."), show_alert=True)
        return None
    return report, organisation


async def _tell_reporter(
    bot: Bot,
    session: AsyncSession,
    privacy: Privacy,
    i18n: I18n,
    report: Report,
    build: Callable[[], list[str]],
) -> bool:
    """Tell the reporter the outcome (in their language), then forget who they were.

    `build` gives the paragraphs of the outcome; the neutral first line goes before them here, so
    no notification can start by saying what the report was about."""
    member_id = await reports.take_reporter(session, report.id)
    member = await session.get(Member, member_id) if member_id is not None else None
    if member is None:
        return False
    with i18n.use_locale(member.language):
        text = "\n\n".join([_neutral_opening().format(reference=report.reference), *build()])
    try:
        await bot.send_message(privacy.decrypt_chat_id(member.chat_id_enc), text)
    except (TelegramForbiddenError, TelegramBadRequest):
        log.info("report %s: the reporter could not be told", report.reference)
        return False
    return True


def _neutral_opening() -> str:
    # Discretion: the first line of a notification says nothing about what the report was.
    return _("ℹ️ An update on your message {reference}.")


# --- approve, merge -------------------------------------------------------------------------------


@router.callback_query(ModAction.filter(F.action == "approve"))
async def approve(
    query: CallbackQuery,
    callback_data: ModAction,
    bot: Bot,
    session: AsyncSession,
    staff: StaffInfo | None,
    privacy: Privacy,
    i18n: I18n,
    content: ContentStore,
    clock: Clock,
    alert_expiry: timedelta,
    delivery: DeliveryEngine,
) -> None:
    found = await _report_for(query, session, staff, callback_data.id)
    if found is None:
        return
    report, organisation = found
    if not report.consent_community:
        await query.answer(_("The reporter did not agree to an alert."), show_alert=True)
        return
    now = clock()
    assert staff is not None
    try:
        alert = await reports.approve(session, privacy, report, now, alert_expiry, staff.id)
    except reports.AlreadyModerated:
        await query.answer(_("This report has already been moderated."), show_alert=True)
        return
    _job, recipients = await alerts.queue_delivery(session, alert, now)
    await query.answer(_("Approved."))
    city = report.city
    await _tell_reporter(
        bot,
        session,
        privacy,
        i18n,
        report,
        lambda: [
            _(
                "The moderators approved it: an anonymous alert goes to members in {city}. "
                "Thank you for looking out for others."
            ).format(city=_city(content, city, i18n.current_locale)),
        ],
    )
    with room.room_language(i18n, organisation):
        outcome = _("✅ Approved by {alias}: alert #{alert} to {count} subscribers.").format(
            alias=html.quote(staff.label), alert=alert.id, count=recipients
        )
    await _refresh_card(bot, privacy, i18n, content, organisation, report, outcome)
    await session.commit()  # the engine reads the job in its own session
    delivery.wake()


@router.callback_query(ModAction.filter(F.action == "merge"))
async def merge_choices(
    query: CallbackQuery,
    callback_data: ModAction,
    session: AsyncSession,
    staff: StaffInfo | None,
    content: ContentStore,
    i18n: I18n,
    clock: Clock,
) -> None:
    found = await _report_for(query, session, staff, callback_data.id)
    if found is None:
        return
    report, organisation = found
    candidates = await alerts.recent(session, report.city, clock(), limit=8)  # what it may be merged into
    if not candidates:
        await query.answer(_("There is no live alert in this city to merge into."), show_alert=True)
        return
    await query.answer()
    with room.room_language(i18n, organisation):
        rows = [
            [
                InlineKeyboardButton(
                    text=f"🔗 #{alert.id} · {alert.updated_at:%d.%m} · {category_names(alert.categories)}"[:60],
                    callback_data=ModMerge(id=report.id, alert=alert.id).pack(),
                )
            ]
            for alert in candidates
        ]
        rows.append(
            [InlineKeyboardButton(text=_("⬅️ Back"), callback_data=ModAction(id=report.id, action="back").pack())]
        )
        lines = [_("Merge report {reference} into which alert?").format(reference=report.reference)]
        lines += [f"#{alert.id}: {html.quote(alert.text[:200])}" for alert in candidates]
    assert isinstance(query.message, Message)
    await query.message.edit_reply_markup(reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))
    await query.message.reply("\n".join(lines))


@router.callback_query(ModMerge.filter())
async def merge(
    query: CallbackQuery,
    callback_data: ModMerge,
    bot: Bot,
    session: AsyncSession,
    staff: StaffInfo | None,
    privacy: Privacy,
    i18n: I18n,
    content: ContentStore,
    clock: Clock,
    alert_expiry: timedelta,
) -> None:
    found = await _report_for(query, session, staff, callback_data.id)
    if found is None:
        return
    report, organisation = found
    alert = await alerts.get(session, callback_data.alert)
    now = clock()
    if alert is None or alert.city != report.city or alert.expires_at <= now:
        await query.answer(_("That alert is gone or belongs to another city."), show_alert=True)
        return
    assert staff is not None
    try:
        await reports.merge(session, privacy, report, alert, now, alert_expiry, staff.id)
    except reports.AlreadyModerated:
        await query.answer(_("This report has already been moderated."), show_alert=True)
        return
    await query.answer(_("Merged."))
    await _tell_reporter(
        bot,
        session,
        privacy,
        i18n,
        report,
        lambda: [
            _(
                "The moderators added it to an existing alert about the same person, which now counts "
                "your report too. Thank you for looking out for others."
            ),
        ],
    )
    with room.room_language(i18n, organisation):
        outcome = _("🔗 Merged by {alias} into alert #{alert}.").format(alias=html.quote(staff.label), alert=alert.id)
    await _refresh_card(bot, privacy, i18n, content, organisation, report, outcome)


@router.callback_query(ModAction.filter(F.action == "back"))
async def back_to_card(
    query: CallbackQuery, callback_data: ModAction, session: AsyncSession, staff: StaffInfo | None, i18n: I18n
) -> None:
    found = await _report_for(query, session, staff, callback_data.id)
    if found is None:
        return
    report, organisation = found
    await query.answer()
    with room.room_language(i18n, organisation):
        markup = card_markup(report)
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=markup)


# --- reject ---------------------------------------------------------------------------------------


@router.callback_query(ModAction.filter(F.action == "reject"))
async def reject_reasons_menu(
    query: CallbackQuery, callback_data: ModAction, session: AsyncSession, staff: StaffInfo | None, i18n: I18n
) -> None:
    found = await _report_for(query, session, staff, callback_data.id)
    if found is None:
        return
    report, organisation = found
    await query.answer()
    with room.room_language(i18n, organisation):
        rows = [
            [InlineKeyboardButton(text="❌ " + label, callback_data=ModReject(id=report.id, reason=reason).pack())]
            for reason, label in reject_reasons().items()
        ]
        rows.append(
            [InlineKeyboardButton(text=_("⬅️ Back"), callback_data=ModAction(id=report.id, action="back").pack())]
        )
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


@router.callback_query(ModReject.filter())
async def reject(
    query: CallbackQuery,
    callback_data: ModReject,
    bot: Bot,
    session: AsyncSession,
    staff: StaffInfo | None,
    privacy: Privacy,
    i18n: I18n,
    content: ContentStore,
    clock: Clock,
) -> None:
    found = await _report_for(query, session, staff, callback_data.id)
    if found is None:
        return
    report, organisation = found
    assert staff is not None
    try:
        await reports.reject(session, report, clock(), staff.id)
    except reports.AlreadyModerated:
        await query.answer(_("This report has already been moderated."), show_alert=True)
        return
    await query.answer(_("Rejected."))
    reason = callback_data.reason
    await _tell_reporter(
        bot,
        session,
        privacy,
        i18n,
        report,
        lambda: [
            _("The moderators did not publish it as an alert. Reason: {reason}.").format(
                reason=reject_reasons()[reason]
            ),
            _("Thank you for telling us. If you need support, tap “💬 Talk to a person” in the menu."),
        ],
    )
    with room.room_language(i18n, organisation):
        outcome = _("❌ Rejected by {alias}: {reason}.").format(
            alias=html.quote(staff.label), reason=reject_reasons()[reason]
        )
    await _refresh_card(bot, privacy, i18n, content, organisation, report, outcome)


# --- edit: a moderator replies to the card with the new alert text ---------------------------------


@router.callback_query(ModAction.filter(F.action == "edit"))
async def edit_help(
    query: CallbackQuery, callback_data: ModAction, session: AsyncSession, staff: StaffInfo | None
) -> None:
    found = await _report_for(query, session, staff, callback_data.id)
    if found is None:
        return
    await query.answer(
        _("Reply to this card with the new alert text (up to {limit} characters).").format(limit=MAX_ALERT_TEXT),
        show_alert=True,
    )


class ReplyToCard(BaseFilter):
    """A message in a staff room replying to a report card."""

    async def __call__(self, message: Message, session: AsyncSession) -> bool | dict:
        reply = message.reply_to_message
        if reply is None or message.chat.type != "supergroup" or not (reply.from_user and reply.from_user.is_bot):
            return False
        report = await reports.by_card(session, message.chat.id, reply.message_id)
        return {"report": report} if report is not None else False


@router.message(ReplyToCard())
async def edit_text(
    message: Message,
    report: Report,
    bot: Bot,
    session: AsyncSession,
    staff: StaffInfo | None,
    privacy: Privacy,
    i18n: I18n,
    content: ContentStore,
) -> None:
    if staff is None or not staff.has(Role.moderator) or staff.organisation_id != report.organisation_id:
        return  # a colleague's comment on the card: a note like any other
    organisation = await session.get(Organisation, report.organisation_id)
    if organisation is None:
        return
    with room.room_language(i18n, organisation):
        if report.status != Status.pending:
            await message.reply(_("This report has already been moderated."))
            return
        text = (message.text or "").strip()
        if not text:
            await message.reply(_("Please reply with text."))
            return
        if len(text) > MAX_ALERT_TEXT:
            await message.reply(
                _("This is {length} characters; please shorten it to {limit}.").format(
                    length=len(text), limit=MAX_ALERT_TEXT
                )
            )
            return
        await reports.set_alert_text(session, privacy, report, text)
        await message.reply(_("✏️ Alert text updated."))
    await _refresh_card(bot, privacy, i18n, content, organisation, report)


# --- delivery figures on the card -------------------------------------------------------------------


async def show_delivery(app: Umbrella, alert_id: int, counts: Counts) -> None:
    """The delivery engine's progress for an approved alert, on the card it was approved from."""
    async with app.sessionmaker() as session:
        report = await reports.approved_report_of(session, alert_id)
        if report is None:
            return
        organisation = await session.get(Organisation, report.organisation_id) if report.organisation_id else None
        moderator = await staff_service.staff_by_id(session, report.moderator_id) if report.moderator_id else None
        if organisation is None:
            return
        with app.i18n.context(), room.room_language(app.i18n, organisation):
            outcome = _(
                "✅ Approved by {alias}: alert #{alert}. "
                "Delivered {sent} of {total}, blocked {blocked}, failed {failed}."
            ).format(
                alias=html.quote(moderator.label if moderator else "?"),
                alert=alert_id,
                sent=counts.sent,
                total=counts.total,
                blocked=counts.blocked,
                failed=counts.failed,
            )
            await _refresh_card(app.bot, app.privacy, app.i18n, app.content, organisation, report, outcome)
