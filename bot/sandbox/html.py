"""Telegram's HTML parse mode, parsed as strictly as Telegram does, and rendered back for display.

The parser follows the rules of Telegram's own implementation (TDLib `parse_html`): the same tag set,
the same attribute grammar and the same error wording, so a message the bot builds wrongly fails here
the way it would fail in production. Offsets and lengths are in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

SUPPORTED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "tg-emoji",
        "tg-time", "span", "pre", "code", "blockquote",
    }
)  # fmt: skip

_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACES = " \t\r\n\v\f"
_TEXT_MENTION = re.compile(r"^tg://user\?id=(\d+)$")

UserLookup = Callable[[int], "dict[str, Any] | None"]


class HtmlParseError(ValueError):
    """The part after "can't parse entities: " in Telegram's 400 answer."""


@dataclass
class FormattedText:
    """Plain text plus its Bot API entities (dicts, UTF-16 offsets)."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: characters outside the BMP (most emoji) count twice."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def utf16_slice(text: str, start: int, end: int) -> str:
    """`text[start:end]` with UTF-16 code-unit positions."""
    return text.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le", errors="replace")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _is_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode `&lt;`, `&#123;`, `&#x1F600;`... at `pos`; None if it is not one (TDLib keeps it literally)."""
    end = pos + 1
    if text.startswith("&#", pos):
        end += 1
        value = 0
        if text.startswith("x", end):
            end += 1
            start = end
            while end < len(text) and text[end] in "0123456789abcdefABCDEF":
                end += 1
            value = int(text[start:end], 16) if end > start else 0
        else:
            start = end
            while end < len(text) and text[end].isascii() and text[end].isdigit():
                end += 1
            value = int(text[start:end]) if end > start else 0
        if value == 0 or value >= 0x10FFFF or end - pos >= 10 or 0xD800 <= value <= 0xDFFF:
            return None
        char = chr(value)
    else:
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        name = text[pos + 1 : end]
        if name not in _NAMED_ENTITIES:
            return None
        char = _NAMED_ENTITIES[name]
    if text.startswith(";", end):
        end += 1
    return char, end


@dataclass
class _Open:
    tag: str
    argument: str
    attributes: dict[str, str]
    utf16_offset: int
    out_index: int
    byte_offset: int


def _check_url(url: str) -> str | None:
    """Telegram silently drops links it can't parse; keep the ones a client could open."""
    url = url.strip()
    if not url or any(ch in url for ch in _SPACES):
        return None
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url):
        scheme = url.split(":", 1)[0].lower()
        return url if scheme in {"http", "https", "tg", "ftp", "tonsite", "mailto"} else None
    return f"http://{url}" if "." in url else None


