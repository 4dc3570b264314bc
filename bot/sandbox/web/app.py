"""The sandbox page and its JSON API, served by aiohttp on 127.0.0.1 only.

Static files come from `static/` next to this module (no build step, nothing from the internet:
the Content-Security-Policy forbids any other origin). The page reads views (`GET /api/...`),
acts as people (`POST /api/...`) and learns about changes from one Server-Sent Events stream.
Requests must name a loopback host (against DNS rebinding) and actions must carry the
`X-Sandbox` header, which other sites' pages cannot send without a CORS preflight we never grant.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import BodyPartReader, web

from bot.sandbox.client import CallbackAnswer
from bot.sandbox.state import ChatRecord, MessageRecord
from bot.settings import LANGUAGES

from .views import GENERAL, phone_view, staff_room_view, state_view
from .world import Phone, Sandbox, StaffPerson

STATIC_DIR = Path(__file__).resolve().parent / "static"
SAMPLE_PHOTO = STATIC_DIR / "sample-photo.png"
ACTION_HEADER = "X-Sandbox"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]"}
MAX_TEXT = 4096
MAX_UPLOAD = 10 * 1024 * 1024
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
SANDBOX: web.AppKey[Sandbox] = web.AppKey("sandbox", Sandbox)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ActionError(Exception):
    """An action Telegram's app would not allow; the page shows the reason."""


class NotFound(Exception):
    """No such phone, topic or picture (any more: a reset forgets everything)."""


# middleware -----------------------------------------------------------------------------------


def _host_name(host: str) -> str:
    """ "127.0.0.1:8765" → "127.0.0.1", "[::1]:8765" → "[::1]"."""
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0]


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    if _host_name(request.host or "") not in LOOPBACK_HOSTS:
        return web.json_response({"error": "the sandbox answers on loopback only"}, status=403)
    if request.method == "POST" and request.headers.get(ACTION_HEADER) != "1":
        return web.json_response({"error": f"missing {ACTION_HEADER} header"}, status=403)
    try:
        response = await handler(request)
    except ActionError as error:
        response = web.json_response({"error": str(error)}, status=400)
    except NotFound as error:
        response = web.json_response({"error": str(error)}, status=404)
    except AssertionError as error:  # the fake's word for "a Telegram app would not do that"
        response = web.json_response({"error": str(error).split("\n", 1)[0]}, status=400)
    if not response.prepared:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers.setdefault("Cache-Control", "no-store")
    return response


# helpers --------------------------------------------------------------------------------------


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise ActionError("send a JSON object") from None
    if not isinstance(body, dict):
        raise ActionError("send a JSON object")
    return body


def _phone(request: web.Request) -> Phone:
    phone = request.app[SANDBOX].phones.get(request.match_info["key"])
    if phone is None:
        raise NotFound("no such phone")
    return phone


def _staff_person(sandbox: Sandbox, key: Any) -> StaffPerson:
    person = sandbox.staff.get(str(key)) if key is not None else None
    if person is None:
        raise ActionError("pick a staff person first")
    return person


def _text(body: dict[str, Any], *, required: bool = True) -> str:
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        if required:
            raise ActionError("Telegram does not send empty messages")
        return ""
    if len(text) > MAX_TEXT:
        raise ActionError(f"a message has at most {MAX_TEXT} characters")
    return text


def _int(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).lstrip("-").isdigit():
        raise ActionError(f"{name} must be a number")
    return int(value)


def _thread(chat: ChatRecord, value: Any) -> int | None:
    if value in (None, "", GENERAL):
        return None
    try:
        thread = int(value)
    except (TypeError, ValueError):
        raise ActionError("no such topic") from None
    if thread not in chat.topics:
        raise ActionError("no such topic")
    return thread


def _live(chat: ChatRecord, message_id: int | None) -> MessageRecord:
    message = chat.messages.get(message_id or 0)
    if message is None or message.deleted:
        raise ActionError("that message is gone")
    return message


def _answer(answer: CallbackAnswer | None) -> dict[str, Any]:
    if answer is None:
        return {"answer": None}
    return {"answer": {"text": answer.text, "alert": answer.show_alert, "url": answer.url}}


