"""The content as members reach it: every article from the menus, every page through the strict
fake Telegram, the detention card per country, the youth screen, and the backup channel."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, text

from bot.content.schema import Section
from bot.db.models import Member
from bot.sandbox.client import SeenMessage, TelegramUser
from handlers.member.articles import PAGE_LIMIT
from tests.e2e.conftest import Harness, labels

CITY = {"uk": "📍 Київ", "ru": "📍 Киев", "en": "📍 Kyiv"}
# Only content screens: navigation, rights countries, articles, urgent cards, the youth screen. Settings,
# city choice, clinics and "Talk to a person" have their own tests and change state.
CONTENT_DATA = re.compile(
    r"^(nav:(home|rights|health|safety|urgent|help)|rc:|art:|urg:(violence|condom-broke|detained)$|youth:)"
)
RIGHTS = {"uk": "⚖️ Права", "ru": "⚖️ Права", "en": "⚖️ Rights"}
HEALTH = {"uk": "🩺 Здоров'я та клініки", "ru": "🩺 Здоровье и клиники", "en": "🩺 Health & clinics"}
UNDER_18 = {"uk": "🌱 Мені немає 18", "ru": "🌱 Мне нет 18", "en": "🌱 I am under 18"}
TALK = {"uk": "💬 Поговорити з людиною", "ru": "💬 Поговорить с человеком", "en": "💬 Talk to a person"}


def changed_since(member: TelegramUser, before: dict[int, SeenMessage]) -> list[SeenMessage]:
    return [m for m in member.bot_messages if m.message_id not in before or before[m.message_id] != m]


async def crawl_content(member: TelegramUser) -> tuple[set[tuple[str, int]], int]:
    """Press every content button once, starting from /menu, /help and /urgent.

    Returns the (article id, page) pairs the member saw and how many buttons were pressed.
    """
    frontier = []
    for command in ("/menu", "/help", "/urgent"):
        await member.command(command)
        frontier.append(member.last)
    seen: set[str] = set()
    opened: set[tuple[str, int]] = set()
    pressed = 0
    while frontier:
        message = frontier.pop(0)
        for row in message.inline_keyboard:
            for button in row:
                data = button.get("callback_data")
                if not data or data in seen or not CONTENT_DATA.match(data):
                    continue
                seen.add(data)
                before = {m.message_id: m for m in member.bot_messages}
                answer = await member.press_data(data, message.message_id)
                pressed += 1
                assert answer is not None, f"{data!r} got no answer"
                assert not answer.show_alert, f"{data!r} answered with an alert: {answer.text!r}"
                changed = changed_since(member, before)
                if data.startswith(("art:", "urg:")):
                    parts = data.split(":")
                    page = int(parts[2]) if data.startswith("art:") else 0
                    opened.add((parts[1], page))
                frontier += [screen for screen in changed if screen.inline_keyboard]
    return opened, pressed


@pytest.mark.parametrize("language", ["uk", "ru", "en"])
async def test_every_article_is_reachable_and_every_page_renders(harness: Harness, language: str, no_apologies) -> None:
    member = await harness.started(language, CITY[language])
    opened, pressed = await crawl_content(member)
    content = harness.app.content
    expected = {
        (article.id, page)
        for section in Section
        for article in content.articles(section)
        for page in range(len(article.pages(language, limit=PAGE_LIMIT)))
    }
    missing = sorted(expected - opened)
    assert not missing, f"not reachable from the menus: {missing}"
    assert any(page > 0 for _, page in opened)  # a long article was paged through, not only opened
    assert pressed >= len(expected)
    # Every page went through the fake's strict HTML parser and length check: a rejected text would
    # have ended in an apology (and the harness fixture fails on any error inside the fake).
    no_apologies(member)


@pytest.mark.parametrize(
    ("language", "city", "title", "own_law", "other_law"),
    [
        (
            "uk",
            "📍 Київ",
            "Затримання та адміністративний арешт",
            ["КУпАП", "181-1", "3 годин", "суд"],
            ["КоАП РФ", "6.11"],
        ),
        (
            "ru",
            "📍 Москва",
            "Задержание и административный арест",
            ["6.11 КоАП РФ", "мировой судья"],
            ["КУоАП", "181-1"],
        ),
    ],
)
async def test_the_detention_card_shows_the_members_country_law(
    harness: Harness, language: str, city: str, title: str, own_law: list[str], other_law: list[str]
) -> None:
    member = await harness.started(language, city)
    await member.command("/menu")
    await member.press(RIGHTS[language])
    country = {"uk": "Україна", "ru": "Россия"}[language]
    assert country in member.last.text  # the member's country, straight away
    await member.press(f"📄 {title}")
    card = member.last.text
    assert card.startswith(title)
    for words in own_law:
        assert words in card, words
    for words in other_law:
        assert words not in card, words
    disclaimer = {
        "uk": "Це інформація, а не юридична консультація",
        "ru": "Это информация, а не юридическая консультация",
    }
    assert disclaimer[language] in card
    assert TALK[language] in labels(member.last)
    await member.press({"uk": "⬅️ Назад", "ru": "⬅️ Назад"}[language])
    assert country in member.last.text


async def test_ukrainian_member_in_kyiv_sees_youth_places_not_adult_content(harness: Harness, no_apologies) -> None:
    member = await harness.started("uk", "📍 Київ")
    await member.command("/help")
    await member.press(UNDER_18["uk"])
    screen = member.last
    assert "Допомога для молодих людей" in screen.text
    assert "112" in screen.text
    assert "Місця для молоді — Київ" in screen.text and "Клініка, дружня до молоді" in screen.text
    shown = labels(screen)
    assert "📄 Де молодим людям отримати допомогу" in shown and "📄 Якщо сталося щось погане" in shown
    adult = {
        f"📄 {a.title('uk')}"
        for s in (Section.RIGHTS, Section.HEALTH, Section.SAFETY)
        for a in harness.app.content.articles(s)
    }
    assert not adult & set(shown), adult & set(shown)
    await member.press("📄 Де молодим людям отримати допомогу")
    assert member.last.text.startswith("Де молодим людям отримати допомогу")
    await member.press("⬅️ Назад")
    assert "Допомога для молодих людей" in member.last.text
    await member.press("⬅️ Назад")
    assert "Як працює цей бот" in member.last.text or UNDER_18["uk"] in labels(member.last)
    no_apologies(member)


async def test_the_under_18_button_is_on_rights_and_health_and_stores_nothing(harness: Harness) -> None:
    member = await harness.started("ru", "📍 Москва")

    async def snapshot() -> tuple[object, ...]:
        async with harness.app.sessionmaker() as session:
            row = (await session.execute(select(Member))).scalar_one()
            tables = (await session.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))).scalars()
            counts = {}
            for table in tables:
                if table not in {"chat_messages", "alembic_version"}:
                    counts[table] = (await session.execute(text(f'SELECT count(*) FROM "{table}"'))).scalar()
            columns = tuple(column.name for column in Member.__table__.columns)
            return (row.language, row.city, row.language_confirmed, row.active, columns, counts)

    before = await snapshot()
    assert not [c for c in before[4] if re.search(r"(^|_)age($|_)|birth|adult|minor", c)]
    await member.command("/menu")
    await member.press(RIGHTS["ru"])
    assert UNDER_18["ru"] in labels(member.last)
    await member.press(UNDER_18["ru"])
    assert "Мы пока не знаем места для молодёжи в городе Москва" in member.last.text
    await member.press("⬅️ Назад")
    assert "Ваши права" in member.last.text
    await member.command("/menu")
    await member.press(HEALTH["ru"])
    assert UNDER_18["ru"] in labels(member.last)
    await member.press(UNDER_18["ru"])
    assert "Помощь для молодых людей" in member.last.text
    assert await snapshot() == before
    async with harness.app.sessionmaker() as session:
        assert (await session.execute(select(func.count()).select_from(Member))).scalar() == 1


async def test_a_young_person_without_a_city_can_choose_one(harness: Harness) -> None:
    member = await harness.started("en")
    await member.command("/menu")
    await member.press(HEALTH["en"])
    await member.press(UNDER_18["en"])
    assert "Choose your city to see places that help young people." in member.last.text
    await member.press("📍 Choose city")
    await member.press("📍 Lviv")
    screen = member.last.text
    assert "Help for young people" in screen and "Places for young people — Lviv" in screen
    assert "Youth-friendly clinic (sample)" in screen and "Sample data: check before you go." in screen


@pytest.mark.parametrize("language", ["uk", "ru", "en"])
async def test_help_and_urgent_show_the_backup_channel(harness: Harness, language: str) -> None:
    heading = {"uk": "☂️ Якщо бот зникне", "ru": "☂️ Если бот пропадёт", "en": "☂️ If this bot disappears"}
    organisation = harness.app.content.organisation
    assert organisation is not None
    link = organisation.backup.link.get(language)
    member = await harness.started(language, CITY[language])
    await member.command("/help")
    assert heading[language] in member.last.text and link in member.last.text
    assert organisation.backup.text.get(language) in member.last.text
    await member.command("/urgent")
    urgent = member.last.text
    numbers = {"uk": "📞 Екстрені номери", "ru": "📞 Экстренные номера", "en": "📞 Emergency numbers"}
    assert numbers[language] in urgent and heading[language] in urgent
    assert urgent.index(numbers[language]) < urgent.index("112") < urgent.index(heading[language]) < urgent.index(link)
