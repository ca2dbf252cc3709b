"""Send one message to many chats within Telegram's limits, losing none.

Telegram allows about 30 messages a second overall and one a second per chat. A leaky bucket of
capacity one (aiolimiter) spaces sends evenly just under the overall ceiling; a per-chat bucket keeps
two messages to one chat a second apart; ``retry_after`` answers and network errors are retried by
``deliver``. Sends run concurrently, so the ceiling, not the round-trip time, sets the pace.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from aiolimiter import AsyncLimiter
from telegram import Bot

from bot.sender import deliver
from workflows.replies import Reply

OVERALL_PER_SECOND = 29  # a hair under Telegram's 30, so that no sliding second ever holds 31
WORKERS = 16


@dataclass
class BroadcastReport:
    """How a broadcast went."""

    delivered: int = 0
    unreachable: list[int] = field(default_factory=list)
    seconds: float = 0.0


class Broadcaster:
    """Rate-limited fan-out; one instance per bot, shared by every broadcast."""

    def __init__(self, overall_per_second: float = OVERALL_PER_SECOND, per_chat_seconds: float = 1.0) -> None:
        self.overall = AsyncLimiter(1, 1 / overall_per_second)
        self.per_chat_seconds = per_chat_seconds
        self.per_chat: defaultdict[int, AsyncLimiter] = defaultdict(
            lambda: AsyncLimiter(1, self.per_chat_seconds)
        )

    async def send(
        self, bot: Bot, messages: list[tuple[int, Reply]], on_blocked: Callable[[int], None]
    ) -> BroadcastReport:
        """Deliver every (chat id, reply); returns counts once all are done."""
        report = BroadcastReport()
        queue: asyncio.Queue[tuple[int, Reply]] = asyncio.Queue()
        for item in messages:
            queue.put_nowait(item)
        loop = asyncio.get_running_loop()
        started = loop.time()

        async def worker() -> None:
            while not queue.empty():
                chat_id, reply = queue.get_nowait()
                async with self.per_chat[chat_id], self.overall:
                    ok = await deliver(bot, chat_id, reply, on_blocked)
                if ok:
                    report.delivered += 1
                else:
                    report.unreachable.append(chat_id)

        await asyncio.gather(*(worker() for _ in range(min(WORKERS, len(messages)) or 1)))
        report.seconds = loop.time() - started
        return report
