"""Entities → browser HTML: Telegram's formatting drawn, everything else escaped."""

from __future__ import annotations

from bot.sandbox.html import parse_html
from bot.sandbox.web.render import plain_snippet, render_message_html, safe_url


def draw(telegram_html: str) -> str:
    """What the page shows for a message the bot sent with this HTML (parsed as Telegram parses it)."""
    parsed = parse_html(telegram_html)
    return render_message_html(parsed.text, parsed.entities)


def test_every_text_style_telegram_knows() -> None:
    assert draw("<b>b</b><i>i</i><u>u</u><s>s</s><code>c</code>") == "<b>b</b><i>i</i><u>u</u><s>s</s><code>c</code>"
    assert draw("<tg-spoiler>x</tg-spoiler>") == '<span class="tg-spoiler" title="spoiler">x</span>'
    assert draw("<pre>x</pre>") == '<pre class="tg-pre"><code>x</code></pre>'
    assert draw("<blockquote expandable>q</blockquote>") == '<blockquote class="tg-quote tg-expandable">q</blockquote>'


def test_nesting_and_overlaps_stay_valid_html() -> None:
    assert draw("<b>bold <i>both</i></b>") == "<b>bold <i>both</i></b>"
    crossing = render_message_html(
        "abcdef", [{"type": "bold", "offset": 0, "length": 4}, {"type": "italic", "offset": 2, "length": 4}]
    )
    assert crossing == "<b>ab<i>cd</i></b><i>ef</i>"


def test_offsets_count_utf16_like_telegram() -> None:
    assert draw("🙂 <b>ok</b> 🙂<i>x</i>") == "🙂 <b>ok</b> 🙂<i>x</i>"


def test_text_is_escaped_and_only_safe_links_survive() -> None:
    text = '<script>alert(1)</script> & "q"'
    assert render_message_html(text, []) == "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;"
    bad = render_message_html("click", [{"type": "text_link", "offset": 0, "length": 5, "url": "javascript:alert(1)"}])
    assert bad == "click"
    odd = render_message_html("x", [{"type": "text_link", "offset": 0, "length": 1, "url": 'https://a.b/"><x'}])
    assert (
        odd == '<a class="tg-link" href="https://a.b/&quot;&gt;&lt;x" data-url="https://a.b/&quot;&gt;&lt;x" '
        'rel="noopener noreferrer">x</a>'
    )
    assert safe_url("data:text/html,x") is None and safe_url("www.example.org") == "http://www.example.org"


def test_links_and_commands_in_plain_text_are_recognised() -> None:
    html = render_message_html("Type /menu or see https://example.org/a.", [])
    assert '<a class="tg-command" href="#" data-command="/menu">/menu</a>' in html
    assert '<a class="tg-link" href="https://example.org/a"' in html and "</a>." in html
    code = render_message_html("/menu", [{"type": "code", "offset": 0, "length": 5}])
    assert code == "<code>/menu</code>"  # nothing is recognised inside code
    assert "tg-command" not in render_message_html("and/or 1/2 </b>", [])


def test_snippets_are_one_short_line() -> None:
    assert plain_snippet("a\n b") == "a b"
    assert plain_snippet("x" * 100, 10) == "x" * 9 + "…"
