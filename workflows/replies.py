"""What the domain answers: texts with actions, documents, and messages for other people.

An ``Action`` is what a button means: a name and the arguments that pin it to the prompt it was made
for (a section, a step, the version of what was shown). Channels encode it their own way (a chat
button's data of at most 64 bytes) and hand it back unchanged when it is pressed.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field

FORM = "form"  # the action of a button that opens the form (a Mini App), where a channel offers one


@dataclass(frozen=True)
class Action:
    """What pressing a button asks for: ``open("requests")``, ``zero("7")``, ``submit("t3", "1a2b")``."""

    name: str
    args: tuple[str, ...] = ()

    @classmethod
    def of(cls, name: str, *args: object) -> Action:
        """An action with its arguments as text."""
        return cls(name, tuple(str(arg) for arg in args))


@dataclass(frozen=True)
class Button:
    """A button: what it says and what it does."""

    label: str
    action: Action


@dataclass(frozen=True)
class Reply:
    """One message: text, optional rows of buttons, optional attached file."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    document: bytes | None = None
    filename: str | None = None


@dataclass
class Outcome:
    """Replies to the person who acted, and messages for others (by user id)."""

    replies: list[Reply] = field(default_factory=list)
    notify: list[tuple[int, Reply]] = field(default_factory=list)

    def say(self, text: str, *rows: tuple[Button, ...]) -> Outcome:
        """Add a reply and return self, for chaining."""
        self.replies.append(Reply(text, tuple(rows)))
        return self

    def tell(self, user_id: int, text: str, *rows: tuple[Button, ...]) -> Outcome:
        """Add a message for someone else."""
        self.notify.append((user_id, Reply(text, tuple(rows))))
        return self

    def extend(self, other: Outcome) -> Outcome:
        """Append another outcome's messages."""
        self.replies.extend(other.replies)
        self.notify.extend(other.notify)
        return self


def stamp(parts: Iterable[object]) -> str:
    """A short fingerprint of what a prompt showed (field versions, a section's state): 8 hex digits."""
    return f"{zlib.crc32('|'.join(map(str, parts)).encode()):08x}"
