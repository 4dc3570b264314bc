"""Markdown → Telegram HTML, and splitting into messages Telegram accepts.

Telegram's HTML is a small, strict subset: unknown tags, unescaped `<` or `&`, nested blockquotes
or a link with a `javascript:` scheme make `sendMessage` fail (or worse, mislead), and a text may
have at most 4096 characters *after* entity parsing, counted in UTF-16 code units. So the Markdown
is walked as a token tree (markdown-it-py, raw HTML disabled), every text node is escaped, and
lengths are measured on the visible text the way Telegram measures them.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

TELEGRAM_TEXT_LIMIT = 4096
PARAGRAPH_SEPARATOR = "\n\n"
ALLOWED_LINK_SCHEMES = frozenset({"http", "https", "tg", "mailto"})

_BULLETS = ("•", "◦")
_CONTINUATION = "   "
_RULE = "———"


def escape_html(text: str, *, quote: bool = False) -> str:
    """Escape for Telegram HTML: & < > always, " only inside attribute values."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if quote:
        text = text.replace('"', "&quot;")
    return text


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, Telegram's unit: a character outside the BMP (most emoji) is 2."""
    return len(text.encode("utf-16-le")) // 2


def _char_units(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


class _Atoms(HTMLParser):
    """Visible characters of Telegram HTML, each with the stack of tags open around it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chars: list[str] = []
        self.stacks: list[tuple[tuple[str, str], ...]] = []
        self._stack: list[tuple[str, str]] = []
        self._frozen: tuple[tuple[str, str], ...] = ()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._stack.append((tag, self.get_starttag_text() or f"<{tag}>"))
        self._frozen = tuple(self._stack)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                del self._stack[index:]
                break
        self._frozen = tuple(self._stack)

    def handle_data(self, data: str) -> None:
        self.chars.extend(data)
        self.stacks.extend([self._frozen] * len(data))


def _atoms(html: str) -> _Atoms:
    parser = _Atoms()
    parser.feed(html)
    parser.close()
    return parser


def visible_text(html: str) -> str:
    """The text a member sees once Telegram has parsed the tags and entities."""
    return "".join(_atoms(html).chars)


# --- Markdown → HTML -------------------------------------------------------------------------


def _markdown() -> MarkdownIt:
    # html=True only so that raw HTML arrives as its own tokens: comments (notes for editors) are
    # dropped, anything else is escaped and shown as text, never passed through.
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable("strikethrough")
    # We filter schemes ourselves (allow-list) so a refused link keeps its text instead of
    # showing the raw "[text](javascript:…)" source.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


_MD = _markdown()


@dataclass(frozen=True)
class _Ctx:
    open_tags: frozenset[str] = field(default_factory=frozenset)
    in_quote: bool = False
    list_depth: int = 0


def _wrap(tag: str, inner: str, ctx_tags: frozenset[str], attrs: str = "") -> str:
    # Telegram rejects an entity nested in one of its own kind (bold in a bold heading).
    if tag in ctx_tags or not inner:
        return inner
    return f"<{tag}{attrs}>{inner}</{tag}>"


def _safe_href(url: str) -> str | None:
    url = url.strip()
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ALLOWED_LINK_SCHEMES else None


def _is_comment(html: str) -> bool:
    html = html.strip()
    return html.startswith("<!--") and html.endswith("-->")


def _inline(nodes: Sequence[SyntaxTreeNode], tags: frozenset[str]) -> str:
    out: list[str] = []
    for node in nodes:
        kind = node.type
        if kind == "text":
            out.append(escape_html(node.content))
        elif kind == "softbreak":
            out.append(" ")  # lines wrapped in the source join, as in any Markdown
        elif kind == "hardbreak":
            out.append("\n")
        elif kind == "code_inline":
            inner = escape_html(node.content)
            out.append(inner if "code" in tags else f"<code>{inner}</code>")
        elif kind in ("strong", "em", "s"):
            tag = {"strong": "b", "em": "i", "s": "s"}[kind]
            out.append(_wrap(tag, _inline(node.children, tags | {tag}), tags))
        elif kind == "link":
            href = _safe_href(str(node.attrs.get("href", "")))
            inner = _inline(node.children, tags | {"a"})
            if href is None or "a" in tags:
                out.append(inner)
            else:
                out.append(_wrap("a", inner, tags, f' href="{escape_html(href, quote=True)}"'))
        elif kind == "image":
            alt = _inline(node.children, tags | {"a"})
            src = _safe_href(str(node.attrs.get("src", "")))
            if src is not None and "a" not in tags and src.lower().startswith(("http:", "https:")):
                label = alt or escape_html(src)
                out.append(f'<a href="{escape_html(src, quote=True)}">{label}</a>')
            else:
                out.append(alt)
        elif kind == "html_inline":
            out.append("" if _is_comment(node.content) else escape_html(node.content))
        elif node.children:
            out.append(_inline(node.children, tags))
        else:  # anything unforeseen: as text
            out.append(escape_html(node.content))
    return "".join(out)


def _inline_of(node: SyntaxTreeNode, tags: frozenset[str]) -> str:
    return "".join(_inline(child.children, tags) for child in node.children if child.type == "inline")


def _list_block(node: SyntaxTreeNode, ctx: _Ctx) -> str:
    ordered = node.type == "ordered_list"
    number = int(node.attrs.get("start", 1)) if ordered else 0
    bullet = _BULLETS[min(ctx.list_depth, len(_BULLETS) - 1)]
    inner_ctx = replace(ctx, list_depth=ctx.list_depth + 1)
    lines: list[str] = []
    for item in node.children:
        marker = f"{number}." if ordered else bullet
        number += 1
        content = "\n".join(_blocks(item.children, inner_ctx))
        item_lines = content.split("\n") if content else [""]
        lines.append(f"{marker} {item_lines[0]}".rstrip())
        lines.extend(f"{_CONTINUATION}{line}" if line else "" for line in item_lines[1:])
    return "\n".join(lines)


def _block(node: SyntaxTreeNode, ctx: _Ctx) -> str:
    kind = node.type
    if kind == "paragraph":
        return _inline_of(node, ctx.open_tags)
    if kind == "heading":
        return _wrap("b", _inline_of(node, ctx.open_tags | {"b"}), ctx.open_tags)
    if kind in ("bullet_list", "ordered_list"):
        return _list_block(node, ctx)
    if kind == "blockquote":
        inner = PARAGRAPH_SEPARATOR.join(_blocks(node.children, replace(ctx, in_quote=True)))
        if ctx.in_quote:  # Telegram does not nest blockquotes
            return inner
        return _wrap("blockquote", inner, ctx.open_tags)
    if kind in ("fence", "code_block"):
        code = escape_html(node.content.rstrip("\n"))
        if ctx.in_quote or ctx.list_depth:  # keep entities simple where Telegram is picky
            return code
        return _wrap("pre", code, ctx.open_tags)
    if kind == "hr":
        return _RULE
    if kind == "html_block":
        return "" if _is_comment(node.content) else escape_html(node.content.strip())
    if node.children:
        return "\n".join(_blocks(node.children, ctx))
    return escape_html(node.content.strip())  # anything unforeseen: as text


def _blocks(nodes: Sequence[SyntaxTreeNode], ctx: _Ctx) -> list[str]:
    rendered = (_block(node, ctx) for node in nodes)
    return [html for html in rendered if html.strip()]


def render_markdown(markdown: str) -> list[str]:
    """Telegram-HTML paragraphs (top-level blocks) of a Markdown text.

    Raw HTML is shown as text; HTML comments are dropped.
    """
    tree = SyntaxTreeNode(_MD.parse(markdown))
    return _blocks(tree.children, _Ctx())


def markdown_to_messages(markdown: str, *, limit: int = TELEGRAM_TEXT_LIMIT, title: str | None = None) -> list[str]:
    """Render and split; `title` (plain text) becomes a bold first paragraph."""
    paragraphs = render_markdown(markdown)
    if title:
        paragraphs.insert(0, f"<b>{escape_html(title)}</b>")
    return split_messages(paragraphs, limit=limit)


# --- splitting -------------------------------------------------------------------------------


_SENTENCE_END = ".!?…"
_CLOSERS = "\"')]»”’"


def _emit(atoms: _Atoms, start: int, stop: int) -> str:
    """HTML of visible characters [start, stop), closing and re-opening tags around the cut."""
    out: list[str] = []
    current: tuple[tuple[str, str], ...] = ()
    for index in range(start, stop):
        stack = atoms.stacks[index]
        if stack is not current:
            common = 0
            while common < min(len(stack), len(current)) and stack[common] == current[common]:
                common += 1
            out.extend(f"</{name}>" for name, _ in reversed(current[common:]))
            out.extend(raw for _, raw in stack[common:])
            current = stack
        out.append(escape_html(atoms.chars[index]))
    out.extend(f"</{name}>" for name, _ in reversed(current))
    return "".join(out)


def _is_sentence_gap(text: str, index: int) -> bool:
    """A whitespace at `index` that follows the end of a sentence (maybe after a closing quote)."""
    if not text[index].isspace() or index == 0:
        return False
    before = index - 1
    while before > 0 and text[before] in _CLOSERS:
        before -= 1
    return text[before] in _SENTENCE_END


def _cut(text: str, start: int, end: int) -> int:
    """Where to cut text[start:] so that text[start:cut] fits; `end` is the furthest allowed cut."""
    if end >= len(text):
        return len(text)
    preferences = (
        lambda i: text[i] == "\n",
        lambda i: _is_sentence_gap(text, i),
        lambda i: text[i].isspace(),
    )
    for accept in preferences:
        for index in range(end, start, -1):
            if accept(index) and text[start:index].strip():
                return index
    return max(end, start + 1)


def split_paragraph(html: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Split one HTML paragraph into pieces whose visible text fits `limit` UTF-16 units.

    Cuts at a line break, else after a sentence, else between words, else between characters;
    tags open at a cut are closed and re-opened, entities are never cut.
    """
    atoms = _atoms(html)
    text = "".join(atoms.chars)
    if utf16_len(text) <= limit:
        return [html] if text.strip() else []
    cumulative = [0]
    for char in text:
        cumulative.append(cumulative[-1] + _char_units(char))
    pieces: list[str] = []
    start = 0
    while start < len(text):
        # furthest end such that units(text[start:end]) <= limit
        end = bisect.bisect_right(cumulative, cumulative[start] + limit) - 1
        cut = _cut(text, start, end)
        stop = cut
        while stop > start and text[stop - 1].isspace():
            stop -= 1
        if stop > start:
            pieces.append(_emit(atoms, start, stop))
        start = cut
        while start < len(text) and text[start].isspace():
            start += 1
    return pieces


def split_messages(html_paragraphs: Sequence[str], limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Pack paragraphs into messages (joined by a blank line) whose visible text is ≤ `limit`.

    Cuts only between paragraphs, unless one paragraph alone is too long (see `split_paragraph`).
    """
    if limit < 2:
        raise ValueError("limit must leave room for at least one character")
    messages: list[str] = []
    current: list[str] = []
    used = 0
    gap = utf16_len(PARAGRAPH_SEPARATOR)

    def flush() -> None:
        nonlocal current, used
        if current:
            messages.append(PARAGRAPH_SEPARATOR.join(current))
        current, used = [], 0

    for paragraph in html_paragraphs:
        text = visible_text(paragraph)
        if not text.strip():
            continue
        size = utf16_len(text)
        if size > limit:
            flush()
            pieces = split_paragraph(paragraph, limit)
            messages.extend(pieces[:-1])
            paragraph = pieces[-1]
            size = utf16_len(visible_text(paragraph))
        needed = size if not current else used + gap + size
        if needed > limit:
            flush()
            needed = size
        current.append(paragraph)
        used = needed
    flush()
    return messages
