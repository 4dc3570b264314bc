"""Report a bad client: a guided form (city, when, what happened, description, identifiers, an
optional photo, consent), a summary, and a reference code.

The draft lives in the database (sealed with the privacy key), not only in FSM storage, so a
half-filled report survives a pause and a restart of the bot even with in-memory storage: typed
answers are matched to the draft's step, and Safety -> Report a client offers to continue.
Back and Cancel are on every step.
"""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router, html
from aiogram.filters import BaseFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.loader import ContentStore
from bot.privacy import Privacy
from bot.services import reports, staff
from bot.services.identifiers import Kind, parse, region_of_country, split_input
from bot.services.members import MemberInfo
from bot.services.reports import MAX_DESCRIPTION, Category, Draft, Step, When
from handlers.member.city import city_name, match_city
from handlers.ui import Clock, Nav, Screen, button, show

router = Router(name="reports")
input_router = Router(name="reports-input")
log = logging.getLogger(__name__)


class ReportNav(CallbackData, prefix="rp"):
    action: str  # start, resume, restart, back, next, cancel, send, clear


class ReportPick(CallbackData, prefix="rpk"):
    field: str  # city, when, what, consent
    value: str


# --- labels shared with moderation, alerts and the number check -----------------------------------


def category_labels() -> dict[str, str]:
    return {
        Category.violence: _("👊 Violence"),
        Category.sexual_assault: _("⚠️ Sexual assault"),
        Category.robbery: _("💰 Robbery"),
        Category.no_pay: _("💸 Refused to pay"),
        Category.condom: _("🚫 Removed the condom"),
        Category.threats: _("😠 Threats"),
        Category.fake_police: _("👮 Posing as police"),
        Category.other: _("❓ Other"),
    }


def category_names(codes: str | list[str]) -> str:
    """Categories as words, without icons, for running text."""
    names = {
        Category.violence: _("violence"),
        Category.sexual_assault: _("sexual assault"),
        Category.robbery: _("robbery"),
        Category.no_pay: _("refused to pay"),
        Category.condom: _("removed the condom"),
        Category.threats: _("threats"),
        Category.fake_police: _("posing as police"),
        Category.other: _("other"),
    }
    items = codes.split(",") if isinstance(codes, str) else codes
    return ", ".join(names.get(code, code) for code in items if code)  # type: ignore[call-overload]


def when_labels() -> dict[str, str]:
    return {
        When.today: _("Today"),
        When.yesterday: _("Yesterday"),
        When.week: _("In the last week"),
        When.month: _("In the last month"),
        When.earlier: _("Earlier"),
    }


KIND_ICONS = {Kind.phone: "📞", Kind.handle: "💬", Kind.email: "✉️", Kind.plate: "🚗"}


def identifier_lines(identifiers: list[tuple[str, str]]) -> list[str]:
    shown = [(kind, "@" + value if kind == Kind.handle else value) for kind, value in identifiers]
    return [f"{KIND_ICONS.get(Kind(kind), '•')} {html.quote(value)}" for kind, value in shown]


# --- screens --------------------------------------------------------------------------------------


def _nav_row(draft: Draft) -> list[InlineKeyboardButton]:
    row = []
    if draft.step != Step.city:
        row.append(button(_("⬅️ Back"), ReportNav(action="back")))
    row.append(button(_("❌ Cancel"), ReportNav(action="cancel")))
    row.append(button(_("🏠 Menu"), Nav(to=Screen.home)))  # a pause: the draft waits for the member
    return row


def _header(draft: Draft) -> str:
    number = reports.STEPS.index(draft.step) + 1
    return _("<b>📝 Report a client</b> · step {n} of {total}").format(n=number, total=len(reports.STEPS))


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[start : start + width] for start in range(0, len(buttons), width)]


