"""Loading and checking the content tree: the store API and every kind of problem, reported at once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.content.loader import (
    ContentError,
    ContentStore,
    Problem,
    Severity,
    check_content,
    inspect_content,
    load_content,
)
from bot.content.schema import LANGUAGES, Section, ServiceTag
from tests.content.conftest import VALID

TODAY = date(2026, 11, 22)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def errors(root: Path) -> list[Problem]:
    return [p for p in check_content(root, TODAY) if p.severity is Severity.ERROR]


def warnings(root: Path) -> list[Problem]:
    return [p for p in check_content(root, TODAY) if p.severity is Severity.WARNING]


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


# --- the valid tree and the store API


@pytest.fixture(scope="module")
def store() -> ContentStore:
    return load_content(VALID)


def test_valid_fixture_has_no_problems() -> None:
    assert check_content(VALID, TODAY) == []


def test_cities_keep_file_order(store: ContentStore) -> None:
    assert [c.id for c in store.cities] == ["kyiv", "lviv", "moscow"]
    kyiv = store.city("kyiv")
    assert kyiv is not None and kyiv.name.get("uk") == "Київ" and kyiv.zone.key == "Europe/Kyiv"
    assert store.city("nowhere") is None
    assert store.countries == ["UA", "RU"]


def test_articles_by_section_and_country(store: ContentStore) -> None:
    assert [a.id for a in store.articles(Section.RIGHTS)] == ["your-rights", "police-stops", "fines-ru"]
    assert [a.id for a in store.articles(Section.RIGHTS, "UA")] == ["your-rights", "police-stops"]
    assert [a.id for a in store.articles(Section.RIGHTS, "RU")] == ["your-rights", "fines-ru"]
    assert [a.id for a in store.articles(Section.URGENT)] == ["violence", "condom-broke", "detained"]
    assert store.article("nope") is None


def test_article_title_and_pages(store: ContentStore) -> None:
    article = store.article("police-stops")
    assert article is not None
    assert article.title("ru") == "Остановка полицией"
    assert article.title("de") == "Police stops"  # unknown language falls back to English
    assert article.pages("en") == [
        "<b>Police stops</b>\n\n<b>What to do</b>\n\nStay calm &amp; ask for <i>their</i> badge number."
    ]
    assert article.pages("uk", with_title=False)[0].startswith("<b>Що робити</b>")
    assert article.pages("en") == article.pages("en")


def test_clinics_by_city_and_tag(store: ContentStore) -> None:
    assert [c.id for c in store.clinics("kyiv")] == ["kyiv-friendly-clinic", "kyiv-night-bus"]
    assert [c.id for c in store.clinics("kyiv", ServiceTag.PEP)] == ["kyiv-friendly-clinic"]
    assert store.clinics("kyiv", ServiceTag.YOUTH) == []
    assert store.clinics("nowhere") == []
    assert store.tags("kyiv") == [
        ServiceTag.HIV_STI_TESTING,
        ServiceTag.PEP,
        ServiceTag.HARM_REDUCTION,
        ServiceTag.NO_DOCUMENTS,
        ServiceTag.ANONYMOUS,
        ServiceTag.FREE,
    ]
    clinic = store.clinic("kyiv-friendly-clinic")
    assert clinic is not None and clinic.city == "kyiv" and clinic.sample is True
    lviv = store.clinic("lviv-trust")
    assert lviv is not None and lviv.sample is False  # the file has no sample flag
    assert str(clinic.intervals_on(4)[1]) == "20:00-02:00"
    assert clinic.exception_on(date(2026, 12, 25)) is not None


def test_emergency_contacts(store: ContentStore) -> None:
    assert [c.phone for c in store.emergency("UA")] == ["102", "103"]
    assert store.emergency("RU")[0].label.get("ru") == "Экстренные службы"
    assert store.emergency("PL") == []


def test_ids_fit_in_callback_data(store: ContentStore) -> None:
    ids = [c.id for c in store.cities] + [a.id for s in Section for a in store.articles(s)]
    ids += [c.id for city in store.cities for c in store.clinics(city.id)]
    assert all(len(i.encode()) <= 24 for i in ids)


def test_store_is_immutable(store: ContentStore) -> None:
    store.cities.clear()
    assert len(store.cities) == 3
    with pytest.raises(AttributeError):
        store.extra = 1  # type: ignore[attr-defined]
    with pytest.raises(ValueError):
        store.cities[0].id = "x"  # pydantic frozen model


def test_completeness_per_language(content_dir: Path) -> None:
    (content_dir / "articles/health/pep.uk.md").unlink()
    report = inspect_content(content_dir, TODAY)
    articles = {c.lang: (c.done, c.total) for c in report.completeness if c.kind == "articles"}
    assert articles == {"en": (7, 7), "ru": (7, 7), "uk": (6, 7)}
    clinics = {c.lang: (c.done, c.total) for c in report.completeness if c.kind == "clinics"}
    assert clinics == dict.fromkeys(LANGUAGES, (4, 4))


# --- every problem is reported, with file and item


def test_load_raises_with_all_errors_at_once(content_dir: Path) -> None:
    edit(content_dir / "cities.yaml", "timezone: Europe/Moscow", "timezone: Europe/Atlantis")
    edit(content_dir / "clinics/lviv.yaml", '["10:00-17:00"]', '["10:00-27:00"]')
    (content_dir / "articles/urgent/detained.ru.md").unlink()
    with pytest.raises(ContentError) as caught:
        load_content(content_dir)
    problems = caught.value.problems
    assert {(p.file, p.item) for p in problems} >= {
        ("cities.yaml", "moscow"),
        ("clinics/lviv.yaml", "lviv-trust"),
        ("articles/urgent/detained.ru.md", "detained"),
    }
    assert all(p.severity is Severity.ERROR for p in problems)
    assert "Europe/Atlantis" in str(caught.value)


def test_schema_error_names_the_field(content_dir: Path) -> None:
    edit(content_dir / "clinics/kyiv.yaml", "tags: [hiv_sti_testing, pep", "tags: [hiv_sti_testing, prep")
    problem = only(errors(content_dir))
    assert (problem.file, problem.item) == ("clinics/kyiv.yaml", "kyiv-friendly-clinic")
    assert problem.message.startswith("tags.1:")


def test_unknown_field_is_an_error(content_dir: Path) -> None:
    edit(content_dir / "clinics/lviv.yaml", "    tags:", "    tgas: []\n    tags:")
    assert only(errors(content_dir)).message == "tgas: unknown field"


def test_bare_phone_number_must_be_quoted(content_dir: Path) -> None:
    edit(content_dir / "emergency.yaml", 'phone: "102"', "phone: 0102")
    problem = only(errors(content_dir))
    assert problem.item == "UA #1" and "quotes" in problem.message


def test_comma_in_a_flow_mapping_gets_a_hint(content_dir: Path) -> None:
    edit(content_dir / "clinics/lviv.yaml", 'ru: "пл. Примерная, 2"', "ru: пл. Примерная, 2")
    assert "quotes" in only(errors(content_dir)).message


def test_duplicate_yaml_key_is_an_error(content_dir: Path) -> None:
    edit(content_dir / "clinics/lviv.yaml", '      mon: ["10:00-17:00"]', '      mon: ["10:00-17:00"]\n      mon: []')
    problem = only(errors(content_dir))
    assert problem.file == "clinics/lviv.yaml" and "duplicate key 'mon'" in problem.message


def test_overlapping_intervals_are_an_error(content_dir: Path) -> None:
    edit(content_dir / "clinics/lviv.yaml", '["10:00-17:00"]', '["10:00-17:00", "16:00-18:00"]')
    assert "overlap" in only(errors(content_dir)).message


def test_bad_slug_is_an_error(content_dir: Path) -> None:
    edit(content_dir / "clinics/lviv.yaml", "id: lviv-trust", "id: Lviv_Trust")
    edit(content_dir / "clinics/moscow.yaml", "id: moscow-help", "id: moscow-help-centre-for-everyone")
    assert {p.item for p in errors(content_dir)} == {"Lviv_Trust", "moscow-help-centre-for-everyone"}


def test_unknown_city_in_a_clinic_file(content_dir: Path) -> None:
    (content_dir / "clinics/lviv.yaml").rename(content_dir / "clinics/odesa.yaml")
    edit(content_dir / "clinics/odesa.yaml", "city: lviv", "city: odesa")
    problem = only(errors(content_dir))
    assert problem.file == "clinics/odesa.yaml" and "unknown city 'odesa'" in problem.message
    assert only(warnings(content_dir)).file == "clinics/lviv.yaml"  # lviv has no clinics now


def test_file_name_must_match_city(content_dir: Path) -> None:
    edit(content_dir / "clinics/lviv.yaml", "city: lviv", "city: kyiv")
    assert any("differs from the file name" in p.message for p in errors(content_dir))


def test_duplicate_ids(content_dir: Path) -> None:
    edit(content_dir / "clinics/lviv.yaml", "id: lviv-trust", "id: kyiv-night-bus")
    problem = only(errors(content_dir))
    assert problem.file == "clinics/lviv.yaml" and "also in clinics/kyiv.yaml" in problem.message
    cities = content_dir / "cities.yaml"
    cities.write_text(cities.read_text(encoding="utf-8").replace("id: lviv", "id: kyiv"), encoding="utf-8")
    assert any(p.file == "cities.yaml" and p.message == "duplicate city id" for p in errors(content_dir))


def test_duplicate_article_id_across_sections(content_dir: Path) -> None:
    for lang in LANGUAGES:
        source = content_dir / f"articles/health/pep.{lang}.md"
        target = content_dir / f"articles/rights/pep.{lang}.md"
        target.write_text(source.read_text(encoding="utf-8").replace("section: health", "section: rights"))
    assert {p.message for p in errors(content_dir)} == {"duplicate article id (also in articles/health/)"}


def test_missing_language_file(content_dir: Path) -> None:
    (content_dir / "articles/rights/police-stops.ru.md").unlink()
    problem = only(errors(content_dir))
    assert problem.file == "articles/rights/police-stops.ru.md"
    assert problem.message == "missing language file (the article exists in en, uk)"


def test_front_matter_must_agree_except_title(content_dir: Path) -> None:
    edit(content_dir / "articles/rights/police-stops.uk.md", "order: 10", "order: 11")
    problem = only(errors(content_dir))
    assert problem.file == "articles/rights/police-stops.uk.md"
    assert problem.message == "front matter differs from police-stops.en.md: order (11 vs 10)"


def test_front_matter_id_and_section_must_match_the_path(content_dir: Path) -> None:
    edit(content_dir / "articles/health/pep.en.md", "id: pep", "id: prep")
    edit(content_dir / "articles/health/pep.ru.md", "section: health", "section: safety")
    messages = sorted(p.message for p in errors(content_dir))
    assert messages == ["id 'prep' differs from the file name", "section 'safety' differs from the folder"]


def test_bad_file_names_and_folders(content_dir: Path) -> None:
    (content_dir / "articles/health/pep.de.md").write_text("---\n---\nx", encoding="utf-8")
    (content_dir / "articles/health/notes.md").write_text("x", encoding="utf-8")
    (content_dir / "articles/misc").mkdir()
    (content_dir / "articles/health/README.md").write_text("ignored", encoding="utf-8")
    messages = sorted(p.message for p in errors(content_dir))
    assert messages == [
        "expected a file named <article-id>.<lang>.md",
        "not a section folder (rights, health, safety, urgent, youth)",
        "unknown language 'de' (en, ru, uk)",
    ]


def test_missing_front_matter_and_bad_yaml(content_dir: Path) -> None:
    (content_dir / "articles/health/pep.en.md").write_text("Just text", encoding="utf-8")
    edit(content_dir / "articles/health/pep.ru.md", 'title: "ПКП"', "title: ПКП: что это")
    messages = [p.message for p in errors(content_dir)]
    assert any(m.startswith("no front matter") for m in messages)
    assert any(m.startswith("front matter: YAML error at line") for m in messages)


def test_empty_rendered_body_is_an_error(content_dir: Path) -> None:
    path = content_dir / "articles/health/pep.uk.md"
    head = path.read_text(encoding="utf-8").split("---\n")[1]
    for body in ("\n   \n", "<!-- a note for editors, dropped -->\n", "<!--\nTODO\n-->\n"):
        path.write_text(f"---\n{head}---\n\n{body}", encoding="utf-8")
        problem = only(errors(content_dir))
        assert (problem.file, problem.message) == ("articles/health/pep.uk.md", "the body is empty")


def test_urgent_articles_are_required(content_dir: Path) -> None:
    for lang in LANGUAGES:
        (content_dir / f"articles/urgent/condom-broke.{lang}.md").unlink()
    problem = only(errors(content_dir))
    assert (problem.file, problem.item) == ("articles/urgent/condom-broke.*.md", "condom-broke")


def test_clinic_without_hours_is_a_warning_only(content_dir: Path) -> None:
    edit(content_dir / "clinics/lviv.yaml", '    hours:\n      mon: ["10:00-17:00"]\n', "")
    problem = only(check_content(content_dir, TODAY))
    assert problem.severity is Severity.WARNING and problem.item == "lviv-trust"
    assert load_content(content_dir).clinic("lviv-trust") is not None


def test_stale_and_future_dates_are_warnings(content_dir: Path) -> None:
    edit(content_dir / "clinics/lviv.yaml", "last_verified: 2026-09-15", "last_verified: 2025-11-21")
    for lang in LANGUAGES:
        edit(content_dir / f"articles/health/pep.{lang}.md", "last_reviewed: 2026-10-01", "last_reviewed: 2027-01-01")
    found = {(p.file, p.item, p.message) for p in check_content(content_dir, TODAY)}
    assert found == {
        ("clinics/lviv.yaml", "lviv-trust", "last_verified 2025-11-21 is more than 12 months ago"),
        ("articles/health/pep.*.md", "pep", "last_reviewed 2027-01-01 is in the future"),
    }
    assert all(p.severity is Severity.WARNING for p in check_content(content_dir, TODAY))
    assert check_content(content_dir, date(2027, 1, 1))[0].item == "lviv-trust"
    edit(content_dir / "clinics/lviv.yaml", "last_verified: 2025-11-21", "last_verified: 2025-11-22")
    assert [p.item for p in check_content(content_dir, TODAY)] == ["pep"]  # exactly 12 months is fine


def test_missing_files_and_directory(tmp_path: Path) -> None:
    problems = check_content(tmp_path / "nowhere", TODAY)
    assert [p.message for p in problems] == ["content directory not found"]
    (tmp_path / "empty").mkdir()
    messages = {(p.file, p.message) for p in check_content(tmp_path / "empty", TODAY)}
    assert ("cities.yaml", "file is missing") in messages
    assert ("emergency.yaml", "file is missing") in messages
    assert ("articles", "directory is missing") in messages


def test_country_without_emergency_contacts_is_a_warning(content_dir: Path) -> None:
    path = content_dir / "emergency.yaml"
    path.write_text(path.read_text(encoding="utf-8").split("RU:")[0], encoding="utf-8")
    problem = only(check_content(content_dir, TODAY))
    assert (problem.severity, problem.item) == (Severity.WARNING, "RU")
