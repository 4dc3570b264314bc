"""What each person sees, as JSON for the page, and nothing Telegram would not show them.

A member's phone gets their private chat: texts and captions rendered from entities, buttons by
label (never their callback data), the reply keyboard, the command menu, "edited" marks. The staff
room gets topics and the messages of one topic with the sender names Telegram shows in groups.
Telegram ids, edit histories, the bot's HTML source and how a message was made stay on the server;
people are named by the page's own keys ("p1", "s1").
"""

from __future__ import annotations

from typing import Any

from bot.sandbox.state import PRIVATE, ChatRecord, MessageRecord, SandboxState

from .render import plain_snippet, render_message_html
from .world import Phone, Sandbox, StaffPerson, display_name

GENERAL = "general"
SERVICE_TEXTS = {
    "forum_topic_created": "created the topic «{name}»",
    "forum_topic_edited": "changed the topic",
    "forum_topic_closed": "closed the topic",
    "forum_topic_reopened": "reopened the topic",
}


def sender_name(state: SandboxState, message: MessageRecord) -> str:
    if message.from_bot:
        return state.bot.first_name
    user = state.users.get(message.sender_id)
    if user is None:
        return "Deleted Account"
    return " ".join(part for part in (user.first_name, user.last_name) if part)


def _forwarded_from(origin: dict[str, Any]) -> str:
    """The "Forwarded from" header exactly as Telegram shows it to the recipient."""
    kind = origin.get("type")
    if kind == "user":
        user = origin.get("sender_user") or {}
        return " ".join(p for p in (user.get("first_name"), user.get("last_name")) if p) or "Deleted Account"
    if kind == "hidden_user":
        return str(origin.get("sender_user_name") or "Hidden user")
    chat = origin.get("sender_chat") or origin.get("chat") or {}
    return str(chat.get("title") or "a chat")


def _media(message: MessageRecord) -> dict[str, Any] | None:
    """The visible part of a media message (file ids become a picture address, nothing more)."""
    media = message.media
    kind = message.kind
    if kind == "photo" and media.get("photo"):
        unique = media["photo"][-1].get("file_unique_id")
        return {"type": "photo", "src": f"/api/files/{unique}" if unique else None}
    if kind == "venue" and media.get("venue"):
        venue = media["venue"]
        return {"type": "venue", "title": venue.get("title"), "address": venue.get("address")}
    if kind == "location" and media.get("location"):
        location = media["location"]
        return {"type": "location", "latitude": location.get("latitude"), "longitude": location.get("longitude")}
    if kind == "contact" and media.get("contact"):
        contact = media["contact"]
        name = " ".join(p for p in (contact.get("first_name"), contact.get("last_name")) if p)
        return {"type": "contact", "name": name, "phone": contact.get("phone_number")}
    if kind in ("document", "audio") and media.get(kind):
        return {"type": "document", "name": media[kind].get("file_name") or media[kind].get("title") or kind}
    if kind == "voice" and media.get("voice"):
        return {"type": "voice", "duration": media["voice"].get("duration")}
    if kind in ("video", "animation") and media.get(kind):
        return {"type": "video", "duration": media[kind].get("duration")}
    if kind == "sticker" and media.get("sticker"):
        return {"type": "sticker", "emoji": media["sticker"].get("emoji")}
    if kind == "dice" and media.get("dice"):
        return {"type": "sticker", "emoji": media["dice"].get("emoji")}
    return None


def _buttons(message: MessageRecord) -> list[list[dict[str, Any]]]:
    """Inline buttons by label and kind; callback data stays on the server."""
    rows = (message.reply_markup or {}).get("inline_keyboard") or []
    shown: list[list[dict[str, Any]]] = []
    for row in rows:
        cells = []
        for button in row:
            if "callback_data" in button:
                cells.append({"text": button["text"], "kind": "callback"})
            elif "url" in button:
                cells.append({"text": button["text"], "kind": "url", "url": button["url"]})
            elif "copy_text" in button:
                cells.append({"text": button["text"], "kind": "copy"})
            else:
                cells.append({"text": button["text"], "kind": "other"})
        shown.append(cells)
    return shown


def _reply_header(state: SandboxState, chat: ChatRecord, message: MessageRecord) -> dict[str, Any] | None:
    target_id = message.reply_to_message_id
    if target_id is None or (chat.is_forum and target_id == message.thread_id):
        return None  # a topic message points at the topic's first message; Telegram shows no reply
    target = chat.messages.get(target_id)
    if target is None or target.deleted:
        return {"id": target_id, "deleted": True, "sender": None, "text": "Deleted message"}
    text = target.visible_text or ("Photo" if target.kind == "photo" else target.kind.replace("_", " "))
    return {"id": target_id, "deleted": False, "sender": sender_name(state, target), "text": plain_snippet(text)}


