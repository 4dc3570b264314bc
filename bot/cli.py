"""`umbrella`: run the bot, migrate the database, check the content, start the sandbox, export statistics."""

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


def _sandbox(settings: Settings, *, terminal: bool = False, port: int | None = None) -> int:
    """The web page (or, with --terminal, the terminal chat) against the local fake Telegram."""
    from bot.sandbox.runner import DEFAULT_PORT, run_sandbox

    try:
        asyncio.run(run_sandbox(settings, terminal=terminal, port=DEFAULT_PORT if port is None else port))
    except KeyboardInterrupt:
        print("\nsandbox stopped")
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


# --- organisations and staff (issue 4) ------------------------------------------------------------


def _add_org_and_staff_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from bot.services.staff import Role

    org = commands.add_parser("org", help="organisations: the cities they serve and their staff rooms")
    org_commands = org.add_subparsers(dest="org_command", required=True)
    add = org_commands.add_parser("add", help="add an organisation")
    add.add_argument("slug", help="short id, a-z 0-9 - _ (used in /register_room SLUG)")
    add.add_argument("--name", required=True, help="the organisation's name, shown to its staff")
    add.add_argument("--cities", default="", help="comma-separated city ids it serves, e.g. kyiv,lviv")
    add.add_argument("--timezone", default="Europe/Kyiv", help="time zone of its roster (default Europe/Kyiv)")
    add.add_argument("--language", default="uk", choices=["uk", "ru", "en"], help="language of its staff room")
    add.add_argument("--default", action="store_true", help="serve members whose city no organisation serves")
    org_commands.add_parser("list", help="list organisations")

    staff = commands.add_parser("staff", help="staff: invitations, the team, revoking access")
    staff_commands = staff.add_subparsers(dest="staff_command", required=True)
    invite = staff_commands.add_parser("invite", help="print a one-time invitation link for a new staff person")
    invite.add_argument("--role", required=True, choices=[role.value for role in Role])
    invite.add_argument("--org", default=None, help="organisation slug (default: the default organisation)")
    invite.add_argument("--hours", type=int, default=72, help="how long the link works (default 72)")
    listing = staff_commands.add_parser("list", help="list staff by alias and roles")
    listing.add_argument("--org", default=None, help="organisation slug (default: every organisation)")
    revoke = staff_commands.add_parser("revoke", help="take every role away from a staff person")
    revoke.add_argument("alias", help="their alias (or #ID for someone without one, as `staff list` shows)")
    revoke.add_argument("--org", required=True, help="organisation slug")


async def _with_database(settings: Settings, work) -> int:  # type: ignore[no-untyped-def]
    """Migrate, then run `work(session, privacy)` in one transaction; returns its exit code."""
    from bot.app import resolve_privacy_key
    from bot.db.base import create_engine, create_sessionmaker
    from bot.db.migrate import upgrade
    from bot.privacy import Privacy

    if settings.database.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    privacy = Privacy(resolve_privacy_key(settings))
    engine = create_engine(settings.database)
    try:
        await upgrade(engine)
        async with create_sessionmaker(engine)() as session:
            code = await work(session, privacy)
            if code == 0:
                await session.commit()
            return int(code)
    finally:
        await engine.dispose()


def _fail(text: str) -> int:
    print(f"error: {text}", file=sys.stderr)
    return 1


async def _bot_username(settings: Settings) -> str | None:
    """The bot's username from getMe, when a token is set; None (with a warning) when it cannot be asked."""
    if settings.bot_token is None:
        return None
    from aiogram.exceptions import TelegramAPIError

    from bot.app import create_bot

    bot = create_bot(settings, settings.bot_token.get_secret_value())
    try:
        me = await bot.get_me()
        return me.username
    except (TelegramAPIError, OSError) as error:
        print(f"warning: could not ask Telegram for the bot's username ({type(error).__name__})", file=sys.stderr)
        return None
    finally:
        await bot.session.close()


