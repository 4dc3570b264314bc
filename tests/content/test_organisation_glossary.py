"""organisation.yaml (backup channel), glossary.yaml and the youth section: loading and checking."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from bot.content.check import run_check
from bot.content.loader import Problem, Severity, check_content, load_content
from bot.content.schema import Section
from tests.content.conftest import VALID

TODAY = date(2026, 11, 22)


def problems(root: Path, severity: Severity) -> list[Problem]:
    return [p for p in check_content(root, TODAY) if p.severity is severity]


def messages(root: Path, severity: Severity) -> list[str]:
    return sorted(f"{p.file}: {p.item}: {p.message}" for p in problems(root, severity))


# --- organisation.yaml


def test_backup_channel_is_loaded_with_one_link_for_every_language() -> None:
    store = load_content(VALID)
    organisation = store.organisation
    assert organisation is not None and organisation.sample is True
    assert organisation.backup.text.get("uk") == "Якщо бот зникне, шукайте нас тут."
    assert {organisation.backup.link.get(lang) for lang in ("en", "ru", "uk", "de")} == {"https://example.org/backup"}


def test_backup_link_may_differ_per_language(content_dir: Path) -> None:
    path = content_dir / "organisation.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "link: https://example.org/backup",
        "link: {en: https://example.org/en, ru: https://t.me/example_ru, uk: 'tg://resolve?domain=example_uk'}",
    )
    path.write_text(text, encoding="utf-8")
    organisation = load_content(content_dir).organisation
    assert organisation is not None
    assert organisation.backup.link.get("ru") == "https://t.me/example_ru"
    assert organisation.backup.link.get("uk") == "tg://resolve?domain=example_uk"


def test_organisation_errors_are_reported(content_dir: Path) -> None:
    path = content_dir / "organisation.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("link: https://example.org/backup", "link: example.org/backup")
    text = text.replace("    uk: Якщо бот зникне, шукайте нас тут.\n", "")
    path.write_text(text + "colour: red\n", encoding="utf-8")
    found = messages(content_dir, Severity.ERROR)
    assert found == [
        "organisation.yaml: : backup.link.en: a contact link starts with https://, http:// or tg://",
        "organisation.yaml: : backup.link.ru: a contact link starts with https://, http:// or tg://",
        "organisation.yaml: : backup.link.uk: a contact link starts with https://, http:// or tg://",
        "organisation.yaml: : backup.text.uk: required field is missing",
        "organisation.yaml: : colour: unknown field",
    ]


def test_missing_organisation_and_glossary_are_warnings_only(content_dir: Path) -> None:
    (content_dir / "organisation.yaml").unlink()
    (content_dir / "glossary.yaml").unlink()
    assert problems(content_dir, Severity.ERROR) == []
    assert messages(content_dir, Severity.WARNING) == [
        "glossary.yaml: : missing: no list of the terms the bot uses",
        "organisation.yaml: : missing: members are not told where to find you if this bot disappears",
    ]
    store = load_content(content_dir)
    assert store.organisation is None and store.glossary == {}


def test_check_notes_a_sample_backup_channel_and_counts_both_files(content_dir: Path) -> None:
    out = io.StringIO()
    assert run_check(content_dir, TODAY, out) == 0
    assert "The backup channel in organisation.yaml is sample data: set your own." in out.getvalue()
    path = content_dir / "organisation.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("sample: true", "sample: false"), encoding="utf-8")
    out = io.StringIO()
    assert run_check(content_dir, TODAY, out) == 0
    assert "backup channel" not in out.getvalue()


# --- glossary.yaml


def test_glossary_terms_are_loaded_in_file_order() -> None:
    glossary = load_content(VALID).glossary
    assert list(glossary) == ["sex-work", "hiv"]
    assert glossary["hiv"].term("uk") == "ВІЛ"
    assert glossary["sex-work"].definition.get("ru").startswith("Оказание")
    assert glossary["sex-work"].avoid.get("uk") == ("проститутк",)


def test_glossary_errors(content_dir: Path) -> None:
    path = content_dir / "glossary.yaml"
    text = path.read_text(encoding="utf-8").replace("hiv:\n", "HIV_term:\n").replace("  ru: секс-работа\n", "")
    path.write_text(text, encoding="utf-8")
    assert messages(content_dir, Severity.ERROR) == [
        "glossary.yaml: HIV_term: a term id is a slug like sex-work (lowercase letters, digits, hyphens)",
        "glossary.yaml: sex-work: ru: required field is missing",
    ]


def test_glossary_yaml_error_is_reported_once(content_dir: Path) -> None:
    (content_dir / "glossary.yaml").write_text("hiv: [unclosed\n", encoding="utf-8")
    found = problems(content_dir, Severity.ERROR)
    assert len(found) == 1 and found[0].message.startswith("YAML error")


def test_an_avoided_word_in_an_article_is_a_warning(content_dir: Path) -> None:
    path = content_dir / "articles/health/pep.uk.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nПроститутки й ВИЧ.\n", encoding="utf-8")
    assert messages(content_dir, Severity.WARNING) == [
        "articles/health/pep.uk.md: pep: uses “ВИЧ”: the glossary term is “ВІЛ”",
        "articles/health/pep.uk.md: pep: uses “проститутк”: the glossary term is “секс-робота”",
    ]


def test_avoided_capitals_match_only_in_capitals_and_at_a_word_start(content_dir: Path) -> None:
    path = content_dir / "articles/health/pep.uk.md"
    # "звичайні" contains "вич", and "непроститутк" is not a word start: neither is a finding.
    path.write_text(path.read_text(encoding="utf-8") + "\nЗвичайні речі, непроститутка.\n", encoding="utf-8")
    assert problems(content_dir, Severity.WARNING) == []


# --- the youth section


def test_youth_articles_are_their_own_section(content_dir: Path) -> None:
    folder = content_dir / "articles/youth"
    folder.mkdir()
    for lang, title in (("en", "Help"), ("ru", "Помощь"), ("uk", "Допомога")):
        (folder / f"young.{lang}.md").write_text(
            f"---\nid: young\nsection: youth\ncountry: all\norder: 1\ntitle: {title}\n"
            f"last_reviewed: 2026-11-01\n---\n{title}.\n",
            encoding="utf-8",
        )
    store = load_content(content_dir)
    assert [a.id for a in store.articles(Section.YOUTH)] == ["young"]
    assert "young" not in [a.id for s in (Section.RIGHTS, Section.HEALTH, Section.SAFETY) for a in store.articles(s)]


# --- the README's steps for replacing the sample clinics stay true


def test_replacing_sample_clinics_as_the_readme_says(content_dir: Path) -> None:
    path = content_dir / "clinics/kyiv.yaml"
    text = path.read_text(encoding="utf-8")
    assert "sample: true" in text
    path.write_text(text.replace("sample: true\n", "").replace("2026-11-01", "2026-11-20"), encoding="utf-8")
    out = io.StringIO()
    assert run_check(content_dir, TODAY, out) == 0
    store = load_content(content_dir)
    assert all(not clinic.sample for clinic in store.clinics("kyiv"))
    assert "0 error(s), 0 warning(s)" in out.getvalue()
