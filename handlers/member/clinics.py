"""Clinics and services: pick a need and a city, see what is open now, get the place as a venue."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from aiogram import F, Router, html
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.content.format import format_local_time, format_time_range, weekday_name
from bot.content.loader import ContentStore
from bot.content.schema import City, Clinic, ServiceTag
from bot.services.clinics import OpeningStatus, opening_status, sort_by_availability, week_schedule
from bot.services.members import MemberInfo
from handlers.member.city import after_city, ask_city, city_name
from handlers.ui import Clock, Nav, Screen, button, keyboard, show

router = Router(name="clinics")
ALL = "all"
MIDNIGHT = time(0, 0)


class FindClinic(CallbackData, prefix="fc"):
    """The list of needs."""


class ClinicNeed(CallbackData, prefix="need"):
    tag: str  # a ServiceTag value or "all"


class ClinicList(CallbackData, prefix="cl"):
    tag: str  # a ServiceTag value or "all"
    city: str


class ClinicView(CallbackData, prefix="cv"):
    id: str
    tag: str


class ClinicVenue(CallbackData, prefix="venue"):
    id: str


def tag_labels() -> dict[str, str]:
    return {
        ServiceTag.HIV_STI_TESTING: _("🧪 HIV/STI testing"),
        ServiceTag.PEP: _("💊 PEP after a risk"),
        ServiceTag.GYNAECOLOGY: _("🩺 Gynaecology"),
        ServiceTag.HARM_REDUCTION: _("💉 Harm reduction"),
        ServiceTag.TRANS_FRIENDLY: _("🏳️‍⚧️ Trans-friendly"),
        ServiceTag.NO_DOCUMENTS: _("📄 No documents needed"),
        ServiceTag.ANONYMOUS: _("🕶 Anonymous"),
        ServiceTag.FREE: _("🆓 Free"),
        ServiceTag.YOUTH: _("🌱 For young people"),
        ALL: _("🏥 All services"),
    }


def _opens_on(weekday: int, time: str) -> str:
    # Whole sentences per weekday: Russian and Ukrainian inflect the day after "on".
    sentences = (
        _("closed, opens Monday {time}"),
        _("closed, opens Tuesday {time}"),
        _("closed, opens Wednesday {time}"),
        _("closed, opens Thursday {time}"),
        _("closed, opens Friday {time}"),
        _("closed, opens Saturday {time}"),
        _("closed, opens Sunday {time}"),
    )
    return sentences[weekday].format(time=time)


def describe_status(status: OpeningStatus, now: datetime, language: str) -> str:
    """'open now, until 18:00' or 'closed, opens Monday 09:00', in the member's language."""
    today = now.date()  # `now` is local to the clinic's city
    if status.is_open:
        if status.closes_at is None:
            return _("open now, 24 hours")
        time = format_local_time(status.closes_at, language)
        if status.closes_at.date() == today or status.closes_at - now <= timedelta(hours=12):
            return _("open now, until {time}").format(time=time)
        return _("open now, until {day} {time}").format(
            day=weekday_name(status.closes_at.weekday(), language, "abbreviated"), time=time
        )
    if status.opens_at is None:
        return _("closed for now")
    time = format_local_time(status.opens_at, language)
    days = (status.opens_at.date() - today).days
    if days == 0:
        return _("closed, opens today {time}").format(time=time)
    if days == 1:
        return _("closed, opens tomorrow {time}").format(time=time)
    return _opens_on(status.opens_at.weekday(), time)


def clinic_status_lines(
    content: ContentStore, city: City, tag: ServiceTag | None, language: str, now: datetime, limit: int | None = None
) -> list[str]:
    tz = ZoneInfo(city.timezone)
    local_now = now.astimezone(tz)
    ranked = sort_by_availability(content.clinics(city.id, tag), tz, local_now)
    lines = []
    for clinic, status in ranked[:limit]:
        icon = "🟢" if status.is_open else "🔴"
        lines.append(
            f"{icon} <b>{html.quote(clinic.name.get(language))}</b> — {describe_status(status, local_now, language)}"
        )
    return lines


def _tag(value: str) -> ServiceTag | None:
    return None if value == ALL else ServiceTag(value)


def _valid_tag(value: str) -> bool:
    return value == ALL or value in ServiceTag._value2member_map_


async def show_needs(event: Message | CallbackQuery) -> None:
    labels = tag_labels()
    buttons = [button(labels[tag], ClinicNeed(tag=str(tag))) for tag in [*ServiceTag, ALL]]
    text = _("<b>🏥 Find a clinic</b>\n\nWhat do you need?")
    await show(event, text, keyboard(buttons, width=2, back=Nav(to=Screen.health)))


@router.callback_query(FindClinic.filter())
async def find_clinic(query: CallbackQuery) -> None:
    await show_needs(query)
    await query.answer()


@router.callback_query(ClinicNeed.filter(F.tag.func(_valid_tag)))
async def need_chosen(
    query: CallbackQuery,
    callback_data: ClinicNeed,
    member: MemberInfo,
    content: ContentStore,
    state: FSMContext,
    clock: Clock,
) -> None:
    await query.answer()
    if member.city and content.city(member.city):
        await show_clinic_list(query, member, content, callback_data.tag, member.city, clock())
    else:
        await ask_city(query, state, content, member.language, then=f"clinics.{callback_data.tag}", back=FindClinic())


