"""Every menu path in each language: a member presses every button reachable from the main menu.

Each screen must answer (no apology, no dead button), carry a way home, and stay in the member's
language: a member who chose Ukrainian sees no Russian-only letters and no English interface text,
and the other way round.
"""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from bot.sandbox.client import SeenMessage, TelegramUser
from tests.e2e.conftest import LANGUAGE_LABELS, ROOT_DIR, Harness, labels

# Presses that change who the member is or erase things are tested on their own.
SKIP_DATA = re.compile(r"^(set:(clear_yes|forget_yes|forget_all)|lang:)")
HOME_LABEL = {"uk": "🏠 Меню", "ru": "🏠 Меню", "en": "🏠 Menu"}
CITY = {"uk": "📍 Київ", "ru": "📍 Киев", "en": "📍 Kyiv"}
RUSSIAN_ONLY = set("ыэъё")
UKRAINIAN_ONLY = set("іїєґ")


def english_interface_strings() -> set[str]:
    """English msgids long enough that seeing one means an untranslated screen."""
    with (ROOT_DIR / "locales" / "messages.pot").open("rb") as handle:
        ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    plain = {re.sub(r"<[^>]+>|\{[^}]*\}", "", i).strip() for i in ids}
    return {p for p in plain if len(p) >= 12 and " " in p and "/menu" not in p}


def screen_text(message: SeenMessage) -> str:
    """Text and button labels, without the language names (each is written in its own language)."""
    shown = [label for label in labels(message) if label not in LANGUAGE_LABELS.values()]
    return "\n".join([message.text or "", *shown])


def assert_in_language(message: SeenMessage, language: str, english: set[str]) -> None:
    text = screen_text(message).lower()
    if language == "uk":
        assert not RUSSIAN_ONLY & set(text), f"Russian letters on a Ukrainian screen: {text[:300]}"
    if language == "ru":
        assert not UKRAINIAN_ONLY & set(text), f"Ukrainian letters on a Russian screen: {text[:300]}"
    if language != "en":
        leaked = [s for s in english if s.lower() in text]
        assert not leaked, f"English text on a {language} screen: {leaked[:3]}"


async def crawl(member: TelegramUser, language: str, english: set[str]) -> int:
    """Press every callback button once (by its data, on the message that shows it)."""
    await member.command("/menu")
    seen_data: set[str] = set()
    pressed = 0
    frontier = [member.last]
    while frontier and pressed < 400:
        message = frontier.pop(0)
        for row in message.inline_keyboard:
            for button in row:
                data = button.get("callback_data")
                if not data or data in seen_data or SKIP_DATA.match(data):
                    continue
                seen_data.add(data)
                before = {m.message_id: m for m in member.bot_messages}
                answer = await member.press_data(data, message.message_id)
                pressed += 1
                if answer is not None and answer.show_alert:
                    raise AssertionError(f"{data!r} answered with an alert: {answer.text!r}")
                changed = [m for m in member.bot_messages if m.message_id not in before or before[m.message_id] != m]
                # The screen may already show the result when pressed on an older snapshot of it.
                assert answer is not None, f"pressing {data!r} ({button['text']!r}) got no answer"
                for screen in changed:
                    assert_in_language(screen, language, english)
                    if screen.kind == "text" and screen.inline_keyboard:
                        shown = labels(screen)
                        is_home = len(shown) == 6 and HOME_LABEL[language] not in shown
                        assert is_home or HOME_LABEL[language] in shown, f"no way home after {data!r}"
                        frontier.append(screen)
    return pressed


@pytest.mark.parametrize("language", ["uk", "ru", "en"])
async def test_every_button_answers_in_the_members_language(harness: Harness, language: str, no_apologies) -> None:
    member = await harness.started(language, CITY[language])
    pressed = await crawl(member, language, english_interface_strings())
    assert pressed > 60  # menus, articles, clinic needs, clinics, urgent cards, settings
    no_apologies(member)
    assert any(m.kind == "venue" for m in member.bot_messages)  # "show on map" sent a venue
