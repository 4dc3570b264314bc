"""Member storage on SQLite and PostgreSQL: migrations, keyed lookup, retention, erasure."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select, text

from bot.db.base import create_engine, create_sessionmaker
from bot.db.migrate import upgrade
from bot.db.models import ChatMessage, Member
from bot.privacy import Privacy
from bot.services import members

PRIVACY = Privacy("p" * 40)
NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


async def _session_factory(url: str):
    engine = create_engine(url)
    await upgrade(engine)
    return engine, create_sessionmaker(engine)


async def test_migrations_run_twice_and_match_the_models(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from bot.db.base import Base
    from bot.db.migrate import alembic_config

    engine, _ = await _session_factory(database_url)
    await upgrade(engine)  # idempotent: every start may call it
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    async with engine.connect() as conn:
        version = (await conn.execute(text("select version_num from alembic_version"))).scalar_one()
        diff = await conn.run_sync(lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata))
    assert version == head
    assert diff == [], "models and migrations differ: write a migration"
    await engine.dispose()


async def test_member_is_found_by_keyed_hash_and_stored_without_plaintext(database_url: str) -> None:
    engine, sessions = await _session_factory(database_url)
    async with sessions() as session:
        member, created = await members.ensure(session, PRIVACY, 555000111, 555000111, "uk", NOW.date())
        again, created_again = await members.ensure(session, PRIVACY, 555000111, 555000111, "en", NOW.date())
        await session.commit()
    assert created and not created_again and again.id == member.id and again.language == "uk"
    async with engine.connect() as conn:
        rows = (await conn.execute(text("select * from members"))).all()
    assert len(rows) == 1
    dump = repr(rows)
    assert "555000111" not in dump
    assert PRIVACY.decrypt_chat_id(rows[0].chat_id_enc) == 555000111
    await engine.dispose()


async def test_last_seen_is_a_date_and_moves(database_url: str) -> None:
    engine, sessions = await _session_factory(database_url)
    async with sessions() as session:
        await members.ensure(session, PRIVACY, 1, 1, "ru", date(2026, 11, 1))
        await session.commit()
    async with sessions() as session:
        member, _ = await members.ensure(session, PRIVACY, 1, 1, "ru", date(2026, 11, 22))
        await session.commit()
        assert member.last_seen == date(2026, 11, 22)
        row = await members.find(session, PRIVACY, 1)
        assert row is not None and row.first_seen == date(2026, 11, 1) and row.last_seen == date(2026, 11, 22)
    await engine.dispose()


async def test_chat_history_splits_at_48_hours_and_forget_erases_everything(database_url: str) -> None:
    engine, sessions = await _session_factory(database_url)
    async with sessions() as session:
        member, _ = await members.ensure(session, PRIVACY, 7, 7, "en", NOW.date())
        await members.record_messages(session, member.id, [1, 2], NOW - timedelta(hours=50))
        await members.record_messages(session, member.id, [3, 4, 4], NOW - timedelta(hours=1))
        await members.record_messages(session, member.id, [4, 5], NOW)  # 4 again: stored once
        await session.commit()
        history = await members.chat_history(session, member.id, NOW)
        assert history.deletable == [3, 4, 5] and history.too_old == 2
        await members.forget(session, member)
        await session.commit()
        assert member.forgotten
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Member)) == 0
        assert await session.scalar(select(func.count()).select_from(ChatMessage)) == 0
    await engine.dispose()


async def test_retention_purges_old_ids_and_silent_members(database_url: str) -> None:
    engine, sessions = await _session_factory(database_url)
    async with sessions() as session:
        old, _ = await members.ensure(session, PRIVACY, 10, 10, "en", (NOW - timedelta(days=400)).date())
        fresh, _ = await members.ensure(session, PRIVACY, 11, 11, "en", NOW.date())
        await members.record_messages(session, old.id, [1], NOW - timedelta(days=400))
        await members.record_messages(session, fresh.id, [1], NOW - timedelta(days=8))
        await members.record_messages(session, fresh.id, [2], NOW - timedelta(days=1))
        await session.commit()
        purged = await members.purge_expired(session, NOW, timedelta(days=7), timedelta(days=365))
        await session.commit()
    assert purged == (2, 1)
    async with sessions() as session:
        assert await members.find(session, PRIVACY, 10) is None
        remaining = await members.chat_history(session, fresh.id, NOW)
        assert remaining.deletable == [2]
    await engine.dispose()


async def test_blocked_member_is_marked_inactive_and_reactivated(database_url: str) -> None:
    engine, sessions = await _session_factory(database_url)
    async with sessions() as session:
        await members.ensure(session, PRIVACY, 21, 21, "en", NOW.date())
        await members.set_inactive(session, PRIVACY, 21)
        await session.commit()
    async with sessions() as session:
        member = await members.find(session, PRIVACY, 21)
        assert member is not None and member.active is False
        member, _ = await members.ensure(session, PRIVACY, 21, 21, "en", NOW.date())
        assert member.active is True
    await engine.dispose()


def test_language_guess() -> None:
    assert members.guess_language("uk") == "uk"
    assert members.guess_language("ru-RU") == "ru"
    assert members.guess_language("kk") == "ru"
    assert members.guess_language("de") == "en"
    assert members.guess_language(None) == "en"
