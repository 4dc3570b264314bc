"""Live updates for the page: which panes changed, batched and fanned out to every open page.

The fake tells us about each Bot API call; a burst of calls (an edit, a delete and a send for one
button press) becomes one Server-Sent Event a few milliseconds later, naming the panes to refetch.
"""

from __future__ import annotations

import asyncio
import json

ALL = "*"


class ChangeHub:
    """Collects changed pane keys ("phone:p1", "staff", or "*" for all) and notifies subscribers."""

    def __init__(self, delay: float = 0.03) -> None:
        self.delay = delay
        self.version = 0
        self._pending: set[str] = set()
        self._subscribers: set[asyncio.Queue[str | None]] = set()
        self._flush: asyncio.TimerHandle | None = None

    def subscribe(self) -> asyncio.Queue[str | None]:
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[str | None]) -> None:
        self._subscribers.discard(queue)

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def mark(self, *panes: str) -> None:
        """Note changed panes; one event follows after `delay`, however many marks came meanwhile."""
        self._pending.update(panes)
        if self._flush is None:
            self._flush = asyncio.get_running_loop().call_later(self.delay, self.flush)

    def flush(self) -> None:
        self._flush = None
        if not self._pending:
            return
        panes, self._pending = sorted(self._pending), set()
        self.version += 1
        self._send("change", {"version": self.version, "panes": panes})

    def reset(self) -> None:
        """Everything is new (Reset sandbox): pages rebuild from /api/state."""
        if self._flush is not None:
            self._flush.cancel()
            self._flush = None
        self._pending.clear()
        self.version += 1
        self._send("reset", {"version": self.version})

    def close(self) -> None:
        """End every open stream (the server is stopping)."""
        if self._flush is not None:
            self._flush.cancel()
            self._flush = None
        for queue in self._subscribers:
            queue.put_nowait(None)

    def _send(self, event: str, data: dict[str, object]) -> None:
        message = f"event: {event}\ndata: {json.dumps(data)}\n\n"
        for queue in self._subscribers:
            queue.put_nowait(message)
