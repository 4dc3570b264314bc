"""Broadcasts, the staff side: a broadcaster composes in a private chat with the bot (/broadcast),
a supervisor approves in the staff room's Broadcasts topic when the organisation asks for a second
approval (/broadcast_approval on), and a card in that topic shows live progress and the final
counts, with a Cancel button until the last message is out. /broadcasts lists recent ones.

Texts are taken as Telegram renders them (`html_text`): the broadcaster's bold, italics and links
are kept, anything else is escaped, so a stray "<" can never break a message.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from aiogram import Bot, F, Router, html
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from babel.dates import format_datetime
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.loader import ContentStore
from bot.db.models import Broadcast, DeliveryJob, Organisation
from bot.delivery.engine import DeliveryEngine, Outgoing, Recipient
from bot.middlewares.staff import HasRole, staff_callback
from bot.scheduler import Scheduler
from bot.services import broadcasts as service
from bot.services import staff as staff_service
from bot.services.broadcasts import BroadcastError, Draft, Status
from bot.services.delivery import Counts
from bot.services.staff import Role, StaffInfo
from bot.services.subscriptions import Topic
from bot.settings import LANGUAGES
from handlers.member.city import city_name
from handlers.member.start import LANGUAGE_NAMES
from handlers.member.subscriptions import topic_name, unsubscribe_markup
from handlers.staff import room
from handlers.ui import Clock, button

if TYPE_CHECKING:
    from bot.app import Umbrella

log = logging.getLogger(__name__)
router = Router(name="staff_broadcasts")
COMPOSERS = (Role.broadcaster, Role.admin)
ALL = "all"


class BroadcastForm(StatesGroup):
    mode = State()
    text = State()
    topic = State()
    cities = State()
    languages = State()
    review = State()
    when = State()


@staff_callback
class Compose(CallbackData, prefix="bcc"):
    """A step of the compose form (the form's state lives in FSM storage)."""

    action: str
    value: str = ""


@staff_callback
class Card(CallbackData, prefix="bcx"):
    """Approve, reject or cancel broadcast `id` (from its card or the /broadcasts list)."""

    action: str
    id: int


class PreviewButton(CallbackData, prefix="bcp"):
    """The unsubscribe button of a preview: it only says that it is a preview."""


# --- texts -------------------------------------------------------------------------------------------


def status_text(status: str) -> str:
    names = {
        Status.awaiting_approval: _("⏳ waiting for a supervisor's approval"),
        Status.scheduled: _("🕒 scheduled"),
        Status.sending: _("📤 sending"),
        Status.done: _("✅ sent"),
        Status.rejected: _("🚫 rejected"),
        Status.cancelled: _("✖️ cancelled"),
    }
    return names.get(Status(status), status)


def _cities_text(content: ContentStore, cities: list[str], language: str) -> str:
    names = []
    for slug in cities:
        city = content.city(slug)
        names.append(city_name(city, language) if city is not None else slug)
    return html.quote(", ".join(names))


def _languages_text(languages: list[str]) -> str:
    return ", ".join(LANGUAGE_NAMES[code] for code in languages if code in LANGUAGE_NAMES)


def _when_text(organisation: Organisation, moment, language: str) -> str:  # type: ignore[no-untyped-def]
    local = staff_service.local_time(organisation, moment)
    return format_datetime(local, "d MMM y, HH:mm", locale=language) + f" ({organisation.timezone})"


def card_text(
    broadcast: Broadcast, organisation: Organisation, content: ContentStore, language: str, counts: Counts | None
) -> str:
    lines = [
        _("<b>📣 Broadcast #{id}</b> · {topic}").format(id=broadcast.id, topic=topic_name(Topic(broadcast.topic))),
        _("Cities: {cities}").format(cities=_cities_text(content, service.split(broadcast.cities), language)),
        _("Languages: {languages}").format(languages=_languages_text(service.split(broadcast.languages))),
        _("When: {when}").format(
            when=_when_text(organisation, broadcast.send_at, language) if broadcast.send_at else _("now")
        ),
        _("Status: {status}").format(status=status_text(broadcast.status)),
    ]
    if counts is not None:
        lines.append(
            _("Delivered {sent} of {total} · blocked {blocked} · failed {failed}").format(
                sent=counts.sent, total=counts.total, blocked=counts.blocked, failed=counts.failed
            )
        )
    return "\n".join(lines)


def card_markup(broadcast: Broadcast) -> InlineKeyboardMarkup | None:
    buttons: list[InlineKeyboardButton] = []
    if broadcast.status == Status.awaiting_approval:
        buttons += [
            button(_("✅ Approve"), Card(action="approve", id=broadcast.id)),
            button(_("🚫 Reject"), Card(action="reject", id=broadcast.id)),
        ]
    if broadcast.status in service.OPEN:
        buttons.append(button(_("✖️ Cancel"), Card(action="cancel", id=broadcast.id)))
    return InlineKeyboardMarkup(inline_keyboard=[buttons]) if buttons else None


def member_message(broadcast_text: str, topic: str) -> Outgoing:
    """A broadcast exactly as a member sees it, in the current locale (the preview uses it too)."""
    return Outgoing(text=broadcast_text, reply_markup=unsubscribe_markup(topic))


def _problem(reason: str) -> str:
    return {
        "cities": _("Choose at least one of the cities your organisation serves."),
        "languages": _("Choose at least one language."),
        "texts": _("A chosen language has no text."),
        "state": _("This broadcast cannot be changed any more."),
        "own": _("The second approval must come from another person."),
    }.get(reason, _("This did not work."))


# --- the card in the Broadcasts topic -----------------------------------------------------------------


async def update_card(
    bot: Bot,
    i18n: I18n,
    content: ContentStore,
    organisation: Organisation,
    broadcast: Broadcast,
    counts: Counts | None = None,
) -> None:
    """Post the card in the Broadcasts topic, or edit it in place."""
    if organisation.staff_chat_id is None:
        return
    with room.room_language(i18n, organisation):
        language = i18n.current_locale
        text = card_text(broadcast, organisation, content, language, counts)
        markup = card_markup(broadcast)
    try:
        if broadcast.card_message_id is None:
            sent = await bot.send_message(
                organisation.staff_chat_id,
                text,
                message_thread_id=organisation.broadcasts_thread_id,
                reply_markup=markup,
            )
            broadcast.card_message_id = sent.message_id
        else:
            await bot.edit_message_text(
                text, chat_id=organisation.staff_chat_id, message_id=broadcast.card_message_id, reply_markup=markup
            )
    except TelegramBadRequest as error:
        if "message is not modified" not in error.message:
            log.warning("broadcast card %d not updated: %s", broadcast.id, error.message)
    except TelegramAPIError as error:
        log.warning("broadcast card %d not updated: %s", broadcast.id, type(error).__name__)


async def post_previews(bot: Bot, i18n: I18n, chat_id: int, thread_id: int | None, broadcast: Broadcast) -> None:
    """Each language's message exactly as members will see it, under a one-line heading."""
    for language in service.split(broadcast.languages):
        text = service.text_for(broadcast, language)
        if text is None:
            continue
        await bot.send_message(
            chat_id, _("Preview · {language}:").format(language=LANGUAGE_NAMES[language]), message_thread_id=thread_id
        )
        with i18n.use_locale(language):
            outgoing = member_message(text, broadcast.topic)
        markup = _preview_markup(outgoing.reply_markup)
        await bot.send_message(chat_id, outgoing.text, message_thread_id=thread_id, reply_markup=markup)


def _preview_markup(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """The same buttons, same labels; pressing them in a preview changes nobody's settings."""
    if markup is None:
        return None
    rows = [
        [InlineKeyboardButton(text=b.text, callback_data=PreviewButton().pack()) for b in row]
        for row in markup.inline_keyboard
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


# --- wiring into the engine and the scheduler ------------------------------------------------------


def setup_broadcasts(app: Umbrella) -> None:
    """Register the broadcast kind with the delivery engine and the scheduler (bot/app.py calls this)."""
    engine: DeliveryEngine = app.delivery  # type: ignore[assignment]
    schedules: Scheduler = app.schedules  # type: ignore[assignment]

    async def render(session: AsyncSession, ref_id: int, to: Recipient) -> Outgoing | None:
        broadcast = await session.get(Broadcast, ref_id)  # the session's identity map: one query per batch
        if broadcast is None:
            return None
        text = service.text_for(broadcast, to.language)
        if text is None or to.language not in service.split(broadcast.languages):
            return None
        with app.i18n.context(), app.i18n.use_locale(to.language):
            return member_message(text, broadcast.topic)

    async def progress(job: DeliveryJob, counts: Counts) -> None:
        async with app.sessionmaker() as session:
            broadcast = await service.finished(session, job.ref_id, counts.status) if counts.pending == 0 else None
            broadcast = broadcast or await service.get(session, job.ref_id)
            if broadcast is None:
                return
            organisation = await session.get(Organisation, broadcast.organisation_id)
            if organisation is None:
                return
            with app.i18n.context():
                await update_card(app.bot, app.i18n, app.content, organisation, broadcast, counts)
            await session.commit()

    async def start(ref_id: int) -> None:
        async with app.sessionmaker() as session:
            job_id = await service.start(session, ref_id, app.clock())
            await session.commit()
        if job_id is not None:
            engine.wake()

    engine.register(service.KIND, render, progress)
    schedules.on_due(service.KIND, start)


# --- composing ---------------------------------------------------------------------------------------


async def _organisation(session: AsyncSession, staff: StaffInfo) -> Organisation | None:
    return await staff_service.organisation_by_id(session, staff.organisation_id)


def _abort_row() -> list[InlineKeyboardButton]:
    return [button(_("✖️ Cancel"), Compose(action="abort"))]


@router.message(Command("broadcast"), F.chat.type == "private", HasRole(*COMPOSERS))
async def compose(message: Message, staff: StaffInfo, session: AsyncSession, state: FSMContext) -> None:
    organisation = await _organisation(session, staff)
    if organisation is None or organisation.staff_chat_id is None:
        await message.answer(_("Register your staff room first (/register_room): broadcasts report there."))
        return
    await state.clear()
    await state.set_state(BroadcastForm.mode)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [button(_("🌐 One text for everyone"), Compose(action="mode", value=ALL))],
            [button(_("🔤 A text per language"), Compose(action="mode", value="each"))],
            _abort_row(),
        ]
    )
    await message.answer(
        _("<b>📣 New broadcast</b>\n\nOne text for members of every language, or a text per language?"),
        reply_markup=markup,
    )


@router.message(Command("broadcast"))
async def compose_refused(message: Message) -> None:
    if message.chat.type != "private":
        await message.answer(_("Please send this command to me in a private chat."))
    else:
        await message.answer(_("Only an organisation's broadcasters and admins can send broadcasts."))


async def _ask_text(message: Message, language: str) -> None:
    if language == ALL:
        prompt = _("Send the text for everyone.")
    else:
        prompt = _("Send the text in {language}.").format(language=LANGUAGE_NAMES[language])
    hint = _(
        "Bold, italics and links are kept. Keep the first line neutral: a locked phone shows it in the notification."
    )
    await message.answer(f"{prompt}\n\n{hint}", reply_markup=InlineKeyboardMarkup(inline_keyboard=[_abort_row()]))


@router.callback_query(BroadcastForm.mode, Compose.filter(F.action == "mode"))
async def chose_mode(query: CallbackQuery, callback_data: Compose, state: FSMContext) -> None:
    waiting = [ALL] if callback_data.value == ALL else list(LANGUAGES)
    await state.update_data(waiting=waiting, texts={})
    await state.set_state(BroadcastForm.text)
    await query.answer()
    if isinstance(query.message, Message):
        await _ask_text(query.message, waiting[0])


@router.message(BroadcastForm.text, F.text)
async def got_text(message: Message, state: FSMContext) -> None:
    data = await state.get_data()
    waiting: list[str] = data.get("waiting") or [ALL]
    texts: dict[str, str] = data.get("texts") or {}
    texts[waiting[0]] = message.html_text
    waiting = waiting[1:]
    await state.update_data(waiting=waiting, texts=texts)
    if waiting:
        await _ask_text(message, waiting[0])
        return
    await state.set_state(BroadcastForm.topic)
    buttons = [[button(topic_name(topic), Compose(action="topic", value=topic.value))] for topic in Topic]
    await message.answer(
        _("Which topic is it? Members choose the topics they receive."),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=[*buttons, _abort_row()]),
    )


