"""Markdown → Telegram HTML and splitting by Telegram's own length rule."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from bot.content.render import (
    escape_html,
    markdown_to_messages,
    render_markdown,
    split_messages,
    split_paragraph,
    utf16_len,
    visible_text,
)

TELEGRAM_TAGS = {"b", "i", "s", "u", "a", "code", "pre", "blockquote"}


class _TagChecker(HTMLParser):
    """Fails on what Telegram's parser would reject: unknown, unbalanced or self-nested tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in TELEGRAM_TAGS, tag
        assert tag not in self.stack, f"nested <{tag}>"
        if tag == "a":
            assert [name for name, _ in attrs] == ["href"]
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}> in {self.stack}"
        self.stack.pop()


def assert_telegram_html(html: str) -> None:
    checker = _TagChecker()
    checker.feed(html)
    checker.close()
    assert checker.stack == []


def size(html: str) -> int:
    return utf16_len(visible_text(html))


def one(markdown: str) -> str:
    paragraphs = render_markdown(markdown)
    assert len(paragraphs) == 1, paragraphs
    return paragraphs[0]


# --- measuring


def test_utf16_len_counts_emoji_as_two_and_cyrillic_as_one() -> None:
    assert utf16_len("😀") == 2
    assert utf16_len("привіт") == 6
    assert utf16_len("a😀б") == 4
    assert utf16_len("🇺🇦") == 4  # a flag is two regional indicators


def test_visible_text_drops_tags_and_decodes_entities() -> None:
    assert visible_text('<b>a &amp; b</b> <a href="https://x.org/?a=1&amp;b=2">link</a> &lt;3') == "a & b link <3"


# --- rendering


def test_html_special_characters_are_escaped() -> None:
    assert one("Tom & Jerry say 1 < 2 > 0") == "Tom &amp; Jerry say 1 &lt; 2 &gt; 0"


def test_script_in_markdown_is_shown_as_text() -> None:
    html = one("Before <script>alert('x')</script> after")
    assert "<script>" not in html
    assert visible_text(html) == "Before <script>alert('x')</script> after"
    assert [visible_text(p) for p in render_markdown("<script>\nalert(1)\n</script>")] == [
        "<script>\nalert(1)\n</script>"
    ]
    block = render_markdown('<div onclick="x">raw block</div>')
    assert visible_text(block[0]) == '<div onclick="x">raw block</div>'
    assert_telegram_html(block[0])


def test_html_comments_are_dropped_and_other_html_shown() -> None:
    assert render_markdown("<!-- editor's note -->\n\nText <!-- inline note --> here <br>") == ["Text  here &lt;br&gt;"]


def test_javascript_link_is_dropped_but_its_text_kept() -> None:
    html = one("Click [here](javascript:alert(1)) or [there](data:text/html,x) or [rel](/page)")
    assert "<a" not in html
    assert visible_text(html) == "Click here or there or rel"


@pytest.mark.parametrize(
    "url", ["https://example.org/a?b=1", "http://example.org", "tg://resolve?domain=x", "mailto:a@example.org"]
)
def test_allowed_link_schemes(url: str) -> None:
    html = one(f"[go]({url})")
    assert html.startswith('<a href="') and html.endswith(">go</a>")


def test_link_attribute_is_escaped() -> None:
    html = one('[q](https://example.org/?a="1"&b=2)')
    assert_telegram_html(html)
    assert '"1"' not in html and "&amp;b=" in html


def test_nested_bold_and_italic() -> None:
    html = one("**bold *both* bold** and *it **both** it*")
    assert html == "<b>bold <i>both</i> bold</b> and <i>it <b>both</b> it</i>"
    assert_telegram_html(html)


def test_heading_is_bold_without_nested_bold() -> None:
    html = one("## A **strong** heading")
    assert html == "<b>A strong heading</b>"


def test_inline_code_fenced_code_and_breaks() -> None:
    assert one("Use `a<b` now") == "Use <code>a&lt;b</code> now"
    assert one("```\nif a < b:\n    pass\n```") == "<pre>if a &lt; b:\n    pass</pre>"
    assert one("one\ntwo") == "one two"  # a wrapped source line is a space
    assert one("one  \ntwo") == "one\ntwo"  # a hard break is a newline


def test_paragraphs_are_separate_blocks() -> None:
    assert render_markdown("First.\n\nSecond.\n\n\n") == ["First.", "Second."]


def test_bullet_and_ordered_lists() -> None:
    assert one("- one\n- **two**\n  - nested") == "• one\n• <b>two</b>\n   ◦ nested"
    assert one("1. first\n2. second") == "1. first\n2. second"
    assert one("3. third\n4. fourth") == "3. third\n4. fourth"


