"""The content this repository ships: complete in uk, ru and en, sourced, within Telegram's limits,
and written in the words of the glossary (no Russianisms in Ukrainian, no "prostitute")."""

from __future__ import annotations

import io
import re
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.content.check import run_check
from bot.content.loader import ContentStore, inspect_content, load_content
from bot.content.render import utf16_len
from bot.content.schema import ALL_COUNTRIES, LANGUAGES, URGENT_IDS, Article, Section
from bot.sandbox.html import parse_html
from handlers.member.articles import PAGE_LIMIT

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"
LOCALES = ROOT / "locales"
REVIEWED_ON = date(2026, 11, 22)  # the day the shipped content was last reviewed
TELEGRAM_TEXT_LIMIT = 4096
BODY_LIMIT = 3000  # characters of Markdown per article and language: short enough to read on a phone


@cache
def store() -> ContentStore:
    return load_content(CONTENT)


def articles(section: Section | None = None) -> list[Article]:
    sections = [section] if section else list(Section)
    return [article for s in sections for article in store().articles(s)]


def texts(language: str) -> list[tuple[str, str]]:
    """(where, text) of everything a member reads in `language` that comes from content/."""
    found = [(f"{a.section.value}/{a.id}", f"{a.title(language)}\n{a.bodies.get(language)}") for a in articles()]
    found += [(f"city {c.id}", c.name.get(language)) for c in store().cities]
    for country in store().countries:
        for contact in store().emergency(country):
            parts = [contact.label.get(language), contact.note.get(language) if contact.note else ""]
            found.append((f"emergency {country}", "\n".join(parts)))
    for city in store().cities:
        for clinic in store().clinics(city.id):
            parts = [clinic.name.get(language), clinic.address.get(language)]
            parts += [clinic.note.get(language)] if clinic.note else []
            parts += [e.note.get(language) for e in clinic.exceptions if e.note]
            found.append((f"clinic {clinic.id}", "\n".join(parts)))
    organisation = store().organisation
    assert organisation is not None
    found.append(("organisation", f"{organisation.name.get(language)}\n{organisation.backup.text.get(language)}"))
    for term_id, term in store().glossary.items():
        found.append((f"glossary {term_id}", f"{term.term(language)}\n{term.definition.get(language)}"))
    return found


def catalogue(language: str) -> list[tuple[str, str]]:
    with (LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        messages = list(read_po(handle, locale=language))
    found = []
    for message in messages:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        found += [(msgid, string) for string in strings if string]
    return found


# --- complete, checked, reviewed


def test_content_check_exits_0_and_prints_a_summary_per_language() -> None:
    out = io.StringIO()
    assert run_check(CONTENT, REVIEWED_ON, out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].split() == list(LANGUAGES)
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:] if line and line.split()[0].isalpha()}
    for kind in ("cities", "emergency", "clinics", "articles", "glossary", "organisation"):
        cells = rows[kind]
        assert len(cells) == len(LANGUAGES), (kind, cells)
        done_total = {tuple(cell.split("/")) for cell in cells}
        assert len(done_total) == 1 and len({*next(iter(done_total))}) == 1, f"{kind} is incomplete: {cells}"
    assert lines[-1].startswith("0 error(s), 0 warning(s)")