def _org(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services import staff

    async def add(session, privacy) -> int:  # type: ignore[no-untyped-def]
        try:
            organisation = await staff.create_organisation(
                session,
                args.slug,
                args.name,
                args.cities.split(","),
                timezone=args.timezone,
                language=args.language,
                default=args.default,
            )
        except staff.OrganisationError as error:
            return _fail(str(error))
        default = " (default)" if organisation.is_default else ""
        print(f"organisation {organisation.slug} added{default}")
        print(f"next: umbrella staff invite --role admin --org {organisation.slug}")
        return 0

    async def listing(session, privacy) -> int:  # type: ignore[no-untyped-def]
        organisations = await staff.list_organisations(session)
        if not organisations:
            print("no organisations yet: umbrella org add SLUG --name NAME --cities kyiv,lviv")
        for organisation in organisations:
            cities = ",".join(sorted(c.city for c in organisation.cities)) or "-"
            room = "staff room registered" if organisation.staff_chat_id else "no staff room yet"
            default = "  default" if organisation.is_default else ""
            print(
                f"{organisation.slug}  {organisation.name}  cities={cities}  "
                f"tz={organisation.timezone}  lang={organisation.language}  {room}{default}"
            )
        return 0

    work = add if args.org_command == "add" else listing
    return asyncio.run(_with_database(settings, work))


def _staff(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import UTC, datetime, timedelta

    from bot.services import staff
    from bot.services.staff import Role

    async def organisation_of(session, slug: str | None):  # type: ignore[no-untyped-def]
        if slug:
            return await staff.organisation_by_slug(session, slug)
        return await staff.default_organisation(session)

    async def invite(session, privacy) -> int:  # type: ignore[no-untyped-def]
        if args.hours < 1:
            return _fail("--hours must be at least 1")
        organisation = await organisation_of(session, args.org)
        if organisation is None:
            return _fail("no such organisation (umbrella org list; umbrella org add SLUG --name NAME)")
        now = datetime.now(UTC)
        token = await staff.create_invite(
            session, privacy, organisation.id, Role(args.role), now, timedelta(hours=args.hours)
        )
        await session.commit()
        username = await _bot_username(settings)
        print(f"Invitation for a new {args.role} of {organisation.name}; it works once, for {args.hours} hours.")
        if username:
            print(f"Forward this link to the person: https://t.me/{username}?start={token}")
        else:
            print(f"The person sends this to the bot in a private chat: /start {token}")
        return 0

    async def listing(session, privacy) -> int:  # type: ignore[no-untyped-def]
        if args.org:
            organisation = await staff.organisation_by_slug(session, args.org)
            if organisation is None:
                return _fail(f"no organisation {args.org!r}")
            organisations = [organisation]
        else:
            organisations = await staff.list_organisations(session)
        for organisation in organisations:
            people = await staff.list_staff(session, organisation.id)
            print(f"{organisation.slug}: {len(people)} staff")
            for person in people:
                roles = ",".join(role.value for role in person.sorted_roles)
                languages = ",".join(person.languages) or "-"
                duty = "  on duty" if person.on_duty else ""
                print(f"  {person.label}  roles={roles}  languages={languages}{duty}")
        return 0

    async def revoke(session, privacy) -> int:  # type: ignore[no-untyped-def]
        organisation = await staff.organisation_by_slug(session, args.org)
        if organisation is None:
            return _fail(f"no organisation {args.org!r}")
        person = await staff.staff_by_reference(session, organisation.id, args.alias)
        if person is None:
            return _fail(f"nobody called {args.alias!r} on the staff of {organisation.slug}")
        await staff.revoke(session, person.id)
        print(f"{person.label} no longer has staff access")
        return 0

    work = {"invite": invite, "list": listing, "revoke": revoke}[args.staff_command]
    return asyncio.run(_with_database(settings, work))


# --- anonymous statistics (issue 8) ---------------------------------------------------------------


def _add_stats_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    stats = commands.add_parser("stats", help="anonymous statistics for funders")
    stats_commands = stats.add_subparsers(dest="stats_command", required=True)
    export = stats_commands.add_parser(
        "export", help="write an organisation's figures of a week or month as CSV (counts of 1-4 read <5)"
    )
    export.add_argument("--org", required=True, help="organisation slug")
    export.add_argument("--period", required=True, help="an ISO week (2026-W48) or a month (2026-11)")
    export.add_argument("--out", default=None, help="the CSV file to write (default: standard output)")


def _stats(settings: Settings, args: argparse.Namespace) -> int:
    import csv
    import io

    from bot.services import staff, stats

    try:
        period = stats.parse_period(args.period)
    except stats.PeriodInvalid:
        return _fail(f"{args.period!r} is neither an ISO week like 2026-W48 nor a month like 2026-11")

    written: list[str] = []

    async def export(session, privacy) -> int:  # type: ignore[no-untyped-def]
        organisation = await staff.organisation_by_slug(session, args.org)
        if organisation is None:
            return _fail(f"no organisation {args.org!r}")
        figures = await stats.compute(session, organisation, period)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(stats.CSV_HEADER)
        writer.writerows(stats.csv_rows(figures))
        written.append(buffer.getvalue())
        return 0

    code = asyncio.run(_with_database(settings, export))
    if code != 0:
        return code
    if args.out is None:
        sys.stdout.write(written[0])
    else:
        with open(args.out, "w", encoding="utf-8", newline="") as file:
            file.write(written[0])
        print(f"statistics of {args.org} for {period.label} written to {args.out}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="umbrella", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "run", help="run the bot (long polling; webhook when WEBHOOK_URL is set; the sandbox without BOT_TOKEN)"
    )
    sandbox = commands.add_parser(
        "sandbox", help="the bot against the local fake Telegram in a web page on 127.0.0.1, no token needed"
    )
    sandbox.add_argument("--port", type=int, default=None, help="port of the page (default 8765, else a free one)")
    sandbox.add_argument("--terminal", action="store_true", help="chat in the terminal instead of the web page")
    commands.add_parser("migrate", help="upgrade the database to the newest schema")
    content = commands.add_parser("content", help="work with the content in content/")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    content_commands.add_parser("check", help="validate content/ and report completeness per language")
    commands.add_parser("key", help="print a new random PRIVACY_KEY")
    _add_org_and_staff_commands(commands)
    _add_stats_commands(commands)
    args = parser.parse_args(argv)
    settings = Settings()
    handlers = {"run": _run, "migrate": _migrate, "key": _key}
    if args.command == "content":
        return _content_check(settings)
    if args.command == "org":
        return _org(settings, args)
    if args.command == "staff":
        return _staff(settings, args)
    if args.command == "stats":
        return _stats(settings, args)
    if args.command == "sandbox":
        return _sandbox(settings, terminal=args.terminal, port=args.port)
    return handlers[args.command](settings)


if __name__ == "__main__":
    raise SystemExit(main())
