"""The `umbrella content check` report."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from bot.content.check import run_check
from tests.content.conftest import VALID

TODAY = date(2026, 11, 22)


def test_clean_tree_prints_the_table_and_exits_0() -> None:
    out = io.StringIO()
    assert run_check(VALID, TODAY, out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["en", "ru", "uk"]
    rows = [" ".join(line.split()) for line in lines]  # column widths follow the longest kind
    assert "articles 7/7 7/7 7/7" in rows
    assert "clinics 4/4 4/4 4/4" in rows
    assert "glossary 2/2 2/2 2/2" in rows
    assert "organisation 1/1 1/1 1/1" in rows
    assert "The backup channel in organisation.yaml is sample data: set your own." in lines
    assert "3 of 4 clinics are sample data (not yet confirmed)." in lines
    assert lines[-1].startswith("0 error(s), 0 warning(s)")


def test_problems_are_listed_and_errors_exit_1(content_dir: Path) -> None:
    (content_dir / "articles/rights/police-stops.ru.md").unlink()
    clinics = content_dir / "clinics/lviv.yaml"
    clinics.write_text(clinics.read_text(encoding="utf-8").replace("2026-09-15", "2024-01-01"), encoding="utf-8")
    out = io.StringIO()
    assert run_check(content_dir, TODAY, out) == 1
    text = out.getvalue()
    assert (
        "ERROR  articles/rights/police-stops.ru.md: police-stops: "
        "missing language file (the article exists in en, uk)\n"
    ) in text
    assert "WARN   clinics/lviv.yaml: lviv-trust: last_verified 2024-01-01 is more than 12 months ago\n" in text
    assert "articles 7/7 6/7 7/7" in [" ".join(line.split()) for line in text.splitlines()]
    assert "1 error(s), 1 warning(s)" in text


def test_warnings_alone_exit_0(content_dir: Path) -> None:
    clinics = content_dir / "clinics/lviv.yaml"
    clinics.write_text(clinics.read_text(encoding="utf-8").replace("2026-09-15", "2024-01-01"), encoding="utf-8")
    assert run_check(content_dir, TODAY, io.StringIO()) == 0
