"""Pacing for mass delivery: a global rate, a minimum interval per chat, and a pause after a 429.

Telegram allows about 30 messages a second in bulk and one a second per chat; it answers faster
senders with 429 and `retry_after`. The pacer keeps the bot below both so 429s do not happen, and
when one does (another process sharing the token, a stricter limit), every sender waits it out.
Memory stays small: a chat is remembered only for `per_chat_interval` after its last message.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable


class Pacer:
    """Grants sends at most `rate` per second overall and one per `per_chat_interval` per chat."""

    def __init__(
        self,
        rate: float = 25.0,
        per_chat_interval: float = 1.0,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        catch_up: float = 0.1,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.per_chat_interval = per_chat_interval
        self._monotonic = monotonic
        self._sleep = sleep
        # A sender that fell behind (a database write, a busy CPU) may make up this many seconds of
        # slots at once: the pace holds on average, and any one-second window stays within
        # rate * (1 + catch_up), below Telegram's 30/s at the default 25/s.
        self.catch_up = max(catch_up, 1.0 / rate)
        self._next_slot = 0.0  # the earliest moment the next send may start
        self._paused_until = 0.0
        self._chats: OrderedDict[int, float] = OrderedDict()  # chat -> moment of its last send
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody sends for `seconds`."""
        self._paused_until = max(self._paused_until, self._monotonic() + seconds)

    async def acquire(self, chat_id: int) -> None:
        """Wait until a message to `chat_id` may go out.

        Global slots are granted in order of asking; a sender waiting for its chat (it had a
        message a moment ago, e.g. from another job) waits outside the queue, so it never holds
        up messages to other chats.
        """
        while True:
            async with self._lock:
                now = self._monotonic()
                self._forget_old(now)
                last = self._chats.get(chat_id)
                chat_wait = last + self.per_chat_interval - now if last is not None else 0.0
                if chat_wait <= 0:
                    start = max(self._next_slot, self._paused_until)
                    while start > now:
                        await self._sleep(start - now)
                        now = self._monotonic()
                        start = max(self._next_slot, self._paused_until)
                    # Slots are spaced evenly from the previous slot, so a late wake-up does not
                    # slow the pace down; lateness beyond `catch_up` is forgotten, never a burst.
                    self._next_slot = max(self._next_slot, now - self.catch_up) + 1.0 / self.rate
                    self._chats[chat_id] = now
                    self._chats.move_to_end(chat_id)
                    return
            await self._sleep(chat_wait)

    def _forget_old(self, now: float) -> None:
        horizon = now - self.per_chat_interval
        while self._chats:
            chat, moment = next(iter(self._chats.items()))
            if moment > horizon:
                break
            del self._chats[chat]