async def show_clinic_list(
    event: Message | CallbackQuery,
    member: MemberInfo,
    content: ContentStore,
    tag: str,
    city_id: str | None,
    now: datetime,
) -> None:
    language = member.language
    city = content.city(city_id) if city_id else None
    if city is None or not _valid_tag(tag):
        await show_needs(event)
        return
    title = _("<b>{need} — {city}</b>").format(need=tag_labels()[tag], city=html.quote(city_name(city, language)))
    lines = clinic_status_lines(content, city, _tag(tag), language, now)
    if not lines:
        lines = [_("We don't know such a place in this city yet. Try another city or “All services”.")]
    clinics = sort_by_availability(content.clinics(city.id, _tag(tag)), ZoneInfo(city.timezone), now)
    buttons = [
        button(f"{'🟢' if status.is_open else '🔴'} {c.name.get(language)}", ClinicView(id=c.id, tag=tag))
        for c, status in clinics
    ]
    buttons.append(button(_("📍 Other city"), OtherCity(tag=tag)))
    text = "\n\n".join([title, "\n".join(lines), _("<i>Sample data: check before you go.</i>")])
    await show(event, text, keyboard(buttons, back=FindClinic()))


class OtherCity(CallbackData, prefix="oc"):
    tag: str


@router.callback_query(OtherCity.filter(F.tag.func(_valid_tag)))
async def other_city(
    query: CallbackQuery, callback_data: OtherCity, member: MemberInfo, content: ContentStore, state: FSMContext
) -> None:
    await ask_city(query, state, content, member.language, then=f"clinics.{callback_data.tag}", back=FindClinic())
    await query.answer()


@after_city("clinics")
async def _after_city(
    event: Message | CallbackQuery, member: MemberInfo, tag: str, content: ContentStore, now: datetime
) -> None:
    await show_clinic_list(event, member, content, tag, member.city, now)


@router.callback_query(ClinicList.filter())
async def clinic_list(
    query: CallbackQuery, callback_data: ClinicList, member: MemberInfo, content: ContentStore, clock: Clock
) -> None:
    if content.city(callback_data.city) is None or not _valid_tag(callback_data.tag):
        await query.answer(_("This place is no longer in the list."), show_alert=True)
        return
    await query.answer()
    await show_clinic_list(query, member, content, callback_data.tag, callback_data.city, clock())


def _hours_lines(clinic: Clinic, language: str) -> list[str]:
    lines = []
    for weekday, intervals in week_schedule(clinic):
        day = weekday_name(weekday, language, "abbreviated")
        if not intervals:
            hours = _("closed")
        elif intervals == [(MIDNIGHT, MIDNIGHT)]:
            hours = _("24 hours")
        else:
            hours = ", ".join(format_time_range(start, end, language) for start, end in intervals)
        lines.append(f"{day}: {hours}")
    return lines


def clinic_text(clinic: Clinic, city: City, language: str, now: datetime) -> str:
    tz = ZoneInfo(city.timezone)
    local_now = now.astimezone(tz)
    status = opening_status(clinic, tz, local_now)
    labels = tag_labels()
    parts = [
        f"<b>{html.quote(clinic.name.get(language))}</b>",
        ("🟢 " if status.is_open else "🔴 ") + describe_status(status, local_now, language),
        "📍 " + html.quote(clinic.address.get(language)),
    ]
    if clinic.phone:
        parts.append("📞 " + html.quote(clinic.phone))
    if clinic.website:
        parts.append("🌐 " + html.quote(str(clinic.website)))
    if clinic.tags:
        parts.append(" · ".join(labels[t] for t in clinic.tags))
    parts.append(_("<b>Opening hours</b> ({city} time)").format(city=html.quote(city_name(city, language))))
    parts.append("\n".join(_hours_lines(clinic, language)))
    if clinic.note is not None:
        parts.append(html.quote(clinic.note.get(language)))
    verified = clinic.last_verified.strftime("%d.%m.%Y")
    if clinic.sample:
        parts.append(_("<i>Sample data, last verified {date}. Check before you go.</i>").format(date=verified))
    else:
        parts.append(_("<i>Last verified {date}.</i>").format(date=verified))
    return "\n".join(parts)


@router.callback_query(ClinicView.filter())
async def clinic_view(
    query: CallbackQuery, callback_data: ClinicView, member: MemberInfo, content: ContentStore, clock: Clock
) -> None:
    clinic = content.clinic(callback_data.id)
    city = content.city(clinic.city) if clinic else None
    if clinic is None or city is None or not _valid_tag(callback_data.tag):
        await query.answer(_("This place is no longer in the list."), show_alert=True)
        return
    buttons = []
    if clinic.location is not None:
        buttons.append(button(_("🗺 Show on map"), ClinicVenue(id=clinic.id)))
    markup = keyboard(buttons, back=ClinicList(tag=callback_data.tag, city=city.id))
    await show(query, clinic_text(clinic, city, member.language, clock()), markup)
    await query.answer()


@router.callback_query(ClinicVenue.filter())
async def clinic_venue(
    query: CallbackQuery, callback_data: ClinicVenue, member: MemberInfo, content: ContentStore
) -> None:
    clinic = content.clinic(callback_data.id)
    if clinic is None or clinic.location is None or query.message is None:
        await query.answer(_("This place is no longer in the list."), show_alert=True)
        return
    await query.bot.send_venue(  # type: ignore[union-attr]
        chat_id=query.message.chat.id,
        latitude=clinic.location.lat,
        longitude=clinic.location.lon,
        title=clinic.name.get(member.language)[:128],
        address=clinic.address.get(member.language)[:256],
    )
    await query.answer()
