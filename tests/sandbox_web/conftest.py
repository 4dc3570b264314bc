"""Fixtures for the web sandbox: one running sandbox (fake Telegram + the real bot) per module, and
a client that uses the page's JSON API the way the page does.

Starting the bot takes about half a second, so a module shares one sandbox; each test makes its
own member phones and so never sees another test's chats.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from bot.sandbox.web import Sandbox, create_web_app
from bot.settings import Settings

HEADERS = {"X-Sandbox": "1"}


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def sandbox(tmp_path_factory) -> AsyncIterator[Sandbox]:
    data = tmp_path_factory.mktemp("sandbox") / "data"
    world = Sandbox(Settings(_env_file=None, data_dir=data, throttle_limit=10_000))  # tests click fast
    await world.start()
    try:
        yield world
    finally:
        await world.stop()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def client(sandbox: Sandbox) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(create_web_app(sandbox))) as test_client:
        yield test_client


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def api(client: TestClient) -> Api:
    return Api(client)


@dataclass
class Api:
    """The page's side of the JSON API."""

    client: TestClient

    async def get(self, path: str, *, status: int = 200) -> Any:
        response = await self.client.get(path)
        assert response.status == status, await response.text()
        return await response.json()

    async def post(self, path: str, body: Any = None, *, status: int = 200) -> Any:
        response = await self.client.post(path, json={} if body is None else body, headers=HEADERS)
        assert response.status == status, await response.text()
        return await response.json()

    async def phone(self, language: str = "en", *, started: bool = True) -> PhoneApi:
        """A new member phone; `started` presses START (the bot then asks for a language)."""
        key = (await self.post("/api/phones", {"language": language}))["key"]
        phone = PhoneApi(self, key)
        if started:
            await phone.start()
        return phone

    async def staff_room(self, topic: Any = "general", viewer: str | None = None) -> dict[str, Any]:
        query = f"?topic={topic}" + (f"&as={viewer}" if viewer else "")
        return await self.get(f"/api/staff-room{query}")


@dataclass
class PhoneApi:
    page: Api
    key: str

    async def view(self) -> dict[str, Any]:
        return await self.page.get(f"/api/phones/{self.key}")

    async def raw_view(self) -> str:
        return json.dumps(await self.view(), ensure_ascii=False)

    async def start(self) -> None:
        await self.page.post(f"/api/phones/{self.key}/start")

    async def send(self, text: str, **extra: Any) -> Any:
        return await self.page.post(f"/api/phones/{self.key}/send", {"text": text, **extra})

    async def press(self, label: str) -> dict[str, Any]:
        """Tap the newest inline button with this label, by its position as the page does."""
        view = await self.view()
        for message in reversed(view["messages"]):
            for r, row in enumerate(message["buttons"]):
                for c, button in enumerate(row):
                    if button["text"] == label:
                        body = {"message_id": message["id"], "row": r, "col": c}
                        return await self.page.post(f"/api/phones/{self.key}/press", body)
        visible = [b["text"] for m in view["messages"] for row in m["buttons"] for b in row]
        raise AssertionError(f"no button {label!r}; visible: {visible}")

    async def last(self) -> dict[str, Any]:
        return (await self.view())["messages"][-1]


async def next_event(queue: asyncio.Queue[str | None], kind: str) -> dict[str, Any]:
    """The next Server-Sent Event of one kind, parsed (within 3 seconds)."""
    async with asyncio.timeout(3):
        while True:
            message = await queue.get()
            assert message is not None
            if message.startswith(f"event: {kind}\n"):
                return json.loads(message.split("data: ", 1)[1])
