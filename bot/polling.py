"""Long polling that confirms an update to Telegram only after it has been handled.

python-telegram-bot's Updater confirms a batch (by asking for the next offset) as soon as it has queued
it, so an update fetched just before a crash is lost. This loop asks for the next batch only when every
update of the current one has committed its unit of work; a crash before that makes Telegram deliver the
batch again, and each chat's stored ``last_update_id`` (written in the same commit as the update's
effects) recognises what was already handled. Updates of one chat are handled in order; different chats
are handled side by side, their units of work taking turns.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import replace

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application

from bot.messages import retry_seconds
from bot.runtime import Runtime, current_unit
from storage import StorageError
from workflows.i18n import normalise_lang, t
from workflows.replies import Outcome

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
HANDLING_LIMIT = 60.0  # seconds one update may take before it is treated as failed


class HandlerFailed(Exception):
    """A handler raised: its writes are rolled back and the person is told."""


def chat_of(update: Update) -> int | None:
    """The chat an update belongs to (its sender's, for a button)."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user else None


def message_id_of(update: Update) -> int:
    """The id of the message an update brings (0 for a button press)."""
    message = update.message or update.edited_message
    return message.message_id if message else 0


class Poller:
    """Fetch, handle, then confirm: one batch at a time."""

    def __init__(
        self,
        application: Application,
        runtime: Runtime,
        poll_timeout: int = 30,
        on_fatal: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.application = application
        self.runtime = runtime
        self.poll_timeout = poll_timeout
        self.on_fatal = on_fatal
        self.offset: int | None = None
        self.polls = 0
        self.handling = False
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        """Poll until stopped."""
        delay = 1.0
        while not self._stopping.is_set():
            try:
                updates = await self.application.bot.get_updates(
                    offset=self.offset, timeout=self.poll_timeout, allowed_updates=ALLOWED_UPDATES
                )
                delay = 1.0
            except RetryAfter as exc:
                await self._pause(retry_seconds(exc))
                continue
            except (InvalidToken, Conflict) as exc:  # nothing to retry: another instance, or a revoked token
                log.error("polling stopped: %s", exc.__class__.__name__)
                if self.on_fatal is not None:
                    self.on_fatal(exc)
                return
            except (TimedOut, NetworkError) as exc:
                log.warning("could not reach Telegram (%s); retrying in %.0fs", exc.__class__.__name__, delay)
                await self._pause(delay)
                delay = min(delay * 2, 60)
                continue
            finally:
                self.polls += 1
            if updates:
                self.handling = True
                try:
                    await self.handle_batch(updates)
                finally:
                    self.handling = False
                self.offset = updates[-1].update_id + 1  # the next poll confirms this batch

    async def stop(self) -> None:
        """Finish the batch in hand, then stop."""
        self._stopping.set()

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def handle_batch(self, updates: list[Update]) -> None:
        """Handle a batch: each chat's updates in order, the chats side by side."""
        by_chat: dict[int | None, list[Update]] = {}
        for update in updates:
            by_chat.setdefault(chat_of(update), []).append(update)

        async def one_chat(items: list[Update]) -> None:
            for update in items:
                await self.handle(update)

        await asyncio.gather(*(one_chat(items) for items in by_chat.values()))

    async def handle(self, update: Update) -> None:
        """Handle one update exactly once: its effects, replies and id commit together."""
        chat_id = chat_of(update)
        cause = f"update:{update.update_id}"
        if chat_id is None:
            self.runtime.mark_handled(update.update_id)
            return
        store = self.runtime.services.store
        if store.get_chat(chat_id).last_update_id >= update.update_id:
            log.info("update %s was handled before a restart; not again", update.update_id)
            self.runtime.mark_handled(update.update_id)
            await self.runtime.changed()
            return
        try:
            async with self.runtime.unit(cause) as unit:
                self._mark(unit.store, chat_id, update)
                await asyncio.wait_for(self.application.process_update(update), HANDLING_LIMIT)
                if unit.failed is not None:
                    raise HandlerFailed() from unit.failed
        except Exception as exc:
            failure = exc.__cause__ if isinstance(exc, HandlerFailed) else exc
            if isinstance(failure, StorageError):  # the disk, not a bug: one line is enough
                log.error("update %s not stored: %s", update.update_id, failure)
            else:
                log.error("update %s failed; its writes were undone", update.update_id, exc_info=failure)
            await self._refuse(update, chat_id, cause, failure)
        self.runtime.mark_handled(update.update_id)
        await self.runtime.changed()

    async def _refuse(self, update: Update, chat_id: int, cause: str, failure: BaseException) -> None:
        """Tell the person their update had no effect (through the outbox, or directly if the store fails)."""
        store = self.runtime.services.store
        contact = store.get_contact(update.effective_user.id) if update.effective_user else None
        lang = (
            contact.lang if contact else normalise_lang(getattr(update.effective_user, "language_code", None))
        )
        text = t(lang, "Sorry, something went wrong. Your saved answers are safe; please try again.")
        if isinstance(failure, StorageError):
            text = t(lang, "Not saved: the server could not store your answer. Please try again later.")
        try:
            async with self.runtime.unit(cause) as unit:
                self._mark(unit.store, chat_id, update)
                unit.send(chat_id, Outcome().say(text))
        except StorageError:
            # Nothing can be stored: say so directly; the update is confirmed as refused.
            log.error("the store refuses every write; update %s was refused", update.update_id)
            try:
                await self.application.bot.send_message(chat_id, text)
            except Exception as exc:  # best effort: the log already says why
                log.warning("could not tell chat %s either: %s", chat_id, exc.__class__.__name__)

    @staticmethod
    def _mark(store, chat_id: int, update: Update) -> None:
        chat = store.get_chat(chat_id)
        store.put_chat(
            replace(
                chat,
                last_update_id=update.update_id,
                last_message_id=max(chat.last_message_id, message_id_of(update)),
            )
        )


async def on_error(update: object, context) -> None:
    """PTB's error handler: mark the update's unit of work as failed, so that it is rolled back."""
    try:
        current_unit().failed = context.error
    except RuntimeError:  # an error outside any update (a job): just log it
        log.error("error outside an update", exc_info=context.error)