@router.message(BroadcastForm.text)
async def not_a_text(message: Message) -> None:
    await message.answer(_("Please send the text as a message. Photos, stickers and files are not broadcast."))


async def _cities_markup(session: AsyncSession, staff: StaffInfo, content: ContentStore, chosen: list[str]):  # type: ignore[no-untyped-def]
    served = await service.served_cities(session, staff.organisation_id)
    language = staff.language or "en"
    rows = []
    for slug in served:
        city = content.city(slug)
        name = city_name(city, language) if city is not None else slug
        rows.append([button(("✅ " if slug in chosen else "▫️ ") + name, Compose(action="city", value=slug))])
    rows.append([button(_("📍 All our cities"), Compose(action="city", value=ALL))])
    rows.append([button(_("➡️ Next"), Compose(action="cities_done"))])
    rows.append(_abort_row())
    return InlineKeyboardMarkup(inline_keyboard=rows)


@router.callback_query(BroadcastForm.topic, Compose.filter(F.action == "topic"))
async def chose_topic(
    query: CallbackQuery,
    callback_data: Compose,
    state: FSMContext,
    session: AsyncSession,
    staff: StaffInfo,
    content: ContentStore,
) -> None:
    if callback_data.value not in Topic._value2member_map_:
        await query.answer(_("This button is out of date."), show_alert=True)
        return
    await state.update_data(topic=callback_data.value, cities=[])
    await state.set_state(BroadcastForm.cities)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(
            _("Which cities? Only the cities your organisation serves can be reached."),
            reply_markup=await _cities_markup(session, staff, content, []),
        )


