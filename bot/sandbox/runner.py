"""`umbrella run` without a token: the real bot against the local fake Telegram, in a web page.

Everything runs in one process on the embedded default (a SQLite file of the sandbox's own in the
data directory, fresh at every start, and in-memory state). The page on 127.0.0.1 shows member
phones and the staff room side by side. `umbrella sandbox --terminal` chats from the terminal
instead: type text to send it, a number to press that button of the newest screen, `/start` or any
command as usual, `:lang uk|ru|en` to become a new member with that Telegram language, `:q` to quit.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import TextIO

from bot.sandbox.client import SeenMessage, TelegramUser
from bot.sandbox.demo import seed_demo_organisation
from bot.sandbox.web import Sandbox, Seeder, serve
from bot.settings import Settings

DEFAULT_PORT = 8765
HELP = (
    "Type a message and press Enter. A number presses that button of the newest screen.\n"
    "  :lang uk|ru|en   start over as a new member whose Telegram speaks that language\n"
    "  :q               quit\n"
)

# What every sandbox start (and reset) adds to the world: a demo organisation registers the staff
# room here once there is one.
SEEDERS: list[Seeder] = [seed_demo_organisation]


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


async def run_sandbox(
    settings: Settings,
    *,
    terminal: bool = False,
    port: int = DEFAULT_PORT,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
    until: Callable[[str], Awaitable[None]] | None = None,
    seeders: Sequence[Seeder] | None = None,
) -> None:
    """Run the sandbox until interrupted: the web page on 127.0.0.1:`port`, or the terminal chat.

    `until` (tests) is awaited with the page's address once it is up; the sandbox stops when it returns.
    """
    from bot.logs import setup_logging

    out = out or sys.stdout
    setup_logging("WARNING", settings.log_format)
    sandbox = Sandbox(
        settings,
        seeders=SEEDERS if seeders is None else seeders,
        first_phone_language=None if terminal else _default_language(),
    )
    try:
        await sandbox.start()
        if terminal:
            await _chat_in_terminal(sandbox, stdin or sys.stdin, out)
            return
        runner, url = await serve(sandbox, port)
        try:
            print(f"Umbrella sandbox: open {url} in your browser (data in {settings.data_dir}/).", file=out)
            print("Everything stays on this computer; press Ctrl+C to stop.", file=out, flush=True)
            if until is not None:
                await until(url)
            else:
                await asyncio.Event().wait()
        finally:
            await runner.cleanup()
    finally:
        await sandbox.stop()


async def _chat_in_terminal(sandbox: Sandbox, stdin: TextIO, out: TextIO) -> None:
    print(f"Umbrella sandbox: a fake Telegram at {sandbox.fake.base_url}, data in {sandbox.database_path}.", file=out)
    print(HELP, file=out)
    member = sandbox.fake.user("You", language_code=_default_language())
    transcript = Transcript(out)
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
            member, transcript = sandbox.fake.user("You", language_code=language), Transcript(out)
            await member.command("/start")
        elif text.isdigit() and 1 <= int(text) <= len(buttons):
            await member.press(buttons[int(text) - 1])
        else:
            await member.send(text)
        buttons = transcript.update(member)
