"""`umbrella run` without a token: the real bot against the local fake Telegram, chatted with from the terminal.

Everything runs in one process on the embedded default (SQLite in the data directory, in-memory
state). Type text to send it, a number to press that button of the newest screen, `/start` or any
command as usual, `:lang uk|ru|en` to become a new member with that Telegram language, `:q` to quit.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from typing import TextIO

from bot.sandbox.client import SeenMessage, TelegramUser
from bot.sandbox.server import DEFAULT_TOKEN, FakeTelegram
from bot.settings import Settings

HELP = (
    "Type a message and press Enter. A number presses that button of the newest screen.\n"
    "  :lang uk|ru|en   start over as a new member whose Telegram speaks that language\n"
    "  :q               quit\n"
)


class Transcript:
    """Prints what the member sees: new messages, and screens edited or deleted since the last look."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.shown: dict[int, SeenMessage] = {}

    def update(self, member: TelegramUser) -> list[str]:
        """Print changes; return the button labels of the newest screen with buttons."""
        current = {m.message_id: m for m in member.messages}
        for message_id in [i for i in self.shown if i not in current]:
            print(f"  [message {message_id} deleted]", file=self.out)
            del self.shown[message_id]
        for message in current.values():
            if not message.from_bot:
                self.shown[message.message_id] = message
                continue
            before = self.shown.get(message.message_id)
            if before == message:
                continue
            self.shown[message.message_id] = message
            self._print(message, edited=before is not None)
        screens = [m for m in member.bot_messages if m.buttons]
        return [label for row in screens[-1].buttons for label in row] if screens else []

    def _print(self, message: SeenMessage, *, edited: bool) -> None:
        heading = "bot (edited)" if edited else "bot"
        body = message.text or f"[{message.kind}]"
        if message.venue:
            body = f"📍 {message.venue.get('title')} — {message.venue.get('address')}"
        print(f"\n── {heading} ──\n{body}", file=self.out)
        number = 1
        for row in message.buttons:
            cells = []
            for label in row:
                cells.append(f"[{number}] {label}")
                number += 1
            print("   " + "   ".join(cells), file=self.out)


def _default_language() -> str:
    code = (os.environ.get("LANG") or "en")[:2].lower()
    return code if code in {"uk", "ru", "en"} else "en"


async def run_sandbox(settings: Settings, *, stdin: TextIO | None = None, out: TextIO | None = None) -> None:
    from bot.app import create_app
    from bot.logs import setup_logging

    stdin, out = stdin or sys.stdin, out or sys.stdout
    setup_logging("WARNING", settings.log_format)
    fake = FakeTelegram()
    await fake.start()
    settings = settings.model_copy(update={"telegram_api_url": fake.base_url, "webhook_url": None})
    app = await create_app(settings, token=DEFAULT_TOKEN)
    await app.bot.delete_webhook()
    await app.start_background()
    polling = asyncio.create_task(
        app.dispatcher.start_polling(app.bot, handle_signals=False, close_bot_session=False, polling_timeout=1)
    )
    print(f"Umbrella sandbox: a fake Telegram at {fake.base_url}, data in {settings.data_dir}/.", file=out)
    print(HELP, file=out)
    member = fake.user("You", language_code=_default_language())
    transcript = Transcript(out)
    try:
        await member.command("/start")
        buttons = transcript.update(member)
        while True:
            print("> ", end="", file=out, flush=True)
            line = await asyncio.to_thread(stdin.readline)
            if not line or line.strip() == ":q":
                break
            text = line.strip()
            if not text:
                continue
            if text.startswith(":lang"):
                language = text.split()[-1] if len(text.split()) > 1 else "en"
                member, transcript = fake.user("You", language_code=language), Transcript(out)
                await member.command("/start")
            elif text.isdigit() and 1 <= int(text) <= len(buttons):
                await member.press(buttons[int(text) - 1])
            else:
                await member.send(text)
            buttons = transcript.update(member)
    finally:
        await app.dispatcher.stop_polling()
        with contextlib.suppress(Exception):
            await polling
        await app.close()
        await fake.stop()
