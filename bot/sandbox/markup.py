"""Keyboards checked as Telegram checks them: button data size, one action per button, sane URLs."""

from __future__ import annotations

from typing import Any

from .errors import bad_request

INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
MAX_CALLBACK_DATA_BYTES = 64
MAX_BUTTONS = 100


def _rows(markup: dict[str, Any], key: str, kind: str) -> list[list[Any]]:
    rows = markup.get(key)
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'field "{key}" of the {kind} must be an Array of Arrays')
    if sum(len(row) for row in rows) > MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    return rows


def _check_url(url: Any) -> None:
    if not isinstance(url, str) or not url.strip():
        raise bad_request("BUTTON_URL_INVALID")
    scheme, sep, rest = url.partition(":")
    if not sep or scheme.lower() not in ("http", "https", "tg") or not rest.strip("/"):
        raise bad_request("BUTTON_URL_INVALID")


def _inline_button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: Can't find field \"text\"")
    if not button["text"].strip():
        raise bad_request("can't parse inline keyboard button: Text must be non-empty")
    actions = [key for key in INLINE_ACTIONS if button.get(key) is not None]
    if not actions:
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be used "
            "to specify type of the button"
        )
    if "callback_data" in actions:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in actions:
        _check_url(button["url"])
    return {key: value for key, value in button.items() if value is not None}


def _reply_button(button: Any) -> dict[str, Any]:
    if isinstance(button, str):
        button = {"text": button}
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse keyboard button: Can't find field \"text\"")
    if not button["text"].strip():
        raise bad_request("can't parse keyboard button: Text must be non-empty")
    return {key: value for key, value in button.items() if value is not None}


def validate_reply_markup(markup: Any) -> dict[str, Any] | None:
    """Check and normalise any reply_markup; returns it as stored."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = _rows(markup, "inline_keyboard", "InlineKeyboardMarkup")
        return {"inline_keyboard": [[_inline_button(b) for b in row] for row in rows]}
    if "keyboard" in markup:
        rows = _rows(markup, "keyboard", "ReplyKeyboardMarkup")
        normalised = {key: value for key, value in markup.items() if value is not None}
        normalised["keyboard"] = [[_reply_button(b) for b in row] for row in rows]
        return normalised
    if markup.get("remove_keyboard") is not None or markup.get("force_reply") is not None:
        return {key: value for key, value in markup.items() if value is not None}
    raise bad_request("can't parse reply keyboard markup JSON object")


def inline_only(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """The part of a reply_markup that a Message object carries (inline keyboards only)."""
    if markup and "inline_keyboard" in markup and markup["inline_keyboard"]:
        return markup
    return None


def labels(markup: dict[str, Any] | None) -> list[list[str]]:
    """Button labels by row, for assertions and for listing what a person can press."""
    if not markup:
        return []
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return [[button["text"] if isinstance(button, dict) else str(button) for button in row] for row in rows]
