"""The storage contract: everything the domain may ask of a store, and nothing about how it is kept.

Every write is durable when the method returns. Writes made inside ``with store.transaction():`` become
durable together when the block ends, or not at all if it raises: memory and disk stay as they were.
A nested ``transaction()`` joins the outer one; if a nested block raises, the whole outer transaction is
rolled back even when the outer block catches the error, and its end raises ``StorageError``.

Values must be what JSON can hold: any other is refused as ``json.dumps`` refuses it (ValueError for NaN
or infinity, TypeError for an object) and nothing of that write is kept. (Whether a tuple comes back as a
tuple or a list is not promised: pass lists.) Dicts and lists passed in or handed out are copies, nested
ones included: changing them changes nothing stored.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from storage.records import (
    AnswerVersion,
    ChatState,
    Contact,
    Cycle,
    Delivery,
    Department,
    Invite,
    Job,
    ReminderEntry,
    SectionState,
)


class Store(Protocol):
    """What the workflows need kept."""

    def transaction(self) -> AbstractContextManager[None]:
        """Group writes: all durable together when the block ends, none if it raises."""

    # Organisation and departments -----------------------------------------------------------------
    def get_organisation(self) -> dict[str, Any]:
        """Return the organisation profile (name, website, phone, address, …); empty if unset."""

    def set_organisation(self, profile: dict[str, Any]) -> None:
        """Replace the organisation profile."""

    def put_department(self, department: Department) -> None:
        """Create or replace a department."""

    def get_department(self, department_id: str) -> Department | None:
        """Return one department (active or not), or None."""

    def list_departments(self) -> list[Department]:
        """Return every department ever stored, in the order they were first stored."""

    # People ---------------------------------------------------------------------------------------
    def put_contact(self, contact: Contact) -> None:
        """Create or replace the contact with this user id."""

    def get_contact(self, user_id: int) -> Contact | None:
        """Return the contact bound to this user, or None."""

    def list_contacts(self, department_id: str | None = None, role: str | None = None) -> list[Contact]:
        """Return contacts (revoked ones included), optionally one department's or one role's.

        Never-bound contacts come first (by user id), then the others in the order they were bound.
        """

    def remove_contact(self, user_id: int) -> bool:
        """Unbind a user. Returns whether one was bound."""

    def get_invite(self, code: str) -> Invite | None:
        """Return the record of a used invitation code, or None."""

    def put_invite(self, invite: Invite) -> None:
        """Record an invitation code's use."""

    # Cycles ---------------------------------------------------------------------------------------
    def put_cycle(self, cycle: Cycle) -> None:
        """Create or replace a cycle."""

    def get_cycle(self, cycle_id: str) -> Cycle | None:
        """Return one cycle, or None."""

    def list_cycles(self) -> list[Cycle]:
        """Return every cycle, the earliest opening first (then by id)."""

    # Answers --------------------------------------------------------------------------------------
    def save_answers(
        self, cycle_id: str, values: dict[str, Any], by: str, at: datetime, raw: dict[str, str] | None = None
    ) -> list[AnswerVersion]:
        """Record new values for several fields in one write, keeping every earlier one."""

    def save_answer(
        self, cycle_id: str, field_id: str, value: Any, by: str, at: datetime, raw: str | None = None
    ) -> AnswerVersion:
        """Record a new value for one field."""

    def delete_answer(self, cycle_id: str, field_id: str, by: str, at: datetime) -> None:
        """Clear a field's current value (a new version holding None); nothing if never answered."""

    def current_answers(self, cycle_id: str) -> dict[str, AnswerVersion]:
        """Return the latest version of every answered field of a cycle (cleared fields left out)."""

    def answer_versions(self, cycle_id: str, field_ids: list[str]) -> dict[str, int]:
        """Return each field's current version number (0 if never answered)."""

    def answer_history(self, cycle_id: str, field_id: str | None = None) -> list[AnswerVersion]:
        """Return every stored version, oldest first, optionally of one field only."""

    def count_answer_versions(self, cycle_id: str) -> int:
        """Return how many versions a cycle holds."""

    # Section review -------------------------------------------------------------------------------
    def get_section_state(self, cycle_id: str, section_id: str) -> SectionState:
        """Return a section's review state (not started if never touched)."""

    def set_section_state(
        self, cycle_id: str, section_id: str, state: str, by: str, at: datetime, comment: str | None = None
    ) -> SectionState:
        """Move a section to ``state``, appending the transition to its history; ValueError if unknown.

        A history step is ``{"state", "by", "at" (ISO text), "comment"}``.
        """

    def list_section_states(self, cycle_id: str) -> dict[str, SectionState]:
        """Return every section state stored for a cycle."""

    def confirm_finding(self, cycle_id: str, key: str, by: str, at: datetime) -> None:
        """Record that a warning was confirmed (not asked again while unchanged); the first one is kept."""

    def confirmed_findings(self, cycle_id: str) -> dict[str, dict[str, Any]]:
        """Every confirmed warning of a cycle: key → who confirmed it and when."""

    # Reminders ------------------------------------------------------------------------------------
    def record_reminder(
        self, cycle_id: str, department_id: str, slot: str, at: datetime, detail: dict[str, Any] | None = None
    ) -> bool:
        """Log a reminder as due; False (and nothing written) if that slot was already logged."""

    def reminder_sent(self, cycle_id: str, department_id: str, slot: str) -> bool:
        """Return whether a reminder for this slot was logged."""

    def list_reminders(self, cycle_id: str, department_id: str | None = None) -> list[ReminderEntry]:
        """Return the reminder log of a cycle, oldest first."""

    # Conversations and chats ----------------------------------------------------------------------
    def get_conversation(self, cycle_id: str, user_id: int) -> dict[str, Any]:
        """Return where one person stands in one cycle's conversation (empty if nowhere)."""

    def set_conversation(self, cycle_id: str, user_id: int, state: dict[str, Any]) -> None:
        """Replace one person's conversation state in one cycle."""

    def get_chat(self, chat_id: int) -> ChatState:
        """Return what is remembered of a chat (nothing handled yet if unknown)."""

    def put_chat(self, chat: ChatState) -> None:
        """Replace what is remembered of a chat."""

    # Outbox and background work -------------------------------------------------------------------
    def add_delivery(
        self,
        chat_id: int,
        kind: str,
        payload: dict[str, Any],
        at: datetime,
        priority: int,
        cause: str | None = None,
        group: str | None = None,
    ) -> Delivery:
        """Record a message as due to a chat."""

    def put_delivery(self, delivery: Delivery) -> None:
        """Replace a delivery (attempted, sent, failed, rescheduled).

        Of a chat's finished deliveries only the newest 30 (by id) are kept: enough to recognise our own
        recent messages.
        """

    def pending_deliveries(self) -> list[Delivery]:
        """Every delivery still due, in the order they were made due."""

    def recent_deliveries(self, chat_id: int) -> list[Delivery]:
        """A chat's deliveries, the finished ones of late included, oldest first."""

    def add_job(self, kind: str, params: dict[str, Any], at: datetime, cause: str | None = None) -> Job:
        """Record long work to do."""

    def put_job(self, job: Job) -> None:
        """Replace a job (its tally, its state); a job no longer due is forgotten."""

    def get_job(self, job_id: int) -> Job | None:
        """Return one job still to do, or None (a finished job is forgotten)."""

    def pending_jobs(self) -> list[Job]:
        """Every job not yet done, oldest first."""

    def put_blob(self, data: bytes) -> str:
        """Keep a file's bytes (durably, before any record names them; kept through a rollback)."""

    def get_blob(self, name: str) -> bytes:
        """Return a kept file's bytes."""

    def delete_blob(self, name: str) -> None:
        """Forget a kept file."""

    def blob_names(self) -> set[str]:
        """The names of every kept file."""

    # Settings -------------------------------------------------------------------------------------
    def get_setting(self, key: str, default: Any = None) -> Any:
        """Return a stored setting."""

    def set_setting(self, key: str, value: Any) -> None:
        """Store a setting."""

    def close(self) -> None:
        """Release files and locks."""
