"""Errors a person can cause, worded from the message catalogs so every channel shows them in its language.

A lower layer (the template loader, the answers-file reader, the calendar) cannot know who will read its
error: the command line of a Chinese office, a bot chat in English, a log. So it raises a ``Problem`` that
carries the English source text and its parameters, and whoever shows it calls ``render(lang)``. ``str()``
is the English wording, for logs and for code that only needs some text.
"""

from __future__ import annotations

from typing import Self

from workflows.i18n import t


class Problem(ValueError):
    """An error whose text is a catalog message, rendered in any language; ``where`` prefixes locate it."""

    def __init__(self, message: str, /, **params: object) -> None:
        self.message = message
        self.params = params
        self.where: tuple[str, ...] = ()
        super().__init__(message)

    def render(self, lang: str) -> str:
        """The whole message in ``lang``: its locations, then the catalog text with its parameters."""
        params = {k: v.render(lang) if isinstance(v, Problem) else v for k, v in self.params.items()}
        return ": ".join((*self.where, t(lang, self.message, **params)))

    def at(self, *where: str) -> Self:
        """The same problem, located inside ``where`` (a file, a section, a key): outermost first."""
        self.where = (*where, *self.where)
        return self

    def __str__(self) -> str:
        return self.render("en")


def rendered(exc: BaseException, lang: str) -> str:
    """What to show a person for ``exc``: a Problem in their language, anything else as Python words it."""
    return exc.render(lang) if isinstance(exc, Problem) else str(exc)
