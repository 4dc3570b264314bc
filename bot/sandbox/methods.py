"""The Bot API methods the fake implements, each as strict and as stateful as Telegram where it matters.

Every handler takes the server and the decoded parameters and returns the JSON `result`, or raises
`ApiError` with Telegram's wording. Names are registered case-insensitively, like Telegram's router.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import errors as e
from .errors import bad_request, forbidden
from .html import FormattedText, HtmlParseError, clean_entities, normalize, parse_html, utf16_len
from .markup import inline_only, validate_reply_markup
from .params import Params
from .state import (
    PRIVATE,
    SUPERGROUP,
    TOPIC_ICON_COLORS,
    CallbackAnswer,
    ChatRecord,
    FileRecord,
    MessageRecord,
    TopicRecord,
)

if TYPE_CHECKING:
    from .server import FakeTelegram

Handler = Callable[["FakeTelegram", Params], "Any | Awaitable[Any]"]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_ANSWER = 200
DELETE_WINDOW = 48 * 3600
CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
    }
)  # fmt: skip
MEDIA_KINDS = ("photo", "document", "voice", "video", "sticker", "animation", "audio")
NO_CAPTION_KINDS = frozenset({"text", "sticker", "venue", "location", "contact"})


@dataclass(frozen=True)
class MethodSpec:
    name: str
    handler: Handler


METHODS: dict[str, MethodSpec] = {}


def method(name: str) -> Callable[[Handler], Handler]:
    """Register a handler under its Bot API name (looked up case-insensitively)."""

    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = MethodSpec(name, handler)
        return handler

    return register


# helpers ------------------------------------------------------------------------------------------


def target_chat(fake: FakeTelegram, p: Params, name: str = "chat_id", *, sending: bool = True) -> ChatRecord:
    """The chat a call acts on, with Telegram's answers for unknown, unreachable and blocked chats."""
    chat = fake.state.find_chat(p.chat_id(name))
    if chat is None:
        raise bad_request(e.CHAT_NOT_FOUND)
    if chat.type == PRIVATE:
        if not chat.started:
            known = any(chat.id in group.members for group in fake.state.chats.values() if group.type != PRIVATE)
            if known and sending:
                raise forbidden("bot can't initiate conversation with a user")
            raise bad_request(e.CHAT_NOT_FOUND)
        if chat.blocked and sending:
            raise forbidden(e.BOT_BLOCKED)
    elif chat.bot_status == "kicked":
        raise forbidden(f"bot was kicked from the {chat.type} chat")
    elif chat.bot_status == "left":
        raise forbidden(f"bot is not a member of the {chat.type} chat")
    return chat


def thread_for(chat: ChatRecord, p: Params) -> int | None:
    """message_thread_id checked against the forum's topics (ignored outside forums)."""
    thread_id = p.get_int("message_thread_id")
    if thread_id is None or not chat.is_forum:
        return None
    topic = chat.topics.get(thread_id)
    if topic is None:
        raise bad_request("message thread not found")
    if topic.closed and not chat.bot_is_admin:
        raise bad_request("TOPIC_CLOSED")
    return thread_id


def reply_target(chat: ChatRecord, p: Params) -> int | None:
    """reply_parameters / reply_to_message_id, refused when the message is gone unless allowed."""
    parameters = p.get_obj("reply_parameters")
    if parameters is not None:
        message_id, allow = parameters.get("message_id"), bool(parameters.get("allow_sending_without_reply"))
    else:
        message_id, allow = p.get_int("reply_to_message_id"), p.get_bool("allow_sending_without_reply")
    if message_id is None:
        return None
    target = chat.messages.get(int(message_id))
    if target is None or target.deleted:
        if allow:
            return None
        raise bad_request("message to be replied not found")
    return int(message_id)


