"""What the domain answers: texts with buttons, documents, and messages for other people."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Button:
    """An inline button: what it says and the action it triggers (kept short for callback data)."""

    label: str
    action: str


@dataclass(frozen=True)
class Reply:
    """One message: text, optional rows of buttons, optional attached file."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    document: bytes | None = None
    filename: str | None = None


@dataclass
class Outcome:
    """Replies to the person who acted, and messages for others (by Telegram user id)."""

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