def summary_lines(draft: Draft, content: ContentStore, language: str) -> list[str]:
    city = content.city(draft.city) if draft.city else None
    lines = [
        _("City: {city}").format(city=html.quote(city_name(city, language)) if city else "—"),
        _("When: {when}").format(when=when_labels().get(draft.when or "", "—")),
        _("What happened: {what}").format(what=category_names(draft.categories) or "—"),
        "",
        _("Description:"),
        html.quote(draft.description or "—"),
    ]
    if draft.identifiers:
        lines += ["", _("Phones, handles, e-mails, plates:"), *identifier_lines(draft.identifiers)]
    lines += ["", _("Photo: attached") if draft.photo else _("Photo: none")]
    yes, no = "✅", "—"
    lines += [
        "",
        _("Anonymous alert to the community: {answer}").format(answer=yes if draft.community else no),
        _("Also to partner lawyers: {answer}").format(answer=yes if draft.lawyers else no),
        _("To the police: {answer}").format(answer=yes if draft.police else no),
    ]
    return lines


def render(draft: Draft, content: ContentStore, language: str) -> tuple[str, InlineKeyboardMarkup]:
    """The screen of the draft's current step."""
    rows: list[list[InlineKeyboardButton]] = []
    parts = [_header(draft)]
    if draft.step == Step.city:
        parts.append(_("Where did it happen? Tap a city or type its name."))
        cities = [
            button(
                ("✅ " if c.id == draft.city else "📍 ") + city_name(c, language), ReportPick(field="city", value=c.id)
            )
            for c in content.cities
        ]
        rows += _rows(cities, 2)
    elif draft.step == Step.when:
        parts.append(_("When did it happen?"))
        rows += _rows(
            [
                button(("✅ " if code == draft.when else "") + label, ReportPick(field="when", value=code))
                for code, label in when_labels().items()
            ],
            2,
        )
    elif draft.step == Step.what:
        parts.append(_("What happened? Tap everything that fits, then Next."))
        rows += _rows(
            [
                button(("✅ " if code in draft.categories else "") + label, ReportPick(field="what", value=code))
                for code, label in category_labels().items()
            ],
            2,
        )
        rows.append([button(_("➡️ Next"), ReportNav(action="next"))])
    elif draft.step == Step.describe:
        parts.append(
            _(
                "Describe what happened and the person: how they look, their car, how they contacted you. "
                "Please leave out your own name and anything that could identify you. "
                "Up to {limit} characters."
            ).format(limit=MAX_DESCRIPTION)
        )
        if draft.description:
            parts.append(_("Now:") + "\n" + html.quote(draft.description))
            rows.append([button(_("➡️ Keep this and continue"), ReportNav(action="next"))])
    elif draft.step == Step.ids:
        parts.append(
            _(
                "The client's phone numbers, messenger handles, e-mails or car plates, if you know any. "
                "Send them as a message (one per line), then tap Next."
            )
        )
        if draft.identifiers:
            parts.append(_("Added so far:") + "\n" + "\n".join(identifier_lines(draft.identifiers)))
            rows.append(
                [
                    button(_("🗑 Clear the list"), ReportNav(action="clear")),
                    button(_("➡️ Next"), ReportNav(action="next")),
                ]
            )
        else:
            rows.append([button(_("⏭ Skip"), ReportNav(action="next"))])
    elif draft.step == Step.photo:
        parts.append(
            _(
                "You can send one photo (the client, the car, a message from them). Only the moderators "
                "see it; it is never sent to members."
            )
        )
        if draft.photo:
            parts.append(_("A photo is attached."))
            rows.append(
                [
                    button(_("🗑 Remove the photo"), ReportNav(action="clear")),
                    button(_("➡️ Next"), ReportNav(action="next")),
                ]
            )
        else:
            rows.append([button(_("⏭ Skip"), ReportNav(action="next"))])
    elif draft.step == Step.consent:
        parts.append(
            _(
                "Who may receive this report? Your name and Telegram account are never shared with anyone. "
                "Nothing goes to the police unless you tick it."
            )
        )
        toggles = [
            ("community", draft.community, _("Anonymous alert to the community")),
            ("lawyers", draft.lawyers, _("Also to partner lawyers")),
            ("police", draft.police, _("To the police")),
        ]
        for code, on, label in toggles:
            rows.append([button(("✅ " if on else "⬜ ") + label, ReportPick(field="consent", value=code))])
        rows.append([button(_("➡️ Next"), ReportNav(action="next"))])
    else:
        parts.append(_("Please check your report:"))
        parts.append("\n".join(summary_lines(draft, content, language)))
        rows.append([button(_("✅ Send the report"), ReportNav(action="send"))])
    rows.append(_nav_row(draft))
    return "\n\n".join(parts), InlineKeyboardMarkup(inline_keyboard=rows)


