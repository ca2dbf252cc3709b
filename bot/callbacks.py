"""Telegram's side of a button: an ``Action`` as callback data (at most 64 bytes), and back."""

from __future__ import annotations

from workflows.replies import Action

MAX_CALLBACK_BYTES = 64
SEPARATOR = "|"  # never in section ids, field ids, numbers or stamps


def encode(action: Action) -> str:
    """``open|requests``: the action's name and arguments; refuses what Telegram would reject."""
    if any(SEPARATOR in part for part in (action.name, *action.args)):
        raise ValueError(f"{action!r}: {SEPARATOR!r} cannot appear in an action")
    data = SEPARATOR.join((action.name, *action.args))
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def decode(data: str | None) -> Action:
    """The action a pressed button carries (an unknown or empty one decodes to an action nobody handles)."""
    name, *args = (data or "").split(SEPARATOR)
    return Action(name, tuple(args))


def deep_link(bot_username: str, code: str) -> str:
    """The https://t.me link that opens the bot with an invitation code (Telegram's /start payload)."""
    return f"https://t.me/{bot_username.lstrip('@')}?start={code}"
