"""Play the people on the other side of a running bot: type, press buttons, read what came back.

Drives the real Application over HTTP through a ``LocalBotApi``. Each action waits until the bot has
finished handling that very update (a last-group handler marks it), so nothing waits on a timer.
"""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import Application, TypeHandler

from bot.local_api import LocalBotApi, Sent

HANDLED_GROUP = 1000


class Simulation:
    """A running bot and the scripted people who talk to it."""

    def __init__(self, api: LocalBotApi, application: Application) -> None:
        self.api = api
        self.application = application
        self._handled: dict[int, asyncio.Event] = {}
        application.add_handler(TypeHandler(Update, self._mark), group=HANDLED_GROUP)

    async def _mark(self, update: Update, context) -> None:
        self._event(update.update_id).set()

    def _event(self, update_id: int) -> asyncio.Event:
        return self._handled.setdefault(update_id, asyncio.Event())

    async def start(self) -> None:
        """Initialise the application and start long polling."""
        await self.application.initialize()
        if self.application.post_init:
            await self.application.post_init(self.application)
        await self.application.start()
        await self.application.updater.start_polling(poll_interval=0.0, timeout=1)

    async def stop(self) -> None:
        """Stop polling and shut the application down (as at a restart)."""
        await self.application.updater.stop()
        await self.application.stop()
        await self.application.shutdown()

    async def _wait(self, update_id: int, chat_id: int, before: int, timeout: float) -> list[Sent]:
        await asyncio.wait_for(self._event(update_id).wait(), timeout)
        return self.api.messages_to(chat_id)[before:]

    async def say(self, user_id: int, text: str, timeout: float = 15) -> list[Sent]:
        """The person sends ``text``; returns what the bot sent them while handling it."""
        before = len(self.api.messages_to(user_id))
        return await self._wait(self.api.send_text(user_id, text), user_id, before, timeout)

    async def press(
        self, user_id: int, label: str, message: Sent | None = None, timeout: float = 15
    ) -> list[Sent]:
        """The person presses a button; returns what the bot sent them while handling it."""
        before = len(self.api.messages_to(user_id))
        return await self._wait(self.api.press(user_id, label, message), user_id, before, timeout)
