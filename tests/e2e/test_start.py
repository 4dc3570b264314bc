"""First contact: language guessed, confirmed with three buttons, an optional city, then the menu."""

import pytest

from tests.e2e.conftest import LANGUAGE_LABELS, SKIP_LABELS, Harness, labels

MENU = {
    "en": ["⚖️ Rights", "🩺 Health & clinics", "🛡 Safety", "💬 Talk to a person", "🆘 Urgent help", "⚙️ Settings"],
}


async def test_start_guesses_language_and_offers_all_three(harness: Harness) -> None:
    member = harness.member(language_code="uk")
    await member.command("/start")
    last = member.last
    assert "Оберіть мову" in last.text
    assert [row[0] for row in last.buttons] == ["🇺🇦 Українська", "🇷🇺 Русский", "🇬🇧 English"]


@pytest.mark.parametrize("language", ["uk", "ru", "en"])
async def test_start_then_city_then_menu(harness: Harness, language: str, no_apologies) -> None:
    member = harness.member(language_code="de")  # a guess that fits none: English first
    await member.command("/start")
    await member.press(LANGUAGE_LABELS[language])
    city_question = member.last
    assert city_question.message_id == member.bot_messages[0].message_id  # edited in place
    assert SKIP_LABELS[language] in labels(city_question)
    await member.press(SKIP_LABELS[language])
    menu = member.last
    assert len(labels(menu)) == 6
    if language == "en":
        assert labels(menu) == MENU["en"]
    no_apologies(member)


async def test_returning_member_gets_the_menu_straight_away(harness: Harness) -> None:
    member = await harness.started("ru")
    await member.command("/start")
    assert "⚖️ Права" in labels(member.last)


async def test_city_can_be_typed_and_html_in_it_is_shown_as_text(harness: Harness) -> None:
    member = harness.member(language_code="en")
    await member.command("/start")
    await member.press("🇬🇧 English")
    await member.send("<b>Atlantis</b> & <script>")
    assert "I don't know the city “<b>Atlantis</b> & <script>”" in member.last.text
    await member.send("  KYIV ")
    assert len(labels(member.last)) == 6  # the menu: the city was accepted


async def test_commands_are_set_per_language(harness: Harness) -> None:
    uk, en = harness.member(language_code="uk"), harness.member(language_code="en")
    assert [c.command for c in uk.commands] == ["menu", "urgent", "settings", "help"]
    assert uk.commands[0].description == "Головне меню"
    assert en.commands[0].description == "Main menu"
    ru = harness.member(language_code="ru")
    assert ru.commands[0].description == "Главное меню"