def test_blockquote_is_not_nested() -> None:
    html = one("> outer **b**\n>\n> > inner")
    assert html == "<blockquote>outer <b>b</b>\n\ninner</blockquote>"
    assert_telegram_html(html)


def test_strikethrough_and_image() -> None:
    assert one("~~old~~ ![a map](https://example.org/map.png)") == (
        '<s>old</s> <a href="https://example.org/map.png">a map</a>'
    )


# --- splitting


def test_text_of_exactly_the_limit_stays_one_message() -> None:
    assert split_messages(["a" * 4096]) == ["a" * 4096]


def test_text_one_over_the_limit_becomes_two_messages() -> None:
    text = ("word " * 820)[:4097]
    messages = split_messages([escape_html(text)])
    assert len(messages) == 2
    assert all(size(m) <= 4096 for m in messages)
    assert " ".join(visible_text(m) for m in messages).split() == text.split()


def test_markdown_paragraph_of_4097_characters() -> None:
    messages = markdown_to_messages("x" * 4097)
    assert [size(m) for m in messages] == [4096, 1]


def test_emoji_count_two_units_and_are_never_cut() -> None:
    assert split_messages(["😀" * 2048]) == ["😀" * 2048]
    messages = split_messages(["😀" * 2049])
    assert [utf16_len(m) for m in messages] == [4096, 2]
    assert all(m.encode("utf-16-le").decode("utf-16-le") == m for m in messages)


def test_cyrillic_counts_one_unit_per_letter() -> None:
    assert split_messages(["ж" * 4096]) == ["ж" * 4096]
    assert len(split_messages(["ж" * 4097])) == 2


def test_escaped_entities_count_as_one_visible_character() -> None:
    html = escape_html("&" * 4096)
    assert split_messages([html]) == [html]  # 4096 visible, 20480 bytes of source


def test_paragraphs_are_packed_and_cut_only_between_them() -> None:
    paragraphs = ["a" * 2000, "b" * 2000, "c" * 2000]
    messages = split_messages(paragraphs)
    assert messages == ["a" * 2000 + "\n\n" + "b" * 2000, "c" * 2000]
    assert split_messages(["a" * 2047, "b" * 2047]) == ["a" * 2047 + "\n\n" + "b" * 2047]  # 4096
    assert len(split_messages(["a" * 2047, "b" * 2048])) == 2  # 4097


def test_long_paragraph_is_cut_at_a_line_then_sentence_then_word() -> None:
    line_cut = split_paragraph("First line.\n" + "x" * 20, limit=25)
    assert line_cut == ["First line.", "x" * 20]
    sentence_cut = split_paragraph("One two. Three four five six.", limit=20)
    assert sentence_cut == ["One two.", "Three four five six."]
    word_cut = split_paragraph("alpha beta gamma delta", limit=12)
    assert word_cut == ["alpha beta", "gamma delta"]
    hard_cut = split_paragraph("abcdefghij", limit=4)
    assert hard_cut == ["abcd", "efgh", "ij"]


def test_cut_inside_tags_closes_and_reopens_them() -> None:
    html = "<b>bold " + "<i>" + "word " * 10 + "</i>end</b>"
    pieces = split_paragraph(html, limit=20)
    assert len(pieces) > 2
    for piece in pieces:
        assert_telegram_html(piece)
        assert size(piece) <= 20
        assert piece.startswith("<b>")
    assert " ".join(visible_text(p) for p in pieces).split() == visible_text(html).split()


def test_cut_inside_a_link_and_blockquote_keeps_both() -> None:
    html = "<blockquote>" + "line\n" * 3 + '<a href="https://e.org">a link text</a></blockquote>'
    pieces = split_paragraph(html, limit=12)
    for piece in pieces:
        assert_telegram_html(piece)
        assert piece.startswith("<blockquote>")
    assert pieces[-1] == '<blockquote><a href="https://e.org">a link text</a></blockquote>'


def test_long_markdown_article_splits_into_valid_messages() -> None:
    sentence = "Ви маєте право на адвоката & на дзвінок 😀. "
    markdown = "\n\n".join(
        [
            "# Затримання",
            "**" + sentence * 60 + "**",
            "- " + "\n- ".join(sentence * 3 for _ in range(40)),
            "> " + sentence * 100,
        ]
    )
    messages = markdown_to_messages(markdown, title="Права")
    assert messages[0].startswith("<b>Права</b>\n\n<b>Затримання</b>")
    assert len(messages) > 3
    for message in messages:
        assert_telegram_html(message)
        assert 0 < size(message) <= 4096


def test_escape_html_quotes_only_in_attributes() -> None:
    assert escape_html('a "b" <c> & d') == 'a "b" &lt;c&gt; &amp; d'
    assert escape_html('a "b"', quote=True) == "a &quot;b&quot;"
