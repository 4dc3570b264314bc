"""The sandbox page in a real browser (Debian's chromium driven by Playwright), as a person uses it.

Skipped when /usr/bin/chromium or the playwright package is missing on a developer's machine;
in CI (CI=true) that is a failure instead, so the browser test cannot silently drop out.
Screenshots go to artifacts/ (desktop 1280x800 and phone 390x844) for a person to look at.

The scenario: a member asks for a clinic open now, then for a person; Ivan, a counsellor of the
demo organisation, takes the case in the staff room and answers.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.demo import seed_demo_organisation
from bot.sandbox.web import Sandbox, serve
from bot.settings import Settings
from tests.conftest import IN_CI

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OPEN_OR_CLOSED = re.compile(r"open now, until|closed, opens")


def require_browser() -> None:
    missing = []
    if importlib.util.find_spec("playwright") is None:
        missing.append("the playwright package (pip install -e '.[dev]')")
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if missing:
        reason = "the browser test needs " + " and ".join(missing)
        if IN_CI:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[Sandbox]:
    """The fake Telegram, the real bot and the staff room, with no phone yet."""
    require_browser()
    # Flood control is the bot's own (tested in e2e); a test clicks faster than any person.
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", throttle_limit=10_000)
    sandbox = Sandbox(settings, seeders=[seed_demo_organisation])
    await sandbox.start()
    try:
        yield sandbox
    finally:
        await sandbox.stop()


@pytest.fixture
async def sandbox_page(world: Sandbox) -> AsyncIterator[Any]:
    """The page served on 127.0.0.1 and Chromium looking at it at desktop size."""
    from playwright.async_api import async_playwright, expect

    from .pages import DESKTOP, SandboxPage

    expect.set_options(timeout=8_000)
    runner, url = await serve(world, 0)
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = await browser.new_page(viewport=DESKTOP)
                errors: list[str] = []
                page.on("pageerror", lambda error: errors.append(str(error)))
                outside: list[str] = []
                page.on("request", lambda r: None if r.url.startswith(url) else outside.append(r.url))
                screen = SandboxPage(page, url)
                await screen.open()
                yield screen
                assert not errors, errors
                assert not outside, f"the page asked for something beyond 127.0.0.1: {outside}"
            finally:
                await browser.close()
    finally:
        await runner.cleanup()


async def test_a_member_finds_a_clinic_open_now_or_when_it_opens(sandbox_page: Any, world: Sandbox) -> None:
    from playwright.async_api import expect

    from .pages import PHONE

    member = await sandbox_page.add_phone("uk")
    await member.start()
    await member.sees("Оберіть мову")  # the bot guessed Ukrainian from the phone's Telegram language
    await member.press("🇬🇧 English")
    await member.sees("Which city are you in?")  # the same screen, edited in place
    await member.press("⏭ Skip")
    await member.press("🩺 Health & clinics")
    await member.press("🏥 Find a clinic")
    await member.press("🧪 HIV/STI testing")
    await member.press("📍 Kyiv")
    await member.sees("HIV/STI testing — Kyiv")
    await member.sees(OPEN_OR_CLOSED)
    await sandbox_page.screenshot("sandbox-desktop")

    # ... then for a person: the case reaches the staff room, Ivan takes it and answers.
    await member.press("🏠 Menu")
    await member.press("💬 Talk to a person")
    await member.press("🩺 Health")
    await member.sees("You are number 1 in the queue.")
    await member.send("Hello, is anyone there?")
    staff = sandbox_page.staff_room()
    await staff.write_as("Ivan")
    await staff.open_topic("Queue")
    await staff.press(world.app.i18n.gettext("✋ Take", locale="uk"))  # the organisation's language
    await member.sees("Ivan is here")
    await staff.open_topic("🩺")
    await expect(staff.messages.filter(has_text="Hello, is anyone there?")).to_have_count(1)  # the member's copy
    await staff.send("I am here. Take your time.")
    await member.sees("I am here. Take your time.")
    await sandbox_page.screenshot("sandbox-handoff-desktop")

    # something the member did not ask for (a future alert) still appears without reloading
    chat_id = world.phones[member.key].user.chat_id
    await world.app.bot.send_message(chat_id, "<b>Heads up</b> <tg-spoiler>a spoiler</tg-spoiler>")
    await member.sees("Heads up")
    await expect_spoiler_revealed_on_click(member)

    await sandbox_page.page.set_viewport_size(PHONE)
    await sandbox_page.show(member.pane)
    await sandbox_page.screenshot("sandbox-phone")
    await sandbox_page.show("staff")
    await sandbox_page.screenshot("sandbox-phone-staff-room")

    # Settings → Clear chat: the bot deletes the messages, and they disappear from the phone
    await sandbox_page.show(member.pane)
    await member.press("🏠 Menu")
    await member.press("⚙️ Settings")
    await member.press("🧹 Clear chat")
    await member.press("✅ Yes, clear the chat")
    await expect(member.messages.filter(has_text="HIV/STI testing — Kyiv")).to_have_count(0)

    await sandbox_page.reset()
    await expect(sandbox_page.page.locator("[data-testid=phone]")).to_have_count(0)  # a new world
    await expect(sandbox_page.page.locator("[data-testid=staff-room]")).to_be_attached()


async def expect_spoiler_revealed_on_click(member: Any) -> None:
    from playwright.async_api import expect

    spoiler = member.messages.last.locator(".tg-spoiler")
    await expect(spoiler).not_to_have_class(re.compile("revealed"))
    await spoiler.click()
    await expect(spoiler).to_have_class(re.compile("revealed"))
