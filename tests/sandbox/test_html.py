"""The HTML parse mode parser: Telegram's tag set, entity offsets in UTF-16, TDLib's error wording."""

from __future__ import annotations

import pytest

from bot.sandbox import HtmlParseError, parse_html, render_html, utf16_len
from bot.sandbox.html import normalize


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("x <b", "Unclosed start tag at byte offset 2"),
        ("<a href", 'Unclosed start tag "a" at byte offset 0'),
        ('<a href="x"', "Unclosed start tag at byte offset 0"),
        ('<a ="x">y</a>', 'Empty attribute name in the tag "a" at byte offset 0'),
        ("<a href=x/>y</a>", "Unexpected end of name token at byte offset 8"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ('<tg-emoji emoji-id="x">y</tg-emoji>', "Invalid custom emoji identifier specified"),
        ("ü <p>", 'Unsupported start tag "p" at byte offset 3'),  # offsets are in bytes of UTF-8
    ],
)
def test_refuses_like_telegram(source: str, error: str) -> None:
    with pytest.raises(HtmlParseError) as raised:
        parse_html(source)
    assert str(raised.value) == error


def test_entities_and_offsets_in_utf16() -> None:
    parsed = parse_html("😀 <b>bold <i>both</i></b> &lt;&#38;&#x41;&gt; <tg-spoiler>s</tg-spoiler>")
    assert parsed.text == "😀 bold both <&A> s"
    assert parsed.entities == [
        {"type": "bold", "offset": 3, "length": 9},
        {"type": "italic", "offset": 8, "length": 4},
        {"type": "spoiler", "offset": 18, "length": 1},
    ]
    assert utf16_len(parsed.text) == 19


@pytest.mark.parametrize(
    ("source", "entity"),
    [
        ('<pre><code class="language-python">x = 1</code></pre>', {"type": "pre", "language": "python"}),
        ("<code>x</code>", {"type": "code"}),
        (
            '<a href="https://example.org/a?b=1&amp;c=2">x</a>',
            {"type": "text_link", "url": "https://example.org/a?b=1&c=2"},
        ),
        ('<a href="tg://user?id=42">x</a>', {"type": "text_mention"}),
        ("<blockquote expandable>x</blockquote>", {"type": "expandable_blockquote"}),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', {"type": "custom_emoji"}),
        ('<span class="tg-spoiler">x</span>', {"type": "spoiler"}),
        ("<STRONG>x</strong>", {"type": "bold"}),
    ],
)
def test_supported_tags(source: str, entity: dict[str, str]) -> None:
    (found,) = parse_html(source).entities
    assert entity.items() <= found.items()


def test_links_telegram_cannot_open_are_dropped() -> None:
    assert parse_html('<a href="javascript:alert(1)">x</a>').entities == []


def test_render_round_trips_and_nests_overlaps() -> None:
    source = '<b>Clinic <i>"Nadiya"</i></b> &amp; <a href="https://example.org">map</a> 😀 <code>&lt;b&gt;</code>'
    parsed = parse_html(source)
    rendered = render_html(parsed.text, parsed.entities)
    assert parse_html(rendered) == parsed
    overlapping = [{"type": "bold", "offset": 0, "length": 4}, {"type": "italic", "offset": 2, "length": 4}]
    assert render_html("abcdef", overlapping) == "<b>ab<i>cd</i></b><i>ef</i>"


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("  \n <b>x</b> \n", "x"),
        ("hi\r\n\tthere  ", "hi\n there"),  # \r dropped, tab becomes a space, trailing spaces cut
        ("<b> </b>x", "x"),  # whitespace-only entities vanish
        ("<b> x</b>", " x"),  # leading spaces are kept when an entity starts there
        ("a\u202eb", "ab"),  # bidi override removed
    ],
)
def test_text_is_cleaned_like_telegram(source: str, text: str) -> None:
    assert normalize(parse_html(source)).text == text
