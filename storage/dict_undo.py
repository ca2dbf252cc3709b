"""The dict store's private copies and its transactions: every change records how to undo itself, so a
rollback costs what the transaction touched, not the size of the store."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from typing import Any

from storage.errors import StorageError, TransactionMisuse
from storage.records import AnswerVersion, Delivery, Job, SectionState

_MISSING = object()  # marks "there was no key" in the undo log
# Which transaction the running task writes in: a write of another task (or thread) into an open one
# would be rolled back or committed with it, never on its own.
_WRITER: ContextVar[object | None] = ContextVar("dict_store_writer", default=None)


def as_json(value: Any) -> Any:
    """A private copy of ``value`` as JSON keeps it; ValueError or TypeError if JSON cannot hold it."""
    # allow_nan=False: NaN and infinities are not JSON, and a durable store could not read them back.
    return json.loads(json.dumps(value, ensure_ascii=False, allow_nan=False))


def copy_out(value: Any) -> Any:
    """A copy a caller may change freely (stored values are already JSON, so they copy losslessly)."""
    return as_json(value) if isinstance(value, dict | list) else value


class UndoLog:
    """Undoable writes into plain dicts and lists, grouped by ``transaction``."""

    def __init__(self) -> None:
        self._depth = 0
        self._undo: list[Callable[[], None]] = []
        self._doomed: BaseException | None = None
        self._counters: dict[str, int] = {}
        self._writer: object | None = None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes: all kept together when the block ends, none if it (or a nested block) raises."""
        if self._depth and _WRITER.get() is not self._writer:
            raise TransactionMisuse("a second writer joined an open transaction")
        if self._depth:
            yield from self._nested()
            return
        self._undo, self._doomed, self._writer = [], None, object()
        token = _WRITER.set(self._writer)
        self._depth = 1
        try:
            yield
        except BaseException:
            self._rollback()
            raise
        finally:
            self._depth, self._writer = 0, None
            _WRITER.reset(token)
        if self._doomed is not None:
            doomed = self._doomed
            self._rollback()
            raise StorageError("a nested write failed; the transaction was rolled back") from doomed
        self._undo = []

    def _nested(self) -> Iterator[None]:
        self._depth += 1
        try:
            yield
        except BaseException as exc:
            # The outer block may catch this, but must not keep half of what it wrote.
            self._doomed = exc
            raise
        finally:
            self._depth -= 1

    def _rollback(self) -> None:
        undo, self._undo, self._doomed = self._undo, [], None
        for step in reversed(undo):
            step()

    def _set(self, table: dict[Any, Any], key: Any, value: Any) -> None:
        old = table.get(key, _MISSING)
        self._undo.append(lambda: self._restore(table, key, old))
        table[key] = value

    def _delete(self, table: dict[Any, Any], key: Any) -> None:
        if key in table:
            old = table.pop(key)
            self._undo.append(lambda: self._restore(table, key, old))

    def _append(self, items: list[Any], item: Any) -> None:
        items.append(item)
        self._undo.append(items.pop)

    @staticmethod
    def _restore(table: dict[Any, Any], key: Any, old: Any) -> None:
        if old is _MISSING:
            table.pop(key, None)
        else:
            table[key] = old

    def _inner(self, table: dict[Any, Any], key: Any) -> Any:
        """The nested dict (or list) under ``key``, created (undoably) if missing."""
        if key not in table:
            self._set(table, key, {})
        return table[key]

    def _next(self, counter: str) -> int:
        number = self._counters.get(counter, 0) + 1
        self._set(self._counters, counter, number)
        return number


def answer_copy(version: AnswerVersion) -> AnswerVersion:
    """An answer version whose value the caller may change."""
    return (
        replace(version, value=copy_out(version.value)) if isinstance(version.value, dict | list) else version
    )


def section_copy(state: SectionState) -> SectionState:
    """A section state whose history the caller may change."""
    return replace(state, history=tuple(dict(step) for step in state.history))


def delivery_copy(delivery: Delivery) -> Delivery:
    """A delivery whose payload the caller may change."""
    return replace(delivery, payload=copy_out(delivery.payload))


def job_copy(job: Job) -> Job:
    """A job whose parameters and tally the caller may change."""
    return replace(job, params=copy_out(job.params), tally=copy_out(job.tally))
