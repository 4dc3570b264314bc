"""Outgoing requests survive Telegram's flood control (429) and passing server errors (5xx).

Mass delivery (bot/delivery/engine.py) runs its sends inside `delivery_hooks`: every 429 is
reported to its pacer (so all senders pause, not only the one that was refused), and a network
error is not retried there, because the request may have reached Telegram: retrying it blindly
could deliver a message twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryHooks:
    """How a request made by the delivery engine wants to be retried."""

    on_retry_after: Callable[[float], None]
    retry_ambiguous: bool = False


delivery_hooks: ContextVar[DeliveryHooks | None] = ContextVar("delivery_hooks", default=None)


class RetryMiddleware(BaseRequestMiddleware):
    """Wait out `retry_after` on 429; back off and retry on 5xx and network errors."""

    def __init__(self, attempts: int = 4, backoff: float = 0.5, max_wait: float = 120.0) -> None:
        self.attempts = attempts
        self.backoff = backoff
        self.max_wait = max_wait

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Any,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        name = type(method).__name__
        hooks = delivery_hooks.get()
        for attempt in range(1, self.attempts + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                if hooks is not None:
                    hooks.on_retry_after(error.retry_after)
                if attempt == self.attempts or error.retry_after > self.max_wait:
                    raise
                log.warning("429 on %s: waiting %ss (attempt %d)", name, error.retry_after, attempt)
                await asyncio.sleep(error.retry_after)
            except (TelegramServerError, TelegramNetworkError) as error:
                if attempt == self.attempts:
                    raise
                if isinstance(error, TelegramNetworkError) and hooks is not None and not hooks.retry_ambiguous:
                    raise
                delay = self.backoff * 2 ** (attempt - 1)
                log.warning("%s on %s: retrying in %.1fs", type(error).__name__, name, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")