async def _press_inline(
    sandbox: Sandbox, person: Phone | StaffPerson, chat: ChatRecord, body: dict[str, Any]
) -> dict[str, Any]:
    """Tap the inline button at (row, col) of a message: by position, so equal labels stay distinct."""
    message = _live(chat, _int(body, "message_id"))
    row, col = _int(body, "row"), _int(body, "col")
    rows = (message.reply_markup or {}).get("inline_keyboard") or []
    if row is None or col is None or not 0 <= row < len(rows) or not 0 <= col < len(rows[row]):
        raise ActionError("that button is gone")
    button = rows[row][col]
    if "url" in button:
        return {"answer": None, "url": button["url"]}
    if "copy_text" in button:
        return {"answer": None, "copy": (button["copy_text"] or {}).get("text", "")}
    if "callback_data" not in button:
        raise ActionError("the sandbox cannot press this kind of button")
    async with sandbox.lock:
        answer = await person.user.press_data(button["callback_data"], message.message_id, chat=chat.id)
    return _answer(answer)


async def _send_photo(
    sandbox: Sandbox, person: Phone | StaffPerson, request: web.Request, *, chat: int | None, thread: Any = None
) -> dict[str, Any]:
    """A picture with an optional caption: the sample picture, or a file the person chose."""
    data, mime, caption = None, "image/png", ""
    thread_value: Any = thread
    if request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue
            if part.name == "photo":
                data = await part.read(decode=False)
                mime = part.headers.get("Content-Type", "image/png")
            elif part.name == "caption":
                caption = (await part.text()).strip()
            elif part.name == "topic":
                thread_value = await part.text()
    else:
        body = await _json(request)
        caption = _text(body, required=False).strip()
        thread_value = body.get("topic", thread_value)
    if data is None:
        data = SAMPLE_PHOTO.read_bytes()
    if not mime.startswith("image/"):
        raise ActionError("send a picture")
    if len(caption) > 1024:
        raise ActionError("a caption has at most 1024 characters")
    room = sandbox.staff_room.record
    thread_id = _thread(room, thread_value) if chat == room.id else None
    async with sandbox.lock:
        file = sandbox.fake.state.new_file("photo", data=data, mime_type=mime, file_name="photo.png")
        await person.user.send_photo(caption or None, file_id=file.file_id, chat=chat, thread_id=thread_id)
    return {"ok": True}


# views ----------------------------------------------------------------------------------------


async def index(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC_DIR / "index.html")


async def get_state(request: web.Request) -> web.Response:
    return web.json_response(state_view(request.app[SANDBOX]))


async def get_phone(request: web.Request) -> web.Response:
    return web.json_response(phone_view(request.app[SANDBOX], _phone(request)))


async def get_staff_room(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    room = sandbox.staff_room.record
    try:
        thread = _thread(room, request.query.get("topic"))
    except ActionError:
        thread = None
    viewer = sandbox.staff.get(request.query.get("as", ""))
    return web.json_response(staff_room_view(sandbox, thread, viewer))


async def get_file(request: web.Request) -> web.StreamResponse:
    """A picture shown in some chat, by its unique id (the only files the page can ask for)."""
    sandbox = request.app[SANDBOX]
    unique = request.match_info["unique"]
    record = next((f for f in sandbox.fake.state.files.values() if f.file_unique_id == unique), None)
    if record is None or record.data is None or not (record.mime_type or "").startswith("image/"):
        raise NotFound("no such picture")
    return web.Response(body=record.data, content_type=record.mime_type or "image/png")


async def events(request: web.Request) -> web.StreamResponse:
    """Server-Sent Events: `change` (panes to refetch) and `reset` (rebuild the page)."""
    hub = request.app[SANDBOX].changes
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": CSP,
        }
    )
    await response.prepare(request)
    queue = hub.subscribe()
    try:
        await response.write(f"retry: 1000\nevent: hello\ndata: {json.dumps({'version': hub.version})}\n\n".encode())
        while True:
            try:
                message = await asyncio.wait_for(queue.get(), 15)
            except TimeoutError:
                await response.write(b": keep-alive\n\n")
                continue
            if message is None:
                break
            await response.write(message.encode())
    except (ConnectionResetError, ConnectionError):
        pass
    finally:
        hub.unsubscribe(queue)
    return response


