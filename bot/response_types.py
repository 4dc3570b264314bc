"""Keep aiogram's response models alive between calls."""

from __future__ import annotations

from typing import Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

# One strong reference per method class, shared by every bot of the process.
_PINNED: dict[type, type] = {}


class PinResponseTypes(BaseRequestMiddleware):
    """aiogram validates each answer with `Response[method.__returning__]`, and pydantic caches such
    generic models only weakly: the garbage collector drops them and the next call builds the model
    again (about 8 ms, a tenth of a worker's CPU in bench/workers.py). A strong reference per method
    class keeps each model built once."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Any,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        kind = type(method)
        if kind not in _PINNED:
            _PINNED[kind] = Response[method.__returning__]  # type: ignore[name-defined]
        return await make_request(bot, method)
