"""Bot API errors as Telegram words them, so aiogram raises the same exceptions it would in production."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A failed Bot API call: becomes `{"ok": false, "error_code": ..., "description": ...}`."""

    def __init__(self, error_code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram sends for this error."""
        body: dict[str, Any] = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    """400 with Telegram's "Bad Request: ..." prefix."""
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    """403 with Telegram's "Forbidden: ..." prefix."""
    return ApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    """429 flood-control answer with the `retry_after` parameter aiogram turns into TelegramRetryAfter."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})


def conflict(detail: str) -> ApiError:
    """409, raised by aiogram as TelegramConflictError."""
    return ApiError(409, f"Conflict: {detail}")


def not_found() -> ApiError:
    """404 for unknown methods, so a call the fake does not know never passes silently."""
    return ApiError(404, "Not Found")


def unauthorized() -> ApiError:
    """401 for a malformed token."""
    return ApiError(401, "Unauthorized")


CHAT_NOT_FOUND = "chat not found"
MESSAGE_TO_EDIT_NOT_FOUND = "message to edit not found"
MESSAGE_TO_DELETE_NOT_FOUND = "message to delete not found"
MESSAGE_CANT_BE_DELETED = "message can't be deleted"
MESSAGE_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
BOT_BLOCKED = "bot was blocked by the user"