# actions: phones ------------------------------------------------------------------------------


async def add_phone(request: web.Request) -> web.Response:
    body = await _json(request)
    language = body.get("language", "en")
    if language not in LANGUAGES:
        raise ActionError(f"language must be one of {', '.join(LANGUAGES)}")
    name = body.get("name")
    if name is not None and (not isinstance(name, str) or not 0 < len(name.strip()) <= 64):
        raise ActionError("a name has 1 to 64 characters")
    phone = request.app[SANDBOX].add_phone(language, name.strip() if name else None)
    return web.json_response({"key": phone.key})


async def phone_send(request: web.Request) -> web.Response:
    sandbox, phone = request.app[SANDBOX], _phone(request)
    body = await _json(request)
    text = _text(body)
    reply_to = _int(body, "reply_to")
    if reply_to is not None:
        _live(phone.user.private_chat, reply_to)
    async with sandbox.lock:
        await phone.user.send(text, reply_to=reply_to)
    return web.json_response({"ok": True})


async def phone_start(request: web.Request) -> web.Response:
    """The START button of a chat never opened (or RESTART after blocking the bot)."""
    sandbox, phone = request.app[SANDBOX], _phone(request)
    async with sandbox.lock:
        await phone.user.command("/start")
    return web.json_response({"ok": True})


async def phone_press(request: web.Request) -> web.Response:
    sandbox, phone = request.app[SANDBOX], _phone(request)
    body = await _json(request)
    return web.json_response(await _press_inline(sandbox, phone, phone.user.private_chat, body))


async def phone_keyboard(request: web.Request) -> web.Response:
    """A reply-keyboard button: sends its label, or one's contact or location if it asks for them."""
    sandbox, phone = request.app[SANDBOX], _phone(request)
    body = await _json(request)
    chat = phone.user.private_chat
    rows = (chat.reply_keyboard or {}).get("keyboard") or []
    row, col = _int(body, "row"), _int(body, "col")
    if row is None or col is None or not 0 <= row < len(rows) or not 0 <= col < len(rows[row]):
        raise ActionError("that button is gone")
    button = rows[row][col]
    async with sandbox.lock:
        if chat.reply_keyboard and chat.reply_keyboard.get("one_time_keyboard"):
            chat.reply_keyboard, chat.reply_keyboard_message_id = None, None
        if button.get("request_contact"):
            await phone.user.share_contact()
        elif button.get("request_location"):
            await phone.user.send_location(50.4501, 30.5234)
        else:
            await phone.user.send(button["text"])
    return web.json_response({"ok": True})


async def phone_photo(request: web.Request) -> web.Response:
    sandbox, phone = request.app[SANDBOX], _phone(request)
    return web.json_response(await _send_photo(sandbox, phone, request, chat=None))


async def phone_edit(request: web.Request) -> web.Response:
    """Edit one of one's own messages (the bot gets an edited_message)."""
    sandbox, phone = request.app[SANDBOX], _phone(request)
    body = await _json(request)
    text = _text(body)
    async with sandbox.lock:
        await phone.user.edit(_int(body, "message_id") or 0, text)
    return web.json_response({"ok": True})


async def phone_block(request: web.Request) -> web.Response:
    """Block or unblock the bot, as from the chat's menu."""
    sandbox, phone = request.app[SANDBOX], _phone(request)
    body = await _json(request)
    async with sandbox.lock:
        if body.get("blocked"):
            await phone.user.block()
        else:
            await phone.user.unblock()
    sandbox.changes.mark(phone.pane)
    return web.json_response({"ok": True})


# actions: staff room --------------------------------------------------------------------------


async def add_staff(request: web.Request) -> web.Response:
    body = await _json(request)
    name = body.get("name")
    if not isinstance(name, str) or not 0 < len(name.strip()) <= 64:
        raise ActionError("a name has 1 to 64 characters")
    status = "administrator" if body.get("admin") else "member"
    language = body.get("language", "en")
    if language not in LANGUAGES:
        raise ActionError(f"language must be one of {', '.join(LANGUAGES)}")
    person = request.app[SANDBOX].add_staff(name.strip(), status=status, language=language)
    return web.json_response({"key": person.key})