@router.callback_query(BroadcastForm.cities, Compose.filter(F.action == "city"))
async def toggle_city(
    query: CallbackQuery,
    callback_data: Compose,
    state: FSMContext,
    session: AsyncSession,
    staff: StaffInfo,
    content: ContentStore,
) -> None:
    served = await service.served_cities(session, staff.organisation_id)
    chosen: list[str] = (await state.get_data()).get("cities") or []
    if callback_data.value == ALL:
        chosen = list(served)
    elif callback_data.value in served:
        chosen = (
            [c for c in chosen if c != callback_data.value]
            if callback_data.value in chosen
            else [*chosen, callback_data.value]
        )
    else:
        await query.answer(_("Your organisation does not serve this city."), show_alert=True)
        return
    await state.update_data(cities=chosen)
    await query.answer()
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramBadRequest):  # "not modified": All pressed twice
            await query.message.edit_reply_markup(reply_markup=await _cities_markup(session, staff, content, chosen))


def _languages_markup(chosen: list[str]) -> InlineKeyboardMarkup:
    rows = [
        [button(("✅ " if code in chosen else "▫️ ") + LANGUAGE_NAMES[code], Compose(action="lang", value=code))]
        for code in LANGUAGES
    ]
    rows.append([button(_("➡️ Next"), Compose(action="langs_done"))])
    rows.append(_abort_row())
    return InlineKeyboardMarkup(inline_keyboard=rows)


