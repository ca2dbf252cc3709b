"""The port a channel implements for the core: messages owed to people, each delivered once.

The core decides what to say and to whom (an address the channel gave the person); the channel turns
a ``Reply`` — text with actions, or a file — into its own messages, keeps it due until its service
accepted it, and reports the outcome of a group of messages (a broadcast) when all of it is done.
"""

from __future__ import annotations

from typing import Protocol

from workflows.replies import Reply


class Outbox(Protocol):
    """Where the core puts what it says, inside the unit of work that decided it."""

    def reply(self, address: int, reply: Reply, priority: int, group: str | None = None) -> None:
        """Owe ``reply`` (a text with its actions, or a document) to the person at ``address``."""