def test_the_cli_content_check_exits_0(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cli import main

    monkeypatch.delenv("CONTENT_DIR", raising=False)
    assert main(["content", "check"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == list(LANGUAGES)
    assert "0 error(s)" in out


def test_every_item_exists_in_every_language() -> None:
    report = inspect_content(CONTENT, REVIEWED_ON)
    assert report.problems == ()
    for row in report.completeness:
        assert row.done == row.total, row
    for article in articles():
        for language in LANGUAGES:
            assert article.titles.get(language).strip() and article.bodies.get(language).strip()


def test_the_sections_cover_the_topics_members_need() -> None:
    ids = {section: {a.id for a in articles(section)} for section in Section}
    assert {
        "ua-police-stops",
        "ua-detention",
        "ua-fines-raids",
        "ru-police-stops",
        "ru-detention",
        "ru-raids",
        "ru-fines-bribes",
        "violence-is-a-crime",
        "police-complaints",
        "condoms-evidence",
        "health-rights",
        "hiv-laws",
        "migrants",
        "parental-rights",
        "trafficking",
        "legal-aid",
    } <= ids[Section.RIGHTS]
    assert {
        "hiv-sti-testing",
        "pep",
        "prep",
        "condoms-lube",
        "contraception",
        "pregnancy",
        "harm-reduction",
        "trans-health",
        "tb",
        "mental-health",
    } <= ids[Section.HEALTH]
    assert {"screening-check-in", "indoor-work", "street-work", "money-exits", "after-violence"} <= ids[Section.SAFETY]
    assert set(URGENT_IDS) == ids[Section.URGENT]
    assert {"youth-help", "youth-after-harm"} <= ids[Section.YOUTH]


def test_rights_are_per_country_sourced_and_say_they_are_not_legal_advice() -> None:
    disclaimer = {
        "en": "This is information, not legal",
        "ru": "Это информация, а не юридическая",
        "uk": "Це інформація, а не юридична",
    }
    countries = set(store().countries) | {ALL_COUNTRIES}
    for article in articles(Section.RIGHTS):
        assert article.country in countries, article.id
        assert article.sources, f"{article.id} has no sources"
        for language in LANGUAGES:
            assert disclaimer[language] in article.bodies.get(language), (article.id, language)
    by_country = {a.country for a in articles(Section.RIGHTS)}
    assert {"UA", "RU", ALL_COUNTRIES} <= by_country


def test_the_detention_card_exists_per_country_with_that_countrys_law() -> None:
    ua, ru = store().article("ua-detention"), store().article("ru-detention")
    assert ua is not None and ua.country == "UA" and ua.section is Section.RIGHTS
    assert ru is not None and ru.country == "RU" and ru.section is Section.RIGHTS
    assert "КУпАП" in ua.bodies.uk and "181-1" in ua.bodies.uk and "КоАП РФ" not in ua.bodies.uk
    assert "181-1" in ua.bodies.en and "Ukraine" in ua.bodies.en
    assert "6.11 КоАП РФ" in ru.bodies.ru and "мировой судья" in ru.bodies.ru and "181-1" not in ru.bodies.ru


SOURCE = re.compile(r"^research/(?:[\w.-]+/)*[\w.-]+\.(?:md|txt):(\d+)-(\d+)$")


def test_sources_point_at_lines_of_the_research() -> None:
    research = ROOT.parent / "shared" / "research"  # present in the project workspace, not in a plain checkout
    for article in articles():
        assert article.sources, f"{article.id} has no sources"
        for source in article.sources:
            match = SOURCE.match(source)
            assert match, f"{article.id}: {source!r} is not research/<file>:<from>-<to>"
            first, last = int(match[1]), int(match[2])
            assert 1 <= first <= last, (article.id, source)
            path = research.parent / source.split(":")[0]
            if research.is_dir():
                assert path.is_file(), (article.id, source)
                lines = path.read_text(encoding="utf-8").count("\n") + 1
                assert last <= lines, f"{article.id}: {source} is past the end ({lines} lines)"


def test_reviews_are_recent() -> None:
    for article in articles():
        assert date(2025, 11, 22) < article.last_reviewed <= REVIEWED_ON, article.id


# --- Telegram's limits


def test_every_page_is_valid_telegram_html_within_the_limits() -> None:
    for article in articles():
        for language in LANGUAGES:
            assert len(article.bodies.get(language)) < BODY_LIMIT, (article.id, language)
            assert len(article.title(language)) <= 60, (article.id, language)
            assert len(f"art:{article.id}:99".encode()) <= 64
            for limit in (TELEGRAM_TEXT_LIMIT, PAGE_LIMIT):
                for page in article.pages(language, limit=limit):
                    shown = parse_html(page, strict_ampersand=True)  # raises like Telegram on bad HTML
                    assert 0 < utf16_len(shown.text) <= limit, (article.id, language)


# --- words


RUSSIAN_LETTERS = re.compile(r"[ыэъёЫЭЪЁ]")
UKRAINIAN_LETTERS = re.compile(r"[іїєґІЇЄҐ]")
# Russian words and calques that do not belong in Ukrainian text (stems; see glossary.yaml too).
RUSSIANISMS = re.compile(
    r"(?<!\w)(помощь|спасибо|здравствуйте|пожалуйста|сейчас|больниц|врач|міліці|на протязі|слідуюч|являєть|"
    r"приймати участь|прийняти міри|вибачаюсь)",
    re.IGNORECASE,
)
RUSSIAN_ABBREVIATIONS = re.compile(r"(?<!\w)(ВИЧ|СПИД|ИППП)(?!\w)")
# "prostitution" only where a law is named: the line must cite an article or a code.
PROSTITUT = re.compile(r"prostitut|проститут", re.IGNORECASE)
LEGAL_CITATION = re.compile(r"art\.|article|стат|Code|Кодекс|КУпАП|КУоАП|КоАП|\d+\.\d+|181-1", re.IGNORECASE)


def lines_of(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("source", ["content", "catalogue"])
def test_ukrainian_uses_ukrainian_words(source: str) -> None:
    found = texts("uk") if source == "content" else catalogue("uk")
    problems = []
    for where, text in found:
        for pattern in (RUSSIAN_LETTERS, RUSSIANISMS, RUSSIAN_ABBREVIATIONS):
            if match := pattern.search(text):
                problems.append(f"{where[:40]}: {match[0]!r}")
    assert problems == []


@pytest.mark.parametrize("source", ["content", "catalogue"])
def test_russian_has_no_ukrainian_letters(source: str) -> None:
    found = texts("ru") if source == "content" else catalogue("ru")
    problems = [f"{where[:40]}: {m[0]!r}" for where, text in found if (m := UKRAINIAN_LETTERS.search(text))]
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_prostitution_only_when_naming_a_law(language: str) -> None:
    found = texts(language) + (catalogue(language) if language != "en" else [])
    problems = [
        f"{where}: {line[:80]}"
        for where, text in found
        if not where.startswith("glossary")  # the glossary itself says which word to avoid
        for line in lines_of(text)
        if PROSTITUT.search(line) and not LEGAL_CITATION.search(line)
    ]
    assert problems == []


def test_the_glossary_covers_the_key_terms() -> None:
    glossary = store().glossary
    assert {
        "sex-work",
        "sex-worker",
        "client",
        "counsellor",
        "case-code",
        "pep",
        "prep",
        "hiv",
        "sti",
        "police",
        "lawyer",
        "talk-to-a-person",
        "clear-chat",
    } <= set(glossary)


# Each key term, as a stem that every inflected form starts with (Ukrainian and Russian decline nouns).
KEY_TERM_STEMS = {
    "uk": {
        "sex-work": "секс-робот",
        "sex-worker": "секс-працівни",
        "client": "клієнт",
        "counsellor": "консультант",
        "case-code": "код звернення",
        "pep": "ПКП",
        "hiv": "ВІЛ",
        "sti": "ІПСШ",
        "talk-to-a-person": "Поговорити з людиною",
        "clear-chat": "Очистити чат",
    },
    "ru": {
        "sex-work": "секс-работ",
        "counsellor": "консультант",
        "case-code": "код обращения",
        "pep": "ПКП",
        "hiv": "ВИЧ",
        "sti": "ИППП",
        "talk-to-a-person": "Поговорить с человеком",
        "clear-chat": "Очистить чат",
    },
}
ENGLISH_TERMS = {
    "sex-work": re.compile(r"\bsex work\b(?!er)", re.IGNORECASE),
    "sex-worker": re.compile(r"\bsex workers?\b", re.IGNORECASE),
    "client": re.compile(r"\bclients?\b", re.IGNORECASE),
    "counsellor": re.compile(r"\bcounsellors?\b", re.IGNORECASE),
    "case-code": re.compile(r"\bcase code\b", re.IGNORECASE),
    "pep": re.compile(r"\bPEP\b"),
    "hiv": re.compile(r"\bHIV\b"),
    "sti": re.compile(r"\bSTIs?\b"),
    "talk-to-a-person": re.compile(r"Talk to a person"),
    "clear-chat": re.compile(r"Clear chat"),
}


@pytest.mark.parametrize("language", ["uk", "ru"])
def test_the_catalogue_uses_the_glossary_terms(language: str) -> None:
    """Where an English interface text says a key term, the translation says the glossary's term."""
    glossary = store().glossary
    problems = []
    for term_id, stem in KEY_TERM_STEMS[language].items():
        assert glossary[term_id].term(language).casefold().startswith(stem.casefold()) or stem in glossary[
            term_id
        ].term(language), (term_id, stem)
        for msgid, msgstr in catalogue(language):
            if term_id == "sex-work" and "sex worker" in msgid.lower() and "sex work " not in msgid.lower():
                continue  # "sex worker organisations": checked as sex-worker
            if ENGLISH_TERMS[term_id].search(msgid) and stem.casefold() not in msgstr.casefold():
                problems.append(f"{term_id}: {msgid[:50]!r} -> {msgstr[:60]!r}")
    assert problems == []


@pytest.mark.parametrize("language", ["uk", "ru"])
def test_articles_use_the_glossary_terms(language: str) -> None:
    """The same check for content: an English article naming a key term has the term in its translation."""
    problems = []
    for article in articles():
        english = f"{article.title('en')}\n{article.bodies.en}"
        translated = f"{article.title(language)}\n{article.bodies.get(language)}".casefold()
        for term_id, stem in KEY_TERM_STEMS[language].items():
            if term_id == "sex-work" and not re.search(r"\bsex work(?!er)", english, re.IGNORECASE):
                continue
            if ENGLISH_TERMS[term_id].search(english) and stem.casefold() not in translated:
                problems.append(f"{article.id}: {term_id} ({stem})")
    assert problems == []


PHONE = re.compile(r"\+?\d[\d ()-]{5,}\d")
EMERGENCY_NUMBERS = {"112", "102", "103", "02", "03"}


def test_no_phone_numbers_but_the_emergency_numbers() -> None:
    for article in articles():
        for language in LANGUAGES:
            body = re.sub(r"\d{4}-\d{4}|\d{4}–\d{2,4}", "", article.bodies.get(language))  # years like 2012-2013
            assert not PHONE.search(body), (article.id, language, PHONE.search(body))
            numbers = set(re.findall(r"\*\*(\d{2,})\*\*", body))
            assert numbers <= EMERGENCY_NUMBERS, (article.id, language, numbers)
    for country in store().countries:
        for contact in store().emergency(country):
            assert contact.phone in EMERGENCY_NUMBERS


def test_every_country_has_emergency_numbers_and_the_backup_channel_is_a_placeholder() -> None:
    for country in store().countries:
        phones = {c.phone for c in store().emergency(country)}
        assert "112" in phones, country
    organisation = store().organisation
    assert organisation is not None
    if organisation.sample:  # a sample must never point at a real channel someone else may own
        assert {organisation.backup.link.get(lang) for lang in LANGUAGES} <= {"https://example.org/umbrella-backup"}


def test_youth_content_stays_away_from_adult_work_tips() -> None:
    for article in articles(Section.YOUTH):
        assert article.country == ALL_COUNTRIES
        english = article.bodies.en.lower()
        assert "112" in article.bodies.en
        for adult in ("client", "condom", "sex work", "raid", "manager"):
            assert adult not in english, (article.id, adult)
