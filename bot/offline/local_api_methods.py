"""The Bot API methods the local server implements, with Telegram's documented limits."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


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


# For scenarios that are not about flood control: every wait in them is then a bug, not Telegram.
UNLIMITED = Limits(per_chat=10**9, overall=10**9)


class BotApiMethods:
    """getMe, getUpdates, sendMessage, editMessageText, editMessageReplyMarkup, answerCallbackQuery,
    sendDocument, getFile, setMyCommands, deleteWebhook — over the state a ``LocalBotApi`` holds."""

    token: str
    username: str
    bot_id: int
    limits: Limits
    _lock: threading.Condition
    _updates: list[dict[str, Any]]
    _recent: dict[int, deque]
    _recent_all: deque
    sent: list[Sent]
    by_id: dict[tuple[int, int], Sent]
    user_messages: set[tuple[int, int]]
    files: dict[str, tuple[str, bytes]]
    uploads: dict[str, str]
    commands: dict[str, list[dict[str, str]]]
    blocked: set[int]
    rejected: list[tuple[str, int, str]]
    _message_ids: Any
    _server: Any

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
                if "web_app" in button:  # a Mini App opens over HTTPS only
                    url = str((button["web_app"] or {}).get("url", ""))
                    if not url.startswith("https://"):
                        raise ApiError(
                            400,
                            f"Bad Request: inline keyboard button Web App URL '{url}' is invalid: Only "
                            "HTTPS links are allowed",
                        )
                elif len(button.get("callback_data", "").encode()) > 64:
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
                "file_id": f"doc{message.chat_id}_{message.message_id}",
                "file_unique_id": f"u{message.chat_id}_{message.message_id}",
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
            message = Sent(next(self._message_ids[chat_id]), chat_id, text, buttons, at=time.time())
            self.sent.append(message)
            self.by_id[(chat_id, message.message_id)] = message
            self._lock.notify_all()
        return self._message_json(message)

    def _editable(self, params: dict[str, Any]) -> Sent:
        chat_id, message_id = int(params.get("chat_id") or 0), int(params.get("message_id") or 0)
        message = self.by_id.get((chat_id, message_id))
        if message is None:
            if (chat_id, message_id) in self.user_messages:
                raise ApiError(400, "Bad Request: message can't be edited")
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        text = str(params.get("text", ""))
        self._check_text(text)
        buttons = self._check_markup(params.get("reply_markup"))
        with self._lock:
            message = self._editable(params)
            if (message.text, message.buttons) == (text, buttons):
                raise ApiError(400, NOT_MODIFIED)
            message.text, message.buttons, message.edits = text, buttons, message.edits + 1
        return self._message_json(message)

    def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        buttons = self._check_markup(params.get("reply_markup"))
        with self._lock:
            message = self._editable(params)
            if message.buttons == buttons:
                raise ApiError(400, NOT_MODIFIED)
            message.buttons, message.edits = buttons, message.edits + 1
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
                next(self._message_ids[chat_id]),
                chat_id,
                caption,
                self._check_markup(params.get("reply_markup")),
                payload,
                filename,
                time.time(),
            )
            self.sent.append(message)
            self.by_id[(chat_id, message.message_id)] = message
            self.files[f"documents/{chat_id}_{message.message_id}/{filename}"] = (filename, payload)
            self._lock.notify_all()
        return self._message_json(message)

    def _api_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params.get("file_id", ""))
        if file_id in self.uploads:  # a document a person sent
            path = self.uploads[file_id]
            return {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_size": len(self.files[path][1]),
                "file_path": path,
            }
        chat, _, number = file_id.removeprefix("doc").partition("_")
        key = (
            (int(chat), int(number))
            if file_id.startswith("doc") and chat.lstrip("-").isdigit() and number.isdigit()
            else None
        )
        message = self.by_id.get(key) if key else None
        if message is None or message.document is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(message.document),
            "file_path": f"documents/{key[0]}_{key[1]}/{message.filename}",
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