async def _show_step(event: Message | CallbackQuery, draft: Draft, content: ContentStore, member: MemberInfo) -> None:
    text, markup = render(draft, content, member.language)
    await show(event, text, markup)


async def _save(session: AsyncSession, privacy: Privacy, member: MemberInfo, draft: Draft, clock: Clock) -> None:
    await reports.save_draft(session, privacy, member.id, draft, clock())


# --- entry ----------------------------------------------------------------------------------------


@router.callback_query(ReportNav.filter(F.action == "start"))
async def start_report(
    query: CallbackQuery, session: AsyncSession, member: MemberInfo, content: ContentStore, privacy: Privacy
) -> None:
    await query.answer()
    draft = await reports.load_draft(session, privacy, member.id)
    if draft is not None:
        text = _("You have a report you have not sent yet. Continue where you stopped, or start again?")
        markup = InlineKeyboardMarkup(
            inline_keyboard=[
                [button(_("▶️ Continue"), ReportNav(action="resume"))],
                [button(_("🔄 Start again"), ReportNav(action="restart"))],
                [button(_("⬅️ Back"), Nav(to=Screen.safety))],
            ]
        )
        await show(query, text, markup)
        return
    text = _(
        "<b>📝 Report a client</b>\n\n"
        "Tell the organisation about a client who was violent, robbed you, refused to pay or put you in "
        "danger. Moderators remove anything that could identify you, then warn others in that city.\n\n"
        "You stay anonymous. After the moderators decide, the bot keeps no link between you and the report."
    )
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [button(_("📝 Start"), ReportNav(action="restart"))],
            [button(_("⬅️ Back"), Nav(to=Screen.safety)), button(_("🏠 Menu"), Nav(to=Screen.home))],
        ]
    )
    await show(query, text, markup)


@router.callback_query(ReportNav.filter(F.action.in_({"resume", "restart"})))
async def begin(
    query: CallbackQuery,
    callback_data: ReportNav,
    session: AsyncSession,
    member: MemberInfo,
    content: ContentStore,
    privacy: Privacy,
    clock: Clock,
) -> None:
    await query.answer()
    draft = await reports.load_draft(session, privacy, member.id) if callback_data.action == "resume" else None
    if draft is None:
        draft = Draft(city=member.city if content.city(member.city or "") else None)
    await _save(session, privacy, member, draft, clock)  # touched: typed answers reach it again
    await _show_step(query, draft, content, member)


async def _draft_or_gone(
    query: CallbackQuery, session: AsyncSession, privacy: Privacy, member: MemberInfo
) -> Draft | None:
    draft = await reports.load_draft(session, privacy, member.id)
    if draft is None:
        await query.answer(_("This report was already sent or cancelled."))
        markup = InlineKeyboardMarkup(
            inline_keyboard=[
                [button(_("📝 Start"), ReportNav(action="restart"))],
                [button(_("⬅️ Back"), Nav(to=Screen.safety)), button(_("🏠 Menu"), Nav(to=Screen.home))],
            ]
        )
        await show(query, _("This report was already sent or cancelled."), markup)
    return draft


# --- buttons --------------------------------------------------------------------------------------


