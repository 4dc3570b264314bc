"""Method parameters, read the way Telegram reads them, whatever encoding the client chose.

Telegram accepts a query string, a JSON body, urlencoded forms and multipart forms. aiogram sends
multipart where every value is a string and objects (reply_markup, entities...) are JSON-encoded
strings, so values are decoded by name: text-like fields stay strings, the rest is parsed as JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .errors import ApiError, bad_request

#: Parameters that are strings even when they look like numbers or JSON.
STRING_FIELDS = frozenset(
    {
        "text", "caption", "parse_mode", "caption_parse_mode", "url", "secret_token", "title", "name",
        "address", "first_name", "last_name", "phone_number", "vcard", "callback_query_id", "emoji",
        "language_code", "foursquare_id", "foursquare_type", "google_place_id", "google_place_type", "action",
        "file_id", "description", "short_description", "icon_custom_emoji_id", "inline_message_id",
        "business_connection_id", "message_effect_id", "ip_address", "performer", "custom_title",
        "photo", "document", "voice", "video", "sticker", "animation", "audio", "video_note", "thumbnail",
        "certificate", "question",
    }
)  # fmt: skip
CHAT_ID_FIELDS = frozenset({"chat_id", "from_chat_id"})


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    field: str
    filename: str
    data: bytes
    content_type: str | None


def coerce_value(key: str, value: Any) -> Any:
    if key in STRING_FIELDS:
        return value if isinstance(value, str) or value is None else str(value)
    if not isinstance(value, str):
        return value
    if key in CHAT_ID_FIELDS:
        try:
            return int(value)
        except ValueError:
            return value
    try:
        return json.loads(value)
    except ValueError:
        return value


async def read_params(request: web.Request) -> Params:
    """Collect the parameters of one Bot API request."""
    values: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.body_exists:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError as error:
                raise bad_request("can't parse JSON encoded request") from error
            if not isinstance(body, dict):
                raise bad_request("can't parse JSON encoded request")
            values.update(body)
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    uploads[key] = Upload(key, value.filename, value.file.read(), value.content_type)
                else:
                    values[key] = value
    return Params({key: coerce_value(key, value) for key, value in values.items()}, uploads)


class Params:
    """Typed access to parameters with Telegram's errors for missing or malformed ones."""

    def __init__(self, values: dict[str, Any], uploads: dict[str, Upload] | None = None) -> None:
        self.values = values
        self.uploads = uploads or {}

    def has(self, name: str) -> bool:
        return self.values.get(name) is not None

    def get(self, name: str, default: Any = None) -> Any:
        value = self.values.get(name)
        return default if value is None else value

    def get_str(self, name: str, *, required: bool = False) -> str | None:
        value = self.values.get(name)
        if value is None or (required and value == ""):
            if required:
                raise bad_request(f"{name} is empty")
            return None
        return value if isinstance(value, str) else str(value)

    def get_int(self, name: str, *, required: bool = False) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return None
        if isinstance(value, bool):
            raise bad_request(f"invalid {name} specified")
        try:
            return int(value)
        except (TypeError, ValueError) as error:
            raise bad_request(f"invalid {name} specified") from error

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def get_float(self, name: str, *, required: bool = False) -> float | None:
        value = self.values.get(name)
        if value is None:
            if required:
                raise bad_request(f"{name} is empty")
            return None
        try:
            return float(value)
        except (TypeError, ValueError) as error:
            raise bad_request(f"invalid {name} specified") from error

    def chat_id(self, name: str = "chat_id") -> int | str:
        value = self.values.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise bad_request(f"invalid {name} specified")
        return value

    def get_obj(self, name: str) -> dict[str, Any] | None:
        value = self._json(name)
        if value is not None and not isinstance(value, dict):
            raise bad_request(f"can't parse {name} JSON object")
        return value

    def get_list(self, name: str) -> list[Any] | None:
        value = self._json(name)
        if value is not None and not isinstance(value, list):
            raise bad_request(f"can't parse {name} JSON object")
        return value

    def _json(self, name: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, str) and value:
            try:
                return json.loads(value)
            except ValueError as error:
                raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from error
        return value if value != "" else None

    def for_record(self) -> dict[str, Any]:
        """Parameters as recorded in `fake.calls`; uploads appear as `<upload name>`."""
        record = dict(self.values)
        for key, upload in self.uploads.items():
            record[key] = f"<upload {upload.filename}>"
        return record
