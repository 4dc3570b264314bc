"""Joining and running the staff, end to end: an admin invited from the command line opens the link,
picks an alias and languages, invites a counsellor, sets up the staff room and the roster; others
are refused plainly; nobody's Telegram id, username or name ever appears in what staff see."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.db.models import Organisation
from bot.sandbox.client import Room, TelegramUser
from bot.services import staff as staff_service
from bot.services.members import guess_language
from bot.services.staff import Role
from tests.e2e.conftest import LANGUAGE_LABELS, TOKEN, Harness, labels

ADMIN_ONLY = "Only an organisation's admins can use this command."
STAFF_ONLY = "This command is for an organisation's staff."
STALE = "This button is out of date or not meant for you."
LINK = re.compile(r"https://t\.me/(\w+)\?start=(inv_[A-Za-z0-9_-]+)")


def t(harness: Harness, language: str, msgid: str) -> str:
    return harness.app.i18n.gettext(msgid, locale=language)


async def organisation_with_invite(harness: Harness, role: Role = Role.admin, slug: str = "ngo") -> str:
    """What `umbrella org add` and `umbrella staff invite` do, as service calls."""
    async with harness.app.sessionmaker() as session:
        organisation = await staff_service.organisation_by_slug(session, slug)
        if organisation is None:
            organisation = await staff_service.create_organisation(
                session, slug, "Legalife <Kyiv>", ["kyiv"], "Europe/Kyiv", "en", default=True
            )
        token = await staff_service.create_invite(
            session, harness.app.privacy, organisation.id, role, harness.fake.now_datetime()
        )
        await session.commit()
    return token


ALIAS_QUESTION = (
    "Choose an alias: the name members and colleagues will see instead of your Telegram name. "
    "Send it as a message: 1 to {max} characters, no @ and no links."
)


async def join(
    harness: Harness, user: TelegramUser, token: str, alias: str, languages: tuple[str, ...] = ("en",)
) -> None:
    """Open the invite link, choose an alias and languages, press Done."""
    await user.command("/start", token)
    guessed = guess_language(user.language_code)
    assert user.last.text == t(harness, guessed, ALIAS_QUESTION).format(max=32)
    await user.send(alias)
    for language in languages:
        await user.press(LANGUAGE_LABELS[language])
    await user.press(t(harness, languages[0], "Done"))  # the keyboard now speaks the first language


async def staff_of(harness: Harness, user: TelegramUser) -> staff_service.StaffInfo | None:
    async with harness.app.sessionmaker() as session:
        return await staff_service.find_staff(session, harness.app.privacy, user.id)


async def admin_and_counsellor(harness: Harness) -> tuple[TelegramUser, TelegramUser]:
    admin = harness.member(first_name="Oksana-Admin", username="oksana_admin")
    await join(harness, admin, await organisation_with_invite(harness), "Ola")
    await admin.command("/invite", "counsellor")
    match = LINK.search(admin.last.text)
    assert match is not None
    counsellor = harness.member(first_name="Katya-Night", username="katya_night", language_code="ru")
    await join(harness, counsellor, match[2], "Katya")
    return admin, counsellor


def seen_by_staff(*chats: TelegramUser | Room) -> list[str]:
    found = []
    for chat in chats:
        if isinstance(chat, Room):
            found += [m.text or m.caption or "" for m in chat.messages() if m.from_bot]
        else:
            found += [m.text or m.caption or "" for m in chat.bot_messages]
    return found


async def test_admin_from_the_command_line_joins_with_alias_and_languages(harness: Harness, no_apologies) -> None:
    token = await organisation_with_invite(harness)
    admin = harness.member(first_name="Oksana-Admin", username="oksana_admin", language_code="en")
    await admin.command("/start", token)
    welcome = admin.texts()[-2]
    assert "Welcome to the team of Legalife <Kyiv>! Your role: admin." in welcome  # the name is escaped
    assert "never shows your Telegram name" in welcome

    for bad, problem in [("@oksana", "cannot contain @ or links"), ("x" * 33, "1 to 32 characters")]:
        await admin.send(bad)
        assert problem in admin.last.text
    await admin.send("Ola <3")
    assert "Your alias is now Ola <3." in admin.texts()[-2]
    question = admin.last
    assert labels(question) == ["🇺🇦 Українська", "🇷🇺 Русский", "🇬🇧 English", "Done"]

    answer = await admin.press("Done")
    assert answer is not None and answer.show_alert and "at least one language" in answer.text
    await admin.press("🇬🇧 English")
    await admin.press("🇺🇦 Українська")
    assert labels(admin.last)[:3] == ["✅ 🇺🇦 Українська", "🇷🇺 Русский", "✅ 🇬🇧 English"]
    assert admin.last.message_id == question.message_id  # edited in place
    await admin.press("Done")
    assert "All set, Ola <3." in admin.last.text and "/register_room ngo" in admin.last.text

    info = await staff_of(harness, admin)
    assert info is not None and info.alias == "Ola <3" and info.languages == ("en", "uk")
    assert info.roles == {Role.admin}
    # The member /start still works for everyone else, and for the admin without a payload.
    member = harness.member()
    await member.command("/start")
    assert "Choose your language" in member.last.text
    no_apologies(admin)


async def test_before_choosing_languages_the_invite_speaks_telegrams_language(harness: Harness) -> None:
    token = await organisation_with_invite(harness)
    newcomer = harness.member(first_name="Oksana", language_code="uk")
    await newcomer.command("/start", token)
    welcome = t(
        harness,
        "uk",
        "Welcome to the team of {organisation}! Your role: {roles}.\n\n"
        "The bot never shows your Telegram name, username or number to anyone.",
    ).format(organisation="Legalife <Kyiv>", roles=t(harness, "uk", "admin"))  # as shown, after HTML
    assert newcomer.texts()[-2:] == [welcome, t(harness, "uk", ALIAS_QUESTION).format(max=32)]


async def test_invite_links_work_once_expire_and_forgeries_are_refused(harness: Harness) -> None:
    token = await organisation_with_invite(harness)
    first, second = harness.member(first_name="First"), harness.member(first_name="Second")
    await first.command("/start", token)
    await second.command("/start", token)
    assert "already been used" in second.last.text
    assert await staff_of(harness, second) is None

    await second.command("/start", "inv_" + "A" * 32)
    assert "This invitation link is not valid." in second.last.text
    await second.command("/start", "inv_<b>x</b>")
    assert "This invitation link is not valid." in second.last.text

    late = await organisation_with_invite(harness)
    harness.fake.advance_time(hours=73)
    await second.command("/start", late)
    assert "This invitation link has expired." in second.last.text
    assert await staff_of(harness, second) is None


async def test_admin_invites_a_counsellor_who_goes_on_duty(harness: Harness, no_apologies) -> None:
    admin, counsellor = await admin_and_counsellor(harness)
    invite_text = admin.texts()[-1]
    assert "Invitation for a new counsellor of Legalife <Kyiv>" in invite_text
    assert LINK.search(invite_text)[1] == harness.fake.state.bot.username  # type: ignore[index]
    assert "All set, Katya." in counsellor.last.text and "/onduty" in counsellor.last.text

    await counsellor.command("/onduty")
    assert counsellor.last.text.startswith("🟢 You are on duty, Katya.")
    async with harness.app.sessionmaker() as session:
        info = await staff_of(harness, counsellor)
        assert info is not None
        working = await staff_service.on_shift(session, info.organisation_id, harness.fake.now_datetime())
    assert [s.alias for s in working] == ["Katya"]
    await counsellor.command("/me")
    assert "Katya · Legalife <Kyiv>" in counsellor.last.text and "Status: 🟢 on duty" in counsellor.last.text
    await counsellor.command("/offduty")
    assert counsellor.last.text == "⚪ You are off duty. Thank you!"

    await admin.command("/staff")
    assert "• Katya — counsellor" in admin.last.text and "• Ola — admin" in admin.last.text
    no_apologies(admin)
    no_apologies(counsellor)


async def test_admin_keeps_the_roster(harness: Harness) -> None:
    admin, counsellor = await admin_and_counsellor(harness)
    await admin.command("/shift", "katya mon 18:00-02:00")
    assert admin.last.text == "Added to the roster: Katya, Monday 18:00–02:00."
    await admin.command("/shift", "Katya пн 18:00-02:00")
    assert admin.last.text.startswith("Already on the roster")
    await admin.command("/shift", "Ola tue 09:00-17:00")
    assert "Ola is not a counsellor" in admin.last.text
    await admin.command("/shift", "Nobody mon 18:00-02:00")
    assert "Nobody on your staff is called “Nobody”" in admin.last.text
    await admin.command("/shift", "Katya someday 18:00-02:00")
    assert admin.last.text.startswith("Usage: /shift ALIAS DAY HH:MM-HH:MM")

    await admin.command("/roster")
    roster = admin.last.text
    assert "Weekly roster (time zone Europe/Kyiv)" in roster and "Monday\n18:00–02:00 Katya" in roster
    assert "Nobody is on shift now." in roster  # Tuesday 14:00 in Kyiv

    await counsellor.command("/me")
    assert "Next roster shift: Mon 30 Nov, 18:00" in counsellor.last.text

    harness.fake.advance_time(hours=-14)  # Tuesday 00:00 in Kyiv: inside Monday's night shift
    await admin.command("/roster")
    assert "On shift now: Katya" in admin.last.text
    await counsellor.command("/offduty")
    assert "you are on the roster right now" in counsellor.last.text

    await admin.command("/unshift", "Katya mon 18:00-02:00")
    assert admin.last.text == "Removed from the roster: Katya, Monday 18:00–02:00."
    await admin.command("/unshift", "Katya mon 18:00-02:00")
    assert admin.last.text.startswith("There is no such shift")


async def test_register_room_creates_three_topics(harness: Harness) -> None:
    admin, counsellor = await admin_and_counsellor(harness)
    room = harness.fake.forum_group("Staff room")
    room.add(admin, status="administrator")
    room.add(counsellor)

    await counsellor.send("/register_room ngo", chat=room)
    assert room.texts()[-1] == ADMIN_ONLY
    assert room.topics == []
    await admin.send("/register_room other", chat=room)
    assert room.texts()[-1] == "You are not an admin of an organisation called “other”."

    await admin.send("/register_room ngo", chat=room)
    assert [topic.name for topic in room.topics] == ["Queue", "Reports", "Broadcasts"]
    assert "This group is now the staff room of Legalife <Kyiv>" in room.texts()[-1]
    async with harness.app.sessionmaker() as session:
        organisation = await session.scalar(select(Organisation).where(Organisation.slug == "ngo"))
    assert organisation is not None and organisation.staff_chat_id == room.chat_id
    assert [organisation.queue_thread_id, organisation.reports_thread_id, organisation.broadcasts_thread_id] == [
        topic.thread_id for topic in room.topics
    ]
    await admin.send("/register_room ngo", chat=room)
    assert room.texts()[-1] == "This group is already your staff room."
    assert len(room.topics) == 3

    # Duty works in the staff room too.
    await counsellor.send("/onduty", chat=room)
    assert room.texts()[-1].startswith("🟢 You are on duty, Katya.")

    plain = harness.fake.group("Not a forum")
    await admin.send("/register_room ngo", chat=plain)
    assert "Topics are off in this group" in plain.texts()[-1]
    await admin.command("/register_room", "ngo")
    assert admin.last.text.startswith("Send /register_room in your staff room")


async def test_members_and_staff_without_the_role_are_refused(harness: Harness) -> None:
    admin, counsellor = await admin_and_counsellor(harness)
    member = await harness.started("en", first_name="Member-Name", username="member_name")
    for who in (member, counsellor):
        for command, args in [
            ("/invite", "admin"),
            ("/revoke", "Ola"),
            ("/staff", None),
            ("/shift", "Ola mon 18:00-02:00"),
        ]:
            await who.command(command, args)
            assert who.last.text == ADMIN_ONLY, (who, command)
    room = harness.fake.forum_group("Staff room")
    await member.send("/register_room ngo", chat=room)
    assert room.texts()[-1] == ADMIN_ONLY and room.topics == []

    await member.command("/onduty")
    assert member.last.text == STAFF_ONLY
    await admin.command("/onduty")
    assert admin.last.text == "Only counsellors go on duty. /me shows your roles."
    await admin.command("/invite", "boss")
    assert admin.last.text.startswith("Usage: /invite ROLE, where ROLE is one of: counsellor, moderator")
    await admin.command("/revoke", "Ola")
    assert admin.last.text == "You cannot revoke your own access. Ask another admin to do it."
    assert await staff_of(harness, counsellor) is not None
    assert await staff_of(harness, member) is None


async def test_revoked_staff_lose_access_and_are_told(harness: Harness) -> None:
    admin, counsellor = await admin_and_counsellor(harness)
    await admin.command("/revoke", "KATYA")
    assert admin.last.text == "Katya no longer has staff access."
    assert counsellor.last.text == "Your staff access has ended. Thank you for your work."
    await counsellor.command("/onduty")
    assert counsellor.last.text == t(harness, "ru", STAFF_ONLY)  # no longer staff: Telegram's language again
    await admin.command("/staff")
    assert "Katya" not in admin.last.text


async def test_forged_and_stale_onboarding_buttons_get_a_clear_answer(harness: Harness) -> None:
    admin, _counsellor = await admin_and_counsellor(harness)
    for data in ["stlang:xx", "stlang:", "stlang:uk:extra", "stdone:1"]:
        answer = await admin.press_data(data)
        assert answer is not None and answer.show_alert and answer.text == STALE, data
    info = await staff_of(harness, admin)
    assert info is not None and info.languages == ("en",)

    member = await harness.started("en")
    for data in ["stlang:uk", "stdone"]:
        answer = await member.press_data(data)
        assert answer is not None and answer.show_alert and answer.text == STALE, data
    assert await staff_of(harness, member) is None
    assert "Choose an alias" not in " ".join(member.texts())


async def test_staff_replies_use_their_first_language(harness: Harness) -> None:
    token = await organisation_with_invite(harness, Role.counsellor)
    counsellor = harness.member(first_name="Marina", language_code="en")
    await join(harness, counsellor, token, "Marina K", languages=("ru", "en"))
    ready = t(
        harness, "ru", "✅ All set, <b>{alias}</b>. Members and colleagues see only your alias. Your roles: {roles}."
    ).format(alias="Marina K", roles=t(harness, "ru", "counsellor"))
    assert counsellor.last.text.startswith(ready.replace("<b>", "").replace("</b>", ""))
    await counsellor.command("/onduty")
    expected = t(
        harness, "ru", "🟢 You are on duty, {alias}. New conversations can reach you; send /offduty when you stop."
    )
    assert counsellor.last.text == expected.format(alias="Marina K")


async def test_staff_never_see_telegram_ids_usernames_or_names(harness: Harness) -> None:
    admin, counsellor = await admin_and_counsellor(harness)
    member = await harness.started("en", first_name="Member-Name", username="member_name")
    room = harness.fake.forum_group("Staff room")
    room.add(admin, status="administrator")
    await admin.send("/register_room ngo", chat=room)
    await admin.command("/shift", "Katya fri 20:00-04:00")
    for command in ("/staff", "/roster", "/me"):
        await admin.command(command)
    for command in ("/onduty", "/me", "/offduty"):
        await counsellor.command(command)
        await counsellor.send(command, chat=room)
    secrets = []
    for person in (admin, counsellor, member):
        secrets += [str(person.id), person.first_name, person.username or ""]
    texts = seen_by_staff(admin, counsellor, room)
    assert len(texts) > 15
    for text in texts:
        for secret in secrets:
            assert secret not in text, (secret, text)
    logs = harness.logs.getvalue()
    for secret in secrets:
        assert secret not in logs


@pytest.mark.parametrize("with_token", [True, False])
async def test_cli_invite_prints_a_deep_link_from_get_me(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, with_token: bool
) -> None:
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    settings = harness.settings
    monkeypatch.setenv("DATABASE_URL", settings.database)
    monkeypatch.setenv("PRIVACY_KEY", settings.privacy_key.get_secret_value())  # type: ignore[union-attr]
    monkeypatch.setenv("TELEGRAM_API_URL", settings.telegram_api_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("WEBHOOK_URL", raising=False)
    if with_token:
        monkeypatch.setenv("BOT_TOKEN", TOKEN)
    else:
        monkeypatch.delenv("BOT_TOKEN", raising=False)
    assert await asyncio.to_thread(main, ["org", "add", "ngo", "--name", "Legalife", "--cities", "kyiv"]) == 0
    assert await asyncio.to_thread(main, ["staff", "invite", "--role", "admin", "--org", "ngo"]) == 0
    out = capsys.readouterr().out
    if with_token:
        match = LINK.search(out)
        assert match is not None and match[1] == harness.fake.state.bot.username
        token = match[2]
    else:
        found = re.search(r"/start (inv_[A-Za-z0-9_-]+)", out)
        assert found is not None
        token = found[1]
    admin = harness.member(first_name="Oksana-Admin")
    await join(harness, admin, token, "Ola")
    assert "All set, Ola." in admin.last.text


async def test_member_navigation_needs_no_staff_lookup(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """Staff routers come first, yet buttons and free text of members cost no extra database query."""
    member = await harness.started("en")
    calls = []
    original = staff_service.find_staff

    async def counting(*args, **kwargs):
        calls.append(1)
        return await original(*args, **kwargs)

    monkeypatch.setattr(staff_service, "find_staff", counting)
    await member.press("🛡 Safety")
    await member.press("🏠 Menu")
    await member.send("hello")
    assert calls == []
    await member.command("/menu")  # commands may be staff commands: looked up once
    assert calls == [1]


async def test_a_large_team_is_listed_within_telegrams_limits(harness: Harness) -> None:
    admin, _counsellor = await admin_and_counsellor(harness)
    async with harness.app.sessionmaker() as session:
        info = await staff_of(harness, admin)
        assert info is not None
        for number in range(120):
            token = await staff_service.create_invite(
                session, harness.app.privacy, info.organisation_id, Role.counsellor, harness.fake.now_datetime()
            )
            person = await staff_service.redeem_invite(
                session, harness.app.privacy, token, 10_000 + number, 10_000 + number, harness.fake.now_datetime()
            )
            await staff_service.set_alias(session, person.id, f"Counsellor with a long alias {number:03d}")
            await staff_service.add_shift(session, person.id, number % 7, 18 * 60, 2 * 60)
        await session.commit()
    before = len(admin.bot_messages)
    await admin.command("/staff")
    listing = "\n".join(m.text or "" for m in admin.bot_messages[before:])
    assert len(admin.bot_messages) - before > 1
    assert all(f"Counsellor with a long alias {n:03d}" in listing for n in range(120))
    before = len(admin.bot_messages)
    await admin.command("/roster")
    assert len(admin.bot_messages) - before > 1
