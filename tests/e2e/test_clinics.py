"""Clinics: "open now, until 18:00" or "closed, opens Monday 09:00", in the city's time zone.

Testograd (Europe/Kyiv) has one day clinic, Mon–Fri 09:00–18:00, closed on 25 December.
"""

from datetime import UTC, datetime

import pytest

from tests.e2e.conftest import Harness

NEED = {"en": "🧪 HIV/STI testing", "uk": "🧪 Тест на ВІЛ/ІПСШ", "ru": "🧪 Тест на ВИЧ/ИППП"}


async def open_clinic_list(harness: Harness, language: str, moment: datetime):
    harness.clock.set(moment)
    member = await harness.started(language)
    await member.command("/menu")
    await member.press(
        {"en": "🩺 Health & clinics", "uk": "🩺 Здоров'я та клініки", "ru": "🩺 Здоровье и клиники"}[language]
    )
    await member.press({"en": "🏥 Find a clinic", "uk": "🏥 Знайти клініку", "ru": "🏥 Найти клинику"}[language])
    await member.press(NEED[language])
    await member.send({"en": "Testograd", "uk": "Тестоград", "ru": "Тестоград"}[language])
    return member


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # Friday 27 March 2026, still winter time (UTC+2): 06:30 UTC is 08:30 in Kyiv.
        (datetime(2026, 3, 27, 6, 30, tzinfo=UTC), "closed, opens today 9:00 AM"),
        (datetime(2026, 3, 27, 7, 30, tzinfo=UTC), "open now, until 6:00 PM"),
        # Sunday 29 March: clocks go forward; the clinic is closed on Sundays.
        (datetime(2026, 3, 29, 10, 0, tzinfo=UTC), "closed, opens tomorrow 9:00 AM"),
        # Monday 30 March, summer time (UTC+3): the same 06:30 UTC is now 09:30 in Kyiv.
        (datetime(2026, 3, 30, 6, 30, tzinfo=UTC), "open now, until 6:00 PM"),
        (datetime(2026, 3, 30, 15, 30, tzinfo=UTC), "closed, opens tomorrow 9:00 AM"),
        # Friday evening: the weekend is closed.
        (datetime(2026, 4, 3, 16, 0, tzinfo=UTC), "closed, opens Monday 9:00 AM"),
        # Thursday 24 December evening: Friday 25 is a holiday, so the next opening is Monday.
        (datetime(2026, 12, 24, 17, 0, tzinfo=UTC), "closed, opens Monday 9:00 AM"),
        (datetime(2026, 12, 25, 9, 0, tzinfo=UTC), "closed, opens Monday 9:00 AM"),
    ],
)
async def test_open_or_closed_across_dst_and_a_holiday(harness: Harness, moment: datetime, expected: str) -> None:
    member = await open_clinic_list(harness, "en", moment)
    assert "Day Clinic" in member.last.text
    assert expected in member.last.text.replace("\u202f", " ")


async def test_hours_in_ukrainian_and_russian(harness: Harness) -> None:
    friday_evening = datetime(2026, 3, 27, 17, 0, tzinfo=UTC)
    uk = await open_clinic_list(harness, "uk", friday_evening)
    assert "зачинено, відкриється в понеділок о 09:00" in uk.last.text
    ru = await open_clinic_list(harness, "ru", friday_evening)
    assert "закрыто, откроется в понедельник в 09:00" in ru.last.text


async def test_clinic_card_and_venue(harness: Harness) -> None:
    member = await open_clinic_list(harness, "en", datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    await member.press("🟢 Day Clinic")
    card = member.last.text
    assert "1 Test St" in card and "Sample data" in card and "Mon: 9:00" in card.replace("\u202f", " ")
    await member.press("🗺 Show on map")
    venue = member.last
    assert venue.kind == "venue" and venue.venue["title"] == "Day Clinic"


async def test_condom_broke_shows_the_pep_clinic_open_now(harness: Harness) -> None:
    harness.clock.set(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    member = await harness.started("en")
    await member.command("/urgent")
    await member.press("💊 Condom broke")
    await member.press("📍 Choose city")
    await member.send("Testograd")
    text = member.last.text
    assert "PEP" in text and "Where to get PEP" in text
    assert "Day Clinic — open now, until 6:00 PM" in text.replace("\u202f", " ")
