"""Staff and organisations on SQLite and PostgreSQL: one-time invites stored as keyed hashes, alias
rules, the weekly roster across midnight and daylight-saving changes in Europe/Kyiv, and which
organisation serves a member's city."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from bot.db.base import create_engine, create_sessionmaker
from bot.db.migrate import upgrade
from bot.privacy import Privacy
from bot.services import staff
from bot.services.staff import (
    AliasInvalid,
    AliasProblem,
    AliasTaken,
    AlreadyStaffElsewhere,
    InviteExpired,
    InviteInvalid,
    InviteUsed,
    NotACounsellor,
    Role,
    RoomTaken,
)

PRIVACY = Privacy("s" * 40)
# Monday 23 November 2026, 14:00 in Kyiv (UTC+2 in winter).
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
MON, TUE, SAT, SUN = 0, 1, 5, 6


def hm(hours: int, minutes: int = 0) -> int:
    return hours * 60 + minutes


@pytest.fixture
async def sessions(database_url: str):
    engine = create_engine(database_url)
    await upgrade(engine)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def _org(session, slug: str = "ngo", cities=("kyiv",), **kwargs):
    return await staff.create_organisation(session, slug, f"Org {slug}", list(cities), **kwargs)


async def _staff(session, organisation_id: int, user_id: int, role: Role = Role.counsellor, alias: str | None = None):
    token = await staff.create_invite(session, PRIVACY, organisation_id, role, NOW)
    person = await staff.redeem_invite(session, PRIVACY, token, user_id, user_id, NOW)
    if alias is not None:
        person = await staff.set_alias(session, person.id, alias)
    return person


# --- invites --------------------------------------------------------------------------------------


async def test_invite_token_fits_a_deep_link_and_only_its_keyed_hash_is_stored(sessions) -> None:
    async with sessions() as session:
        organisation = await _org(session)
        token = await staff.create_invite(session, PRIVACY, organisation.id, Role.admin, NOW)
        await session.commit()
        rows = (await session.execute(text("select * from invites"))).all()
    assert re.fullmatch(r"inv_[A-Za-z0-9_-]+", token) and len(token) <= 64
    assert len(rows) == 1
    dump = repr(rows)
    assert token not in dump and token[4:] not in dump
    assert rows[0].token_hash == staff.invite_hash(PRIVACY, token)
    assert staff.invite_hash(Privacy("t" * 40), token) != rows[0].token_hash  # keyed, not a plain digest


async def test_invite_is_one_time_and_staff_are_stored_without_telegram_ids(sessions) -> None:
    async with sessions() as session:
        organisation = await _org(session)
        token = await staff.create_invite(session, PRIVACY, organisation.id, Role.counsellor, NOW)
        person = await staff.redeem_invite(session, PRIVACY, token, 555000111, 555000111, NOW + timedelta(hours=1))
        assert person.roles == {Role.counsellor} and person.alias is None and person.active
        with pytest.raises(InviteUsed):
            await staff.redeem_invite(session, PRIVACY, token, 555000222, 555000222, NOW + timedelta(hours=2))
        await session.commit()
        found = await staff.find_staff(session, PRIVACY, 555000111)
        assert found is not None and found.id == person.id
        assert staff.staff_chat_id(PRIVACY, found) == 555000111
        assert await staff.find_staff(session, PRIVACY, 555000222) is None
        rows = (await session.execute(text("select * from staff"))).all()
    assert len(rows) == 1 and "555000111" not in repr(rows)


async def test_expired_forged_and_malformed_invites_are_refused(sessions) -> None:
    async with sessions() as session:
        organisation = await _org(session)
        token = await staff.create_invite(session, PRIVACY, organisation.id, Role.admin, NOW, timedelta(hours=1))
        with pytest.raises(InviteExpired):
            await staff.redeem_invite(session, PRIVACY, token, 1, 1, NOW + timedelta(hours=1))
        for forged in ["inv_" + "A" * 32, "inv_short", token + "x" * 60, "inv_<b>" + "a" * 20, "", token.upper()]:
            with pytest.raises(InviteInvalid):
                await staff.redeem_invite(session, PRIVACY, forged, 1, 1, NOW)
        # The expired link did not become usable by being tried.
        with pytest.raises(InviteExpired):
            await staff.redeem_invite(session, PRIVACY, token, 1, 1, NOW + timedelta(days=1))
        assert await staff.find_staff(session, PRIVACY, 1) is None


async def test_existing_staff_gain_a_role_and_cannot_join_another_organisation(sessions) -> None:
    async with sessions() as session:
        ngo, other = await _org(session, "ngo"), await _org(session, "other", ["odesa"])
        person = await _staff(session, ngo.id, 7, Role.counsellor, alias="Olena")
        token = await staff.create_invite(session, PRIVACY, ngo.id, Role.supervisor, NOW)
        again = await staff.redeem_invite(session, PRIVACY, token, 7, 7, NOW)
        assert again.id == person.id and again.roles == {Role.counsellor, Role.supervisor}
        assert again.alias == "Olena"
        elsewhere = await staff.create_invite(session, PRIVACY, other.id, Role.admin, NOW)
        with pytest.raises(AlreadyStaffElsewhere):
            await staff.redeem_invite(session, PRIVACY, elsewhere, 7, 7, NOW)
        # The refused invite is not used up: the person it was meant for can still open it.
        newcomer = await staff.redeem_invite(session, PRIVACY, elsewhere, 8, 8, NOW)
        assert newcomer.organisation_id == other.id and newcomer.has(Role.admin)


async def test_revoked_staff_lose_everything_and_come_back_only_by_a_new_invite(sessions) -> None:
    async with sessions() as session:
        ngo = await _org(session)
        person = await _staff(session, ngo.id, 9, Role.counsellor, alias="Marta")
        await staff.set_on_duty(session, person.id, True)
        await staff.add_shift(session, person.id, MON, hm(18), hm(2))
        assert await staff.revoke(session, person.id) is True
        assert await staff.revoke(session, person.id) is False
        assert await staff.find_staff(session, PRIVACY, 9) is None
        assert await staff.roster(session, ngo.id) == []
        assert await staff.on_shift(session, ngo.id, NOW) == []
        gone = await staff.staff_by_id(session, person.id)
        assert gone is not None and not gone.active and not gone.on_duty and not gone.has(Role.counsellor)
        back = await _staff(session, ngo.id, 9, Role.moderator)
        assert back.id == person.id and back.roles == {Role.moderator} and back.alias == "Marta"


# --- aliases and languages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alias", "problem"),
    [
        ("", AliasProblem.length),
        ("   ", AliasProblem.length),
        ("x" * 33, AliasProblem.length),
        ("@olena", AliasProblem.link),
        ("olena@mail", AliasProblem.link),
        ("t.me/olena", AliasProblem.link),
        ("see https://x.y", AliasProblem.link),
        ("www.example", AliasProblem.link),
        ("olena.com", AliasProblem.link),
        ("#12", AliasProblem.characters),
        ("/start", AliasProblem.characters),
        ("Ol\u200bena", AliasProblem.characters),
        ("Ol\u202eena", AliasProblem.characters),
        ("Ol\x07ena", AliasProblem.characters),
    ],
)
def test_alias_rules(alias: str, problem: AliasProblem) -> None:
    with pytest.raises(AliasInvalid) as caught:
        staff.check_alias(alias)
    assert caught.value.problem == problem


def test_alias_is_tidied() -> None:
    assert staff.check_alias("  Olena   K ") == "Olena K"
    assert staff.check_alias("x" * 32) == "x" * 32
    assert staff.check_alias("Оля <3 & Co.") == "Оля <3 & Co."  # escaped when shown, not refused


async def test_alias_is_unique_per_organisation_ignoring_case(sessions) -> None:
    async with sessions() as session:
        ngo, other = await _org(session, "ngo"), await _org(session, "other", ["odesa"])
        first = await _staff(session, ngo.id, 1, alias="Оля")
        second = await _staff(session, ngo.id, 2)
        with pytest.raises(AliasTaken):
            await staff.set_alias(session, second.id, "оЛЯ")
        with pytest.raises(AliasTaken):
            await staff.set_alias(session, second.id, "  ОЛЯ ")
        elsewhere = await _staff(session, other.id, 3, alias="Оля")  # another organisation: fine
        assert elsewhere.alias == "Оля"
        assert (await staff.set_alias(session, first.id, "оля")).alias == "оля"  # one's own alias, recased
        assert (await staff.staff_by_alias(session, ngo.id, "ОЛЯ")).id == first.id  # type: ignore[union-attr]
        assert (await staff.staff_by_reference(session, ngo.id, f"#{second.id}")).id == second.id  # type: ignore[union-attr]
        assert await staff.staff_by_reference(session, other.id, f"#{second.id}") is None


async def test_languages_keep_the_persons_order(sessions) -> None:
    async with sessions() as session:
        ngo = await _org(session)
        person = await _staff(session, ngo.id, 1)
        person = await staff.toggle_language(session, person.id, "ru")
        person = await staff.toggle_language(session, person.id, "uk")
        assert person.languages == ("ru", "uk") and person.language == "ru"
        person = await staff.toggle_language(session, person.id, "ru")
        assert person.languages == ("uk",)
        with pytest.raises(staff.StaffError):
            await staff.set_languages(session, person.id, ["de"])
        person = await staff.set_languages(session, person.id, ["en", "en", "uk"])
        assert person.languages == ("en", "uk")


# --- duty and the roster ---------------------------------------------------------------------------


def test_weekday_and_interval_parsing() -> None:
    for word in ["mon", "Monday", "MO", "пн", "Пн.", "понеділок", "понедельник", "1"]:
        assert staff.parse_weekday(word) == MON, word
    assert staff.parse_weekday("нд") == SUN and staff.parse_weekday("вс") == SUN and staff.parse_weekday("7") == SUN
    assert staff.parse_interval("18:00-02:00") == (hm(18), hm(2))
    assert staff.parse_interval("9:30 – 17:00") == (hm(9, 30), hm(17))
    assert staff.parse_interval("20:00-24:00") == (hm(20), 0)
    for bad in ["18:00-18:00", "25:00-02:00", "18:60-19:00", "18-19", "evening"]:
        with pytest.raises(ValueError):
            staff.parse_interval(bad)
    for bad in ["someday", "0", "8", ""]:
        with pytest.raises(ValueError):
            staff.parse_weekday(bad)


async def test_only_counsellors_go_on_duty_or_on_the_roster(sessions) -> None:
    async with sessions() as session:
        ngo = await _org(session)
        admin = await _staff(session, ngo.id, 1, Role.admin, alias="Boss")
        with pytest.raises(NotACounsellor):
            await staff.set_on_duty(session, admin.id, True)
        with pytest.raises(NotACounsellor):
            await staff.add_shift(session, admin.id, MON, hm(9), hm(17))
        counsellor = await _staff(session, ngo.id, 2, alias="Ira")
        assert await staff.on_shift(session, ngo.id, NOW) == []
        assert (await staff.set_on_duty(session, counsellor.id, True)).on_duty
        assert [s.alias for s in await staff.on_shift(session, ngo.id, NOW)] == ["Ira"]
        await staff.set_on_duty(session, counsellor.id, False)
        assert await staff.on_shift(session, ngo.id, NOW) == []


async def test_roster_interval_past_midnight(sessions) -> None:
    kyiv = NOW.astimezone(ZoneInfo("Europe/Kyiv")).utcoffset()
    assert kyiv == timedelta(hours=2)

    def at(day: int, hours: int, minutes: int = 0) -> datetime:  # a local time in the week of NOW
        return datetime(2026, 11, 23 + day, hours, minutes, tzinfo=UTC) - kyiv

    async with sessions() as session:
        ngo = await _org(session)
        night = await _staff(session, ngo.id, 1, alias="Night")
        weekend = await _staff(session, ngo.id, 2, alias="Weekend")
        assert await staff.add_shift(session, night.id, MON, hm(22), hm(2)) is True
        assert await staff.add_shift(session, night.id, MON, hm(22), hm(2)) is False  # already there
        await staff.add_shift(session, weekend.id, SUN, hm(23), hm(1))  # Sunday night into Monday

        async def working(moment: datetime) -> list[str]:
            return [s.alias or "" for s in await staff.on_shift(session, ngo.id, moment)]

        assert await working(at(MON, 21, 59)) == []
        assert await working(at(MON, 22)) == ["Night"]
        assert await working(at(TUE, 1, 59)) == ["Night"]
        assert await working(at(TUE, 2)) == []
        assert await working(at(MON, 0, 30)) == ["Weekend"]  # from Sunday's shift
        assert await working(at(6, 23, 30)) == ["Weekend"]
        entries = await staff.roster(session, ngo.id)
        assert [(e.staff.alias, e.weekday) for e in entries] == [("Night", MON), ("Weekend", SUN)]
        assert await staff.remove_shift(session, night.id, MON, hm(22), hm(2)) is True
        assert await staff.remove_shift(session, night.id, MON, hm(22), hm(2)) is False
        assert await working(at(MON, 23)) == []


async def test_roster_follows_kyiv_wall_clock_across_daylight_saving(sessions) -> None:
    async with sessions() as session:
        ngo = await _org(session)
        night = await _staff(session, ngo.id, 1, alias="Night")
        day = await _staff(session, ngo.id, 2, alias="Day")
        await staff.add_shift(session, night.id, SAT, hm(22), hm(6))
        await staff.add_shift(session, day.id, SUN, hm(9), hm(17))

        async def working(moment: datetime) -> list[str]:
            return [s.alias or "" for s in await staff.on_shift(session, ngo.id, moment)]

        # Spring forward, Sunday 29 March 2026: 03:00 EET becomes 04:00 EEST (01:00 UTC).
        assert await working(datetime(2026, 3, 29, 2, 30, tzinfo=UTC)) == ["Night"]  # 05:30 EEST
        assert await working(datetime(2026, 3, 29, 3, 30, tzinfo=UTC)) == []  # 06:30 EEST
        assert await working(datetime(2026, 3, 29, 6, 0, tzinfo=UTC)) == ["Day"]  # 09:00 EEST
        # Fall back, Sunday 25 October 2026: 04:00 EEST becomes 03:00 EET (01:00 UTC).
        assert await working(datetime(2026, 10, 25, 3, 30, tzinfo=UTC)) == ["Night"]  # 05:30 EET
        assert await working(datetime(2026, 10, 25, 4, 30, tzinfo=UTC)) == []  # 06:30 EET
        assert await working(datetime(2026, 10, 25, 6, 30, tzinfo=UTC)) == []  # 08:30 EET
        assert await working(datetime(2026, 10, 25, 7, 0, tzinfo=UTC)) == ["Day"]  # 09:00 EET


async def test_next_shift_start_is_aware_utc(sessions) -> None:
    async with sessions() as session:
        ngo = await _org(session)
        assert await staff.next_shift_start(session, ngo.id, NOW) is None
        evening = await _staff(session, ngo.id, 1, alias="Evening")
        morning = await _staff(session, ngo.id, 2, alias="Morning")
        await staff.add_shift(session, evening.id, MON, hm(18), hm(2))
        await staff.add_shift(session, morning.id, SUN, hm(9), hm(17))
        first = await staff.next_shift_start(session, ngo.id, NOW)  # Monday 14:00 in Kyiv
        assert first == datetime(2026, 11, 23, 16, 0, tzinfo=UTC) and first.utcoffset() == timedelta(0)
        after = await staff.next_shift_start(session, ngo.id, datetime(2026, 11, 23, 16, 0, tzinfo=UTC))
        assert after == datetime(2026, 11, 29, 7, 0, tzinfo=UTC)  # Sunday 09:00 EET
        mine = await staff.next_shift_start(session, ngo.id, NOW + timedelta(hours=5), staff_id=evening.id)
        assert mine == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # a week later
        # Across spring forward: Saturday noon, the Sunday 09:00 shift is 06:00 UTC (EEST).
        spring = await staff.next_shift_start(session, ngo.id, datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
        assert spring == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)
        await staff.revoke(session, morning.id)
        assert await staff.next_shift_start(session, ngo.id, datetime(2026, 11, 23, 16, 0, tzinfo=UTC)) == datetime(
            2026, 11, 30, 16, 0, tzinfo=UTC
        )


async def test_supervisors_and_staff_list(sessions) -> None:
    async with sessions() as session:
        ngo = await _org(session)
        await _staff(session, ngo.id, 1, Role.supervisor, alias="Zoya")
        await _staff(session, ngo.id, 2, Role.counsellor, alias="anna")
        newcomer = await _staff(session, ngo.id, 3, Role.supervisor)
        assert [s.label for s in await staff.supervisors(session, ngo.id)] == ["Zoya", f"#{newcomer.id}"]
        assert [s.alias for s in await staff.list_staff(session, ngo.id)] == ["anna", "Zoya", None]


# --- organisations --------------------------------------------------------------------------------


async def test_organisation_for_city_falls_back_to_the_default(sessions) -> None:
    async with sessions() as session:
        assert await staff.organisation_for_city(session, "kyiv") is None
        kyiv = await _org(session, "kyiv-ngo", ["kyiv", "lviv"])
        odesa = await _org(session, "south", ["odesa"], timezone="Europe/Kyiv", language="ru")
        await session.commit()
        assert kyiv.is_default and not odesa.is_default  # the first organisation is the default
        assert (await staff.organisation_for_city(session, "odesa")).slug == "south"  # type: ignore[union-attr]
        assert (await staff.organisation_for_city(session, "lviv")).slug == "kyiv-ngo"  # type: ignore[union-attr]
        assert (await staff.organisation_for_city(session, "kharkiv")).slug == "kyiv-ngo"  # type: ignore[union-attr]
        assert (await staff.organisation_for_city(session, None)).slug == "kyiv-ngo"  # type: ignore[union-attr]
        await _org(session, "national", [], default=True)
        await session.commit()
        assert (await staff.organisation_for_city(session, "kharkiv")).slug == "national"  # type: ignore[union-attr]
        assert (await staff.organisation_for_city(session, "odesa")).slug == "south"  # type: ignore[union-attr]
        assert [o.slug for o in await staff.list_organisations(session)] == ["kyiv-ngo", "national", "south"]
        assert sum(o.is_default for o in await staff.list_organisations(session)) == 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"slug": "Bad Slug"},
        {"slug": "x" * 33},
        {"timezone": "Mars/Olympus"},
        {"language": "de"},
        {"cities": ["Kyiv City!"]},
        {"name": "  "},
    ],
)
async def test_organisation_input_is_checked(sessions, kwargs) -> None:
    values = {"slug": "ngo", "name": "NGO", "cities": ["kyiv"]} | kwargs
    async with sessions() as session:
        with pytest.raises(staff.OrganisationError):
            await staff.create_organisation(session, **values)


async def test_duplicate_slug_is_refused(sessions) -> None:
    async with sessions() as session:
        await _org(session, "ngo")
        with pytest.raises(staff.OrganisationError):
            await _org(session, "NGO")


async def test_staff_room_registration(sessions) -> None:
    async with sessions() as session:
        ngo, other = await _org(session, "ngo"), await _org(session, "other", ["odesa"])
        await staff.register_staff_room(session, ngo, -100123, 2, 3, 4)
        await session.commit()
        found = await staff.organisation_by_staff_chat(session, -100123)
        assert found is not None and found.id == ngo.id
        assert (found.queue_thread_id, found.reports_thread_id, found.broadcasts_thread_id) == (2, 3, 4)
        with pytest.raises(RoomTaken):
            await staff.register_staff_room(session, other, -100123, 5, 6, 7)
        await staff.register_staff_room(session, ngo, -100999, 8, 9, 10)  # moving to a new room
        assert await staff.organisation_by_staff_chat(session, -100123) is None


# --- the command line -----------------------------------------------------------------------------


def test_cli_adds_organisations_invites_lists_and_revokes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    monkeypatch.chdir(tmp_path)  # no stray .env
    for variable in ("BOT_TOKEN", "DATABASE_URL", "PRIVACY_KEY", "WEBHOOK_URL"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    assert main(["org", "add", "ngo", "--name", "Legalife", "--cities", "kyiv,lviv"]) == 0
    assert main(["org", "add", "south", "--name", "South", "--cities", "odesa", "--language", "ru"]) == 0
    assert main(["org", "add", "bad", "--name", "Bad", "--timezone", "Nowhere/Else"]) == 1
    assert main(["org", "list"]) == 0
    out = capsys.readouterr().out
    assert "ngo  Legalife  cities=kyiv,lviv" in out and "default" in out and "south  South" in out

    assert main(["staff", "invite", "--role", "admin"]) == 0
    out = capsys.readouterr().out
    token = re.search(r"/start (inv_[A-Za-z0-9_-]+)", out)
    assert token is not None and "Legalife" in out

    async def redeem() -> None:
        from bot.app import resolve_privacy_key
        from bot.settings import Settings

        settings = Settings()
        privacy = Privacy(resolve_privacy_key(settings))
        engine = create_engine(settings.database)
        async with create_sessionmaker(engine)() as session:
            person = await staff.redeem_invite(session, privacy, token[1], 42, 42, datetime.now(UTC))
            await staff.set_alias(session, person.id, "Olena")
            await session.commit()
        await engine.dispose()

    import asyncio

    asyncio.run(redeem())
    assert main(["staff", "list", "--org", "ngo"]) == 0
    out = capsys.readouterr().out
    assert "Olena  roles=admin" in out and "42" not in out
    assert main(["staff", "revoke", "Olena", "--org", "ngo"]) == 0
    assert main(["staff", "revoke", "Olena", "--org", "ngo"]) == 1
    assert main(["staff", "list"]) == 0
    assert "ngo: 0 staff" in capsys.readouterr().out
