"""Page objects for the browser test: the sandbox page, a member's phone, the staff room.

A scenario reads as people's actions ("the member presses Health & clinics"); the selectors live
here, so adding a step (a counsellor takes the case in the staff room) adds one line to a test.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Locator, Page, expect

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

Text = str | re.Pattern[str]


class SandboxPage:
    """The whole page: its top bar, its tabs and its panes."""

    def __init__(self, page: Page, url: str) -> None:
        self.page = page
        self.url = url

    async def open(self) -> None:
        await self.page.goto(self.url)
        await expect(self.page.locator("[data-testid=staff-room]")).to_be_attached()

    async def add_phone(self, language: str) -> Phone:
        """Top bar: choose the Telegram language, press "+ Member phone"; the new phone comes to the front."""
        phones = self.page.locator("[data-testid=phone]")
        before = await phones.count()
        await self.page.select_option("[data-testid=add-phone-language]", language)
        await self.page.click("[data-testid=add-phone]")
        await expect(phones).to_have_count(before + 1)
        key = await phones.nth(before).get_attribute("data-phone")
        assert key is not None
        return Phone(self, key)

    def phone(self, key: str) -> Phone:
        return Phone(self, key)

    def staff_room(self) -> StaffRoom:
        return StaffRoom(self)

    async def show(self, pane: str) -> None:
        """On a phone-sized screen, switch to a pane by its tab (on a desktop every pane is visible)."""
        tab = self.page.locator(f'[data-testid=tab][data-pane="{pane}"]')
        if await tab.is_visible():
            await tab.click()

    async def reset(self) -> None:
        self.page.once("dialog", lambda dialog: dialog.accept())
        await self.page.click("[data-testid=reset]")

    async def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        await expect(self.page.locator(".pane-toast")).to_have_count(0)  # toasts fade after 2.5 s
        await self.page.wait_for_timeout(350)  # let slide-in and flash animations finish
        await self.page.screenshot(path=str(path))
        return path


class Chat:
    """What phones and the staff room share: messages, inline buttons, the composer."""

    root: Locator

    @property
    def messages(self) -> Locator:
        return self.root.locator("[data-testid=message]")

    async def press(self, label: str) -> None:
        """Tap the newest inline button with exactly this label."""
        await self.root.get_by_role("button", name=label, exact=True).last.click()

    async def send(self, text: str) -> None:
        await self.root.locator(".composer-input").fill(text)
        await self.root.locator(".composer-input").press("Enter")

    async def sees(self, text: Text) -> None:
        """The newest message shows this text (waits for the live update)."""
        await expect(self.messages.last).to_contain_text(text)

    async def toast(self, text: Text) -> None:
        await expect(self.root.locator("[data-testid=toast]")).to_contain_text(text)


class Phone(Chat):
    def __init__(self, sandbox: SandboxPage, key: str) -> None:
        self.sandbox = sandbox
        self.key = key
        self.root = sandbox.page.locator(f'[data-testid=phone][data-phone="{key}"]')

    @property
    def pane(self) -> str:
        return f"phone:{self.key}"

    async def start(self) -> None:
        """The START button of a chat never opened."""
        await self.root.get_by_role("button", name="START", exact=True).click()


class StaffRoom(Chat):
    def __init__(self, sandbox: SandboxPage) -> None:
        self.sandbox = sandbox
        self.root = sandbox.page.locator("[data-testid=staff-room]")

    pane = "staff"

    async def open_topic(self, name: Text) -> None:
        title = self.sandbox.page.locator(".topic-title", has_text=name)
        await self.root.locator("[data-testid=topic]").filter(has=title).first.click()
        await expect(self.root.locator(".topic-name")).to_contain_text(name)

    async def write_as(self, name: str) -> None:
        """Pick who types in the staff room."""
        select = self.root.locator(".staff-select")
        value = await select.locator("option", has_text=name).first.get_attribute("value")
        assert value is not None
        await select.select_option(value)