async def staff_phone(request: web.Request) -> web.Response:
    """Open a staff person's own private chat with the bot as a phone."""
    sandbox = request.app[SANDBOX]
    person = _staff_person(sandbox, request.match_info["key"])
    return web.json_response({"key": sandbox.phone_of(person).key})


async def staff_send(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    body = await _json(request)
    person = _staff_person(sandbox, body.get("as"))
    room = sandbox.staff_room.record
    thread = _thread(room, body.get("topic"))
    text = _text(body)
    reply_to = _int(body, "reply_to")
    if reply_to is not None:
        _live(room, reply_to)
    async with sandbox.lock:
        await person.user.send(text, chat=room.id, thread_id=thread, reply_to=reply_to)
    return web.json_response({"ok": True})


async def staff_press(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    body = await _json(request)
    person = _staff_person(sandbox, body.get("as"))
    return web.json_response(await _press_inline(sandbox, person, sandbox.staff_room.record, body))


async def staff_photo(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    person = _staff_person(sandbox, request.query.get("as"))
    room, topic = sandbox.staff_room.record, request.query.get("topic")
    return web.json_response(await _send_photo(sandbox, person, request, chat=room.id, thread=topic))


async def staff_edit(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    body = await _json(request)
    person = _staff_person(sandbox, body.get("as"))
    text = _text(body)
    async with sandbox.lock:
        await person.user.edit(_int(body, "message_id") or 0, text, chat=sandbox.staff_room.chat_id)
    return web.json_response({"ok": True})


async def reset(request: web.Request) -> web.Response:
    await request.app[SANDBOX].reset()
    return web.json_response({"ok": True})


# assembly -------------------------------------------------------------------------------------


def create_web_app(sandbox: Sandbox) -> web.Application:
    """The page, its API and the event stream for one sandbox."""
    app = web.Application(middlewares=[guard], client_max_size=MAX_UPLOAD)
    app[SANDBOX] = sandbox
    app.router.add_get("/", index)
    app.router.add_static("/static/", STATIC_DIR, append_version=False)
    app.router.add_get("/api/state", get_state)
    app.router.add_get("/api/events", events)
    app.router.add_get("/api/files/{unique}", get_file)
    app.router.add_post("/api/phones", add_phone)
    app.router.add_get("/api/phones/{key}", get_phone)
    app.router.add_post("/api/phones/{key}/start", phone_start)
    app.router.add_post("/api/phones/{key}/send", phone_send)
    app.router.add_post("/api/phones/{key}/press", phone_press)
    app.router.add_post("/api/phones/{key}/keyboard", phone_keyboard)
    app.router.add_post("/api/phones/{key}/photo", phone_photo)
    app.router.add_post("/api/phones/{key}/edit", phone_edit)
    app.router.add_post("/api/phones/{key}/block", phone_block)
    app.router.add_get("/api/staff-room", get_staff_room)
    app.router.add_post("/api/staff-room/send", staff_send)
    app.router.add_post("/api/staff-room/press", staff_press)
    app.router.add_post("/api/staff-room/photo", staff_photo)
    app.router.add_post("/api/staff-room/edit", staff_edit)
    app.router.add_post("/api/staff", add_staff)
    app.router.add_post("/api/staff/{key}/phone", staff_phone)
    app.router.add_post("/api/reset", reset)

    async def close_streams(_app: web.Application) -> None:
        sandbox.changes.close()

    app.on_shutdown.append(close_streams)
    return app


async def serve(sandbox: Sandbox, port: int = 0) -> tuple[web.AppRunner, str]:
    """Serve the page on 127.0.0.1:port (a free port when 0, or when `port` is taken)."""
    runner = web.AppRunner(create_web_app(sandbox), access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    try:
        try:
            await web.TCPSite(runner, "127.0.0.1", port).start()
        except OSError:
            if port == 0:
                raise
            await web.TCPSite(runner, "127.0.0.1", 0).start()
    except BaseException:
        await runner.cleanup()
        raise
    bound = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{bound}/"
