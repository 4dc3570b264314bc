"""Anonymous statistics for supervisors and admins: /stats [week|month] [PERIOD].

In a private chat with the bot, or in the organisation's own staff room. Counts of 1–4 read "<5",
and medians, means and shares based on fewer than five conversations are withheld (see
bot.services.stats). Anyone else trying the command is told plainly that they cannot.
"""

from __future__ import annotations

from aiogram import F, Router, html
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.middlewares.staff import HasRole
from bot.services import staff as staff_service
from bot.services import stats as stats_service
from bot.services.staff import Role, StaffInfo
from bot.services.stats import Figures, PeriodInvalid, PeriodKind, SmallCount, Stats
from handlers.ui import Clock

ROLES = (Role.supervisor, Role.admin)
GROUPS = {"group", "supergroup"}

allowed = Router(name="staff_stats_allowed")
allowed.message.filter(F.chat.type.in_({"private", *GROUPS}), HasRole(*ROLES))
refusals = Router(name="staff_stats_refusals")

router = Router(name="staff_stats")
router.include_routers(allowed, refusals)


def _usage() -> str:
    return _("Usage: /stats [week|month] [PERIOD], for example /stats month 2026-11 or /stats week 2026-W48.")


def _n(count: SmallCount) -> str:
    """A count as presented ("<5" for 1-4, or withheld to protect a "<5" beside it), escaped for HTML."""
    if count.withheld:
        return _("withheld")
    return html.quote(str(count))


def _figures_lines(group: Figures) -> list[str]:
    withheld = _("withheld (fewer than 5)")
    topics = ", ".join(f"{html.quote(topic)} {_n(count)}" for topic, count in group.by_topic.items())
    wait = stats_service.minutes(group.median_wait)
    handling = stats_service.minutes(group.median_handling)
    share = stats_service.percent(group.answered_share)
    mean = group.feedback.mean
    scores = ", ".join(f"{score}★ {_n(count)}" for score, count in group.feedback.scores.items())
    return [
        _("Conversations: {count}").format(count=_n(group.conversations)),
        _("By topic: {topics}").format(topics=topics),
        _("Answered: {count} ({share})").format(count=_n(group.answered), share=share or withheld),
        _("Median wait: {wait}").format(wait=_("{minutes} min").format(minutes=wait) if wait else withheld),
        _("Median handling time: {time}").format(
            time=_("{minutes} min").format(minutes=handling) if handling else withheld
        ),
        _("Feedback: {rated} ratings; {scores}; mean {mean}").format(
            rated=_n(group.feedback.rated), scores=scores, mean=f"{mean:.1f}" if mean is not None else withheld
        ),
    ]


def _section_names() -> dict[str, str]:
    return {
        "rights": _("Rights"),
        "health": _("Health & clinics"),
        "safety": _("Safety"),
        "person": _("Talk to a person"),
        "urgent": _("Urgent help"),
        "settings": _("Settings"),
        "help": _("Help"),
    }


def render(stats: Stats, organisation_name: str) -> str:
    lines = [
        _("<b>Statistics of {organisation}, {period}</b>").format(
            organisation=html.quote(organisation_name), period=stats.period.label
        ),
        *_figures_lines(stats.overall),
        "",
        _("<b>By the member's city</b>"),
    ]
    for city, group in stats.by_city.items():
        lines.append(
            _("• {city}: {count} conversations, {answered} answered").format(
                city=html.quote(city), count=_n(group.conversations), answered=_n(group.answered)
            )
        )
    lines.append(_("• no city chosen: {count} conversations").format(count=_n(stats.city_unknown)))
    names = _section_names()
    opened = ", ".join(f"{html.quote(names.get(name, name))} {_n(count)}" for name, count in stats.sections.items())
    lines += ["", _("<b>Menu sections opened</b>"), opened or "—"]
    reports = stats.reports
    if reports:
        lines += [
            "",
            _("<b>Bad-client reports</b>"),
            _("Received {received}, approved {approved}, merged into alerts {merged}, rejected {rejected}").format(
                **{outcome: _n(count) for outcome, count in reports.items()}
            ),
        ]
    if stats.delivered:
        lines.append(
            _("Messages delivered: alerts {alerts}, broadcasts {broadcasts}").format(
                alerts=_n(stats.delivered["alert"]), broadcasts=_n(stats.delivered["broadcast"])
            )
        )
    lines.append("")
    lines.append(
        _("Counts of 1–4 are shown as “{small}”. The CSV export has every figure per city.").format(
            small=html.quote(str(SmallCount(1)))
        )
    )
    return "\n".join(lines)


@allowed.message(Command("stats"))
async def show_stats(
    message: Message, command: CommandObject, staff: StaffInfo, session: AsyncSession, clock: Clock
) -> None:
    organisation = await staff_service.organisation_by_id(session, staff.organisation_id)
    if organisation is None:
        return
    if message.chat.type != "private" and message.chat.id != organisation.staff_chat_id:
        await message.answer(_("Please send /stats in your staff room or to me in a private chat."))
        return
    words = (command.args or "").split()
    kind: PeriodKind | None = None
    if words and words[0].lower() in PeriodKind._value2member_map_:
        kind = PeriodKind(words.pop(0).lower())
    if len(words) > 1:
        await message.answer(_usage())
        return
    try:
        if words:
            period = stats_service.parse_period(words[0], kind)
        else:
            today = staff_service.local_time(organisation, clock()).date()
            period = stats_service.current_period(kind or PeriodKind.month, today)
    except PeriodInvalid:
        await message.answer(_usage())
        return
    figures = await stats_service.compute(session, organisation, period)
    await message.answer(render(figures, organisation.name))


@refusals.message(Command("stats"))
async def refuse(message: Message) -> None:
    await message.answer(_("Only an organisation's supervisors and admins can see its statistics."))