def message_view(state: SandboxState, chat: ChatRecord, message: MessageRecord, viewer_id: int) -> dict[str, Any]:
    """One message as the viewer sees it."""
    group = chat.type != PRIVATE
    entities = message.entities if message.text is not None else message.caption_entities
    view: dict[str, Any] = {
        "id": message.message_id,
        "date": message.date,
        "out": not message.from_bot and message.sender_id == viewer_id,
        "from_bot": message.from_bot,
        "sender": sender_name(state, message) if group else None,
        "kind": message.kind,
        "html": render_message_html(message.visible_text, entities),
        "media": _media(message),
        "buttons": _buttons(message),
        "edited": message.edit_date is not None,
        "reply": _reply_header(state, chat, message),
        "forwarded_from": _forwarded_from(message.forward_origin) if message.forward_origin else None,
        "service": None,
    }
    if message.service:
        payload = message.media.get(message.kind) or {}
        template = SERVICE_TEXTS.get(message.kind, message.kind.replace("_", " "))
        view["service"] = f"{sender_name(state, message)} {template.format(name=payload.get('name', ''))}"
    return view


def _reply_keyboard(chat: ChatRecord) -> dict[str, Any] | None:
    markup = chat.reply_keyboard
    if not markup:
        return None
    rows = [
        [
            {
                "text": button["text"],
                "request": "contact"
                if button.get("request_contact")
                else "location"
                if button.get("request_location")
                else None,
            }
            for button in row
        ]
        for row in markup.get("keyboard") or []
    ]
    return {
        "rows": rows,
        "placeholder": markup.get("input_field_placeholder"),
        "one_time": bool(markup.get("one_time_keyboard")),
    }


def phone_view(sandbox: Sandbox, phone: Phone) -> dict[str, Any]:
    """The private chat with the bot, as this person's Telegram app shows it."""
    fake = sandbox.fake
    chat = phone.user.private_chat
    placeholder: str | None = None
    keyboard = _reply_keyboard(chat)
    if keyboard:
        placeholder = keyboard["placeholder"]
    return {
        "key": phone.key,
        "name": display_name(phone.user),
        "role": phone.role,
        "language": phone.user.language_code,
        "bot": {"name": fake.state.bot.first_name, "username": fake.state.bot.username},
        "started": chat.started,
        "blocked": chat.blocked,
        "typing": sandbox.typing(chat.id),
        "messages": [message_view(fake.state, chat, m, phone.user.id) for m in chat.live_messages()],
        "reply_keyboard": keyboard,
        "placeholder": placeholder,
        "commands": [{"command": c.command, "description": c.description} for c in phone.user.commands],
    }


def _topic_messages(chat: ChatRecord, thread: int | None) -> list[MessageRecord]:
    if thread is None:
        return [m for m in chat.live_messages() if m.thread_id is None]
    return chat.live_messages(thread)


def staff_room_view(sandbox: Sandbox, thread: int | None, viewer: StaffPerson | None) -> dict[str, Any]:
    """The forum: its topics (General first, then by latest activity) and one topic's messages."""
    fake, room = sandbox.fake, sandbox.staff_room
    chat = room.record
    topics: list[dict[str, Any]] = []
    for topic in room.topics:
        messages = _topic_messages(chat, topic.thread_id)
        last = messages[-1] if messages else None
        topics.append(
            {
                "id": topic.thread_id,
                "name": topic.name,
                "closed": topic.closed,
                "color": f"#{topic.icon_color:06x}",
                "last_id": last.message_id if last else topic.thread_id,
                "last": plain_snippet(last.visible_text) if last and not last.service else "",
            }
        )
    topics.sort(key=lambda t: -t["last_id"])
    general = _topic_messages(chat, None)
    topics.insert(
        0,
        {
            "id": GENERAL,
            "name": "General",
            "closed": False,
            "color": "#8e8e93",
            "last_id": general[-1].message_id if general else 0,
            "last": plain_snippet(general[-1].visible_text) if general else "",
        },
    )
    if thread is not None and thread not in chat.topics:
        thread = None
    viewer_id = viewer.user.id if viewer else 0
    selected = chat.topics.get(thread) if thread is not None else None
    return {
        "title": chat.title,
        "topics": topics,
        "topic": {
            "id": thread if thread is not None else GENERAL,
            "name": selected.name if selected else "General",
            "closed": bool(selected and selected.closed),
        },
        "staff": [staff_view(person) for person in sandbox.staff.values()],
        "viewer": viewer.key if viewer else None,
        "typing": sandbox.typing(chat.id),
        "messages": [message_view(fake.state, chat, m, viewer_id) for m in _topic_messages(chat, thread)],
    }


def staff_view(person: StaffPerson) -> dict[str, Any]:
    return {"key": person.key, "name": person.name, "status": person.status, "language": person.user.language_code}


def state_view(sandbox: Sandbox) -> dict[str, Any]:
    """What the page needs to lay out its panes."""
    return {
        "version": sandbox.changes.version,
        "bot": {"name": sandbox.fake.state.bot.first_name},
        "phones": [
            {"key": p.key, "name": display_name(p.user), "role": p.role, "language": p.user.language_code}
            for p in sandbox.phones.values()
        ],
        "staff_room": {"title": sandbox.staff_room.title},
        "staff": [staff_view(person) for person in sandbox.staff.values()],
    }
