"""A local Bot API server: the Telegram end of the wire, for the tests and the offline demo.

It speaks the HTTP Bot API that python-telegram-bot talks to (``base_url``), implements the methods the
bot uses, and enforces Telegram's documented limits: texts of at most 4096 characters, callback data of
at most 64 bytes, and HTTP 429 with ``retry_after`` when a chat or the bot sends too fast. It also plays
the people on the other side: ``send_text``, ``send_document`` and ``press`` queue updates for
``getUpdates`` (a sent document is then served by getFile and the file URL), and everything the bot
sent can be read back. Bound to 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections import defaultdict, deque
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote

from bot.offline.local_api_methods import ApiError, BotApiMethods, Limits, Sent

JSON_FIELDS = {"reply_markup", "commands", "scope", "allowed_updates", "entities", "link_preview_options"}


class LocalBotApi(BotApiMethods):
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
        self._message_ids: defaultdict[int, itertools.count] = defaultdict(lambda: itertools.count(1))
        self._callback_ids = itertools.count(1)
        self._recent: dict[int, deque] = defaultdict(deque)
        self._recent_all: deque = deque()
        self.sent: list[Sent] = []
        self.by_id: dict[
            tuple[int, int], Sent
        ] = {}  # (chat, message id): in private chats ids count per chat
        self.user_messages: set[tuple[int, int]] = set()
        self.typed: dict[int, dict[str, Any]] = {}  # each chat's newest message from a person
        self.files: dict[str, tuple[str, bytes]] = {}
        self.uploads: dict[str, str] = {}  # file id of a document a person sent -> its file path
        self.commands: dict[str, list[dict[str, str]]] = {}
        self.blocked: set[int] = set()
        self.users: dict[int, dict[str, Any]] = {}
        self.rejected: list[tuple[str, int, str]] = []
        self.calls: defaultdict[str, int] = defaultdict(int)
        self.failures: defaultdict[str, int] = defaultdict(int)  # method -> how many calls answer 502
        self.lost_answers: defaultdict[str, int] = defaultdict(int)  # method -> calls done, answer never sent
        self.down_until: dict[str, float] = {}  # method -> monotonic time until which it answers 502
        self.delays: dict[str, float] = {}  # method -> seconds to wait before answering (after doing it)
        # Callables (method, params, when, result), when "received" (return "drop" to cut the request
        # off unprocessed), "done" (processed, not yet answered) or "answered": for tests that kill the bot.
        self.hooks: list = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Lifecycle --------------------------------------------------------------------------------------
    def start(self) -> str:
        """Start serving on a free port; returns the ``base_url`` for python-telegram-bot."""
        api = self

        class Handler(BaseHTTPRequestHandler):
            # Headers and body go out in two writes: with Nagle's algorithm on, the body waits for the
            # client's delayed ACK (40 ms a call on Linux), as Telegram's own servers never make anyone wait.
            disable_nagle_algorithm = True

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

    def outage(self, seconds: float, *methods: str) -> None:
        """Answer 502 Bad Gateway to these methods (default: sending) for a while, as a broken proxy does."""
        until = time.monotonic() + seconds
        for method in methods or ("sendMessage", "sendDocument"):
            self.down_until[method] = until

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

    def send_text(self, user_id: int, text: str, group: int | None = None) -> int:
        """The person types ``text`` in their private chat with the bot (or in the group chat ``group``)."""
        sender = self.users.get(user_id) or self.user(user_id, f"user{user_id}")
        chat_id = group if group is not None else user_id
        message_id = next(self._message_ids[chat_id])
        self.user_messages.add((chat_id, message_id))
        chat = (
            {"id": group, "type": "group", "title": "科室群"}
            if group is not None
            else {"id": user_id, "type": "private", "first_name": sender["first_name"]}
        )
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": sender,
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        self.typed[chat_id] = message
        return self._push({"message": message})

    def edit_text(self, user_id: int, text: str, message_id: int | None = None) -> int:
        """The person edits a message they sent (default: their newest) to read ``text``."""
        original = self.typed[user_id]
        if message_id is not None and message_id != original["message_id"]:
            original = {**original, "message_id": message_id}
        edited = {**original, "text": text, "edit_date": int(time.time())}
        edited.pop("entities", None)
        return self._push({"edited_message": edited})

    def last_typed(self, chat_id: int) -> int:
        """The message id of what the person last typed in ``chat_id``."""
        return self.typed[chat_id]["message_id"]

    def send_document(
        self, user_id: int, filename: str, data: bytes, mime_type: str | None = None, caption: str = ""
    ) -> int:
        """The person sends a file in their private chat; the bot fetches it with getFile and its file URL."""
        sender = self.users.get(user_id) or self.user(user_id, f"user{user_id}")
        message_id = next(self._message_ids[user_id])
        self.user_messages.add((user_id, message_id))
        file_id = f"up{user_id}_{message_id}"
        with self._lock:
            self.uploads[file_id] = f"uploads/{user_id}_{message_id}/{filename}"
            self.files[self.uploads[file_id]] = (filename, data)
        document: dict[str, Any] = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": filename,
            "file_size": len(data),
        }
        if mime_type:
            document["mime_type"] = mime_type
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": sender,
            "chat": {"id": user_id, "type": "private", "first_name": sender["first_name"]},
            "date": int(time.time()),
            "document": document,
        }
        if caption:
            message["caption"] = caption
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
        path = unquote(handler.path.split("?")[0])  # clients may percent-encode the token's ":"
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
        with self._lock:
            failing = self.failures[method] > 0 or time.monotonic() < self.down_until.get(method, 0.0)
            self.failures[method] -= self.failures[method] > 0
        if failing:  # a proxy or network hiccup between the bot and Telegram
            self._respond_json(handler, 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
            return
        params: dict[str, Any] = {}
        try:
            params = self._params(handler, body)
            if any(hook(method, params, "received", None) == "drop" for hook in list(self.hooks)):
                handler.close_connection = True  # the request never reached "Telegram"
                return
            result = getattr(self, f"_api_{method}", None)
            if result is None:
                raise ApiError(404, f"Not Found: method {method} is not implemented here")
            payload: dict[str, Any] = {"ok": True, "result": result(params)}
            status = 200
            for hook in list(self.hooks):
                hook(method, params, "done", payload["result"])
        except ApiError as exc:
            status, payload = exc.code, {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.retry_after is not None:
                payload["parameters"] = {"retry_after": exc.retry_after}
        with self._lock:
            lose = self.lost_answers[method] > 0
            self.lost_answers[method] -= lose
        if lose:  # the work is done, but the answer never reaches the bot
            handler.close_connection = True
            with contextlib.suppress(OSError):
                handler.connection.shutdown(2)
            return
        if method in self.delays:
            time.sleep(self.delays[method])
        self._respond_json(handler, status, payload)
        for hook in list(self.hooks):
            hook(method, params, "answered", payload.get("result"))

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
