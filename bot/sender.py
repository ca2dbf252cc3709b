"""Deliver domain replies to Telegram within its limits, and survive what Telegram throws back.

Texts over 4096 characters are split at line ends; callback data is checked against 64 bytes;
``RetryAfter`` is waited out; network errors are retried with backoff; a contact who blocked the bot is
recorded (and shown in /status) instead of stopping anything.
"""

from __future__ import annotations

import asyncio
import io
import logging
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.warnings import PTBDeprecationWarning

from workflows.replies import Outcome, Reply

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_BYTES = 64
ATTEMPTS = 6
log = logging.getLogger(__name__)


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


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """Inline buttons for a reply; refuses callback data Telegram would reject."""
    if not reply.buttons:
        return None
    for row in reply.buttons:
        for button in row:
            if len(button.action.encode()) > MAX_CALLBACK_BYTES:
                raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {button.action!r}")
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.action) for b in row] for row in reply.buttons]
    )


def retry_seconds(exc: RetryAfter) -> float:
    """How long Telegram asked us to wait (PTB is moving this from int seconds to a timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


async def with_retries(call: Callable[[], Awaitable[Any]], what: str) -> Any:
    """Run one Bot API call, waiting out flood control and retrying network errors with backoff."""
    delay = 0.5
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await call()
        except RetryAfter as exc:
            wait = (
                exc.retry_after.total_seconds()
                if hasattr(exc.retry_after, "total_seconds")
                else exc.retry_after
            )
            log.info("flood control on %s: waiting %.1fs", what, wait)
            await asyncio.sleep(float(wait))
        except (TimedOut, NetworkError) as exc:
            if isinstance(exc, BadRequest | Forbidden) or attempt == ATTEMPTS:
                raise
            log.warning(
                "network error on %s (%s); retry %d in %.1fs", what, exc.__class__.__name__, attempt, delay
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30)
    raise TimedOut(f"{what}: gave up after {ATTEMPTS} attempts")


async def deliver(bot: Bot, chat_id: int, reply: Reply, on_blocked: Callable[[int], None]) -> bool:
    """Send one reply (split if long); False when the chat cannot be reached."""
    try:
        if reply.document is not None:
            caption = reply.text if len(reply.text) <= MAX_CAPTION else None
            document = InputFile(io.BytesIO(reply.document), filename=reply.filename or "report.docx")
            await with_retries(lambda: bot.send_document(chat_id, document, caption=caption), "sendDocument")
            if caption is None:
                return await deliver(bot, chat_id, Reply(reply.text, reply.buttons), on_blocked)
            return True
        pieces = split_text(reply.text)
        markup = keyboard(reply)
        for number, piece in enumerate(pieces):
            last = number == len(pieces) - 1
            await with_retries(
                lambda piece=piece, last=last: bot.send_message(
                    chat_id, piece, reply_markup=markup if last else None
                ),
                "sendMessage",
            )
        return True
    except Forbidden:
        log.info("chat %s has blocked the bot", chat_id)
        on_blocked(chat_id)
        return False
    except BadRequest as exc:
        log.error("Telegram refused a message to %s: %s", chat_id, exc.message)
        return False
    except (TimedOut, NetworkError) as exc:
        log.error("could not reach Telegram for chat %s: %s", chat_id, exc)
        return False


async def send_outcome(bot: Bot, chat_id: int, outcome: Outcome, on_blocked: Callable[[int], None]) -> None:
    """Send the replies to the acting chat, then the notifications to the others."""
    for reply in outcome.replies:
        await deliver(bot, chat_id, reply, on_blocked)
    for user_id, reply in outcome.notify:
        await deliver(bot, user_id, reply, on_blocked)