@router.callback_query(BroadcastForm.cities, Compose.filter(F.action == "cities_done"))
async def cities_done(query: CallbackQuery, state: FSMContext) -> None:
    data = await state.get_data()
    if not data.get("cities"):
        await query.answer(_("Choose at least one of the cities your organisation serves."), show_alert=True)
        return
    chosen = list(LANGUAGES)
    await state.update_data(languages=chosen)
    await state.set_state(BroadcastForm.languages)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(
            _("Members of which languages? Each member gets the message in the language they use in the bot."),
            reply_markup=_languages_markup(chosen),
        )


@router.callback_query(BroadcastForm.languages, Compose.filter(F.action == "lang"))
async def toggle_language(query: CallbackQuery, callback_data: Compose, state: FSMContext) -> None:
    if callback_data.value not in LANGUAGES:
        await query.answer(_("This button is out of date."), show_alert=True)
        return
    chosen: list[str] = (await state.get_data()).get("languages") or []
    code = callback_data.value
    chosen = [c for c in chosen if c != code] if code in chosen else [c for c in LANGUAGES if c in {*chosen, code}]
    await state.update_data(languages=chosen)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=_languages_markup(chosen))


def _draft(data: dict) -> Draft:  # type: ignore[type-arg]
    return Draft(
        texts=dict(data.get("texts") or {}),
        topic=Topic(data["topic"]),
        cities=tuple(data.get("cities") or ()),
        languages=tuple(data.get("languages") or ()),
    )


