"""A fake Telegram Bot API server and simulated people, to test the unmodified bot end to end.

`FakeTelegram` serves the Bot API on loopback with Telegram's strictness and keeps chats, messages
and topics; `TelegramUser` and `Room` act as members and staff and show what they see. The same
library is meant to power the local web sandbox.
"""

from .client import BotCommandView, CallbackAnswer, Room, SeenMessage, TelegramUser
from .clock import ManualClock
from .errors import ApiError
from .faults import RateLimits
from .html import FormattedText, HtmlParseError, parse_html, render_html, utf16_len
from .server import DEFAULT_TOKEN, ApiCall, FakeTelegram, Stats, WebhookFailure
from .session import LoopbackSession, loopback_session

__all__ = [
    "DEFAULT_TOKEN",
    "ApiCall",
    "ApiError",
    "BotCommandView",
    "CallbackAnswer",
    "FakeTelegram",
    "FormattedText",
    "HtmlParseError",
    "LoopbackSession",
    "ManualClock",
    "RateLimits",
    "Room",
    "SeenMessage",
    "Stats",
    "TelegramUser",
    "WebhookFailure",
    "loopback_session",
    "parse_html",
    "render_html",
    "utf16_len",
]
