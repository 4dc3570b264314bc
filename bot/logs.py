"""Logging that cannot carry a member's identity.

Our own log lines never include ids, names or message text. As a second line of defence a filter
masks long digit runs (Telegram ids, phone numbers) in every record, including third-party ones.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import TextIO

_LONG_NUMBER = re.compile(r"(?<![\w.])[-+]?\d{6,}(?![\w.])")


def redact(text: str) -> str:
    return _LONG_NUMBER.sub("<redacted>", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg, record.args = redact(message), None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def formatException(self, ei) -> str:  # type: ignore[no-untyped-def]
        return redact(super().formatException(ei))


def setup_logging(level: str = "INFO", fmt: str = "text", stream: TextIO | None = None) -> None:
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # aiogram logs every handled update at INFO; keep that at WARNING in production.
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    # Database drivers log statement parameters at DEBUG; never let them through.
    for noisy in ("aiosqlite", "asyncpg", "sqlalchemy.engine", "markdown_it"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
