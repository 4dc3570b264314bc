"""Translations: Babel catalogues compiled on demand, the member's language read from the database."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.services.members import guess_language
from bot.settings import LANGUAGES

DOMAIN = "messages"
log = logging.getLogger(__name__)


def compile_catalogues(locales_dir: Path) -> list[Path]:
    """Compile every .po whose .mo is missing or older, so a fresh clone needs no manual step."""
    compiled = []
    for po_path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name, domain=DOMAIN)
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        tmp.replace(mo_path)
        compiled.append(mo_path)
    if compiled:
        log.info("compiled %d catalogues", len(compiled))
    return compiled


def create_i18n(locales_dir: Path, default_locale: str = "en") -> I18n:
    compile_catalogues(locales_dir)
    i18n = I18n(path=locales_dir, default_locale=default_locale, domain=DOMAIN)
    missing = set(LANGUAGES) - set(i18n.available_locales) - {"en"}
    if missing:
        raise RuntimeError(f"catalogues missing for {sorted(missing)} in {locales_dir}")
    return i18n


class MemberI18nMiddleware(I18nMiddleware):
    """The language the member chose, kept in the database (not in FSM state, which can be cleared)."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        member = data.get("member")
        if member is not None:
            locale = str(member.language)
        else:
            user: User | None = data.get("event_from_user")
            locale = guess_language(user.language_code if user else None, self.i18n.default_locale)
        data["language"] = locale  # handlers may ask for `language` by name
        return locale
