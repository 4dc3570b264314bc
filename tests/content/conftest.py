"""Fixtures for content tests: a small valid tree in three languages, copied when a test edits it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

VALID = Path(__file__).parent / "fixtures" / "valid"


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A writable copy of the valid fixture tree."""
    target = tmp_path / "content"
    shutil.copytree(VALID, target)
    return target
