"""``{name}`` placeholders in template text, filled in one pass.

Values are inserted as data: text a person typed is never scanned for placeholders again, and nothing
here can reach attributes or call code (unlike ``str.format``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

PLACEHOLDER = re.compile(r"\{([A-Za-z_][\w.]*)\}")


@dataclass(frozen=True)
class Piece:
    """A run of filled text, or the name of a placeholder that has no value."""

    text: str
    missing: str | None = None


def names(text: str) -> list[str]:
    """Return the placeholder names a text uses, in order."""
    return PLACEHOLDER.findall(text)


def pieces(text: str, lookup: Callable[[str], str | None]) -> Iterator[Piece]:
    """Split ``text`` into filled runs and missing placeholders."""
    pos = 0
    for match in PLACEHOLDER.finditer(text):
        if match.start() > pos:
            yield Piece(text[pos : match.start()])
        value = lookup(match.group(1))
        yield Piece(value) if value is not None else Piece("", missing=match.group(1))
        pos = match.end()
    if pos < len(text):
        yield Piece(text[pos:])


def fill(text: str, values: dict[str, str], missing: Callable[[str], str] = "{{{}}}".format) -> str:
    """Return ``text`` with placeholders replaced; unknown ones rendered by ``missing``."""
    return "".join(p.text if p.missing is None else missing(p.missing) for p in pieces(text, values.get))
