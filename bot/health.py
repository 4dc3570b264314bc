"""Liveness and readiness for the webhook server: /healthz (the process answers) and /readyz (the
database and, when configured, Redis answer). Bodies name what is unavailable, never any data."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy import text

if TYPE_CHECKING:
    from bot.app import Umbrella

CHECK_TIMEOUT = 2.0  # seconds: a load balancer should not wait on a dead dependency


async def _database(app: Umbrella) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT), app.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return True
    except Exception:  # any failure means "not ready"; the reason is not a member's business
        return False


async def _redis(app: Umbrella) -> bool:
    if app.redis is None:
        return True
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            return bool(await app.redis.ping())
    except Exception:
        return False


async def readiness(app: Umbrella) -> dict[str, bool]:
    database, redis = await asyncio.gather(_database(app), _redis(app))
    checks = {"database": database}
    if app.redis is not None:
        checks["redis"] = redis
    return checks


def add_health_routes(web_app: web.Application, app: Umbrella) -> None:
    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def readyz(_request: web.Request) -> web.Response:
        checks = await readiness(app)
        ready = all(checks.values())
        body = {"status": "ready" if ready else "unready", "checks": checks}
        return web.json_response(body, status=200 if ready else 503)

    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/readyz", readyz)