def formatted(
    fake: FakeTelegram,
    p: Params,
    *,
    field: str = "text",
    entities_field: str = "entities",
    mode_field: str = "parse_mode",
    caption: bool = False,
) -> tuple[FormattedText, str | None] | None:
    """Parse text or caption (HTML or explicit entities), trim it and apply Telegram's length limits."""
    raw = p.get_str(field)
    if raw is None or raw == "":
        if caption:
            return None
        raise bad_request("message text is empty")
    entities = p.get_list(entities_field)
    mode = (p.get_str(mode_field) or "").strip()
    html_source: str | None = None
    try:
        if entities is not None:
            result = FormattedText(raw, clean_entities(raw, entities))
        elif mode.lower() == "html":
            result = parse_html(raw, strict_ampersand=fake.strict_html_ampersand, lookup_user=fake.user_dict_or_none)
            html_source = raw
        elif mode.lower() in ("markdown", "markdownv2"):
            raise bad_request(f"can't parse entities: parse_mode {mode} is not supported by the sandbox, use HTML")
        elif mode:
            raise bad_request("unsupported parse_mode")
        else:
            result = FormattedText(raw, [])
    except HtmlParseError as error:
        raise bad_request(f"can't parse entities: {error}") from error
    result = normalize(result)
    size = utf16_len(result.text)
    if caption:
        if size > MAX_CAPTION:
            raise bad_request("message caption is too long")
        return (result, html_source) if result.text else None
    if size == 0:
        raise bad_request("message text is empty")
    if size > MAX_TEXT:
        raise bad_request("message is too long")
    return result, html_source


def deliver(
    fake: FakeTelegram,
    chat: ChatRecord,
    p: Params,
    *,
    kind: str,
    created_by: str,
    thread_id: int | None = None,
    **fields: Any,
) -> MessageRecord:
    """Store a bot message with the common send options (markup, reply, topic, protect_content)."""
    markup = validate_reply_markup(p.get_obj("reply_markup"))
    reply_to = reply_target(chat, p)
    if thread_id is not None and reply_to is None:
        reply_to = thread_id  # Telegram links topic messages to the topic's creation message
    message = fake.state.add_message(
        chat,
        sender_id=fake.state.bot.id,
        from_bot=True,
        kind=kind,
        thread_id=thread_id,
        reply_markup=inline_only(markup),
        sent_markup=markup,
        reply_to_message_id=reply_to,
        protect_content=p.get_bool("protect_content"),
        created_by=created_by,
        **fields,
    )
    if markup is not None and "inline_keyboard" not in markup:
        if markup.get("keyboard"):
            chat.reply_keyboard, chat.reply_keyboard_message_id = markup, message.message_id
        elif markup.get("remove_keyboard"):
            chat.reply_keyboard, chat.reply_keyboard_message_id = None, None
    return message


def caption_fields(fake: FakeTelegram, p: Params) -> dict[str, Any]:
    parsed = formatted(fake, p, field="caption", entities_field="caption_entities", caption=True)
    if parsed is None:
        return {}
    result, html_source = parsed
    return {"caption": result.text, "caption_entities": result.entities, "html_source": html_source}


def resolve_file(fake: FakeTelegram, p: Params, kind: str) -> FileRecord:
    """An uploaded file (multipart, possibly `attach://`), a URL, or a file_id string."""
    value = p.values.get(kind)
    upload = p.uploads.get(kind)
    if isinstance(value, str) and value.startswith("attach://"):
        upload = p.uploads.get(value[len("attach://") :])
        if upload is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
    if upload is not None:
        return fake.state.new_file(kind, data=upload.data, file_name=upload.filename, mime_type=upload.content_type)
    if isinstance(value, str) and value:
        if value.startswith(("http://", "https://")):
            return fake.state.new_file(kind, file_name=value.rsplit("/", 1)[-1] or None)
        return fake.state.file(value, kind)
    raise bad_request(f"there is no {kind} in the request")


def media_payload(kind: str, file: FileRecord, **extra: Any) -> dict[str, Any]:
    """The Message fields for one media kind, shaped as Telegram returns them."""
    ids = {"file_id": file.file_id, "file_unique_id": file.file_unique_id, "file_size": file.size}
    duration = int(extra.get("duration") or 3)
    if kind == "photo":
        small = {**ids, "file_unique_id": f"{file.file_unique_id}s", "width": 90, "height": 90}
        return {"photo": [small, {**ids, "width": 1280, "height": 960}]}
    if kind == "document":
        name = file.file_name or "document.bin"
        return {"document": {**ids, "file_name": name, "mime_type": file.mime_type or "application/octet-stream"}}
    if kind == "voice":
        return {"voice": {**ids, "duration": duration, "mime_type": "audio/ogg"}}
    if kind == "video":
        return {"video": {**ids, "width": 640, "height": 360, "duration": duration}}
    if kind == "animation":
        animation = {**ids, "width": 320, "height": 240, "duration": duration}
        return {"animation": animation, "document": {**ids, "mime_type": "video/mp4"}}
    if kind == "audio":
        audio: dict[str, Any] = {**ids, "duration": duration}
        audio.update({k: extra[k] for k in ("title", "performer") if extra.get(k)})
        return {"audio": audio}
    if kind == "sticker":
        return {
            "sticker": {
                **ids,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": extra.get("emoji") or "🙂",
            }
        }
    raise ValueError(f"unknown media kind {kind}")


