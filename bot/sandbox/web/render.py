"""Message text + Bot API entities → safe browser HTML, shaped the way Telegram clients draw them.

The page never trusts text: every character outside the tags made here is escaped, link targets
are limited to a few schemes, and nothing is taken from the bot's HTML source. Like Telegram's
servers, links and /commands the sender did not mark are recognised in plain text.
"""

from __future__ import annotations

import html
import re
from typing import Any

LINK_SCHEMES = ("http://", "https://", "mailto:", "tg://")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]}]", re.IGNORECASE)
_COMMAND = re.compile(r"(?<![\w/@<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])")
# Entities whose inside is not scanned for links and commands (as in Telegram).
_OPAQUE = {"code", "pre", "text_link", "url", "email", "bot_command", "mention", "text_mention", "phone_number"}


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def safe_url(url: str) -> str | None:
    """A link target the page may show, or None (javascript:, data: and friends are dropped)."""
    url = url.strip()
    if not url or any(ch.isspace() for ch in url):
        return None
    if url.lower().startswith("www."):
        url = "http://" + url
    return url if url.lower().startswith(LINK_SCHEMES) else None


def _link(url: str | None) -> tuple[str, str] | None:
    checked = safe_url(url or "")
    if checked is None:
        return None
    return f'<a class="tg-link" href="{_attr(checked)}" data-url="{_attr(checked)}" rel="noopener noreferrer">', "</a>"


def _tags(entity: dict[str, Any], inner: str) -> tuple[str, str] | None:
    """Opening and closing tag for one entity; None draws its text plainly."""
    kind = entity["type"]
    simple = {"bold": "b", "italic": "i", "underline": "u", "strikethrough": "s", "code": "code"}
    if kind in simple:
        return f"<{simple[kind]}>", f"</{simple[kind]}>"
    if kind == "spoiler":
        return '<span class="tg-spoiler" title="spoiler">', "</span>"
    if kind == "pre":
        language = entity.get("language")
        label = f' data-language="{_attr(str(language))}"' if language else ""
        return f'<pre class="tg-pre"{label}><code>', "</code></pre>"
    if kind == "blockquote":
        return '<blockquote class="tg-quote">', "</blockquote>"
    if kind == "expandable_blockquote":
        return '<blockquote class="tg-quote tg-expandable">', "</blockquote>"
    if kind == "text_link":
        return _link(str(entity.get("url") or ""))
    if kind == "url":
        return _link(inner)
    if kind == "email":
        return _link(f"mailto:{inner}")
    if kind == "bot_command":
        return f'<a class="tg-command" href="#" data-command="{_attr(inner)}">', "</a>"
    if kind in ("mention", "text_mention", "hashtag", "cashtag", "phone_number"):
        return f'<span class="tg-{kind.replace("_", "-")}">', "</span>"
    return None  # custom_emoji, date_time: their text is what a client without them shows


def _utf16_to_index(text: str) -> dict[int, int]:
    """Map UTF-16 offsets (as entities count) to Python string positions."""
    positions: dict[int, int] = {}
    unit = 0
    for index, char in enumerate(text):
        positions[unit] = index
        unit += 2 if ord(char) > 0xFFFF else 1
    positions[unit] = len(text)
    return positions


def _detected(text: str, taken: list[tuple[int, int]]) -> list[tuple[int, int, dict[str, Any]]]:
    """Links and /commands in plain text, as Telegram's server marks them."""
    found: list[tuple[int, int, dict[str, Any]]] = []
    for pattern, kind in ((_URL, "url"), (_COMMAND, "bot_command")):
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < stop and begin < end for begin, stop in taken):
                continue
            taken.append((start, end))
            found.append((start, end, {"type": kind}))
    return found


def render_message_html(text: str | None, entities: list[dict[str, Any]] | None) -> str:
    """Browser HTML for a message text or caption with its entities (UTF-16 offsets)."""
    if not text:
        return ""
    positions = _utf16_to_index(text)
    spans: list[tuple[int, int, dict[str, Any]]] = []
    for entity in entities or []:
        start = positions.get(int(entity.get("offset", 0)))
        end = positions.get(int(entity.get("offset", 0)) + int(entity.get("length", 0)))
        if start is None or end is None or end <= start:
            continue  # an entity splitting a surrogate pair: Telegram would have refused it
        spans.append((start, end, entity))
    opaque = [(s, e) for s, e, entity in spans if entity["type"] in _OPAQUE]
    spans += _detected(text, opaque)
    tagged = []
    for start, end, entity in spans:
        tags = _tags(entity, text[start:end])
        if tags is not None:
            tagged.append((start, end, tags))
    tagged.sort(key=lambda item: (item[0], -(item[1] - item[0])))
    boundaries = sorted({0, len(text)} | {s for s, _, _ in tagged} | {e for _, e, _ in tagged})
    parts: list[str] = []
    stack: list[tuple[int, int, tuple[str, str]]] = []
    for index, position in enumerate(boundaries):
        if any(end == position for _, end, _ in stack):
            reopen = []
            while any(end == position for _, end, _ in stack):
                item = stack.pop()
                parts.append(item[2][1])
                if item[1] != position:
                    reopen.append(item)
            for item in reversed(reopen):  # closed only to keep the nesting valid
                parts.append(item[2][0])
                stack.append(item)
        for item in (t for t in tagged if t[0] == position):
            parts.append(item[2][0])
            stack.append(item)
        if index + 1 < len(boundaries):
            parts.append(html.escape(text[position : boundaries[index + 1]], quote=True))
    while stack:
        parts.append(stack.pop()[2][1])
    return "".join(parts)


def plain_snippet(text: str | None, limit: int = 80) -> str:
    """One line of a message for reply headers and topic lists (escaped by the page, not here)."""
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
