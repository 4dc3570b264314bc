"""`umbrella content check`: every problem of the content tree, and how complete each language is.

Meant for the people who edit the content: one run lists all errors (the bot would refuse to start)
and warnings (stale dates, clinics without hours), then a table per language and kind.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TextIO

from bot.content.loader import KINDS, Completeness, Severity, inspect_content
from bot.content.schema import LANGUAGES


def _table(completeness: tuple[Completeness, ...]) -> list[str]:
    cells = {(c.kind, c.lang): f"{c.done}/{c.total}" for c in completeness}
    kinds = [kind for kind in KINDS if any((kind, lang) in cells for lang in LANGUAGES)]
    if not kinds:
        return []
    width = max(len(kind) for kind in kinds) + 2
    column = max(6, *(len(cell) + 2 for cell in cells.values()))
    lines = ["".ljust(width) + "".join(lang.ljust(column) for lang in LANGUAGES).rstrip()]
    for kind in kinds:
        row = "".join(cells.get((kind, lang), "-").ljust(column) for lang in LANGUAGES)
        lines.append((kind.ljust(width) + row).rstrip())
    return lines


def run_check(path: Path, today: date, out: TextIO) -> int:
    """Print problems and the completeness table to `out`; return 1 if there are errors, else 0."""
    report = inspect_content(path, today)
    for problem in report.problems:
        label = "ERROR" if problem.severity is Severity.ERROR else "WARN"
        print(f"{label:<5}  {problem}", file=out)
    if report.problems:
        print(file=out)
    for line in _table(report.completeness):
        print(line, file=out)
    notes = []
    if report.store is not None:
        clinics = [c for city in report.store.cities for c in report.store.clinics(city.id)]
        samples = sum(1 for clinic in clinics if clinic.sample)
        if samples:
            notes.append(f"{samples} of {len(clinics)} clinics are sample data (not yet confirmed).")
        organisation = report.store.organisation
        if organisation is not None and organisation.sample:
            notes.append("The backup channel in organisation.yaml is sample data: set your own.")
    if notes:
        print(file=out)
        for note in notes:
            print(note, file=out)
    errors, warnings = len(report.errors), len(report.warnings)
    print(f"\n{errors} error(s), {warnings} warning(s) in {path}", file=out)
    return 1 if errors else 0