def check_deletable(fake: FakeTelegram, chat: ChatRecord, message: MessageRecord) -> bool:
    """Telegram's deleteMessage rules: 48 hours, topic-creation messages, others' messages in groups."""
    if message.kind == "forum_topic_created":
        return False
    if fake.now() - message.date >= DELETE_WINDOW:
        return False
    if chat.type == PRIVATE or message.from_bot:
        return True
    return chat.bot_is_admin


def bot_message(chat: ChatRecord, p: Params, *, action: str) -> MessageRecord:
    """The bot's own message an edit refers to."""
    if p.has("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    message_id = p.get_int("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    message = chat.messages.get(message_id)
    if message is None or message.deleted:
        raise bad_request(e.MESSAGE_TO_EDIT_NOT_FOUND)
    if not message.from_bot or message.service:
        raise bad_request(f"message can't be {action}")
    return message


def edit_markup(p: Params) -> dict[str, Any] | None:
    markup = validate_reply_markup(p.get_obj("reply_markup"))
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    return inline_only(markup)


def snapshot(message: MessageRecord) -> dict[str, Any]:
    return {
        "text": message.text,
        "caption": message.caption,
        "entities": message.entities,
        "reply_markup": message.reply_markup,
        "edit_date": message.edit_date,
    }


# identity and updates -----------------------------------------------------------------------------


@method("getMe")
def get_me(fake: FakeTelegram, p: Params) -> Any:
    return fake.state.bot.get_me()


@method("logOut")
def log_out(fake: FakeTelegram, p: Params) -> Any:
    return True


@method("close")
def close(fake: FakeTelegram, p: Params) -> Any:
    return True


@method("getUpdates")
async def get_updates(fake: FakeTelegram, p: Params) -> Any:
    allowed = p.get_list("allowed_updates")
    if allowed is not None:
        fake.queue.allowed_updates = [str(kind) for kind in allowed]
    limit = p.get_int("limit") or 100
    if not 1 <= limit <= 100:
        limit = 100
    return await fake.queue.fetch(
        offset=p.get_int("offset"),
        limit=limit,
        wait_seconds=float(p.get_int("timeout") or 0),
        guard=fake.polling_conflict,
        activity=fake.activity,
    )


@method("setWebhook")
def set_webhook(fake: FakeTelegram, p: Params) -> Any:
    url = p.get_str("url") or ""
    if not url:
        fake.remove_webhook(drop_pending=p.get_bool("drop_pending_updates"))
        return True
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].rsplit(":", 1)[0]
    if scheme not in ("http", "https") or not host:
        raise bad_request("bad webhook: Invalid URL")
    if scheme == "http" and host not in ("127.0.0.1", "localhost", "[::1]"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.get_str("secret_token")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise bad_request("secret token contains unallowed characters")
    max_connections = p.get_int("max_connections") or 40
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    allowed = p.get_list("allowed_updates")
    if allowed is not None:
        fake.queue.allowed_updates = [str(kind) for kind in allowed]
    fake.install_webhook(url, secret, max_connections, drop_pending=p.get_bool("drop_pending_updates"))
    return True


@method("deleteWebhook")
def delete_webhook(fake: FakeTelegram, p: Params) -> Any:
    fake.remove_webhook(drop_pending=p.get_bool("drop_pending_updates"))
    return True


@method("getWebhookInfo")
def get_webhook_info(fake: FakeTelegram, p: Params) -> Any:
    return fake.webhook_info()


# commands and bot profile -------------------------------------------------------------------------


def scope_key(fake: FakeTelegram, p: Params) -> tuple[str, int | None, int | None]:
    scope = p.get_obj("scope") or {"type": "default"}
    kind = scope.get("type", "default")
    if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
        return kind, None, None
    if kind in ("chat", "chat_administrators", "chat_member"):
        chat_ref = scope.get("chat_id")
        chat = fake.state.find_chat(chat_ref) if isinstance(chat_ref, int | str) else None
        if chat is None:
            raise bad_request(e.CHAT_NOT_FOUND)
        user_id = scope.get("user_id") if kind == "chat_member" else None
        if kind == "chat_member" and user_id is None:
            raise bad_request("user_id is empty")
        return kind, chat.id, int(user_id) if user_id is not None else None
    raise bad_request("unsupported bot command scope type")


def language(p: Params) -> str:
    code = p.get_str("language_code") or ""
    if code and not re.fullmatch(r"[a-z]{2}", code):
        raise bad_request("invalid language code specified")
    return code


@method("setMyCommands")
def set_my_commands(fake: FakeTelegram, p: Params) -> Any:
    commands = p.get_list("commands")
    if commands is None:
        raise bad_request("commands is empty")
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    stored: list[dict[str, str]] = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand")
        name, description = str(command.get("command", "")), str(command.get("description", ""))
        if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        stored.append({"command": name, "description": description})
    key = (scope_key(fake, p), language(p))
    if stored:
        fake.state.commands[key] = stored
    else:
        fake.state.commands.pop(key, None)
    return True


@method("getMyCommands")
def get_my_commands(fake: FakeTelegram, p: Params) -> Any:
    return list(fake.state.commands.get((scope_key(fake, p), language(p)), []))


@method("deleteMyCommands")
def delete_my_commands(fake: FakeTelegram, p: Params) -> Any:
    fake.state.commands.pop((scope_key(fake, p), language(p)), None)
    return True


def _bot_text(field: str, limit: int) -> tuple[Handler, Handler]:
    def setter(fake: FakeTelegram, p: Params) -> Any:
        value = p.get_str(field) or ""
        if len(value) > limit:
            raise bad_request(f"{field} is too long")
        fake.state.bot_texts[(field, language(p))] = value
        return True

    def getter(fake: FakeTelegram, p: Params) -> Any:
        lang = language(p)
        texts = fake.state.bot_texts
        return {
            field: texts.get(
                (field, lang), texts.get((field, ""), fake.state.bot.first_name if field == "name" else "")
            )
        }

    return setter, getter


for _field, _limit, _suffix in (
    ("description", 512, "Description"),
    ("short_description", 120, "ShortDescription"),
    ("name", 64, "Name"),
):
    _setter, _getter = _bot_text(_field, _limit)
    method(f"setMy{_suffix}")(_setter)
    method(f"getMy{_suffix}")(_getter)


@method("setChatMenuButton")
def set_chat_menu_button(fake: FakeTelegram, p: Params) -> Any:
    button = p.get_obj("menu_button") or {"type": "default"}
    if button.get("type") not in ("commands", "web_app", "default"):
        raise bad_request("unsupported menu button type")
    if p.has("chat_id"):
        target_chat(fake, p, sending=False).menu_button = button
    else:
        fake.default_menu_button = button
    return True


@method("getChatMenuButton")
def get_chat_menu_button(fake: FakeTelegram, p: Params) -> Any:
    if p.has("chat_id"):
        chat = target_chat(fake, p, sending=False)
        if chat.menu_button:
            return chat.menu_button
    return fake.default_menu_button


# sending ------------------------------------------------------------------------------------------


@method("sendMessage")
def send_message(fake: FakeTelegram, p: Params) -> Any:
    chat = target_chat(fake, p)
    thread_id = thread_for(chat, p)
    parsed = formatted(fake, p)
    assert parsed is not None
    result, html_source = parsed
    message = deliver(
        fake,
        chat,
        p,
        kind="text",
        created_by="sendMessage",
        thread_id=thread_id,
        text=result.text,
        entities=result.entities,
        html_source=html_source,
    )
    if p.has("link_preview_options"):
        message.media["link_preview_options"] = p.get_obj("link_preview_options")
    return fake.state.message_dict(message)


def _media_method(kind: str, api_name: str) -> Handler:
    def send(fake: FakeTelegram, p: Params) -> Any:
        chat = target_chat(fake, p)
        thread_id = thread_for(chat, p)
        file = resolve_file(fake, p, kind)
        extra = {key: p.get(key) for key in ("duration", "emoji", "title", "performer")}
        fields = {} if kind == "sticker" else caption_fields(fake, p)
        message = deliver(
            fake,
            chat,
            p,
            kind=kind,
            created_by=api_name,
            thread_id=thread_id,
            media=media_payload(kind, file, **extra),
            **fields,
        )
        return fake.state.message_dict(message)

    send.__name__ = f"send_{kind}"
    return send


for _kind in MEDIA_KINDS:
    _name = f"send{_kind.capitalize()}"
    method(_name)(_media_method(_kind, _name))


def _coordinates(p: Params) -> dict[str, float]:
    latitude, longitude = p.get_float("latitude", required=True), p.get_float("longitude", required=True)
    assert latitude is not None and longitude is not None
    if not -90 <= latitude <= 90 or not -180 <= longitude <= 180:
        raise bad_request("wrong coordinates specified")
    return {"latitude": latitude, "longitude": longitude}


@method("sendLocation")
def send_location(fake: FakeTelegram, p: Params) -> Any:
    chat = target_chat(fake, p)
    thread_id = thread_for(chat, p)
    location: dict[str, Any] = _coordinates(p)
    for key in ("horizontal_accuracy", "live_period", "heading", "proximity_alert_radius"):
        if p.has(key):
            location[key] = p.get(key)
    message = deliver(
        fake, chat, p, kind="location", created_by="sendLocation", thread_id=thread_id, media={"location": location}
    )
    return fake.state.message_dict(message)


@method("sendVenue")
def send_venue(fake: FakeTelegram, p: Params) -> Any:
    chat = target_chat(fake, p)
    thread_id = thread_for(chat, p)
    location = _coordinates(p)
    venue: dict[str, Any] = {
        "location": location,
        "title": p.get_str("title", required=True),
        "address": p.get_str("address", required=True),
    }
    for key in ("foursquare_id", "foursquare_type", "google_place_id", "google_place_type"):
        if p.has(key):
            venue[key] = p.get_str(key)
    message = deliver(
        fake,
        chat,
        p,
        kind="venue",
        created_by="sendVenue",
        thread_id=thread_id,
        media={"venue": venue, "location": dict(location)},
    )
    return fake.state.message_dict(message)


@method("sendContact")
def send_contact(fake: FakeTelegram, p: Params) -> Any:
    chat = target_chat(fake, p)
    thread_id = thread_for(chat, p)
    contact: dict[str, Any] = {
        "phone_number": p.get_str("phone_number", required=True),
        "first_name": p.get_str("first_name", required=True),
    }
    for key in ("last_name", "vcard"):
        if p.has(key):
            contact[key] = p.get_str(key)
    message = deliver(
        fake, chat, p, kind="contact", created_by="sendContact", thread_id=thread_id, media={"contact": contact}
    )
    return fake.state.message_dict(message)


@method("sendChatAction")
def send_chat_action(fake: FakeTelegram, p: Params) -> Any:
    chat = target_chat(fake, p)
    thread_for(chat, p)
    if p.get_str("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


# copying and forwarding ---------------------------------------------------------------------------


def source_message(fake: FakeTelegram, p: Params, message_id: int, *, verb: str) -> MessageRecord | None:
    source_chat = fake.state.find_chat(p.chat_id("from_chat_id"))
    if source_chat is None or (source_chat.type == PRIVATE and not source_chat.started):
        raise bad_request(e.CHAT_NOT_FOUND)
    message = source_chat.messages.get(message_id)
    if message is None or message.deleted:
        return None
    if message.service:
        raise bad_request(f"message can't be {verb}")
    return message


def copy_fields(fake: FakeTelegram, p: Params, source: MessageRecord, *, remove_caption: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {"media": copy.deepcopy(source.media)}
    if source.text is not None:
        fields.update(text=source.text, entities=copy.deepcopy(source.entities), html_source=source.html_source)
        return fields
    if source.kind in NO_CAPTION_KINDS or remove_caption:
        return fields
    if p.has("caption"):
        fields.update(caption_fields(fake, p))
    elif source.caption is not None:
        fields.update(
            caption=source.caption,
            caption_entities=copy.deepcopy(source.caption_entities),
            html_source=source.html_source,
        )
    return fields


@method("copyMessage")
def copy_message(fake: FakeTelegram, p: Params) -> Any:
    chat = target_chat(fake, p)
    thread_id = thread_for(chat, p)
    source = source_message(fake, p, p.get_int("message_id", required=True) or 0, verb="copied")
    if source is None:
        raise bad_request("message to copy not found")
    fields = copy_fields(fake, p, source, remove_caption=False)
    message = deliver(fake, chat, p, kind=source.kind, created_by="copyMessage", thread_id=thread_id, **fields)
    return {"message_id": message.message_id}


def _message_ids(p: Params) -> list[int]:
    ids = p.get_list("message_ids")
    if not ids:
        raise bad_request("message identifiers are not specified")
    if len(ids) > 100:
        raise bad_request("too many message identifiers specified")
    try:
        return [int(i) for i in ids]
    except (TypeError, ValueError) as error:
        raise bad_request("invalid message identifiers specified") from error


@method("copyMessages")
def copy_messages(fake: FakeTelegram, p: Params) -> Any:
    chat = target_chat(fake, p)
    thread_id = thread_for(chat, p)
    ids = _message_ids(p)
    if ids != sorted(set(ids)):
        raise bad_request("message identifiers must be in strictly increasing order")
    result = []
    for message_id in ids:
        source = source_message(fake, p, message_id, verb="copied")
        if source is None:
            continue
        fields = copy_fields(fake, p, source, remove_caption=p.get_bool("remove_caption"))
        copied = deliver(fake, chat, p, kind=source.kind, created_by="copyMessages", thread_id=thread_id, **fields)
        result.append({"message_id": copied.message_id})
    return result


def _forward(
    fake: FakeTelegram, p: Params, chat: ChatRecord, source: MessageRecord, thread_id: int | None, api_name: str
) -> MessageRecord:
    if source.protect_content:
        raise bad_request("message has protected content and can't be forwarded")
    origin = source.forward_origin or {
        "type": "user",
        "date": source.date,
        "sender_user": fake.state.user_dict(source.sender_id),
    }
    fields = copy_fields(fake, p, source, remove_caption=False)
    forwarded = fake.state.add_message(
        chat,
        sender_id=fake.state.bot.id,
        from_bot=True,
        kind=source.kind,
        thread_id=thread_id,
        reply_to_message_id=thread_id,
        forward_origin=copy.deepcopy(origin),
        protect_content=p.get_bool("protect_content"),
        created_by=api_name,
        **fields,
    )
    return forwarded


@method("forwardMessage")
def forward_message(fake: FakeTelegram, p: Params) -> Any:
    chat = target_chat(fake, p)
    thread_id = thread_for(chat, p)
    source = source_message(fake, p, p.get_int("message_id", required=True) or 0, verb="forwarded")
    if source is None:
        raise bad_request("message to forward not found")
    return fake.state.message_dict(_forward(fake, p, chat, source, thread_id, "forwardMessage"))


@method("forwardMessages")
def forward_messages(fake: FakeTelegram, p: Params) -> Any:
    chat = target_chat(fake, p)
    thread_id = thread_for(chat, p)
    result = []
    for message_id in _message_ids(p):
        source = source_message(fake, p, message_id, verb="forwarded")
        if source is not None:
            result.append({"message_id": _forward(fake, p, chat, source, thread_id, "forwardMessages").message_id})
    return result


# editing and deleting -----------------------------------------------------------------------------


@method("editMessageText")
def edit_message_text(fake: FakeTelegram, p: Params) -> Any:
    chat = target_chat(fake, p)
    message = bot_message(chat, p, action="edited")
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    parsed = formatted(fake, p)
    assert parsed is not None
    result, html_source = parsed
    markup = edit_markup(p)
    if result.text == message.text and result.entities == message.entities and markup == message.reply_markup:
        raise bad_request(e.MESSAGE_NOT_MODIFIED)
    message.history.append(snapshot(message))
    message.text, message.entities, message.html_source = result.text, result.entities, html_source
    message.reply_markup = markup
    message.edit_date = fake.now()
    return fake.state.message_dict(message)


@method("editMessageCaption")
def edit_message_caption(fake: FakeTelegram, p: Params) -> Any:
    chat = target_chat(fake, p)
    message = bot_message(chat, p, action="edited")
    if message.kind in NO_CAPTION_KINDS:
        raise bad_request("there is no caption in the message to edit")
    fields = caption_fields(fake, p)
    caption, entities = fields.get("caption"), fields.get("caption_entities", [])
    markup = edit_markup(p)
    if caption == message.caption and entities == message.caption_entities and markup == message.reply_markup:
        raise bad_request(e.MESSAGE_NOT_MODIFIED)
    message.history.append(snapshot(message))
    message.caption, message.caption_entities = caption, entities
    message.html_source = fields.get("html_source")
    message.reply_markup = markup
    message.edit_date = fake.now()
    return fake.state.message_dict(message)


@method("editMessageReplyMarkup")
def edit_message_reply_markup(fake: FakeTelegram, p: Params) -> Any:
    chat = target_chat(fake, p)
    message = bot_message(chat, p, action="edited")
    markup = edit_markup(p)
    if markup == message.reply_markup:
        raise bad_request(e.MESSAGE_NOT_MODIFIED)
    message.history.append(snapshot(message))
    message.reply_markup = markup
    message.edit_date = fake.now()
    return fake.state.message_dict(message)


@method("deleteMessage")
def delete_message(fake: FakeTelegram, p: Params) -> Any:
    chat = target_chat(fake, p, sending=False)
    message_id = p.get_int("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    message = chat.messages.get(message_id)
    if message is None or message.deleted:
        raise bad_request(e.MESSAGE_TO_DELETE_NOT_FOUND)
    if not check_deletable(fake, chat, message):
        raise bad_request(e.MESSAGE_CANT_BE_DELETED)
    message.deleted = True
    return True


@method("deleteMessages")
def delete_messages(fake: FakeTelegram, p: Params) -> Any:
    chat = target_chat(fake, p, sending=False)
    for message_id in _message_ids(p):
        message = chat.messages.get(message_id)
        if message is not None and not message.deleted and check_deletable(fake, chat, message):
            message.deleted = True
    return True


# callbacks ----------------------------------------------------------------------------------------


@method("answerCallbackQuery")
def answer_callback_query(fake: FakeTelegram, p: Params) -> Any:
    query_id = p.get_str("callback_query_id", required=True) or ""
    query = fake.state.callback_queries.get(query_id)
    if query is None or query.answered or fake.now() - query.created > fake.callback_answer_window:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = p.get_str("text")
    if text is not None and utf16_len(text) > MAX_CALLBACK_ANSWER:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answered = True
    query.answer = CallbackAnswer(text=text or None, show_alert=p.get_bool("show_alert"), url=p.get_str("url"))
    return True


# chats --------------------------------------------------------------------------------------------


@method("getChat")
def get_chat(fake: FakeTelegram, p: Params) -> Any:
    return fake.state.chat_full_info(target_chat(fake, p, sending=False))


@method("getChatMember")
def get_chat_member(fake: FakeTelegram, p: Params) -> Any:
    chat = target_chat(fake, p, sending=False)
    user_id = p.get_int("user_id", required=True) or 0
    if user_id != fake.state.bot.id and user_id not in fake.state.users:
        raise bad_request("user not found")
    return fake.state.chat_member_dict(chat, user_id)


@method("getChatAdministrators")
def get_chat_administrators(fake: FakeTelegram, p: Params) -> Any:
    chat = target_chat(fake, p, sending=False)
    if chat.type == PRIVATE:
        raise bad_request("there are no administrators in the private chat")
    ids = [uid for uid, status in chat.members.items() if status in ("creator", "administrator")]
    if chat.bot_is_admin:
        ids.append(fake.state.bot.id)
    return [fake.state.chat_member_dict(chat, uid) for uid in ids]


# forum topics -------------------------------------------------------------------------------------


def forum(fake: FakeTelegram, p: Params) -> ChatRecord:
    chat = target_chat(fake, p, sending=False)
    if chat.type != SUPERGROUP or not chat.is_forum:
        raise bad_request("the chat is not a forum")
    if not chat.bot_is_admin:
        raise bad_request("not enough rights to manage topics")
    return chat


def topic_of(chat: ChatRecord, p: Params) -> TopicRecord:
    thread_id = p.get_int("message_thread_id", required=True)
    topic = chat.topics.get(thread_id or 0)
    if topic is None:
        raise bad_request("TOPIC_ID_INVALID")
    return topic


def topic_name(p: Params, *, required: bool) -> str | None:
    name = p.get_str("name", required=required)
    if name is not None and not 1 <= len(name) <= 128:
        raise bad_request("topic name must be 1-128 characters long")
    return name


def service(fake: FakeTelegram, chat: ChatRecord, thread_id: int | None, kind: str, payload: dict[str, Any]) -> None:
    message = fake.state.add_message(
        chat,
        sender_id=fake.state.bot.id,
        from_bot=True,
        kind=kind,
        service=True,
        media={kind: payload},
        created_by="service",
    )
    message.thread_id = thread_id if thread_id is not None else message.message_id
    message.reply_to_message_id = thread_id


@method("createForumTopic")
def create_forum_topic(fake: FakeTelegram, p: Params) -> Any:
    chat = forum(fake, p)
    name = topic_name(p, required=True) or ""
    color = p.get_int("icon_color")
    if color is None:
        color = TOPIC_ICON_COLORS[0]
    elif color not in TOPIC_ICON_COLORS:
        raise bad_request("TOPIC_ICON_COLOR_INVALID")
    emoji = p.get_str("icon_custom_emoji_id")
    payload: dict[str, Any] = {"name": name, "icon_color": color}
    if emoji:
        payload["icon_custom_emoji_id"] = emoji
    service(fake, chat, None, "forum_topic_created", payload)
    thread_id = chat.next_message_id - 1
    topic = TopicRecord(thread_id=thread_id, name=name, icon_color=color, icon_custom_emoji_id=emoji or None)
    chat.topics[thread_id] = topic
    return topic.to_dict()


@method("editForumTopic")
def edit_forum_topic(fake: FakeTelegram, p: Params) -> Any:
    chat = forum(fake, p)
    topic = topic_of(chat, p)
    name = topic_name(p, required=False)
    emoji = p.get_str("icon_custom_emoji_id")
    changes: dict[str, Any] = {}
    if name is not None and name != topic.name:
        topic.name = changes["name"] = name
    if emoji is not None and (emoji or None) != topic.icon_custom_emoji_id:
        topic.icon_custom_emoji_id = emoji or None
        changes["icon_custom_emoji_id"] = emoji
    if not changes:
        raise bad_request("TOPIC_NOT_MODIFIED")
    service(fake, chat, topic.thread_id, "forum_topic_edited", changes)
    return True


def _set_closed(fake: FakeTelegram, p: Params, closed: bool) -> Any:
    chat = forum(fake, p)
    topic = topic_of(chat, p)
    if topic.closed == closed:
        raise bad_request("TOPIC_NOT_MODIFIED")
    topic.closed = closed
    service(fake, chat, topic.thread_id, "forum_topic_closed" if closed else "forum_topic_reopened", {})
    return True


@method("closeForumTopic")
def close_forum_topic(fake: FakeTelegram, p: Params) -> Any:
    return _set_closed(fake, p, True)


@method("reopenForumTopic")
def reopen_forum_topic(fake: FakeTelegram, p: Params) -> Any:
    return _set_closed(fake, p, False)


@method("deleteForumTopic")
def delete_forum_topic(fake: FakeTelegram, p: Params) -> Any:
    chat = forum(fake, p)
    topic = topic_of(chat, p)
    for message in chat.messages.values():
        if message.thread_id == topic.thread_id:
            message.deleted = True
    del chat.topics[topic.thread_id]
    return True


# files --------------------------------------------------------------------------------------------


@method("getFile")
def get_file(fake: FakeTelegram, p: Params) -> Any:
    file_id = p.get_str("file_id", required=True) or ""
    record = fake.state.files.get(file_id)
    if record is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": record.file_id,
        "file_unique_id": record.file_unique_id,
        "file_size": record.size,
        "file_path": record.path,
    }


def lookup(name: str) -> MethodSpec | None:
    """The handler for a method name, case-insensitively."""
    return METHODS.get(name.lower())