def parse_html(
    source: str,
    *,
    strict_ampersand: bool = False,
    lookup_user: UserLookup | None = None,
) -> FormattedText:
    """Parse Telegram HTML into plain text and entities, raising HtmlParseError like Telegram.

    Telegram itself keeps a bare `&` literally; `strict_ampersand=True` rejects it instead, to catch
    unescaped user input (where "&lt;" would otherwise silently turn into "<").
    """
    out: list[str] = []
    utf16 = 0
    entities: list[dict[str, Any]] = []
    stack: list[_Open] = []
    n = len(source)

    def at(k: int) -> str:
        return source[k] if k < n else ""

    def err(message: str, index: int) -> HtmlParseError:
        return HtmlParseError(f"{message} at byte offset {_byte_offset(source, index)}")

    i = 0
    while i < n:
        c = source[i]
        if c == "&":
            decoded = _decode_entity(source, i)
            if decoded is not None:
                out.append(decoded[0])
                utf16 += utf16_len(decoded[0])
                i = decoded[1]
                continue
            if strict_ampersand:
                raise err('Unescaped "&", use "&amp;"', i)
        if c != "<":
            out.append(c)
            utf16 += 2 if ord(c) > 0xFFFF else 1
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != "/":
            while at(i) and at(i) not in _SPACES and at(i) != ">":
                i += 1
            if not at(i):
                raise err("Unclosed start tag", begin)
            tag = source[begin + 1 : i].lower()
            if tag not in SUPPORTED_TAGS:
                raise err(f'Unsupported start tag "{tag}"', begin)
            argument = ""
            attributes: dict[str, str] = {}
            while at(i) != ">":
                while at(i) and at(i) in _SPACES:
                    i += 1
                if at(i) == ">":
                    break
                if not at(i):
                    raise err(f'Unclosed start tag "{tag}"', begin)
                name_begin = i
                while at(i) and at(i) not in _SPACES and at(i) not in "=>":
                    i += 1
                name = source[name_begin:i]
                if not name:
                    raise err(f'Empty attribute name in the tag "{tag}"', begin)
                while at(i) and at(i) in _SPACES:
                    i += 1
                value = ""
                if at(i) == "=":
                    i += 1
                    while at(i) and at(i) in _SPACES:
                        i += 1
                    if not at(i):
                        raise err(f'Unclosed start tag "{tag}"', begin)
                    if at(i) not in "'\"":
                        token_begin = i
                        while at(i) and (_is_alnum(at(i)) or at(i) in ".-"):
                            i += 1
                        value = source[token_begin:i].lower()
                        if not at(i):
                            raise err("Unclosed start tag", begin)
                        if at(i) not in _SPACES and at(i) != ">":
                            raise err("Unexpected end of name token", token_begin)
                    else:
                        quote = at(i)
                        i += 1
                        chars: list[str] = []
                        while at(i) and at(i) != quote:
                            if at(i) == "&":
                                decoded = _decode_entity(source, i)
                                if decoded is not None:
                                    chars.append(decoded[0])
                                    i = decoded[1]
                                    continue
                            chars.append(at(i))
                            i += 1
                        if at(i) == quote:
                            i += 1
                        value = "".join(chars)
                    if not at(i):
                        raise err("Unclosed start tag", begin)
                elif not at(i):
                    raise err(f'Unclosed start tag "{tag}"', begin)
                attributes[name] = value
                if (tag == "a" and name == "href") or (tag == "tg-emoji" and name == "emoji-id"):
                    argument = value
                elif tag == "code" and name == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and name == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "blockquote" and name == "expandable":
                    argument = "1"
            if tag == "span" and argument != "spoiler":
                raise err('Tag "span" must have class "tg-spoiler"', begin)
            stack.append(_Open(tag, argument, attributes, utf16, len(out), _byte_offset(source, begin)))
            i += 1  # the closing ">"
            continue

        # an end tag
        if not stack:
            raise err("Unexpected end tag", begin)
        i += 1
        name_begin = i
        while at(i) and at(i) not in _SPACES and at(i) != ">":
            i += 1
        end_name = source[name_begin:i]
        while at(i) and at(i) in _SPACES:
            i += 1
        if at(i) != ">":
            raise err("Unclosed end tag", begin)
        i += 1
        opened = stack.pop()
        if end_name and end_name != opened.tag:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {_byte_offset(source, begin)}, "
                f'expected "</{opened.tag}>", found "</{end_name}>"'
            )
        if utf16 > opened.utf16_offset:
            _close_entity(opened, utf16, "".join(out[opened.out_index :]), entities, lookup_user)

    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')

    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    return FormattedText("".join(out), sort_entities(entities))


