"""The shipped content plus a few items whose hours and lengths the tests control."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]

# A city of our own, so clinic-hour tests do not depend on the sample data.
TEST_CITY = {
    "id": "testograd",
    "country": "UA",
    "timezone": "Europe/Kyiv",
    "name": {"en": "Testograd", "ru": "Тестоград", "uk": "Тестоград"},
}

TEST_CLINICS = {
    "city": "testograd",
    "sample": True,
    "clinics": [
        {
            "id": "test-day-clinic",
            "name": {"en": "Day Clinic", "ru": "Дневная клиника", "uk": "Денна клініка"},
            "address": {"en": "1 Test St", "ru": "ул. Тестовая, 1", "uk": "вул. Тестова, 1"},
            "location": {"lat": 50.45, "lon": 30.52},
            "tags": ["pep", "hiv_sti_testing", "anonymous"],
            "hours": {d: ["09:00-18:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
            "exceptions": [{"date": "2026-12-25", "closed": True}],
            "last_verified": "2026-11-01",
        }
    ],
}

LONG_PARAGRAPH = {
    "en": "Stay safe and look after each other. ",
    "ru": "Берегите себя и друг друга. ",
    "uk": "Бережіть себе й одне одного. ",
}
LONG_TITLE = {"en": "A long read", "ru": "Длинный текст", "uk": "Довгий текст"}


def _long_body(language: str) -> str:
    """Well over 4096 characters in paragraphs, so it must be split into several messages."""
    sentence = LONG_PARAGRAPH[language]
    paragraph = (sentence * (1000 // len(sentence) + 1)).strip()
    return "\n\n".join([paragraph] * 5)  # ~5000 characters


def build_content(target: Path) -> Path:
    shutil.copytree(ROOT / "content", target)
    cities_path = target / "cities.yaml"
    cities = yaml.safe_load(cities_path.read_text(encoding="utf-8"))
    cities.append(TEST_CITY)
    cities_path.write_text(yaml.safe_dump(cities, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (target / "clinics" / "testograd.yaml").write_text(
        yaml.safe_dump(TEST_CLINICS, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    for language in ("en", "ru", "uk"):
        front = {
            "id": "long-read",
            "section": "safety",
            "country": "all",
            "order": 999,
            "title": LONG_TITLE[language],
            "last_reviewed": "2026-11-01",
            "sources": ["tests"],
        }
        text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n" + _long_body(language)
        (target / "articles" / "safety" / f"long-read.{language}.md").write_text(text, encoding="utf-8")
    return target
