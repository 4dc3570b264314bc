"""The router tree, assembled in one place: reading `get_routers` tells who can reach what."""

from __future__ import annotations

from aiogram import F, Router

from handlers import errors, system
from handlers.member import (
    articles,
    city,
    clinics,
    fallback,
    health,
    menu,
    rights,
    safety,
    settings,
    soon,
    start,
    urgent,
)


def member_router() -> Router:
    """Everything a member reaches, in their private chat with the bot."""
    router = Router(name="member")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    router.include_routers(
        start.router,
        menu.router,
        city.router,
        rights.router,
        health.router,
        clinics.router,
        safety.router,
        urgent.router,
        settings.router,
        soon.router,
        articles.router,
        fallback.router,  # last: whatever nobody else understood
    )
    return router


def get_routers() -> list[Router]:
    return [errors.router, system.router, member_router()]