def _close_entity(
    opened: _Open,
    end: int,
    inner_text: str,
    entities: list[dict[str, Any]],
    lookup_user: UserLookup | None,
) -> None:
    offset, length, tag = opened.utf16_offset, end - opened.utf16_offset, opened.tag
    base: dict[str, Any] = {"offset": offset, "length": length}
    if tag in _SIMPLE_TAGS:
        entities.append({"type": _SIMPLE_TAGS[tag], **base})
    elif tag == "blockquote":
        entities.append({"type": "expandable_blockquote" if opened.argument else "blockquote", **base})
    elif tag == "tg-emoji":
        if not (opened.argument.isdigit() and 0 < int(opened.argument) < 2**63):
            raise HtmlParseError("Invalid custom emoji identifier specified")
        entities.append({"type": "custom_emoji", **base, "custom_emoji_id": opened.argument})
    elif tag == "tg-time":
        unix = opened.attributes.get("unix", "")
        if not unix.lstrip("-").isdigit():
            raise HtmlParseError("Invalid Unix time specified")
        entity = {"type": "date_time", **base, "unix_time": int(unix)}
        if opened.attributes.get("format"):
            entity["date_time_format"] = opened.attributes["format"]
        entities.append(entity)
    elif tag == "a":
        url = opened.argument or inner_text
        mention = _TEXT_MENTION.match(url)
        if mention:
            user_id = int(mention.group(1))
            user = lookup_user(user_id) if lookup_user else None
            entities.append(
                {"type": "text_mention", **base, "user": user or {"id": user_id, "is_bot": False, "first_name": ""}}
            )
        elif (checked := _check_url(url)) is not None:
            entities.append({"type": "text_link", **base, "url": checked})
    elif tag == "pre":
        last = entities[-1] if entities else None
        if (
            last
            and last["type"] == "code"
            and last["offset"] == offset
            and last["length"] == length
            and last.get("language")
        ):
            last["type"] = "pre"
        else:
            entities.append({"type": "pre", **base})
    elif tag == "code":
        last = entities[-1] if entities else None
        if last and last["type"] == "pre" and last["offset"] == offset and last["length"] == length and opened.argument:
            last["language"] = opened.argument
        else:
            entity = {"type": "code", **base}
            if opened.argument:
                entity["language"] = opened.argument
            entities.append(entity)


def sort_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Telegram's order: by offset, longer (outer) entities first."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


_REMOVED = frozenset("\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u0333\u033f\u030a")


def normalize(formatted: FormattedText) -> FormattedText:
    """Telegram's clean-up of a text after parsing (TDLib `fix_formatted_text`).

    "\\r" and some separators/bidi controls are dropped, other control characters become spaces,
    entities covering only whitespace disappear, trailing whitespace is cut, and leading spaces and
    newlines are cut up to the first entity.
    """
    out: list[str] = []
    position: dict[int, int] = {}
    old = new = 0
    for char in formatted.text:
        position[old] = new
        width = 2 if ord(char) > 0xFFFF else 1
        old += width
        if char == "\r" or char in _REMOVED:
            continue
        out.append(" " if ord(char) < 32 and char != "\n" else char)
        new += width
    position[old] = new
    text = "".join(out)
    entities: list[dict[str, Any]] = []
    for entity in formatted.entities:
        start, end = position.get(entity["offset"]), position.get(entity["offset"] + entity["length"])
        if start is not None and end is not None and utf16_slice(text, start, end).strip(" \n"):
            entities.append({**entity, "offset": start, "length": end - start})
    text = text.rstrip(" \n")
    size = utf16_len(text)
    entities = [{**e, "length": min(e["offset"] + e["length"], size) - e["offset"]} for e in entities]
    first_entity = min((e["offset"] for e in entities), default=size)
    lead = 0
    while lead < first_entity and text[lead] in " \n":  # only BMP characters here: index == UTF-16 offset
        lead += 1
    if lead:
        text = text[lead:]
        entities = [{**e, "offset": e["offset"] - lead} for e in entities]
    return FormattedText(text, sort_entities(entities))


KNOWN_ENTITY_TYPES = frozenset(
    {
        "mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number", "bold", "italic",
        "underline", "strikethrough", "spoiler", "blockquote", "expandable_blockquote", "code", "pre",
        "text_link", "text_mention", "custom_emoji", "date_time",
    }
)  # fmt: skip