@router.callback_query(BroadcastForm.languages, Compose.filter(F.action == "langs_done"))
async def review(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    staff: StaffInfo,
    content: ContentStore,
    bot: Bot,
    i18n: I18n,
) -> None:
    data = await state.get_data()
    if not data.get("languages"):
        await query.answer(_("Choose at least one language."), show_alert=True)
        return
    draft = _draft(data)
    await state.set_state(BroadcastForm.review)
    await query.answer()
    if not isinstance(query.message, Message):
        return
    chat_id = query.message.chat.id
    for language in draft.languages:
        text = draft.text_for(language)
        if text is None:
            continue
        await bot.send_message(chat_id, _("Preview · {language}:").format(language=LANGUAGE_NAMES[language]))
        with i18n.use_locale(language):
            outgoing = member_message(text, draft.topic)
        await bot.send_message(chat_id, outgoing.text, reply_markup=_preview_markup(outgoing.reply_markup))
    size = await service.audience_size(session, list(draft.cities), list(draft.languages), draft.topic)
    language = staff.language or "en"
    summary = "\n".join(
        [
            _("<b>📣 Ready to send</b>"),
            _("Topic: {topic}").format(topic=topic_name(draft.topic)),
            _("Cities: {cities}").format(cities=_cities_text(content, list(draft.cities), language)),
            _("Languages: {languages}").format(languages=_languages_text(list(draft.languages))),
            _("Members who would receive it now: {count}").format(count=size),
        ]
    )
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [button(_("🚀 Send now"), Compose(action="send", value="now"))],
            [button(_("🕒 Choose a time"), Compose(action="later"))],
            _abort_row(),
        ]
    )
    await bot.send_message(chat_id, summary, reply_markup=markup)


@router.callback_query(BroadcastForm.review, Compose.filter(F.action == "later"))
async def ask_when(query: CallbackQuery, state: FSMContext, session: AsyncSession, staff: StaffInfo) -> None:
    organisation = await _organisation(session, staff)
    await state.set_state(BroadcastForm.when)
    await query.answer()
    if isinstance(query.message, Message) and organisation is not None:
        await query.message.answer(
            _(
                "When should it go out? Send a date and time in {zone}, for example 17.12 10:00 or 2026-12-17 10:00."
            ).format(zone=organisation.timezone),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[_abort_row()]),
        )


@router.message(BroadcastForm.when)
async def got_when(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    staff: StaffInfo,
    clock: Clock,
    bot: Bot,
    i18n: I18n,
    content: ContentStore,
    schedules: Scheduler,
) -> None:
    organisation = await _organisation(session, staff)
    if organisation is None:
        return
    when = service.parse_when(message.text or "", staff_service.local_time(organisation, clock()).tzinfo, clock())  # type: ignore[arg-type]
    if when is None:
        await message.answer(
            _("I could not read that as a time in the future. Please send it like 17.12 10:00 or 2026-12-17 10:00.")
        )
        return
    await _submit(message, state, session, staff, organisation, when, clock, bot, i18n, content, schedules)


@router.callback_query(BroadcastForm.review, Compose.filter(F.action == "send"))
async def send_now(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    staff: StaffInfo,
    clock: Clock,
    bot: Bot,
    i18n: I18n,
    content: ContentStore,
    schedules: Scheduler,
) -> None:
    await query.answer()
    organisation = await _organisation(session, staff)
    if organisation is None or not isinstance(query.message, Message):
        return
    await _submit(query.message, state, session, staff, organisation, None, clock, bot, i18n, content, schedules)


async def _submit(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    staff: StaffInfo,
    organisation: Organisation,
    when,  # type: ignore[no-untyped-def]
    clock: Clock,
    bot: Bot,
    i18n: I18n,
    content: ContentStore,
    schedules: Scheduler,
) -> None:
    try:
        broadcast = await service.create(session, organisation, staff.id, _draft(await state.get_data()), when, clock())
    except BroadcastError as error:
        await message.answer(_problem(error.reason))
        return
    await state.clear()
    if broadcast.status == Status.awaiting_approval and organisation.staff_chat_id is not None:
        with room.room_language(i18n, organisation):
            await post_previews(bot, i18n, organisation.staff_chat_id, organisation.broadcasts_thread_id, broadcast)
    await update_card(bot, i18n, content, organisation, broadcast)
    await session.commit()
    if broadcast.status == Status.awaiting_approval:
        text = _("Broadcast #{id} waits for a supervisor's approval in the Broadcasts topic.")
    elif broadcast.send_at is not None:
        text = _(
            "Broadcast #{id} is scheduled for {when}. You can cancel it in the Broadcasts topic or with /broadcasts."
        )
    else:
        text = _("Broadcast #{id} is going out now. Progress and counts are in the Broadcasts topic.")
    language = staff.language or "en"
    when_text = _when_text(organisation, broadcast.send_at, language) if broadcast.send_at else ""
    await message.answer(text.format(id=broadcast.id, when=when_text))
    if broadcast.status == Status.scheduled and broadcast.send_at is None:
        schedules.kick()


