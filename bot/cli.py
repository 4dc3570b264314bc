"""`umbrella`: run the bot, migrate the database, check the content, start the sandbox."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date

from bot.settings import Settings


def _run(settings: Settings) -> int:
    from bot.app import create_app, run_polling, run_webhook
    from bot.logs import setup_logging

    setup_logging(settings.log_level, settings.log_format)
    if settings.bot_token is None:
        return _sandbox(settings)

    async def main() -> None:
        app = await create_app(settings)
        await (run_webhook(app) if settings.webhook_mode else run_polling(app))

    asyncio.run(main())
    return 0


def _sandbox(settings: Settings) -> int:
    from bot.sandbox.runner import run_sandbox

    asyncio.run(run_sandbox(settings))
    return 0


def _migrate(settings: Settings) -> int:
    from bot.db.base import create_engine
    from bot.db.migrate import upgrade

    async def main() -> None:
        if settings.database.startswith("sqlite"):
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(settings.database)
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(main())
    print("database is at the newest schema")
    return 0


def _content_check(settings: Settings) -> int:
    from bot.content.check import run_check

    return run_check(settings.content_dir, date.today(), sys.stdout)


def _key(_settings: Settings) -> int:
    from bot.privacy import generate_key

    print(generate_key())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="umbrella", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "run", help="run the bot (long polling; webhook when WEBHOOK_URL is set; the sandbox without BOT_TOKEN)"
    )
    commands.add_parser("sandbox", help="run the bot against the local fake Telegram, no token needed")
    commands.add_parser("migrate", help="upgrade the database to the newest schema")
    content = commands.add_parser("content", help="work with the content in content/")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    content_commands.add_parser("check", help="validate content/ and report completeness per language")
    commands.add_parser("key", help="print a new random PRIVACY_KEY")
    args = parser.parse_args(argv)
    settings = Settings()
    handlers = {"run": _run, "sandbox": _sandbox, "migrate": _migrate, "key": _key}
    if args.command == "content":
        return _content_check(settings)
    return handlers[args.command](settings)


if __name__ == "__main__":
    raise SystemExit(main())