def clean_entities(text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validate explicit `entities`: unknown types are refused, out-of-range parts clipped as Telegram does."""
    size = utf16_len(text)
    cleaned: list[dict[str, Any]] = []
    for entity in entities:
        if not isinstance(entity, dict) or not isinstance(entity.get("type"), str):
            raise HtmlParseError("can't parse MessageEntity")
        if entity["type"] not in KNOWN_ENTITY_TYPES:
            raise HtmlParseError(f'Unsupported entity type "{entity["type"]}"')
        if entity["type"] == "text_link" and not entity.get("url"):
            raise HtmlParseError('Field "url" must be of type String')
        offset, length = int(entity.get("offset", 0)), int(entity.get("length", 0))
        start, end = max(offset, 0), min(offset + length, size)
        if end > start:
            cleaned.append({**entity, "offset": start, "length": end - start})
    return sort_entities(cleaned)


def escape(text: str) -> str:
    """Escape text for HTML parse mode."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _open_tag(entity: dict[str, Any]) -> tuple[str, str] | None:
    kind = entity["type"]
    simple = {"bold": "b", "italic": "i", "underline": "u", "strikethrough": "s", "spoiler": "tg-spoiler"}
    if kind in simple:
        return f"<{simple[kind]}>", f"</{simple[kind]}>"
    if kind == "code":
        return "<code>", "</code>"
    if kind == "pre":
        if entity.get("language"):
            return f'<pre><code class="language-{escape(entity["language"])}">', "</code></pre>"
        return "<pre>", "</pre>"
    if kind == "text_link":
        return f'<a href="{escape(entity["url"])}">', "</a>"
    if kind == "text_mention":
        return f'<a href="tg://user?id={entity["user"]["id"]}">', "</a>"
    if kind == "blockquote":
        return "<blockquote>", "</blockquote>"
    if kind == "expandable_blockquote":
        return "<blockquote expandable>", "</blockquote>"
    if kind == "custom_emoji":
        return f'<tg-emoji emoji-id="{escape(str(entity["custom_emoji_id"]))}">', "</tg-emoji>"
    if kind == "date_time":
        fmt = f' format="{escape(entity["date_time_format"])}"' if entity.get("date_time_format") else ""
        return f'<tg-time unix="{entity["unix_time"]}"{fmt}>', "</tg-time>"
    return None  # url, mention, hashtag...: plain text in HTML


def render_html(text: str, entities: list[dict[str, Any]] | None) -> str:
    """Turn text + entities back into Telegram HTML (properly nested) for display in a client."""
    units = text.encode("utf-16-le")
    size = len(units) // 2
    tagged = [(e, tags) for e in sort_entities(list(entities or [])) if (tags := _open_tag(e))]
    boundaries = sorted({0, size} | {e["offset"] for e, _ in tagged} | {e["offset"] + e["length"] for e, _ in tagged})
    parts: list[str] = []
    stack: list[tuple[dict[str, Any], tuple[str, str]]] = []
    for index, position in enumerate(boundaries):
        # close everything ending here; reopen the ones closed only to keep nesting valid
        if any(e["offset"] + e["length"] == position for e, _ in stack):
            reopen: list[tuple[dict[str, Any], tuple[str, str]]] = []
            while any(e["offset"] + e["length"] == position for e, _ in stack):
                entity, tags = stack.pop()
                parts.append(tags[1])
                if entity["offset"] + entity["length"] != position:
                    reopen.append((entity, tags))
            for entity, tags in reversed(reopen):
                parts.append(tags[0])
                stack.append((entity, tags))
        starting = [(e, t) for e, t in tagged if e["offset"] == position and e["length"] > 0]
        starting.sort(key=lambda item: -item[0]["length"])
        for entity, tags in starting:
            parts.append(tags[0])
            stack.append((entity, tags))
        if index + 1 < len(boundaries):
            segment = units[2 * position : 2 * boundaries[index + 1]].decode("utf-16-le", errors="replace")
            parts.append(escape(segment))
    while stack:
        parts.append(stack.pop()[1][1])
    return "".join(parts)
