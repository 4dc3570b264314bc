"""The router tree, assembled in one place: reading `get_routers` tells who can reach what."""

from __future__ import annotations

import copy

from aiogram import F, Router

from bot.middlewares.staff import ConcernsStaff, StaffContextMiddleware
from handlers import errors, system
from handlers.member import (
    alerts,
    articles,
    check,
    city,
    clinics,
    fallback,
    handoff,
    health,
    menu,
    reports,
    rights,
    safety,
    settings,
    start,
    subscriptions,
    urgent,
    usage,
    youth,
)


def _fresh(router: Router) -> Router:
    """A copy of a feature router for one dispatcher.

    Feature routers live at module level (decorators register their handlers there), but aiogram
    lets a router belong to one parent only, and one process may assemble several dispatchers:
    workers sharing a process in tests, a restart in place, the sandbox's reset. Each dispatcher
    gets its own copy; the handlers themselves are shared, the module's router is never attached.
    """
    return copy.deepcopy(router)


def member_router() -> Router:
    """Everything a member reaches, in their private chat with the bot."""
    router = Router(name="member")
    router.message.filter(F.chat.type == "private")
    router.edited_message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    tally = usage.SectionTallyMiddleware()
    router.message.outer_middleware(tally)
    router.callback_query.outer_middleware(tally)
    features = [
        start.router,
        menu.router,
        city.router,
        rights.router,
        health.router,
        clinics.router,
        safety.router,
        reports.router,
        alerts.router,
        check.router,
        urgent.router,
        settings.router,
        subscriptions.router,
        handoff.router,
        youth.router,
        articles.router,
        reports.input_router,  # typed answers to a half-filled report (its step is in the database)
        handoff.relay_router,  # free text and media go to the counsellor while a chat is open
        fallback.router,  # last: whatever nobody else understood
    ]
    router.include_routers(*map(_fresh, features))
    return router


def staff_room_router() -> Router:
    """The staff rooms (forum supergroups): the counsellor's side of conversations."""
    from handlers.staff import cases, moderation

    router = Router(name="staff-room")
    router.message.filter(F.chat.type == "supergroup")
    router.edited_message.filter(F.chat.type == "supergroup")
    router.callback_query.filter(F.message.chat.type == "supergroup")
    StaffContextMiddleware().setup(router)
    router.include_routers(_fresh(moderation.router), _fresh(cases.router))
    return router


def staff_router() -> Router:
    """Staff onboarding (the invite deep link wins over the member /start), administration and duty,
    in private chats and staff rooms; the handlers declare the roles they need."""
    from handlers.staff import admin, broadcasts, duty, onboarding, stats

    router = Router(name="staff")
    for observer in (router.message, router.edited_message, router.callback_query):
        observer.filter(ConcernsStaff())
    StaffContextMiddleware().setup(router)
    router.include_routers(
        *map(_fresh, [onboarding.router, admin.router, duty.router, stats.router, broadcasts.router])
    )
    return router


def get_routers() -> list[Router]:
    return [
        _fresh(errors.router),
        _fresh(system.router),
        staff_router(),
        staff_room_router(),
        member_router(),
    ]
