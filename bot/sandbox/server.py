"""FakeTelegram: a stateful, strict Bot API server on loopback that an unmodified aiogram bot talks to.

The bot reaches it through its normal HTTP session (`TelegramAPIServer.from_base(fake.base_url)`), by
long polling or by webhook. Tests (and the local web sandbox) act as people through `fake.user()` and
`fake.forum_group()`, read what those people see, inject faults, and inspect every call in `fake.calls`.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import json
import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import aiohttp
from aiohttp import web

from .clock import Clock, system_clock, to_datetime
from .errors import ApiError, conflict, not_found, too_many_requests, unauthorized
from .faults import SENDING_METHODS, FaultRule, Faults, RateLimiter, RateLimits, flood_rule
from .methods import lookup
from .params import Params, Upload, coerce_value, read_params
from .state import PRIVATE, BotIdentity, ChatRecord, MessageRecord, SandboxState, UserRecord
from .updates import Activity, UpdateQueue, update_type

if TYPE_CHECKING:
    from aiogram import Bot

    from .client import Room, TelegramUser

log = logging.getLogger(__name__)

TOKEN_PATTERN = re.compile(r"^(\d+):(.+)$")
DEFAULT_TOKEN = "123456789:AAH-sandbox-token-for-local-tests-only"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SERVER_ERRORS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@dataclass
class ApiCall:
    """One Bot API request as the fake saw it, with its outcome."""

    method: str
    params: dict[str, Any]
    at: datetime
    via: str = "http"
    ok: bool | None = None
    result: Any = None
    error_code: int | None = None
    description: str | None = None


@dataclass
class Stats:
    """Counters for assertions: calls and errors per method, 429s from the rate model, deliveries."""

    calls: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    error_codes: Counter[int] = field(default_factory=Counter)
    rate_limited: int = 0
    updates_pushed: int = 0
    webhook_posts: int = 0


@dataclass(frozen=True)
class WebhookConfig:
    url: str
    secret_token: str | None
    max_connections: int


@dataclass(frozen=True)
class WebhookFailure:
    """A webhook delivery the bot did not accept (non-2xx status or connection error)."""

    update_id: int
    status: int | None
    description: str
    at: datetime


class FakeTelegram:
    """The fake Bot API server and its state. Use `async with FakeTelegram() as fake:` or start()/stop()."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        token: str = DEFAULT_TOKEN,
        bot_first_name: str = "Umbrella Sandbox",
        bot_username: str = "umbrella_sandbox_bot",
        settle: float = 0.03,
        delivery_timeout: float = 5.0,
        rate_limits: bool | RateLimits = False,
        strict_html_ampersand: bool = False,
        privacy_mode: bool = True,
        webhook_settle: bool = False,
        webhook_timeout: float = 10.0,
        webhook_max_attempts: int = 2,
        callback_answer_window: int = 15,
    ) -> None:
        self.clock: Clock = clock or system_clock
        self.token = token
        self.settle = settle
        self.delivery_timeout = delivery_timeout
        self.strict_html_ampersand = strict_html_ampersand
        self.privacy_mode = privacy_mode
        self.webhook_settle = webhook_settle
        self.webhook_timeout = webhook_timeout
        self.webhook_max_attempts = webhook_max_attempts
        self.callback_answer_window = callback_answer_window
        self.state = SandboxState(
            now=self.now,
            bot=BotIdentity(id=int(token.split(":", 1)[0]), first_name=bot_first_name, username=bot_username),
        )
        self.calls: list[ApiCall] = []
        self.stats = Stats()
        self.faults = Faults()
        self.rate_limiter: RateLimiter | None = None
        self.rate_limits = rate_limits
        self.queue = UpdateQueue()
        self.activity = Activity()
        self.updates: list[dict[str, Any]] = []
        self.webhook: WebhookConfig | None = None
        self.webhook_failures: list[WebhookFailure] = []
        self.webhook_given_up: list[dict[str, Any]] = []
        self.dropped_updates: list[dict[str, Any]] = []
        self.internal_errors: list[BaseException] = []
        self.default_menu_button: dict[str, Any] = {"type": "commands"}
        self.listeners: list[Callable[[ApiCall], None]] = []
        self.base_url: str | None = None
        self._time_offset = timedelta()
        self._update_ids = itertools.count(1)
        self._webhook_backlog: list[dict[str, Any]] = []
        self._webhook_attempts: Counter[int] = Counter()
        self._last_webhook_error: tuple[int, str] | None = None
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    # lifecycle -----------------------------------------------------------------------------------

    @property
    def rate_limits(self) -> RateLimits | None:
        """The flood-limit model in force, if any."""
        return self.rate_limiter.limits if self.rate_limiter else None

    @rate_limits.setter
    def rate_limits(self, value: bool | RateLimits | None) -> None:
        """`True` models Telegram's published limits; a RateLimits sets custom ones; False/None turns it off."""
        if not value:
            self.rate_limiter = None
        else:
            self.rate_limiter = RateLimiter(value if isinstance(value, RateLimits) else RateLimits())

    def build_app(self) -> web.Application:
        """The aiohttp application, mountable elsewhere (the web sandbox) as well as served by start()."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on host:port (0 = a free port) and return the base URL for TelegramAPIServer.from_base."""
        if self._runner is not None:
            raise RuntimeError("FakeTelegram is already running")
        self.queue.closed = False
        runner = web.AppRunner(self.build_app(), handler_cancellation=True, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        bound_port = runner.addresses[0][1]
        self.base_url = f"http://{host}:{bound_port}"
        self._http = aiohttp.ClientSession()
        return self.base_url

    async def stop(self) -> None:
        """Release waiting polls, stop serving and close the webhook client."""
        self.queue.close()
        if self._http is not None:
            await self._http.close()
            self._http = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self.base_url = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    def bot(self, token: str | None = None, **kwargs: Any) -> Bot:
        """An aiogram Bot wired to this server (extra kwargs go to Bot, e.g. `default=`)."""
        from aiogram import Bot

        from .session import loopback_session

        if self.base_url is None:
            raise RuntimeError("start the FakeTelegram before creating a bot for it")
        return Bot(token or self.token, session=loopback_session(self.base_url), **kwargs)

    # time ----------------------------------------------------------------------------------------

    def now_datetime(self) -> datetime:
        """Server time as an aware UTC datetime (injected clock plus any advance_time)."""
        return to_datetime(self.clock()) + self._time_offset

    def now(self) -> int:
        """Server time as Unix seconds (message dates, the 48-hour rules)."""
        return int(self.now_datetime().timestamp())

    def advance_time(self, delta: timedelta | None = None, **parts: float) -> datetime:
        """Move the server clock forward, whatever clock was injected; returns the new time."""
        self._time_offset += (delta or timedelta()) + timedelta(**parts)
        return self.now_datetime()

    # people and rooms ----------------------------------------------------------------------------

    def user(
        self,
        first_name: str = "Member",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        started: bool = True,
    ) -> TelegramUser:
        """A new person with a private chat with the bot; `started=False` for someone who never pressed Start."""
        from .client import TelegramUser

        record = self.state.new_user(
            first_name, last_name=last_name, username=username, language_code=language_code, started=started
        )
        return TelegramUser(self, record)

    def group(
        self,
        title: str = "Group",
        *,
        forum: bool = False,
        supergroup: bool = True,
        bot_admin: bool = True,
        username: str | None = None,
    ) -> Room:
        """A group the bot has been added to (as admin unless told otherwise)."""
        from .client import Room

        chat = self.state.new_group(title, supergroup=supergroup, forum=forum, bot_admin=bot_admin)
        chat.username = username
        return Room(self, chat)

    def forum_group(self, title: str = "Staff room", **kwargs: Any) -> Room:
        """A forum supergroup with the bot as admin (can manage topics and delete messages)."""
        return self.group(title, forum=True, supergroup=True, **kwargs)

    def user_dict_or_none(self, user_id: int) -> dict[str, Any] | None:
        """A known user's Bot API `User` object (for text mentions in HTML)."""
        user = self.state.users.get(user_id)
        return user.to_dict() if user else None

    def chat_of(self, peer: Any) -> ChatRecord:
        """The chat behind a TelegramUser (their private chat), a Room, a record or a chat id."""
        chat_id = getattr(peer, "chat_id", None)
        if chat_id is None:
            chat_id = peer.id if isinstance(peer, ChatRecord | UserRecord) else peer
        chat = self.state.chats.get(int(chat_id))
        if chat is None:
            raise KeyError(f"no chat {chat_id} in the sandbox")
        return chat

    def bot_receives(self, chat: ChatRecord, message: MessageRecord) -> bool:
        """Privacy mode: in groups where the bot is not admin it sees commands, replies and mentions only."""
        if chat.type == PRIVATE or chat.bot_is_admin or not self.privacy_mode:
            return True
        text = message.visible_text or ""
        username = self.state.bot.username.lower()
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            return "@" not in command or command.split("@", 1)[1].lower() == username
        reply = chat.messages.get(message.reply_to_message_id or 0)
        if reply is not None and reply.from_bot and message.reply_to_message_id != message.thread_id:
            return True
        return f"@{username}" in text.lower()

    def commands_for(self, chat: ChatRecord, user_id: int, language_code: str | None) -> list[dict[str, str]]:
        """The command menu a person sees, resolved by scope and language as Telegram documents it."""
        commands = self.state.commands
        languages = [language_code[:2].lower(), ""] if language_code else [""]
        if chat.type == PRIVATE:
            scopes: list[tuple[str, int | None, int | None]] = [
                ("chat", chat.id, None),
                ("all_private_chats", None, None),
                ("default", None, None),
            ]
        else:
            admin = self.state.member_status(chat, user_id) in ("creator", "administrator")
            scopes = [("chat_member", chat.id, user_id)]
            if admin:
                scopes.append(("chat_administrators", chat.id, None))
            scopes.append(("chat", chat.id, None))
            if admin:
                scopes.append(("all_chat_administrators", None, None))
            scopes += [("all_group_chats", None, None), ("default", None, None)]
        for scope in scopes:
            for lang in languages:
                if commands.get((scope, lang)):
                    return list(commands[(scope, lang)])
        return []

    # updates -------------------------------------------------------------------------------------

    async def push_update(
        self,
        update: dict[str, Any],
        *,
        reuse_update_id: int | None = None,
        wait: bool = True,
    ) -> dict[str, Any]:
        """Deliver an update (webhook POST, or queue for getUpdates) and, with `wait`, until handled.

        Polling: returns once a getUpdates call took it, a later one confirmed it, and the bot then
        went quiet for `settle` seconds (exact with handle_as_tasks=False; with tasks, raise `settle`
        for handlers that do slow non-HTTP work). Webhook: returns once the bot answered the POST
        (exact with handle_in_background=False; else set `webhook_settle`). `reuse_update_id`
        re-sends an id to test duplicate handling.
        """
        update = {key: value for key, value in update.items() if key != "update_id"}
        update_id = reuse_update_id if reuse_update_id is not None else next(self._update_ids)
        update = {"update_id": update_id, **update}
        self.updates.append(update)
        self.stats.updates_pushed += 1
        if self.webhook is not None:
            if not self.queue.allows(update_type(update)):
                self.dropped_updates.append(update)
                return update
            await self.retry_webhook()
            await self._post_webhook(update)
            if wait and self.webhook_settle:
                await self.wait_idle()
            return update
        pending = self.queue.put(update, forced=reuse_update_id is not None)
        if not wait:
            return update
        try:
            await asyncio.wait_for(pending.fetched.wait(), self.delivery_timeout)
        except TimeoutError:
            raise AssertionError(
                f"update {update_id} ({update_type(update)}) was not fetched within {self.delivery_timeout}s: "
                "is a bot polling this fake, or has it set a webhook?"
            ) from None
        try:
            await asyncio.wait_for(pending.confirmed.wait(), self.delivery_timeout)
        except TimeoutError:
            raise AssertionError(
                f"the bot fetched update {update_id} but did not poll again within {self.delivery_timeout}s: "
                "is a handler stuck?"
            ) from None
        if pending.dropped:
            self.dropped_updates.append(update)
        else:
            await self.wait_idle()
        return update

    async def redeliver(self, update_id: int) -> dict[str, Any]:
        """Send an earlier update again with the same update_id, as Telegram does after a failed delivery."""
        original = next((u for u in reversed(self.updates) if u["update_id"] == update_id), None)
        if original is None:
            raise KeyError(f"no update {update_id} was pushed")
        return await self.push_update(original, reuse_update_id=update_id)

    async def wait_idle(self, settle: float | None = None, max_wait: float = 5.0) -> None:
        """Wait until no request is in flight and none started for `settle` seconds."""
        await self.activity.wait_idle(self.settle if settle is None else settle, max_wait)

    def polling_conflict(self) -> ApiError | None:
        """The 409 getUpdates gets while a webhook is set."""
        if self.webhook is not None:
            return conflict(
                "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
            )
        return None

    # webhook -------------------------------------------------------------------------------------

    def install_webhook(self, url: str, secret_token: str | None, max_connections: int, *, drop_pending: bool) -> None:
        """setWebhook: pending updates move to the webhook backlog (or are dropped)."""
        self.webhook = WebhookConfig(url, secret_token, max_connections)
        moved = self.queue.drop_all()
        if not drop_pending:
            self._webhook_backlog.extend(item.update for item in moved)
        else:
            self._webhook_backlog.clear()
        self.queue.notify()

    def remove_webhook(self, *, drop_pending: bool) -> None:
        """deleteWebhook: undelivered updates go back to the getUpdates queue unless dropped."""
        self.webhook = None
        backlog, self._webhook_backlog = self._webhook_backlog, []
        if drop_pending:
            self.queue.drop_all()
        else:
            for update in backlog:
                self.queue.put(update)

    def webhook_info(self) -> dict[str, Any]:
        """getWebhookInfo's WebhookInfo, including the last delivery error."""
        hook = self.webhook
        info: dict[str, Any] = {
            "url": hook.url if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._webhook_backlog) if hook else len(self.queue.pending),
        }
        if hook:
            info["max_connections"] = hook.max_connections
            info["ip_address"] = "127.0.0.1"
        if self.queue.allowed_updates:
            info["allowed_updates"] = list(self.queue.allowed_updates)
        if hook and self._last_webhook_error:
            info["last_error_date"], info["last_error_message"] = self._last_webhook_error
        return info

    async def retry_webhook(self) -> int:
        """Deliver failed webhook updates once more; returns how many the bot accepted this time."""
        if self.webhook is None or not self._webhook_backlog:
            return 0
        backlog, self._webhook_backlog = self._webhook_backlog, []
        delivered = 0
        for update in backlog:
            delivered += await self._post_webhook(update)
        return delivered

    async def _post_webhook(self, update: dict[str, Any]) -> bool:
        hook = self.webhook
        assert hook is not None and self._http is not None
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers[SECRET_HEADER] = hook.secret_token
        self.stats.webhook_posts += 1
        status: int | None = None
        description = ""
        body, content_type = b"", ""
        self.activity.begin()
        try:
            async with self._http.post(
                hook.url,
                data=_dumps(update).encode(),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.webhook_timeout),
            ) as response:
                status = response.status
                description = f"Wrong response from the webhook: {response.status} {response.reason}"
                body, content_type = await response.read(), response.headers.get("Content-Type", "")
        except (aiohttp.ClientError, TimeoutError) as error:
            description = f"Connection failed: {type(error).__name__}"
        finally:
            self.activity.end()
        if status is not None and 200 <= status < 300:
            await self._run_webhook_reply(body, content_type)
            return True
        update_id = int(update["update_id"])
        self.webhook_failures.append(WebhookFailure(update_id, status, description, self.now_datetime()))
        self._last_webhook_error = (self.now(), description)
        self._webhook_attempts[update_id] += 1
        if self._webhook_attempts[update_id] < self.webhook_max_attempts:
            self._webhook_backlog.append(update)
        else:
            self.webhook_given_up.append(update)
        return False

    async def _run_webhook_reply(self, body: bytes, content_type: str) -> None:
        """Execute a method the bot returned in its webhook answer, as Telegram does."""
        kind = content_type.split(";", 1)[0].strip().lower()
        values: dict[str, Any] = {}
        uploads: dict[str, Upload] = {}
        if kind == "application/json":
            try:
                data = json.loads(body or b"{}")
            except ValueError:
                return
            if isinstance(data, dict):
                values = data
        elif kind.startswith("multipart/"):
            message = BytesParser(_class=EmailMessage, policy=policy.HTTP).parsebytes(
                b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
            )
            assert isinstance(message, EmailMessage)
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True) or b""
                filename = part.get_filename()
                if filename:
                    uploads[name] = Upload(name, filename, payload, part.get_content_type())
                else:
                    values[name] = payload.decode()
        name = values.pop("method", None)
        if not name:
            return
        params = Params({key: coerce_value(key, value) for key, value in values.items()}, uploads)
        self.activity.begin()
        try:
            await self._execute(str(name), params=params, via="webhook_reply")
        finally:
            self.activity.end()

    # faults --------------------------------------------------------------------------------------

    async def block(self, user: Any, *, notify: bool = True) -> None:
        """The person blocks the bot: sends fail with 403 and a my_chat_member "kicked" update is sent."""
        chat = self.chat_of(user)
        if chat.blocked:
            return
        chat.blocked = True
        if notify:
            await self.push_update({"my_chat_member": self._my_chat_member(chat, "member", "kicked")})

    async def unblock(self, user: Any, *, notify: bool = True) -> None:
        """The person unblocks the bot (Telegram then reports status "member")."""
        chat = self.chat_of(user)
        if not chat.blocked:
            return
        chat.blocked = False
        if notify:
            await self.push_update({"my_chat_member": self._my_chat_member(chat, "kicked", "member")})

    def _my_chat_member(self, chat: ChatRecord, old: str, new: str) -> dict[str, Any]:
        bot = self.state.bot.user_dict()
        old_member: dict[str, Any] = {"status": old, "user": bot}
        new_member: dict[str, Any] = {"status": new, "user": bot}
        for member in (old_member, new_member):
            if member["status"] == "kicked":
                member["until_date"] = 0
        return {
            "chat": self.state.chat_dict(chat),
            "from": self.state.user_dict(chat.user_id or chat.id),
            "date": self.now(),
            "old_chat_member": old_member,
            "new_chat_member": new_member,
        }

    def _chat_key(self, chat: Any) -> int | str | None:
        if chat is None or isinstance(chat, int | str):
            return chat
        return self.chat_of(chat).id

    def flood(
        self, count: int = 1, retry_after: int = 1, *, method: str | None = None, chat_id: Any = None
    ) -> FaultRule:
        """The next `count` matching calls fail with 429 "Too Many Requests: retry after N".

        `chat_id` may be an id, a TelegramUser or a Room; without `method`, getUpdates/getMe/webhook
        calls are never hit, so polling keeps working.
        """
        return self.faults.add(flood_rule(count, retry_after, method, self._chat_key(chat_id)))

    def server_error(
        self, count: int = 1, status: int = 500, *, method: str | None = None, chat_id: Any = None
    ) -> FaultRule:
        """The next `count` matching calls fail with a 5xx (500 Internal Server Error, 502 Bad Gateway...)."""
        description = SERVER_ERRORS.get(status, "Internal Server Error")
        return self.faults.add(FaultRule(count, status, description, None, method, self._chat_key(chat_id)))

    def clear_faults(self) -> None:
        """Forget injected errors that have not fired yet."""
        self.faults.rules.clear()

    def _check_faults(self, method: str, params: Params) -> None:
        chat_id = params.values.get("chat_id")
        error = self.faults.take(method, chat_id)
        if error is not None:
            raise error
        if self.rate_limiter is not None and method in SENDING_METHODS and chat_id is not None:
            chat = self.state.find_chat(chat_id)
            wait = self.rate_limiter.check(chat.id if chat else chat_id, chat is not None and chat.type == PRIVATE)
            if wait is not None:
                self.stats.rate_limited += 1
                raise too_many_requests(wait)

    # inspection ----------------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        """Recorded calls of one method (case-insensitive)."""
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def called(self, method: str) -> bool:
        """Whether the bot ever called `method` (e.g. prove it never used forwardMessage)."""
        return bool(self.calls_to(method))

    def on_call(self, listener: Callable[[ApiCall], None]) -> None:
        """Be told after every API call (a web UI refreshes what people see from here)."""
        self.listeners.append(listener)

    # HTTP ----------------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        self.activity.begin()
        try:
            token, name = request.match_info["token"], request.match_info["method"]
            status, body = await self._execute(name, token=token, request=request)
        finally:
            self.activity.end()
        return web.json_response(body, status=status, dumps=_dumps)

    async def _execute(
        self,
        name: str,
        *,
        token: str | None = None,
        request: web.Request | None = None,
        params: Params | None = None,
        via: str = "http",
    ) -> tuple[int, dict[str, Any]]:
        spec = lookup(name)
        call = ApiCall(method=spec.name if spec else name, params={}, at=self.now_datetime(), via=via)
        self.calls.append(call)
        self.stats.calls[call.method] += 1
        try:
            if token is not None:
                match = TOKEN_PATTERN.match(token)
                if match is None:
                    raise unauthorized()
                self.state.bot.id = int(match.group(1))
            if params is None:
                assert request is not None
                params = await read_params(request)
            call.params = params.for_record()
            if spec is None:
                raise not_found()
            self._check_faults(spec.name.lower(), params)
            result = spec.handler(self, params)
            if inspect.isawaitable(result):
                result = await result
        except asyncio.CancelledError:
            call.description = "cancelled: the client went away"
            raise
        except ApiError as error:
            call.ok, call.error_code, call.description = False, error.error_code, error.description
            self.stats.errors[call.method] += 1
            self.stats.error_codes[error.error_code] += 1
            log.debug("%s -> %s", call.method, error.error_code)
            self._notify(call)
            return error.error_code, error.payload()
        except Exception as error:
            log.exception("sandbox failure in %s", call.method)
            self.internal_errors.append(error)
            call.ok, call.error_code, call.description = False, 500, f"Internal Server Error: {error!r}"
            self.stats.error_codes[500] += 1
            return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
        call.ok, call.result = True, result
        self._notify(call)
        return 200, {"ok": True, "result": result}

    def _notify(self, call: ApiCall) -> None:
        for listener in self.listeners:
            listener(call)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if TOKEN_PATTERN.match(request.match_info["token"]) is None:
            return web.json_response(unauthorized().payload(), status=401)
        path = request.match_info["path"]
        record = next((f for f in self.state.files.values() if f.path == path), None)
        if record is None:
            return web.json_response(not_found().payload(), status=404)
        data = record.data if record.data is not None else f"sandbox file {record.file_id}".encode()
        return web.Response(body=data, content_type=record.mime_type or "application/octet-stream")
