"""What a store raises, kept apart from any engine so every implementation can raise the same errors."""

from __future__ import annotations


class StorageError(RuntimeError):
    """A commit that could not be made durable; nothing of it was kept."""


class TransactionMisuse(RuntimeError):
    """A write that would mix two transactions (a bug in the caller, never a user's doing)."""
