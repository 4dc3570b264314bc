"""Reset sandbox: new fake Telegram state and a fresh database, and pages are told to rebuild."""

from __future__ import annotations

from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.db.models import Member
from bot.sandbox.web import Sandbox, create_web_app
from bot.settings import Settings

from .conftest import HEADERS, next_event


async def members_in_database(sandbox: Sandbox) -> int:
    async with sandbox.app.sessionmaker() as session:
        return int((await session.execute(select(func.count()).select_from(Member))).scalar_one())


async def test_reset_starts_everything_afresh(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "umbrella.db").write_bytes(b"a real bot's database")
    seeded: list[int] = []

    async def seed(world: Sandbox) -> None:  # what a demo organisation will do at every start
        seeded.append(world.staff_room.chat_id)

    sandbox = Sandbox(Settings(_env_file=None, data_dir=data), seeders=[seed], first_phone_language="uk")
    await sandbox.start()
    try:
        async with TestClient(TestServer(create_web_app(sandbox))) as client:
            await client.post("/api/phones/p1/start", headers=HEADERS)
            await client.post("/api/phones", json={"language": "en"}, headers=HEADERS)
            assert await members_in_database(sandbox) == 1
            old_fake = sandbox.fake
            events = sandbox.changes.subscribe()

            response = await client.post("/api/reset", headers=HEADERS)
            assert response.status == 200
            await next_event(events, "reset")

            assert sandbox.fake is not old_fake and old_fake.base_url is None
            state = await (await client.get("/api/state")).json()
            assert [(p["key"], p["language"]) for p in state["phones"]] == [("p1", "uk")]
            assert (await (await client.get("/api/phones/p1")).json())["messages"] == []
            assert await members_in_database(sandbox) == 0
            assert len(seeded) == 2 and sandbox.staff_room.record.is_forum
    finally:
        await sandbox.stop()
    assert (data / "umbrella.db").read_bytes() == b"a real bot's database"  # the sandbox has its own file
    assert (data / "sandbox.db").exists()
