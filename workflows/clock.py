"""Time, passed in: the real clock for running, a hand-moved one for tests, a fast one for the demo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the time (timezone-aware)."""

    def now(self) -> datetime:
        """The current moment."""


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        """The current moment, in UTC."""
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to (tests)."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        """The current (set) moment."""
        return self._now

    def set(self, moment: datetime) -> None:
        """Jump to a moment."""
        self._now = moment

    def advance(self, delta: timedelta) -> datetime:
        """Move forward and return the new moment."""
        self._now += delta
        return self._now
