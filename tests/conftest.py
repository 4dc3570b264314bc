"""Shared fixtures: databases (SQLite always, PostgreSQL when TEST_POSTGRES_URL is set) and Redis.

In CI (CI=true) a missing TEST_POSTGRES_URL or TEST_REDIS_URL fails the run instead of skipping,
so the PostgreSQL and Redis suites cannot silently drop out.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from redis.asyncio import Redis

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _require(variable: str) -> str:
    value = os.environ.get(variable)
    if not value:
        if IN_CI:
            pytest.fail(f"{variable} must be set in CI", pytrace=False)
        pytest.skip(f"{variable} not set")
    return value


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def _sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+asyncpg://", 1) if url.startswith("postgresql://") else url


async def _fresh_postgres() -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    base = _require("TEST_POSTGRES_URL")
    name = f"umbrella_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(_asyncpg_dsn(base))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    head, _, _ = _sqlalchemy_url(base).rpartition("/")
    yield f"{head}/{name}"
    admin = await asyncpg.connect(_asyncpg_dsn(base))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    async for url in _fresh_postgres():
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Runs a test on SQLite and again on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'umbrella.db'}"
        return
    async for url in _fresh_postgres():
        yield url


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    """A real Redis, emptied before and after the test."""
    url = _require("TEST_REDIS_URL")
    client = Redis.from_url(url)
    await client.flushdb()
    yield url
    await client.flushdb()
    await client.aclose()
