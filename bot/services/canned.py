"""Canned replies counsellors can send with one tap, in the member's language (content/canned.yaml)."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from bot.settings import LANGUAGES


class CannedReply(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9-]{1,20}$")
    label: dict[str, str]  # a short button label per language, for the counsellor
    text: dict[str, str]  # what the member receives, per language

    def model_post_init(self, _context: object) -> None:
        for field in (self.label, self.text):
            missing = [language for language in LANGUAGES if not field.get(language, "").strip()]
            if missing:
                raise ValueError(f"canned reply {self.id!r} lacks {', '.join(missing)}")


def load_canned(content_dir: Path) -> list[CannedReply]:
    path = content_dir / "canned.yaml"
    if not path.exists():
        return []
    return TypeAdapter(list[CannedReply]).validate_python(yaml.safe_load(path.read_text(encoding="utf-8")) or [])
