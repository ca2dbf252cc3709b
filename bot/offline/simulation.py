"""Play the people on the other side of a running bot: type, press buttons, read what came back.

Drives the real bot over HTTP through a ``LocalBotApi``. Each action waits until the bot has handled
that very update and delivered everything it caused (replies, notices, documents built in the
background), so nothing waits on a timer.
"""

from __future__ import annotations

import asyncio

from bot.app import ReportBot
from bot.offline.local_api import LocalBotApi, Sent


class Simulation:
    """A running bot and the scripted people who talk to it."""

    def __init__(self, api: LocalBotApi, bot: ReportBot) -> None:
        self.api = api
        self.bot = bot

    @property
    def runtime(self):
        """The bot's units of work (to wait for what a cause made due)."""
        return self.bot.runtime

    async def start(self) -> None:
        """Start the bot: connect, resume its outbox, poll."""
        await self.bot.start()

    async def stop(self) -> None:
        """Stop the bot (as at a restart)."""
        await self.bot.stop()

    async def _wait(self, update_id: int, chat_id: int, before: int, timeout: float) -> list[Sent]:
        await self.bot.runtime.settled(f"update:{update_id}", update_id, timeout)
        return self.api.messages_to(chat_id)[before:]

    async def say(self, user_id: int, text: str, timeout: float = 15, group: int | None = None) -> list[Sent]:
        """The person sends ``text`` (in a group chat, if given); returns what the bot sent to that chat."""
        chat = group if group is not None else user_id
        before = len(self.api.messages_to(chat))
        return await self._wait(self.api.send_text(user_id, text, group), chat, before, timeout)

    async def edit(
        self, user_id: int, text: str, message_id: int | None = None, timeout: float = 15
    ) -> list[Sent]:
        """The person edits a message they sent (default: their newest); returns what the bot sent back."""
        before = len(self.api.messages_to(user_id))
        return await self._wait(self.api.edit_text(user_id, text, message_id), user_id, before, timeout)

    async def send_document(
        self, user_id: int, filename: str, data: bytes, mime_type: str | None = None, timeout: float = 15
    ) -> list[Sent]:
        """The person sends a file; returns what the bot sent them because of it (work in the background
        included)."""
        before = len(self.api.messages_to(user_id))
        update_id = self.api.send_document(user_id, filename, data, mime_type)
        return await self._wait(update_id, user_id, before, timeout)

    async def press(
        self, user_id: int, label: str, message: Sent | None = None, timeout: float = 15
    ) -> list[Sent]:
        """The person presses a button; returns what the bot sent them because of it."""
        before = len(self.api.messages_to(user_id))
        return await self._wait(self.api.press(user_id, label, message), user_id, before, timeout)

    async def first_reply(
        self, user_id: int, text: str, timeout: float = 10, match=lambda message: True
    ) -> tuple[float, Sent]:
        """The person sends ``text``; returns how long the answer took (the first message ``match``
        accepts), and the answer.

        For tests about waiting: it watches the chat instead of waiting for everything the update caused
        (a broadcast it started may run for a minute)."""
        loop = asyncio.get_running_loop()
        before, started = len(self.api.messages_to(user_id)), loop.time()
        self.api.send_text(user_id, text)
        while True:
            answers = [m for m in self.api.messages_to(user_id)[before:] if match(m)]
            if answers:
                return loop.time() - started, answers[0]
            if loop.time() - started > timeout:
                raise TimeoutError(f"no answer to {text!r} within {timeout}s")
            await asyncio.sleep(0.005)
