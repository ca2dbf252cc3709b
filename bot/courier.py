"""The courier: delivers the outbox to Telegram within its limits, losing nothing and sending nothing twice.

A delivery is due until Telegram accepts it (it is then marked sent, with its message id) or answers
that it can never be delivered (blocked, chat not found). Flood control and network failures before a
request reached Telegram are retried with backoff. A send whose answer was lost (a read timeout, a 5xx,
a dropped connection, a crash mid-call) may or may not have arrived: it is not repeated blindly. The
courier first looks for it, trying to set the same keyboard on the message ids that follow the chat's
newest known message: Telegram answers "message is not modified" for the message it is (found: marked
sent), "message to edit not found" past the chat's last message (never arrived: sent now).

Messages to one chat leave in order, one at a time. Across chats the next message goes to the chat
with the most urgent work (replies before notices before broadcasts), paced under Telegram's overall
limit, with a second between messages to one chat except for direct replies.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import io
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

import httpx
from aiolimiter import AsyncLimiter
from telegram import Bot, BotCommand, BotCommandScopeChat, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.messages import ANSWER, COMMANDS, DOCUMENT, EDIT, SENDS, TEXT, markup, retry_seconds
from bot.runtime import Runtime, Unit
from storage import StorageError
from storage.records import DUE, FAILED, REPLY, SENT, Delivery

log = logging.getLogger(__name__)
UNKNOWN = object()  # a probe that could not tell


@dataclass(frozen=True)
class Pace:
    """How fast and how stubbornly to deliver (Telegram: about 30 messages a second, 1 per chat)."""

    per_second: float = 29.0  # a hair under 30, so that no sliding second ever holds 31
    per_chat_seconds: float = 1.0
    workers: int = 16
    retry_base: float = 0.5
    retry_max: float = 60.0
    give_up_after: timedelta = timedelta(days=3)
    answer_within: timedelta = timedelta(seconds=15)  # a button's spinner is useless after that


@dataclass(frozen=True)
class Result:
    """How one attempt ended."""

    state: str  # SENT, FAILED or DUE (try again)
    message_id: int | None = None
    detail: str | None = None
    delay: float = 0.0
    uncertain: bool = False  # the request may have reached Telegram
    blocked: bool = False


def classify(exc: Exception, idempotent: bool) -> Result:
    """What a Bot API error means for a delivery."""
    if isinstance(exc, RetryAfter):
        return Result(DUE, detail="flood control", delay=retry_seconds(exc))
    if isinstance(exc, Forbidden):
        return Result(FAILED, detail=f"forbidden: {exc.message}", blocked=True)
    if isinstance(exc, BadRequest):
        return Result(FAILED, detail=exc.message)
    cause = exc.__cause__
    never_sent = isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout) or (
        isinstance(exc, TimedOut) and "Pool timeout" in str(exc)
    )
    return Result(DUE, detail=f"{exc.__class__.__name__}: {exc}", uncertain=not (never_sent or idempotent))


class Courier:
    """Sends what the outbox holds; one per bot."""

    def __init__(self, runtime: Runtime, bot: Bot, pace: Pace | None = None) -> None:
        self.runtime = runtime
        self.bot = bot
        self.pace = pace or Pace()
        self.store = runtime.services.store
        self.queues: dict[int, list[Delivery]] = {}
        self.groups: Counter[str] = Counter()
        self.on_finished: list[Callable[[Unit, Delivery, int], None]] = []  # (unit, delivery, left in group)
        self._busy: set[int] = set()
        self._not_before: dict[int, float] = {}
        self._ready: list[tuple[int, int, int]] = []
        self._delayed: list[tuple[float, int]] = []
        self._wake = asyncio.Event()
        self._tasks: set[asyncio.Task] = set()
        self._unrecorded: dict[int, Result] = {}  # delivery id -> an outcome the store refused to keep
        self._record_failures: dict[int, int] = {}  # chat id -> records refused in a row
        self._limiter = AsyncLimiter(1, 1 / self.pace.per_second) if self.pace.per_second else None
        self._stopping = False
        runtime.on_commit.append(lambda unit: self.add(unit.deliveries))

    # Queues -----------------------------------------------------------------------------------------
    def add(self, deliveries: list[Delivery]) -> None:
        """Take newly committed deliveries (or, at start-up, every pending one)."""
        for delivery in sorted(deliveries, key=lambda d: d.id):
            self.queues.setdefault(delivery.chat_id, []).append(delivery)
            if delivery.group:
                self.groups[delivery.group] += 1
            self._push(delivery.chat_id)
        if deliveries:
            self._wake.set()

    def pending(self) -> int:
        """How many deliveries are not yet finished."""
        return sum(len(queue) for queue in self.queues.values())

    def _push(self, chat_id: int) -> None:
        queue = self.queues.get(chat_id)
        if not queue or chat_id in self._busy:
            return
        at = self._not_before.get(chat_id, 0.0)
        if at > asyncio.get_running_loop().time():
            heapq.heappush(self._delayed, (at, chat_id))
        else:
            heapq.heappush(self._ready, (min(d.priority for d in queue), queue[0].id, chat_id))

    def _next_chat(self) -> int | None:
        now = asyncio.get_running_loop().time()
        while self._delayed and self._delayed[0][0] <= now:
            self._push(heapq.heappop(self._delayed)[1])
        while self._ready:
            _priority, head, chat_id = heapq.heappop(self._ready)
            queue = self.queues.get(chat_id)
            if chat_id in self._busy or not queue or queue[0].id != head:
                continue  # stale entry: the chat moved on
            if self._not_before.get(chat_id, 0.0) > now:
                heapq.heappush(self._delayed, (self._not_before[chat_id], chat_id))
                continue
            return chat_id
        return None

    # The loop ---------------------------------------------------------------------------------------
    async def run(self) -> None:
        """Deliver until stopped."""
        slots = asyncio.Semaphore(self.pace.workers)
        while not self._stopping:
            chat_id = self._next_chat()
            if chat_id is None:
                self._wake.clear()
                wait = self._delayed[0][0] - asyncio.get_running_loop().time() if self._delayed else None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), wait)
                continue
            self._busy.add(chat_id)
            await slots.acquire()
            if self._limiter is not None:
                await self._limiter.acquire()
            task = asyncio.create_task(self._deliver(chat_id))
            self._tasks.add(task)
            task.add_done_callback(lambda t: (self._tasks.discard(t), slots.release()))

    async def stop(self, timeout: float = 10) -> None:
        """Stop taking new work and let sends in flight finish."""
        self._stopping = True
        self._wake.set()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)

    async def _deliver(self, chat_id: int) -> None:
        delivery = self.queues[chat_id][0]
        try:
            # An attempt whose outcome could not be written is not made again: only its record is.
            result = self._unrecorded.pop(delivery.id, None) or await self._attempt(delivery)
        except StorageError as exc:  # a full disk: nothing was sent; try again later
            log.error("delivery %s to %s waits: %s", delivery.id, chat_id, exc)
            result = Result(DUE, detail=str(exc), delay=self.pace.retry_max)
        except Exception as exc:  # a bug must not stop the courier; the delivery stays due
            log.exception("delivery %s to %s failed unexpectedly", delivery.id, chat_id)
            result = Result(
                DUE, detail=repr(exc), delay=self.pace.retry_max, uncertain=delivery.kind in SENDS
            )
        try:
            await self._record(self.queues[chat_id][0], result)
            self._record_failures.pop(chat_id, None)
        except StorageError as exc:  # a full disk: keep the outcome in memory, record it when there is room
            log.error("could not record delivery %s: %s", delivery.id, exc)
            self._unrecorded[delivery.id] = result
            failures = self._record_failures[chat_id] = self._record_failures.get(chat_id, 0) + 1
            # Soon, and sooner than a send's backoff: everything else for this chat waits behind it.
            delay = min(self.pace.retry_base * 2 ** (failures - 1), self.pace.retry_max)
            self._not_before[chat_id] = asyncio.get_running_loop().time() + delay
        except Exception:
            log.exception("could not record delivery %s", delivery.id)
            self._not_before[chat_id] = asyncio.get_running_loop().time() + self.pace.retry_max
        finally:
            self._busy.discard(chat_id)
            self._push(chat_id)
            self._wake.set()

    # One attempt ------------------------------------------------------------------------------------
    async def _attempt(self, delivery: Delivery) -> Result:
        if (
            delivery.kind == ANSWER
            and self.runtime.services.now() - delivery.created_at > self.pace.answer_within
        ):
            return Result(FAILED, detail="too late to answer the button")
        if delivery.kind in SENDS:
            if delivery.in_flight:
                found = await self._probe(delivery)
                if found is UNKNOWN:
                    return Result(
                        DUE,
                        detail="could not check an earlier attempt",
                        delay=self._backoff(delivery),
                        uncertain=True,
                    )
                if found is not None:
                    log.info("delivery %s had arrived as message %s", delivery.id, found)
                    return Result(SENT, message_id=found)
            await self._mark_in_flight(delivery)
        try:
            message_id = await self._call(self.queues[delivery.chat_id][0])
        except TelegramError as exc:
            result = classify(exc, delivery.kind not in SENDS)
            if result.state == DUE and not result.delay:
                result = replace(result, delay=self._backoff(delivery))
            if result.state == FAILED and delivery.kind == EDIT and "not modified" in (result.detail or ""):
                return Result(SENT)
            return result
        return Result(SENT, message_id=message_id)

    async def _mark_in_flight(self, delivery: Delivery) -> None:
        async with self.runtime.unit(delivery.cause or "") as unit:
            after = unit.store.get_chat(delivery.chat_id).last_message_id
            marked = replace(delivery, in_flight=True, after_message=after)
            unit.store.put_delivery(marked)
        self.queues[delivery.chat_id][0] = marked

    async def _call(self, delivery: Delivery) -> int | None:
        payload, chat_id = delivery.payload, delivery.chat_id
        if delivery.kind == TEXT:
            message = await self.bot.send_message(chat_id, payload["text"], reply_markup=markup(payload))
            return message.message_id
        if delivery.kind == DOCUMENT:
            data = self.store.get_blob(payload["blob"])
            document = InputFile(io.BytesIO(data), filename=payload["filename"])
            message = await self.bot.send_document(
                chat_id, document, caption=payload.get("caption") or None, reply_markup=markup(payload)
            )
            return message.message_id
        if delivery.kind == EDIT:
            await self.bot.edit_message_text(
                payload["text"], chat_id, payload["message_id"], reply_markup=markup(payload)
            )
            return None
        if delivery.kind == ANSWER:
            await self.bot.answer_callback_query(payload["query_id"], text=payload.get("text") or None)
            return None
        if delivery.kind == COMMANDS:
            commands = [BotCommand(name, description) for name, description in payload["commands"]]
            await self.bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
            return None
        raise ValueError(f"unknown delivery kind {delivery.kind!r}")

    async def _probe(self, delivery: Delivery) -> object:
        """Look for an earlier attempt's message: its id, None if it never came, UNKNOWN if unclear."""
        ours = {d.message_id for d in self.store.recent_deliveries(delivery.chat_id) if d.message_id}
        keyboard = markup(delivery.payload) or InlineKeyboardMarkup([])
        candidate = delivery.after_message
        for _ in range(50):
            candidate += 1
            if candidate in ours:
                continue
            try:
                await self.bot.edit_message_reply_markup(delivery.chat_id, candidate, reply_markup=keyboard)
            except BadRequest as exc:
                text = exc.message.lower()
                if "not modified" in text:
                    return candidate
                if "not found" in text:
                    return None
            except (TimedOut, NetworkError):
                return UNKNOWN
        return UNKNOWN

    def _backoff(self, delivery: Delivery) -> float:
        return min(self.pace.retry_base * 2**delivery.attempts, self.pace.retry_max)

    # Recording --------------------------------------------------------------------------------------
    async def _record(self, delivery: Delivery, result: Result) -> None:
        loop = asyncio.get_running_loop()
        chat_id = delivery.chat_id
        async with self.runtime.unit(delivery.cause or "") as unit:
            now = unit.now
            if result.state == DUE and now - delivery.created_at > self.pace.give_up_after:
                result = Result(
                    FAILED, detail=f"gave up after {delivery.attempts + 1} attempts: {result.detail}"
                )
            if result.state == DUE:
                updated = replace(
                    delivery,
                    attempts=delivery.attempts + 1,
                    in_flight=result.uncertain,
                    due_at=now + timedelta(seconds=result.delay),
                    detail=result.detail,
                )
            else:
                updated = replace(
                    delivery,
                    state=result.state,
                    in_flight=False,
                    message_id=result.message_id,
                    finished_at=now,
                    detail=result.detail,
                )
            unit.store.put_delivery(updated)
            if result.message_id is not None:
                chat = unit.store.get_chat(chat_id)
                if result.message_id > chat.last_message_id:
                    unit.store.put_chat(replace(chat, last_message_id=result.message_id))
            if result.blocked:
                self.runtime.services.mark_blocked(chat_id)
            left = self.groups[delivery.group] - 1 if delivery.group else 0
            if result.state != DUE:
                for callback in self.on_finished:
                    callback(unit, updated, left)
                unit.settled.append(delivery.cause or "")
        # Committed: now the courier's own bookkeeping.
        if result.state == DUE:
            self.queues[chat_id][0] = updated
            self._not_before[chat_id] = loop.time() + result.delay
            log.info(
                "delivery %s to %s: %s; again in %.1fs", delivery.id, chat_id, result.detail, result.delay
            )
            return
        if result.state == FAILED and delivery.kind in SENDS and not result.blocked:
            log.warning("delivery %s to %s cannot be delivered: %s", delivery.id, chat_id, result.detail)
        self.queues[chat_id].pop(0)
        if not self.queues[chat_id]:
            del self.queues[chat_id]
        if delivery.group:
            self.groups[delivery.group] = left
        following = self.queues.get(chat_id)
        if following and following[0].priority != REPLY and result.state == SENT:
            self._not_before[chat_id] = loop.time() + self.pace.per_chat_seconds
