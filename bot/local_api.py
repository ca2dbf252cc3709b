"""A local Bot API server: the Telegram end of the wire, for the tests and the offline demo.

It speaks the HTTP Bot API that python-telegram-bot talks to (``base_url``), implements the methods the
bot uses, and enforces Telegram's documented limits: texts of at most 4096 characters, callback data of
at most 64 bytes, and HTTP 429 with ``retry_after`` when a chat or the bot sends too fast. It also plays
the people on the other side: ``send_text`` and ``press`` queue updates for ``getUpdates``, and
everything the bot sent can be read back. Bound to 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

JSON_FIELDS = {"reply_markup", "commands", "scope", "allowed_updates", "entities", "link_preview_options"}


class ApiError(Exception):
    """A Bot API error response."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


@dataclass
class Sent:
    """A message the bot sent (or last edited)."""

    message_id: int
    chat_id: int
    text: str
    buttons: list[list[dict[str, str]]] = field(default_factory=list)
    document: bytes | None = None
    filename: str | None = None
    at: float = 0.0
    edits: int = 0


@dataclass
class Limits:
    """Flood limits: messages per chat and per bot in a sliding second (Telegram: about 1 and 30)."""

    per_chat: int = 5
    overall: int = 30
    retry_after: int = 1


class LocalBotApi:
    """A Bot API server on 127.0.0.1 with scripted users; start(), use, stop()."""

    def __init__(
        self,
        token: str = "1234567:LOCAL-TEST-TOKEN",
        username: str = "reportbot_local_bot",
        limits: Limits | None = None,
    ) -> None:
        self.token = token
        self.username = username
        self.limits = limits or Limits()
        self.bot_id = int(token.split(":")[0])
        self._lock = threading.Condition()
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._recent: dict[int, deque] = defaultdict(deque)
        self._recent_all: deque = deque()
        self.sent: list[Sent] = []
        self.by_id: dict[int, Sent] = {}
        self.files: dict[str, tuple[str, bytes]] = {}
        self.commands: dict[str, list[dict[str, str]]] = {}
        self.blocked: set[int] = set()
        self.users: dict[int, dict[str, Any]] = {}
        self.rejected: list[tuple[str, int, str]] = []
        self.calls: defaultdict[str, int] = defaultdict(int)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Lifecycle --------------------------------------------------------------------------------------
    def start(self) -> str:
        """Start serving on a free port; returns the ``base_url`` for python-telegram-bot."""
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                api._serve(self, b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                api._serve(self, self.rfile.read(length))

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="local-bot-api", daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving and release waiting long polls."""
        with self._lock:
            self._lock.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/bot`` (the token is appended by the client)."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    @property
    def file_url(self) -> str:
        """Where files are downloaded from."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/file/bot"

    # People on the other side -----------------------------------------------------------------------
    def user(self, user_id: int, first_name: str, language_code: str = "zh-hans") -> dict[str, Any]:
        """Register a person who will write to the bot."""
        self.users[user_id] = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }
        return self.users[user_id]

    def _push(self, update: dict[str, Any]) -> int:
        with self._lock:
            update["update_id"] = next(self._update_ids)
            self._updates.append(update)
            self._lock.notify_all()
            return update["update_id"]

    def send_text(self, user_id: int, text: str) -> int:
        """The person types ``text`` in their private chat with the bot."""
        sender = self.users.get(user_id) or self.user(user_id, f"user{user_id}")
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "from": sender,
            "chat": {"id": user_id, "type": "private", "first_name": sender["first_name"]},
            "date": int(time.time()),
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self._push({"message": message})

    def press(self, user_id: int, label: str, message: Sent | None = None) -> int:
        """The person presses the button labelled ``label`` on ``message`` (default: the last with it)."""
        message = message or self.last_with_button(user_id, label)
        data = next(b["callback_data"] for row in message.buttons for b in row if b["text"] == label)
        sender = self.users.get(user_id) or self.user(user_id, f"user{user_id}")
        return self._push(
            {
                "callback_query": {
                    "id": str(next(self._callback_ids)),
                    "from": sender,
                    "chat_instance": str(user_id),
                    "data": data,
                    "message": self._message_json(message),
                }
            }
        )

    def last_with_button(self, chat_id: int, label: str) -> Sent:
        """The newest message to ``chat_id`` that still shows a button labelled ``label``."""
        with self._lock:
            for message in reversed(self.sent):
                if message.chat_id == chat_id and any(
                    b["text"] == label for row in message.buttons for b in row
                ):
                    return message
        raise LookupError(f"no message to {chat_id} has a button {label!r}")

    def messages_to(self, chat_id: int) -> list[Sent]:
        """Everything the bot sent to one chat, oldest first."""
        with self._lock:
            return [m for m in self.sent if m.chat_id == chat_id]

    # The HTTP side ----------------------------------------------------------------------------------
    def _serve(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        path = handler.path.split("?")[0]
        prefix, file_prefix = f"/bot{self.token}/", f"/file/bot{self.token}/"
        if path.startswith(file_prefix):
            entry = self.files.get(path[len(file_prefix) :])
            self._respond(
                handler,
                200 if entry else 404,
                entry[1] if entry else b"not found",
                "application/octet-stream",
            )
            return
        if not path.startswith(prefix):
            self._respond_json(handler, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        method = path[len(prefix) :]
        self.calls[method] += 1
        try:
            params = self._params(handler, body)
            result = getattr(self, f"_api_{method}", None)
            if result is None:
                raise ApiError(404, f"Not Found: method {method} is not implemented here")
            self._respond_json(handler, 200, {"ok": True, "result": result(params)})
        except ApiError as exc:
            payload: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.retry_after is not None:
                payload["parameters"] = {"retry_after": exc.retry_after}
            self._respond_json(handler, exc.code, payload)

    def _params(self, handler: BaseHTTPRequestHandler, body: bytes) -> dict[str, Any]:
        kind = handler.headers.get("Content-Type", "")
        params: dict[str, Any] = {}
        if kind.startswith("multipart/form-data"):
            message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {kind}\r\n\r\n".encode() + body)
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                filename = part.get_filename()
                payload = part.get_payload(decode=True)
                params[name] = (filename, payload) if filename else payload.decode("utf-8")
        elif kind.startswith("application/json"):
            params = json.loads(body or b"{}")
        else:
            params = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        for key in JSON_FIELDS & params.keys():
            if isinstance(params[key], str):
                params[key] = json.loads(params[key])
        return params

    def _respond_json(self, handler: BaseHTTPRequestHandler, status: int, payload: dict[str, Any]) -> None:
        self._respond(handler, status, json.dumps(payload, ensure_ascii=False).encode(), "application/json")

    @staticmethod
    def _respond(handler: BaseHTTPRequestHandler, status: int, body: bytes, kind: str) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client stopped waiting
            handler.wfile.write(body)

    # Limits -----------------------------------------------------------------------------------------
    def _admit(self, chat_id: int, method: str) -> None:
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        now = time.monotonic()
        recent, overall = self._recent[chat_id], self._recent_all
        for queue in (recent, overall):
            while queue and now - queue[0] > 1.0:
                queue.popleft()
        if len(recent) >= self.limits.per_chat or len(overall) >= self.limits.overall:
            self.rejected.append((method, chat_id, "429"))
            raise ApiError(
                429, f"Too Many Requests: retry after {self.limits.retry_after}", self.limits.retry_after
            )
        recent.append(now)
        overall.append(now)

    @staticmethod
    def _check_text(text: str, what: str = "message") -> None:
        if not text.strip():
            raise ApiError(400, f"Bad Request: {what} text is empty")
        if len(text) > 4096:
            raise ApiError(400, f"Bad Request: {what} is too long")

    @staticmethod
    def _check_markup(markup: dict[str, Any] | None) -> list[list[dict[str, str]]]:
        rows = (markup or {}).get("inline_keyboard", [])
        for row in rows:
            for button in row:
                if len(button.get("callback_data", "").encode()) > 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return rows

    def _message_json(self, message: Sent) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "from": {"id": self.bot_id, "is_bot": True, "first_name": "reportbot", "username": self.username},
            "chat": {"id": message.chat_id, "type": "private"},
            "date": int(message.at),
        }
        if message.document is not None:
            data["document"] = {
                "file_id": f"doc{message.message_id}",
                "file_unique_id": f"u{message.message_id}",
                "file_name": message.filename,
                "file_size": len(message.document),
            }
            if message.text:
                data["caption"] = message.text
        else:
            data["text"] = message.text
        if message.buttons:
            data["reply_markup"] = {"inline_keyboard": message.buttons}
        return data

    # Bot API methods --------------------------------------------------------------------------------
    def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "reportbot",
            "username": self.username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        return True

    def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 30.0)
        with self._lock:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and time.monotonic() < deadline and self._server is not None:
                self._lock.wait(timeout=max(0.0, deadline - time.monotonic()))
            return list(self._updates[: int(params.get("limit") or 100)])

    def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, text = int(params["chat_id"]), str(params.get("text", ""))
        self._check_text(text)
        buttons = self._check_markup(params.get("reply_markup"))
        with self._lock:
            self._admit(chat_id, "sendMessage")
            message = Sent(next(self._message_ids), chat_id, text, buttons, at=time.time())
            self.sent.append(message)
            self.by_id[message.message_id] = message
            self._lock.notify_all()
        return self._message_json(message)

    def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        text = str(params.get("text", ""))
        self._check_text(text)
        buttons = self._check_markup(params.get("reply_markup"))
        with self._lock:
            message = self.by_id.get(int(params.get("message_id") or 0))
            if message is None or message.chat_id != int(params.get("chat_id") or 0):
                raise ApiError(400, "Bad Request: message to edit not found")
            message.text, message.buttons, message.edits = text, buttons, message.edits + 1
        return self._message_json(message)

    def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        return True

    def _api_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        document = params.get("document")
        if not isinstance(document, tuple):
            raise ApiError(400, "Bad Request: there is no document in the request")
        caption = str(params.get("caption") or "")
        if len(caption) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        filename, payload = document
        with self._lock:
            self._admit(chat_id, "sendDocument")
            message = Sent(
                next(self._message_ids),
                chat_id,
                caption,
                self._check_markup(params.get("reply_markup")),
                payload,
                filename,
                time.time(),
            )
            self.sent.append(message)
            self.by_id[message.message_id] = message
            self.files[f"documents/{message.message_id}/{filename}"] = (filename, payload)
            self._lock.notify_all()
        return self._message_json(message)

    def _api_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params.get("file_id", ""))
        message_id = int(file_id.removeprefix("doc") or 0) if file_id.startswith("doc") else 0
        message = self.by_id.get(message_id)
        if message is None or message.document is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": f"u{message_id}",
            "file_size": len(message.document),
            "file_path": f"documents/{message_id}/{message.filename}",
        }

    def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands") or []
        for command in commands:
            if not 1 <= len(command["command"]) <= 32 or not 1 <= len(command["description"]) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        scope = params.get("scope") or {"type": "default"}
        key = scope["type"] + (f":{scope['chat_id']}" if "chat_id" in scope else "")
        with self._lock:
            self.commands[key] = commands
        return True
