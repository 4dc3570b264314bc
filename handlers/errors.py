"""One error handler: log without personal data, answer the person politely, mark blocked members."""

from __future__ import annotations

import contextlib
import logging
import traceback

from aiogram import Router
from aiogram.exceptions import TelegramForbiddenError
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from redis.exceptions import RedisError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.privacy import Privacy
from bot.services import members
from bot.services.members import MemberCache, guess_language

router = Router(name="errors")
log = logging.getLogger("umbrella.errors")


def _where(error: BaseException) -> str:
    """The failing frames (file, line, function) without the exception's message, which may hold input."""
    frames = traceback.extract_tb(error.__traceback__)[-4:]
    return " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}:{f.name}" for f in reversed(frames))


def is_outage(error: BaseException) -> bool:
    """The database or Redis did not answer: not a bug, and the member should hear it plainly."""
    return isinstance(error, OperationalError | InterfaceError | RedisError | OSError | TimeoutError)


@router.error()
async def on_error(
    event: ErrorEvent,
    i18n: I18n,
    sessionmaker: async_sessionmaker[AsyncSession],
    privacy: Privacy,
    member_cache: MemberCache | None = None,
) -> None:
    update = event.update
    user = update.event.from_user if hasattr(update.event, "from_user") else None  # type: ignore[union-attr]
    if isinstance(event.exception, TelegramForbiddenError):
        if user is not None:
            async with sessionmaker() as session:
                await members.set_inactive(session, privacy, user.id)
                await session.commit()
            if member_cache is not None:
                member_cache.discard(privacy.member_hash(user.id))
        log.info("member blocked the bot (update %s); marked inactive", update.update_id)
        return
    log.error(
        "update %s (%s) failed: %s at %s",
        update.update_id,
        update.event_type,
        type(event.exception).__name__,
        _where(event.exception),
    )
    chat = getattr(update.event, "chat", None) or getattr(getattr(update.event, "message", None), "chat", None)
    if chat is None or chat.type != "private":
        return
    language = guess_language(user.language_code if user else None, i18n.default_locale)
    outage = is_outage(event.exception)
    if user is not None and not outage:
        with contextlib.suppress(Exception):  # the member's own language if we can still read it
            async with sessionmaker() as session:
                member = await members.find(session, privacy, user.id)
                if member is not None:
                    language = member.language
    with i18n.context(), i18n.use_locale(language):
        if outage:
            text = _(
                "Part of this service is not available right now, so I could not do that. Please try again "
                "in a few minutes. If you are in danger, call 112."
            )
        else:
            text = _("Sorry, something went wrong on our side. Please try again, or open /menu.")
    try:
        await update.bot.send_message(chat.id, text) if update.bot else None  # type: ignore[func-returns-value]
    except Exception as error:  # the apology itself failed (blocked, network): nothing more to do
        log.warning("could not send the apology: %s", type(error).__name__)
