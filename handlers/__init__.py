"""The router tree, assembled in one place: reading `get_routers` tells who can reach what."""

from __future__ import annotations

from aiogram import F, Router

from bot.middlewares.staff import StaffContextMiddleware
from handlers import errors, system
from handlers.member import (
    articles,
    city,
    clinics,
    fallback,
    handoff,
    health,
    menu,
    rights,
    safety,
    settings,
    soon,
    start,
    urgent,
    youth,
)


def _detached(router: Router) -> Router:
    """Feature routers live at module level; one process may assemble several dispatchers (tests,
    a restart in place, benchmarks), so a router is taken from its previous parent first."""
    parent = router.parent_router
    if parent is not None:
        parent.sub_routers.remove(router)
        router._parent_router = None  # aiogram allows one parent and has no public detach
    return router


def member_router() -> Router:
    """Everything a member reaches, in their private chat with the bot."""
    router = Router(name="member")
    router.message.filter(F.chat.type == "private")
    router.edited_message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    features = [
        start.router,
        menu.router,
        city.router,
        rights.router,
        health.router,
        clinics.router,
        safety.router,
        urgent.router,
        settings.router,
        handoff.router,
        soon.router,
        youth.router,
        articles.router,
        handoff.relay_router,  # free text and media go to the counsellor while a chat is open
        fallback.router,  # last: whatever nobody else understood
    ]
    router.include_routers(*map(_detached, features))
    return router


def staff_room_router() -> Router:
    """The staff rooms (forum supergroups): the counsellor's side of conversations."""
    from handlers.staff import cases

    router = Router(name="staff-room")
    router.message.filter(F.chat.type == "supergroup")
    router.edited_message.filter(F.chat.type == "supergroup")
    router.callback_query.filter(F.message.chat.type == "supergroup")
    StaffContextMiddleware().setup(router)
    router.include_router(_detached(cases.router))
    return router


def staff_router() -> Router:
    """Staff onboarding (the invite deep link wins over the member /start), administration and duty,
    in private chats and staff rooms; the handlers declare the roles they need."""
    from handlers.staff import admin, duty, onboarding

    router = Router(name="staff")
    StaffContextMiddleware().setup(router)
    router.include_routers(*map(_detached, [onboarding.router, admin.router, duty.router]))
    return router


def get_routers() -> list[Router]:
    return [
        _detached(errors.router),
        _detached(system.router),
        staff_router(),
        staff_room_router(),
        member_router(),
    ]
