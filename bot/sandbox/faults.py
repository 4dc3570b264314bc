"""Injected failures (429, 5xx) and an optional model of Telegram's flood limits, for robustness tests."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError, too_many_requests

#: Methods that deliver a message to a chat: the ones flood control and blocking apply to.
SENDING_METHODS = frozenset(
    {
        "sendmessage", "sendphoto", "senddocument", "sendvoice", "sendvideo", "sendsticker", "sendanimation",
        "sendaudio", "sendvenue", "sendlocation", "sendcontact", "sendvideonote", "sendmediagroup", "senddice",
        "sendpoll", "copymessage", "copymessages", "forwardmessage", "forwardmessages",
    }
)  # fmt: skip
#: Calls that keep the bot connected; a fault without an explicit method never hits these.
CONTROL_METHODS = frozenset({"getupdates", "getme", "setwebhook", "deletewebhook", "getwebhookinfo", "logout", "close"})


@dataclass
class FaultRule:
    """Fail the next `remaining` calls matching method and chat with a fixed error."""

    remaining: int
    error_code: int
    description: str
    parameters: dict[str, Any] | None = None
    method: str | None = None
    chat_id: int | str | None = None

    def matches(self, method: str, chat_id: Any) -> bool:
        if self.remaining <= 0:
            return False
        if self.method is None and method in CONTROL_METHODS:
            return False
        if self.method is not None and self.method.lower() != method:
            return False
        return self.chat_id is None or self.chat_id == chat_id


@dataclass
class RateLimits:
    """Telegram's published limits (Bots FAQ): ~30 msg/s overall, ~1/s per chat, 20/min per group."""

    per_second: int = 30
    per_private_chat_per_second: float = 1.0
    private_burst: int = 3
    per_group_per_minute: int = 20


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimiter:
    """Answers 429 with a realistic retry_after when the bot sends faster than Telegram allows."""

    limits: RateLimits = field(default_factory=RateLimits)
    clock: Callable[[], float] = time.monotonic
    _recent: deque[float] = field(default_factory=deque)
    _private: dict[Any, _Bucket] = field(default_factory=dict)
    _groups: dict[Any, deque[float]] = field(default_factory=dict)

    def check(self, chat_id: Any, is_private: bool) -> int | None:
        """None when the send may go, else seconds to wait; only an allowed send is counted."""
        now = self.clock()
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        if len(self._recent) >= self.limits.per_second:
            return max(1, math.ceil(self._recent[0] + 1.0 - now))
        if is_private:
            rate, burst = self.limits.per_private_chat_per_second, self.limits.private_burst
            bucket = self._private.setdefault(chat_id, _Bucket(float(burst), now))
            bucket.tokens = min(float(burst), bucket.tokens + (now - bucket.updated) * rate)
            bucket.updated = now
            if bucket.tokens < 1.0:
                return max(1, math.ceil((1.0 - bucket.tokens) / rate))
            bucket.tokens -= 1.0
        else:
            window = self._groups.setdefault(chat_id, deque())
            while window and now - window[0] >= 60.0:
                window.popleft()
            if len(window) >= self.limits.per_group_per_minute:
                return max(1, math.ceil(window[0] + 60.0 - now))
            window.append(now)
        self._recent.append(now)
        return None


@dataclass
class Faults:
    """The queue of injected errors, consumed in order of registration."""

    rules: list[FaultRule] = field(default_factory=list)

    def add(self, rule: FaultRule) -> FaultRule:
        self.rules.append(rule)
        return rule

    def take(self, method: str, chat_id: Any) -> ApiError | None:
        """The error for this call if a rule matches (and count it down)."""
        for rule in self.rules:
            if rule.matches(method, chat_id):
                rule.remaining -= 1
                return ApiError(rule.error_code, rule.description, rule.parameters)
        self.rules = [rule for rule in self.rules if rule.remaining > 0]
        return None


def flood_rule(count: int, retry_after: int, method: str | None, chat_id: int | str | None) -> FaultRule:
    error = too_many_requests(retry_after)
    return FaultRule(count, error.error_code, error.description, error.parameters, method, chat_id)
