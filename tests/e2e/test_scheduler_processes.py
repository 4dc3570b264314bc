"""Two bot processes on one PostgreSQL database, both believing they lead (no Redis, so no lease
between them): each scheduled broadcast is still delivered once, because each occurrence and each
delivery job is claimed in the database, not decided by the lease."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.sandbox import FakeTelegram
from tests.e2e.test_delivery_crash import add_broadcasts, bot_process, seed, statuses, stop, until

TEXTS = ["Clinic day on Friday", "Police checks tonight", "17 December: we remember"]


async def test_two_scheduler_processes_deliver_each_scheduled_broadcast_once(tmp_path: Path, postgres_url: str) -> None:
    async with FakeTelegram() as fake:
        users = await seed(fake, postgres_url, 25)
        processes = [bot_process(fake, postgres_url, tmp_path / f"data{n}") for n in range(2)]
        try:
            await until(lambda: len(fake.calls_to("setWebhook")) == 2)  # both are up and ticking
            start = datetime.now(UTC)
            await add_broadcasts(postgres_url, TEXTS, [start + timedelta(seconds=1 + n) for n in range(len(TEXTS))])

            async def all_done() -> bool:
                jobs, sent = await statuses(postgres_url)
                return jobs == ["done"] * len(TEXTS) and sent == ["done"] * len(TEXTS)

            await until(all_done)
        finally:
            for process in processes:
                stop(process)
        assert all(process.returncode in (0, -15) for process in processes), "both processes ran to the end"
        for user in users:
            assert sorted(m.text for m in user.bot_messages) == sorted(TEXTS)
