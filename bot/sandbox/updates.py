"""The update queue behind getUpdates, and the activity tracker that tells when the bot has gone quiet."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError, conflict

#: Update types Telegram leaves out unless a bot asks for them explicitly.
NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


def update_type(update: dict[str, Any]) -> str:
    """The one field besides update_id: "message", "callback_query", "my_chat_member"..."""
    return next((key for key in update if key != "update_id"), "unknown")


@dataclass
class PendingUpdate:
    """An update waiting for getUpdates.

    `fetched` fires when a poll hands it out; `confirmed` when a later poll's offset passes it (aiogram
    asks for more only after handling when handle_as_tasks=False), or when it is dropped.
    """

    update: dict[str, Any]
    forced: bool = False
    dropped: bool = False
    fetched: asyncio.Event = field(default_factory=asyncio.Event)
    confirmed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])

    def release(self, *, dropped: bool = False) -> None:
        """Leave the queue: nobody waits for this update any more."""
        self.dropped = self.dropped or dropped
        self.fetched.set()
        self.confirmed.set()


class Activity:
    """Counts requests in flight; a long poll that is only waiting does not count as activity."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.last_change = time.monotonic()

    def begin(self) -> None:
        self.in_flight += 1
        self.last_change = time.monotonic()

    def end(self) -> None:
        self.in_flight -= 1
        self.last_change = time.monotonic()

    @contextmanager
    def parked(self) -> Iterator[None]:
        """Mark the current request as idle while it waits (getUpdates long polling)."""
        self.end()
        try:
            yield
        finally:
            self.begin()

    async def wait_idle(self, settle: float, max_wait: float) -> None:
        """Return once nothing is in flight and nothing started or ended for `settle` seconds."""
        deadline = time.monotonic() + max_wait
        while True:
            quiet_for = time.monotonic() - self.last_change
            if self.in_flight <= 0 and quiet_for >= settle:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the bot did not go quiet within {max_wait}s ({self.in_flight} requests in flight)")
            await asyncio.sleep(max(settle - quiet_for, 0.002) if self.in_flight <= 0 else 0.005)


class UpdateQueue:
    """Unconfirmed updates, served to one long poll at a time with Telegram's offset semantics."""

    def __init__(self) -> None:
        self.pending: list[PendingUpdate] = []
        self.allowed_updates: list[str] | None = None
        self.dropped: list[dict[str, Any]] = []
        self.closed = False
        self._wakeup = asyncio.Event()
        self._poll_generation = 0

    def allows(self, kind: str) -> bool:
        """Whether the bot's current allowed_updates lets this update type through."""
        if not self.allowed_updates:
            return kind not in NOT_DELIVERED_BY_DEFAULT
        return kind in self.allowed_updates

    def put(self, update: dict[str, Any], *, forced: bool = False) -> PendingUpdate:
        pending = PendingUpdate(update, forced=forced)
        self.pending.append(pending)
        self.notify()
        return pending

    def notify(self) -> None:
        """Wake every waiting poll so it re-checks the queue (or notices it was superseded)."""
        self._wakeup.set()
        self._wakeup = asyncio.Event()

    def close(self) -> None:
        self.closed = True
        self.notify()

    def drop_all(self) -> list[PendingUpdate]:
        """Forget everything pending (drop_pending_updates); waiters are released."""
        dropped, self.pending = self.pending, []
        for item in dropped:
            item.release(dropped=True)
        return dropped

    def confirm(self, offset: int | None) -> None:
        """Forget updates below `offset`; a negative offset keeps only the last -offset ones."""
        if offset is None:
            return
        if offset < 0:
            keep = self.pending[offset:]
            for item in self.pending[: len(self.pending) - len(keep)]:
                item.release()
            self.pending = keep
            return
        kept: list[PendingUpdate] = []
        for item in self.pending:
            if item.update_id >= offset or (item.forced and not item.fetched.is_set()):
                kept.append(item)
            else:
                item.release()
        self.pending = kept

    def take(self, limit: int) -> list[dict[str, Any]]:
        """Hand out up to `limit` updates, dropping the types the bot did not ask for."""
        kept: list[PendingUpdate] = []
        for item in self.pending:
            if self.allows(update_type(item.update)):
                kept.append(item)
            else:
                item.release(dropped=True)
                self.dropped.append(item.update)
        self.pending = kept
        batch = kept[:limit]
        for item in batch:
            item.fetched.set()
        return [item.update for item in batch]

    async def fetch(
        self,
        *,
        offset: int | None,
        limit: int,
        wait_seconds: float,
        guard: Callable[[], ApiError | None],
        activity: Activity,
    ) -> list[dict[str, Any]]:
        """getUpdates: answer at once if something is pending, else wait up to `wait_seconds` (its timeout)."""
        self._poll_generation += 1
        generation = self._poll_generation
        self.notify()  # an older poll still waiting ends with 409, as in Telegram
        self.confirm(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(wait_seconds, 0.0)
        while True:
            if generation != self._poll_generation:
                raise conflict(
                    "terminated by other getUpdates request; make sure that only one bot instance is running"
                )
            error = guard()
            if error is not None:
                raise error
            batch = self.take(limit)
            remaining = deadline - loop.time()
            if batch or self.closed or remaining <= 0:
                return batch
            wakeup = self._wakeup
            with activity.parked(), suppress(TimeoutError):
                await asyncio.wait_for(wakeup.wait(), remaining)
