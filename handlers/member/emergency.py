"""Emergency numbers, shown wherever a member might need them at once."""

from __future__ import annotations

from aiogram import html
from aiogram.utils.i18n import gettext as _

from bot.content.loader import ContentStore
from bot.services.members import MemberInfo


def member_countries(content: ContentStore, member: MemberInfo) -> list[str]:
    """The member's country when we know their city, else every country we cover."""
    city = content.city(member.city) if member.city else None
    return [city.country] if city else list(content.countries)


def country_name(code: str) -> str:
    names = {"UA": _("Ukraine"), "RU": _("Russia")}
    return names.get(code, code)


def emergency_block(content: ContentStore, member: MemberInfo, language: str) -> str:
    countries = member_countries(content, member)
    lines = [_("<b>📞 Emergency numbers</b>")]
    for country in countries:
        contacts = content.emergency(country)
        if not contacts:
            continue
        if len(countries) > 1:
            lines.append(f"\n<b>{country_name(country)}</b>")
        for contact in contacts:
            line = f"{html.quote(contact.label.get(language))}: <b>{html.quote(contact.phone)}</b>"
            if contact.note is not None:
                line += f" — {html.quote(contact.note.get(language))}"
            lines.append(line)
    return "\n".join(lines)
