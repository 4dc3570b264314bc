"""Emergency numbers, shown wherever a member might need them at once, and the backup channel."""

from __future__ import annotations

from aiogram import html
from aiogram.utils.i18n import gettext as _

from bot.content.loader import ContentStore
from bot.content.schema import EmergencyContact
from bot.services.members import MemberInfo


def member_countries(content: ContentStore, member: MemberInfo) -> list[str]:
    """The member's country when we know their city, else every country we cover."""
    city = content.city(member.city) if member.city else None
    return [city.country] if city else list(content.countries)


def country_name(code: str) -> str:
    names = {"UA": _("Ukraine"), "RU": _("Russia")}
    return names.get(code, code)


def contact_line(contact: EmergencyContact, language: str) -> str:
    reach = contact.phone if contact.phone is not None else contact.url
    line = f"{html.quote(contact.label.get(language))}: <b>{html.quote(reach or '')}</b>"
    if contact.phone is not None and contact.url is not None:
        line += f" {html.quote(contact.url)}"
    if contact.note is not None:
        line += f" — {html.quote(contact.note.get(language))}"
    return line


def backup_block(content: ContentStore, language: str) -> str | None:
    """The "if this bot disappears, find us at …" block from organisation.yaml (None when unset)."""
    organisation = content.organisation
    if organisation is None:
        return None
    backup = organisation.backup
    lines = [
        _("<b>☂️ If this bot disappears</b>"),
        html.quote(backup.text.get(language)),
        html.quote(backup.link.get(language)),
    ]
    if organisation.sample:
        lines.append(_("<i>Sample address: the organisation has not set its own yet.</i>"))
    return "\n".join(lines)


def emergency_block(content: ContentStore, member: MemberInfo, language: str) -> str:
    countries = member_countries(content, member)
    lines = [_("<b>📞 Emergency numbers</b>")]
    for country in countries:
        contacts = content.emergency(country)
        if not contacts:
            continue
        if len(countries) > 1:
            lines.append(f"\n<b>{country_name(country)}</b>")
        lines.extend(contact_line(contact, language) for contact in contacts)
    backup = backup_block(content, language)
    if backup is not None:
        lines.append(f"\n{backup}")
    return "\n".join(lines)
