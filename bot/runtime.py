"""Units of work: the writes and the messages of one update, tick or job commit together, one unit at a time.

Handlers never talk to Telegram. What they answer is recorded in the outbox inside the same store
transaction as their writes and the update's id; the courier sends it afterwards. So an update either
has all its effects (and its replies are due until Telegram accepts them) or none, and a redelivered
update is recognised by its id. Units run one at a time (they are short: no network inside), which
keeps the transactions of concurrent chats apart.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from bot.messages import payloads
from storage.records import NOTICE, REPLY, Delivery, Job
from workflows.replies import Outcome, Reply
from workflows.services import Services

CURRENT_UNIT: ContextVar[Unit | None] = ContextVar("reportbot_unit", default=None)


class Unit:
    """One unit of work: what it writes goes to the store's open transaction, what it says to the outbox."""

    def __init__(self, runtime: Runtime, cause: str) -> None:
        self.runtime = runtime
        self.cause = cause
        self.services = runtime.services
        self.store = runtime.services.store
        self.now = runtime.services.now()
        self.deliveries: list[Delivery] = []
        self.jobs: list[Job] = []
        self.settled: list[str] = []  # causes whose outstanding work this unit finished
        self.failed: BaseException | None = None

    def send(self, chat_id: int, outcome: Outcome) -> None:
        """Replies to the acting chat first, then the messages for other people."""
        for reply in outcome.replies:
            self.reply(chat_id, reply, REPLY)
        for user_id, reply in outcome.notify:
            contact = self.store.get_contact(user_id)
            self.reply(contact.address if contact else user_id, reply, NOTICE)

    def reply(self, chat_id: int, reply: Reply, priority: int, group: str | None = None) -> None:
        """Put one reply in the outbox (a document's bytes are kept first)."""
        blob = self.store.put_blob(reply.document) if reply.document is not None else None
        webapp = self.services.settings.webapp
        for kind, payload in payloads(reply, blob, webapp.button_url if webapp is not None else None):
            self.deliver(chat_id, kind, payload, priority, group)

    def deliver(
        self, chat_id: int, kind: str, payload: dict[str, Any], priority: int, group: str | None = None
    ) -> Delivery:
        """Put one Bot API call in the outbox."""
        delivery = self.store.add_delivery(chat_id, kind, payload, self.now, priority, self.cause, group)
        self.deliveries.append(delivery)
        return delivery

    def job(self, kind: str, params: dict[str, Any]) -> Job:
        """Ask for long work to be done in the background (its result goes to the outbox)."""
        job = self.store.add_job(kind, params, self.now, self.cause)
        self.jobs.append(job)
        return job


def current_unit() -> Unit:
    """The unit the running handler belongs to."""
    unit = CURRENT_UNIT.get()
    if unit is None:
        raise RuntimeError("no unit of work is open: handlers run inside Runtime.unit()")
    return unit


class Runtime:
    """Opens units of work, and tells whoever waits when a cause's messages and jobs are all done."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.outstanding: Counter[str] = Counter()
        self.handled: set[int] = set()
        self._lock: asyncio.Lock | None = None
        self._changed: asyncio.Condition | None = None
        self.on_commit: list = []  # callbacks(unit) run after each commit, inside the unit's turn

    def _sync(self) -> tuple[asyncio.Lock, asyncio.Condition]:
        if self._lock is None:
            self._lock, self._changed = asyncio.Lock(), asyncio.Condition()
        return self._lock, self._changed

    @asynccontextmanager
    async def unit(self, cause: str) -> AsyncIterator[Unit]:
        """Open a unit of work; its writes commit when the block ends, or none of them if it raises."""
        lock, _ = self._sync()
        async with lock:
            unit = Unit(self, cause)
            token = CURRENT_UNIT.set(unit)
            try:
                with self.services.store.transaction():
                    yield unit
            finally:
                CURRENT_UNIT.reset(token)
            for delivery in unit.deliveries:
                self.outstanding[delivery.cause or ""] += 1
            for job in unit.jobs:
                self.outstanding[job.cause or ""] += 1
            for callback in self.on_commit:
                callback(unit)
            for finished in unit.settled:
                self.outstanding[finished] -= 1
        await self.changed()

    async def changed(self) -> None:
        """Wake whoever waits in ``settled``."""
        _, condition = self._sync()
        async with condition:
            condition.notify_all()

    def mark_handled(self, update_id: int) -> None:
        """Remember that an update's unit has committed (for ``settled``)."""
        self.handled.add(update_id)

    async def settled(self, cause: str, update_id: int | None = None, timeout: float | None = 30) -> None:
        """Wait until an update was handled and every message and job it caused is done."""
        _, condition = self._sync()

        def done() -> bool:
            return (update_id is None or update_id in self.handled) and self.outstanding[cause] <= 0

        async with condition:
            await asyncio.wait_for(condition.wait_for(done), timeout)
