"""Domain replies as Telegram messages: texts cut at 4096 characters, captions at 1024, buttons as data.

A reply becomes one or more outbox payloads (plain JSON, so they can wait in the store); the courier
turns a payload into a Bot API call.
"""

from __future__ import annotations

import warnings
from typing import Any
from urllib.parse import urlencode

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo
from telegram.error import RetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot.callbacks import encode
from workflows.replies import FORM, Action, Button, Reply

MAX_TEXT = 4096
MAX_CAPTION = 1024
TEXT, DOCUMENT, EDIT, ANSWER, COMMANDS = "text", "document", "edit", "answer", "commands"
SENDS = (TEXT, DOCUMENT)  # not idempotent: never repeated blindly after an answer was lost


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut a text into pieces of at most ``limit`` characters, preferring line ends."""
    pieces: list[str] = []
    rest = text or " "
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else limit
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    pieces.append(rest)
    return pieces


def form_link(form_url: str, action: Action) -> str:
    """The form's address for a ``form`` action: the configured URL, with the cycle it is for."""
    return form_url + (f"?{urlencode({'cycle': action.args[0]})}" if action.args else "")


def _button(button: Button, form_url: str | None) -> dict[str, Any] | None:
    if button.action.name != FORM:
        return {"label": button.label, "data": encode(button.action)}
    # The form opens as a Mini App where the configuration offers one; elsewhere the chat flow stays.
    return {"label": button.label, "web_app": form_link(form_url, button.action)} if form_url else None


def _buttons(reply: Reply, form_url: str | None) -> list[list[dict[str, Any]]]:
    rows = [[shown for b in row if (shown := _button(b, form_url))] for row in reply.buttons]
    return [row for row in rows if row]


def payloads(
    reply: Reply, blob: str | None = None, form_url: str | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """The outbox entries one reply needs (a document's bytes are kept as ``blob`` beforehand).

    ``form_url`` is where a form button leads (None: no form is offered, and its buttons are left out)."""
    buttons = _buttons(reply, form_url)
    if reply.document is not None:
        fits = len(reply.text) <= MAX_CAPTION
        document = {
            "blob": blob,
            "filename": reply.filename or "report.docx",
            "caption": reply.text if fits else "",
        }
        if fits:
            return [(DOCUMENT, {**document, "buttons": buttons})]
        return [(DOCUMENT, document), *payloads(Reply(reply.text, reply.buttons), form_url=form_url)]
    pieces = split_text(reply.text)
    return [
        (TEXT, {"text": piece, "buttons": buttons if n == len(pieces) - 1 else []})
        for n, piece in enumerate(pieces)
    ]


def markup(payload: dict[str, Any]) -> InlineKeyboardMarkup | None:
    """The inline keyboard of a payload, if it has buttons."""
    rows = payload.get("buttons") or []
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b["label"], web_app=WebAppInfo(b["web_app"]))
                if "web_app" in b
                else InlineKeyboardButton(b["label"], callback_data=b["data"])
                for b in row
            ]
            for row in rows
        ]
    )


def retry_seconds(exc: RetryAfter) -> float:
    """How long Telegram asked us to wait (PTB is moving this from int seconds to a timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)