@router.callback_query(StateFilter(BroadcastForm), Compose.filter(F.action == "abort"))
async def abort(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(_("Cancelled: nothing was sent."))


@router.callback_query(Compose.filter())
async def compose_stale(query: CallbackQuery) -> None:
    await query.answer(_("This form is closed. Start again with /broadcast."), show_alert=True)


@router.callback_query(PreviewButton.filter())
async def preview_pressed(query: CallbackQuery) -> None:
    await query.answer(_("This is a preview: members see this button under the message."), show_alert=True)


# --- approval, cancel, the list ------------------------------------------------------------------------


@router.callback_query(Card.filter())
async def card_action(
    query: CallbackQuery,
    callback_data: Card,
    session: AsyncSession,
    bot: Bot,
    i18n: I18n,
    content: ContentStore,
    clock: Clock,
    schedules: Scheduler,
    staff: StaffInfo | None = None,
) -> None:
    broadcast = await service.get(session, callback_data.id, staff.organisation_id) if staff else None
    if staff is None or broadcast is None:
        await query.answer(_("This button is out of date or not meant for you."), show_alert=True)
        return
    action = callback_data.action
    allowed = {
        "approve": staff.has(Role.supervisor),
        "reject": staff.has(Role.supervisor),
        "cancel": staff.has(Role.supervisor) or staff.has(Role.admin) or staff.has(Role.broadcaster),
    }
    if not allowed.get(action, False):
        if action in ("approve", "reject"):
            await query.answer(_("Only a supervisor can approve or reject a broadcast."), show_alert=True)
        else:
            await query.answer(_("This button is out of date or not meant for you."), show_alert=True)
        return
    try:
        if action == "approve":
            await service.approve(session, broadcast, staff.id, clock())
            answer = _("Approved.")
        elif action == "reject":
            await service.reject(session, broadcast, staff.id)
            answer = _("Rejected: it will not be sent.")
        else:
            await service.cancel(session, broadcast)
            answer = _("Cancelled: no further message goes out.")
    except BroadcastError as error:
        await query.answer(_problem(error.reason), show_alert=True)
        return
    organisation = await session.get(Organisation, broadcast.organisation_id)
    await session.commit()
    await query.answer(answer, show_alert=True)
    if organisation is not None:
        await update_card(bot, i18n, content, organisation, broadcast)
        await session.commit()
    if action == "approve":
        schedules.kick()


@router.message(Command("broadcasts"), F.chat.type == "private", HasRole(*COMPOSERS, Role.supervisor))
async def list_broadcasts(message: Message, staff: StaffInfo, session: AsyncSession, content: ContentStore) -> None:
    organisation = await _organisation(session, staff)
    recent = await service.recent(session, staff.organisation_id)
    if organisation is None or not recent:
        await message.answer(_("No broadcasts yet. Start one with /broadcast."))
        return
    language = staff.language or "en"
    for broadcast in recent:
        await message.answer(
            card_text(broadcast, organisation, content, language, None), reply_markup=card_markup(broadcast)
        )


@router.message(Command("broadcast_approval"), HasRole(Role.admin))
async def approval_setting(message: Message, command: CommandObject, staff: StaffInfo, session: AsyncSession) -> None:
    wanted = (command.args or "").strip().lower()
    if wanted not in ("on", "off"):
        organisation = await _organisation(session, staff)
        current = _("on") if organisation is not None and organisation.broadcast_approval else _("off")
        await message.answer(
            _("Second approval of broadcasts is {state}. Usage: /broadcast_approval on|off").format(state=current)
        )
        return
    await service.set_approval(session, staff.organisation_id, wanted == "on")
    if wanted == "on":
        await message.answer(_("From now on a supervisor approves every broadcast before it goes out."))
    else:
        await message.answer(_("Broadcasts now go out without a second approval."))


@router.message(Command("broadcast_approval"))
async def approval_refused(message: Message) -> None:
    await message.answer(_("Only an organisation's admins can use this command."))


@router.message(Command("broadcasts"))
async def list_refused(message: Message) -> None:
    if message.chat.type != "private":
        await message.answer(_("Please send this command to me in a private chat."))
    else:
        await message.answer(_("Only an organisation's broadcasters and admins can send broadcasts."))
