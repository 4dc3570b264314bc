"""Every string reaches members in uk, ru and en: complete catalogues, matching placeholders, in sync with code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import compile_catalogues

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "locales"
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
TAG = re.compile(r"</?([a-z]+)[^>]*>")
KEYWORDS = {"_": None, "__": None, "ngettext": (1, 2)}


def _catalog(language: str, locales: Path):
    with (locales / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def _as_tuple(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def problems(language: str, locales: Path = LOCALES) -> list[str]:
    found = []
    for message in _catalog(language, locales):
        if not message.id:
            continue
        ids = _as_tuple(message.id)
        strings = _as_tuple(message.string)
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        tags = sorted(TAG.findall(ids[0]))
        if message.fuzzy:
            found.append(f"{language}: fuzzy: {ids[0]!r}")
        for string in strings:
            if not string:
                found.append(f"{language}: untranslated: {ids[0]!r}")
            elif sorted(PLACEHOLDER.findall(string)) != wanted:
                found.append(f"{language}: placeholders differ: {ids[0]!r} -> {string!r}")
            elif sorted(TAG.findall(string)) != tags:
                found.append(f"{language}: HTML tags differ: {ids[0]!r} -> {string!r}")
    return found


@pytest.mark.parametrize("language", ["ru", "uk"])
def test_every_msgid_is_translated_with_the_same_placeholders(language: str) -> None:
    assert problems(language) == []


def test_checker_catches_a_missing_translation_and_a_renamed_placeholder(tmp_path: Path) -> None:
    po = tmp_path / "xx" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Open until {time}"\nmsgstr "Відчинено до {час}"\n\n'
        'msgid "Menu"\nmsgstr ""\n',
        encoding="utf-8",
    )
    found = problems("xx", tmp_path)
    assert any("placeholders differ" in p for p in found)
    assert any("untranslated" in p for p in found)


def test_template_is_in_sync_with_the_code() -> None:
    """A string added in code but not extracted would reach members in English only."""
    in_code = set()
    for directory in ("bot", "handlers"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / directory, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            in_code.add(message if isinstance(message, str) else message[0])
    with (LOCALES / "messages.pot").open("rb") as handle:
        in_template = {_as_tuple(m.id)[0] for m in read_po(handle) if m.id}
    missing = sorted(in_code - in_template)
    assert not missing, "run: pybabel extract (see README, 'Adding or changing text'); missing: " + repr(missing[:5])


def test_catalogues_compile(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(LOCALES, tmp_path / "locales", ignore=shutil.ignore_patterns("*.mo"))
    compiled = compile_catalogues(tmp_path / "locales")
    assert {p.parent.parent.name for p in compiled} >= {"ru", "uk"}