@router.callback_query(ReportPick.filter())
async def picked(
    query: CallbackQuery,
    callback_data: ReportPick,
    session: AsyncSession,
    member: MemberInfo,
    content: ContentStore,
    privacy: Privacy,
    clock: Clock,
) -> None:
    draft = await _draft_or_gone(query, session, privacy, member)
    if draft is None:
        return
    value = callback_data.value
    if callback_data.field == "city" and draft.step == Step.city and content.city(value) is not None:
        draft.city = value
        draft.advance()
    elif callback_data.field == "when" and draft.step == Step.when and value in When._value2member_map_:
        draft.when = value
        draft.advance()
    elif callback_data.field == "what" and draft.step == Step.what and value in Category._value2member_map_:
        if value in draft.categories:
            draft.categories.remove(value)
        else:
            draft.categories.append(value)
    elif (
        callback_data.field == "consent" and draft.step == Step.consent and value in {"community", "lawyers", "police"}
    ):
        setattr(draft, value, not getattr(draft, value))
    else:  # a button of another step (an old screen) or forged data: show where the form is
        await query.answer(_("This button is out of date. Here is your report."))
        await _show_step(query, draft, content, member)
        return
    await query.answer()
    await _save(session, privacy, member, draft, clock)
    await _show_step(query, draft, content, member)


@router.callback_query(ReportNav.filter(F.action.in_({"back", "next", "clear"})))
async def navigate(
    query: CallbackQuery,
    callback_data: ReportNav,
    session: AsyncSession,
    member: MemberInfo,
    content: ContentStore,
    privacy: Privacy,
    clock: Clock,
) -> None:
    draft = await _draft_or_gone(query, session, privacy, member)
    if draft is None:
        return
    if callback_data.action == "back":
        draft.step = draft.previous()
    elif callback_data.action == "clear":
        if draft.step == Step.ids:
            draft.identifiers = []
        elif draft.step == Step.photo:
            draft.photo = None
    else:
        missing = _missing(draft)
        if missing is not None:
            await query.answer(missing)  # a short note; the step stays on screen
            return
        draft.advance()
    await query.answer()
    await _save(session, privacy, member, draft, clock)
    await _show_step(query, draft, content, member)


def _missing(draft: Draft) -> str | None:
    """Why the member cannot leave the current step yet, or None."""
    if draft.step == Step.city and draft.city is None:
        return _("Please choose the city.")
    if draft.step == Step.when and draft.when is None:
        return _("Please choose when it happened.")
    if draft.step == Step.what and not draft.categories:
        return _("Please tap at least one thing that happened.")
    if draft.step == Step.describe and not draft.description:
        return _("Please describe what happened first.")
    return None


@router.callback_query(ReportNav.filter(F.action == "cancel"))
async def cancel(query: CallbackQuery, session: AsyncSession, member: MemberInfo) -> None:
    await query.answer()
    await reports.drop_draft(session, member.id)
    text = _("The report was cancelled and deleted. Nothing was sent.")
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[button(_("⬅️ Back"), Nav(to=Screen.safety)), button(_("🏠 Menu"), Nav(to=Screen.home))]]
    )
    await show(query, text, markup)


@router.callback_query(ReportNav.filter(F.action == "send"))
async def send(
    query: CallbackQuery,
    bot: Bot,
    session: AsyncSession,
    member: MemberInfo,
    content: ContentStore,
    privacy: Privacy,
    i18n: I18n,
    clock: Clock,
) -> None:
    from handlers.staff.moderation import post_card

    draft = await _draft_or_gone(query, session, privacy, member)
    if draft is None:
        return
    if draft.step != Step.summary or _complete(draft) is not None:
        await query.answer(_("Some answers are missing. Here is your report."))
        draft.step = _complete(draft) or Step.summary
        await _save(session, privacy, member, draft, clock)
        await _show_step(query, draft, content, member)
        return
    organisation = await staff.organisation_for_city(session, draft.city)
    if organisation is None or organisation.staff_chat_id is None or organisation.reports_thread_id is None:
        await query.answer()
        text = _(
            "Sorry, no organisation receives reports for this city yet. Your report is kept as a draft "
            "for a week, so you can send it later. If you are in danger, use Urgent help."
        )
        await show(
            query, text, InlineKeyboardMarkup(inline_keyboard=[[button(_("🆘 Urgent help"), Nav(to=Screen.urgent))]])
        )
        return
    await query.answer()
    case_code = privacy.case_code(privacy.member_hash(query.from_user.id))
    report = await reports.submit(session, privacy, member.id, case_code, draft, organisation.id, clock())
    await post_card(bot, session, privacy, i18n, content, organisation, report)
    log.info("report %s sent for moderation", report.reference)
    text = _(
        "✅ Thank you. Your report was sent to the moderators.\n\nReference: <b>{reference}</b>\n\n"
        "We will tell you here what they decide. After that the bot keeps no link between you and the report."
    ).format(reference=report.reference)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[button(_("⬅️ Back"), Nav(to=Screen.safety)), button(_("🏠 Menu"), Nav(to=Screen.home))]]
    )
    await show(query, text, markup)


