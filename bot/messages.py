"""Domain replies as Telegram messages: texts cut at 4096 characters, captions at 1024, buttons as data.

A reply becomes one or more outbox payloads (plain JSON, so they can wait in the store); the courier
turns a payload into a Bot API call.
"""

from __future__ import annotations

import warnings
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import RetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot.callbacks import encode
from workflows.replies import Reply

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


def _buttons(reply: Reply) -> list[list[dict[str, Any]]]:
    rows = [[{"label": b.label, "data": encode(b.action)} for b in row] for row in reply.buttons]
    return [row for row in rows if row]


def payloads(reply: Reply, blob: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    """The outbox entries one reply needs (a document's bytes are kept as ``blob`` beforehand)."""
    buttons = _buttons(reply)
    if reply.document is not None:
        fits = len(reply.text) <= MAX_CAPTION
        document = {
            "blob": blob,
            "filename": reply.filename or "report.docx",
            "caption": reply.text if fits else "",
        }
        if fits:
            return [(DOCUMENT, {**document, "buttons": buttons})]
        return [(DOCUMENT, document), *payloads(Reply(reply.text, reply.buttons))]
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
        [[InlineKeyboardButton(b["label"], callback_data=b["data"]) for b in row] for row in rows]
    )


def retry_seconds(exc: RetryAfter) -> float:
    """How long Telegram asked us to wait (PTB is moving this from int seconds to a timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)
