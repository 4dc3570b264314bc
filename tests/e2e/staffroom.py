"""The demo organisation of the sandbox, bound to the test harness."""

from __future__ import annotations

from bot.sandbox import demo
from bot.sandbox.client import TelegramUser
from bot.sandbox.demo import StaffRoom
from tests.e2e.conftest import Harness

__all__ = ["StaffRoom", "add_staff", "open_staff_room"]


async def open_staff_room(harness: Harness, **kwargs) -> StaffRoom:
    return await demo.open_staff_room(harness.app, harness.fake, **kwargs)


async def add_staff(harness: Harness, staff_room: StaffRoom, alias: str, **kwargs) -> TelegramUser:
    """Staff who speak English unless a test says otherwise, so assertions read plainly."""
    kwargs.setdefault("languages", ("en",))
    return await demo.add_staff(harness.app, harness.fake, staff_room, alias, **kwargs)