def _complete(draft: Draft) -> Step | None:
    """The first step whose answer is missing, or None when the report can be sent."""
    if draft.city is None:
        return Step.city
    if draft.when is None:
        return Step.when
    if not draft.categories:
        return Step.what
    if not draft.description:
        return Step.describe
    return None


# --- typed answers (they survive a restart: the step comes from the database) ----------------------


class DraftAwaitsMessage(BaseFilter):
    """The member has a draft at a step that takes a message (a city name, text, identifiers, a photo)."""

    async def __call__(
        self, message: Message, session: AsyncSession, member: MemberInfo | None, clock: Clock
    ) -> bool | dict:
        if member is None or (message.text or "").startswith("/"):
            return False
        step = await reports.draft_step(session, member.id, clock() - reports.DRAFT_TYPING_WINDOW)
        return {"step": step} if step in reports.TEXT_STEPS else False


@input_router.message(DraftAwaitsMessage())
async def typed(
    message: Message,
    step: Step,
    session: AsyncSession,
    member: MemberInfo,
    content: ContentStore,
    privacy: Privacy,
    clock: Clock,
) -> None:
    draft = await reports.load_draft(session, privacy, member.id)
    if draft is None:
        return
    problem = None
    if step == Step.photo:
        if message.photo:
            draft.photo = message.photo[-1].file_id
            draft.advance()
        else:
            problem = _("Please send a photo, or tap Skip.")
    elif message.text is None:
        problem = _("Please type your answer as text.")
    elif step == Step.city:
        city = match_city(content, message.text)
        if city is None:
            problem = _("I don't know the city “{city}”. Tap one below.").format(city=html.quote(message.text[:100]))
        else:
            draft.city = city.id
            draft.advance()
    elif step == Step.describe:
        text = message.text.strip()
        if len(text) > MAX_DESCRIPTION:
            problem = _("This is {length} characters; please shorten it to {limit}.").format(
                length=len(text), limit=MAX_DESCRIPTION
            )
        else:
            draft.description = text
            draft.advance()
    elif step == Step.ids:
        problem = _add_identifiers(draft, message.text, content)
    await _save(session, privacy, member, draft, clock)
    text, markup = render(draft, content, member.language)
    await message.answer(f"⚠️ {problem}\n\n{text}" if problem else text, reply_markup=markup)


def _add_identifiers(draft: Draft, text: str, content: ContentStore) -> str | None:
    city = content.city(draft.city or "")
    region = region_of_country(city.country if city else None)
    not_understood = []
    for part in split_input(text):
        found = parse(part, region)
        # A bare word may be a plate or a handle: the report keeps the first reading; a check tries both.
        if found:
            draft.add_identifiers(found[:1])
        else:
            not_understood.append(part)
    if len(draft.identifiers) >= reports.MAX_IDENTIFIERS:
        return _("That is the most one report can hold.")
    if not_understood:
        shown = ", ".join(html.quote(part[:40]) for part in not_understood[:5])
        return _(
            "I could not read these as a phone number, handle, e-mail or car plate: {items}. "
            "Check the number, with the country code if it is from abroad."
        ).format(items=shown)
    return None
