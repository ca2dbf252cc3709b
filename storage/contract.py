"""The storage contract: everything the domain may ask of a store, and nothing about how it is kept."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from storage.records import (
    AnswerVersion,
    Contact,
    Cycle,
    Department,
    Invite,
    ReminderEntry,
    SectionState,
)


class Store(Protocol):
    """What the workflows need kept. Every method that returns has made its write durable."""

    # Organisation ---------------------------------------------------------------------------------
    def get_organisation(self) -> dict[str, Any]:
        """Return the organisation profile (name, website, phone, address, …); empty if unset."""

    def set_organisation(self, profile: dict[str, Any]) -> None:
        """Replace the organisation profile."""

    # Departments and people -----------------------------------------------------------------------
    def put_department(self, department: Department) -> None:
        """Create or replace a department."""

    def get_department(self, department_id: str) -> Department | None:
        """Return one department, or None."""

    def list_departments(self) -> list[Department]:
        """Return all departments in the order they were first stored."""

    def put_contact(self, contact: Contact) -> None:
        """Create or replace the contact with this Telegram user id."""

    def get_contact(self, user_id: int) -> Contact | None:
        """Return the contact bound to this Telegram user, or None."""

    def list_contacts(self, department_id: str | None = None, role: str | None = None) -> list[Contact]:
        """Return contacts, optionally only one department's or one role's."""

    def remove_contact(self, user_id: int) -> bool:
        """Unbind a Telegram user. Returns whether one was bound."""

    # Invitations ----------------------------------------------------------------------------------
    def put_invite(self, invite: Invite) -> None:
        """Store a new invitation code."""

    def get_invite(self, code: str) -> Invite | None:
        """Return the invitation with this code, or None."""

    def consume_invite(self, code: str, user_id: int, now: datetime) -> Invite | None:
        """Mark an unused, unexpired code as used by ``user_id``; None if it cannot be used."""

    # Cycles ---------------------------------------------------------------------------------------
    def put_cycle(self, cycle: Cycle) -> None:
        """Create or replace the cycle for its year."""

    def get_cycle(self, year: int) -> Cycle | None:
        """Return the cycle of one report year, or None."""

    def list_cycles(self) -> list[Cycle]:
        """Return all cycles, oldest year first."""

    # Answers --------------------------------------------------------------------------------------
    def save_answer(
        self, year: int, field_id: str, value: Any, by: str, at: datetime, raw: str | None = None
    ) -> AnswerVersion:
        """Record a new value for a field, keeping every earlier one."""

    def save_answers(
        self, year: int, values: dict[str, Any], by: str, at: datetime, raw: dict[str, str] | None = None
    ) -> list[AnswerVersion]:
        """Record several values in one durable write (a table row, a whole section)."""

    def delete_answer(self, year: int, field_id: str, by: str, at: datetime) -> None:
        """Clear a field's current value; the history keeps what it was."""

    def current_answers(self, year: int) -> dict[str, AnswerVersion]:
        """Return the latest version of every answered field of a year."""

    def answer_history(self, year: int, field_id: str | None = None) -> list[AnswerVersion]:
        """Return every stored version, oldest first, optionally of one field only."""

    def count_answer_versions(self, year: int) -> int:
        """Return how many versions a year holds."""

    # Section review -------------------------------------------------------------------------------
    def get_section_state(self, year: int, section_id: str) -> SectionState:
        """Return a section's review state (not started if never touched)."""

    def set_section_state(
        self, year: int, section_id: str, state: str, by: str, at: datetime, comment: str | None = None
    ) -> SectionState:
        """Move a section to ``state``, appending the transition to its history."""

    def list_section_states(self, year: int) -> dict[str, SectionState]:
        """Return every section state stored for a year."""

    # Reminders ------------------------------------------------------------------------------------
    def record_reminder(
        self, year: int, department_id: str, slot: str, at: datetime, detail: dict[str, Any] | None = None
    ) -> bool:
        """Log a reminder; False (and nothing written) if that slot was already logged."""

    def reminder_sent(self, year: int, department_id: str, slot: str) -> bool:
        """Return whether a reminder for this slot was logged."""

    def list_reminders(self, year: int, department_id: str | None = None) -> list[ReminderEntry]:
        """Return the reminder log of a year, oldest first."""

    # Conversation position and other per-user state -----------------------------------------------
    def get_user_state(self, user_id: int) -> dict[str, Any]:
        """Return what the bot keeps about a user's conversation (empty if none)."""

    def set_user_state(self, user_id: int, state: dict[str, Any]) -> None:
        """Replace a user's conversation state."""

    # Generic key/value settings (schedules, counters) ---------------------------------------------
    def get_setting(self, key: str, default: Any = None) -> Any:
        """Return a stored setting."""

    def set_setting(self, key: str, value: Any) -> None:
        """Store a setting."""

    def close(self) -> None:
        """Release files and locks."""
