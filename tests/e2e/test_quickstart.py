"""The README's first command: `umbrella run` with no token starts the bot against the local sandbox."""

import contextlib
import io
import re
from pathlib import Path

import aiohttp

from bot.sandbox.runner import run_sandbox
from bot.settings import Settings


async def test_run_without_a_token_serves_the_sandbox_page(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # a fresh machine: no data directory, no key, no database yet
    settings = Settings(_env_file=None, data_dir=tmp_path / "data")
    out = io.StringIO()
    seen: dict[str, object] = {}

    async def look(url: str) -> None:
        async with aiohttp.ClientSession() as http:
            seen["page"] = await (await http.get(url)).text()
            seen["state"] = await (await http.get(url + "api/state")).json()

    await run_sandbox(settings, port=0, out=out, until=look)
    assert re.search(r"open http://127\.0\.0\.1:\d+/ in your browser", out.getvalue())
    assert "Umbrella" in str(seen["page"])
    state = seen["state"]
    assert isinstance(state, dict) and state["staff_room"]["title"] == "Staff room" and len(state["phones"]) == 1
    key = tmp_path / "data" / "privacy.key"
    assert key.exists() and (key.stat().st_mode & 0o777) == 0o600
    assert (tmp_path / "data" / "sandbox.db").exists()


async def test_the_sandbox_can_still_chat_in_the_terminal(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings(_env_file=None, data_dir=tmp_path / "data")
    out = io.StringIO()
    await run_sandbox(settings, terminal=True, stdin=io.StringIO("3\n10\n5\n:lang uk\n:q\n"), out=out)
    shown = out.getvalue()
    assert "Choose your language" in shown
    assert "[3] 🇬🇧 English" in shown
    assert "What do you need?" in shown  # language, then "Skip" the city, then the menu
    assert "🆘 Urgent help" in shown and "Emergency numbers" in shown
    assert "Оберіть мову" in shown  # a new member whose Telegram speaks Ukrainian


def test_cli_refuses_webhook_mode_without_a_privacy_key(tmp_path: Path, monkeypatch) -> None:
    import pytest

    from bot.app import resolve_privacy_key
    from bot.privacy import PrivacyKeyError

    settings = Settings(_env_file=None, data_dir=tmp_path, webhook_url="https://bot.example.org", bot_token="1:x")
    with pytest.raises(PrivacyKeyError):
        resolve_privacy_key(settings)
    assert not (tmp_path / "privacy.key").exists()


def test_cli_content_check_and_migrate(tmp_path: Path, monkeypatch, capsys) -> None:
    from bot.cli import main

    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert main(["content", "check"]) == 0
    assert "0 error(s)" in capsys.readouterr().out
    assert main(["migrate"]) == 0
    assert (tmp_path / "umbrella.db").exists()


async def test_run_with_a_token_polls_telegram(tmp_path: Path) -> None:
    """`umbrella run` with BOT_TOKEN set: long polling against the configured Bot API (here the fake)."""
    import asyncio

    from bot.app import create_app, run_polling
    from bot.sandbox import FakeTelegram

    async with FakeTelegram() as fake:
        settings = Settings(
            _env_file=None,
            bot_token=fake.token,
            telegram_api_url=fake.base_url,
            data_dir=tmp_path / "data",
        )
        app = await create_app(settings)
        task = asyncio.create_task(run_polling(app))
        member = fake.user("Olena", language_code="uk")
        await member.command("/start")
        # Polling handles updates as tasks: on a busy machine the answer may come after the fake's
        # quiet spell, so wait for it (bounded) rather than for silence.
        for _ in range(200):
            if member.last is not None and member.commands:
                break
            await asyncio.sleep(0.05)
        assert "Оберіть мову" in member.last.text
        assert [c.command for c in member.commands] == ["menu", "urgent", "settings", "help"]
        await app.dispatcher.stop_polling()
        await asyncio.wait_for(task, 10)


async def test_run_in_webhook_mode_checks_the_secret(tmp_path: Path) -> None:
    """`umbrella run` with WEBHOOK_URL: Telegram posts updates with the secret header; others get 401."""
    import asyncio

    from bot.app import create_app, run_webhook
    from bot.sandbox import FakeTelegram

    async with FakeTelegram() as fake:
        settings = webhook_run_settings(fake, tmp_path)
        app = await create_app(settings)
        task = asyncio.create_task(run_webhook(app))
        for _ in range(200):  # until the webhook is set and the server listens
            if fake.webhook is not None:
                break
            await asyncio.sleep(0.02)
        member = fake.user("Olena", language_code="ru")
        await member.command("/start")
        assert "Выберите язык" in member.last.text
        url = f"http://127.0.0.1:{settings.webhook_port}/telegram/webhook"
        async with aiohttp.ClientSession() as http, http.post(url, json={"update_id": 1}) as response:
            assert response.status == 401
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def webhook_run_settings(fake, tmp_path: Path) -> Settings:  # type: ignore[no-untyped-def]
    """`umbrella run` in webhook mode against the fake, on a free port of 127.0.0.1."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return Settings(
        _env_file=None,
        bot_token=fake.token,
        telegram_api_url=fake.base_url,
        data_dir=tmp_path / "data",
        privacy_key="webhook-test-key-" + "k" * 32,
        webhook_url=f"http://127.0.0.1:{port}",
        webhook_secret="a-secret-only-telegram-knows",
        webhook_host="127.0.0.1",
        webhook_port=port,
    )
