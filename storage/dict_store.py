"""A second implementation of the storage contract, in plain dicts, written from ``storage.contract`` alone.

It exists so that the contract suite has two independent stores to hold to one behaviour: a test that
passes on one and fails on the other points at a bug in one of them or at a gap in the contract. It is
also a fast store for tests that need no disk. Nothing here may come from the TinyDB store.

Every write runs inside a transaction; a transaction records how to undo each change it makes (an undo
log), so a rollback costs what the transaction touched, not the size of the store. Stored records are
frozen dataclasses, and every dict or list inside them is a private JSON-normalised copy, so a caller
can neither change stored state through what it passed in nor through what it got back.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from storage.dict_undo import UndoLog, answer_copy, as_json, copy_out, delivery_copy, job_copy, section_copy
from storage.records import (
    DUE,
    NOT_STARTED,
    SECTION_STATES,
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

KEEP_FINISHED = 30  # the contract's number of finished deliveries kept per chat


class DictStore(UndoLog):
    """A ``Store`` kept in Python dicts, in memory only."""

    def __init__(self) -> None:
        super().__init__()
        self._organisation: dict[str, dict[str, Any]] = {}  # one key, so the undo log can restore it
        self._departments: dict[str, Department] = {}  # insertion order is the order first stored
        self._contacts: dict[int, Contact] = {}
        # Indexes of contacts: department id → user ids, role → user ids (dicts used as ordered sets).
        self._by_department: dict[str | None, dict[int, None]] = {}
        self._by_role: dict[str, dict[int, None]] = {}
        self._invites: dict[str, Invite] = {}
        self._cycles: dict[str, Cycle] = {}
        self._answers: dict[str, dict[str, list[AnswerVersion]]] = {}  # cycle → field → versions
        self._sections: dict[str, dict[str, SectionState]] = {}  # cycle → section → state
        self._confirmed: dict[str, dict[str, dict[str, Any]]] = {}  # cycle → key → who and when
        self._reminders: dict[str, dict[tuple[str, str], ReminderEntry]] = {}  # cycle → (dept, slot)
        self._talks: dict[tuple[str, int], dict[str, Any]] = {}
        self._chats: dict[int, ChatState] = {}
        self._outbox: dict[int, dict[int, Delivery]] = {}  # chat → delivery id → delivery
        self._due: dict[int, Delivery] = {}  # every delivery still due, by id
        self._jobs: dict[int, Job] = {}
        self._settings: dict[str, Any] = {}
        self._blobs: dict[str, bytes] = {}  # outside transactions: kept before any record names them
        self._blob_counter = 0

    def close(self) -> None:
        """Release files and locks (there are none)."""

    # Organisation and departments -----------------------------------------------------------------
    def get_organisation(self) -> dict[str, Any]:
        """Return the organisation profile; empty if unset."""
        return copy_out(self._organisation.get("profile", {}))

    def set_organisation(self, profile: dict[str, Any]) -> None:
        """Replace the organisation profile."""
        with self.transaction():
            self._set(self._organisation, "profile", as_json(dict(profile)))

    def put_department(self, department: Department) -> None:
        """Create or replace a department, keeping its place in the order first stored."""
        with self.transaction():
            # A dict keeps a replaced key where it was first inserted: exactly the contract's order.
            self._set(
                self._departments, department.id, replace(department, sections=tuple(department.sections))
            )

    def get_department(self, department_id: str) -> Department | None:
        """Return one department (active or not), or None."""
        return self._departments.get(department_id)

    def list_departments(self) -> list[Department]:
        """Return every department ever stored, in the order they were first stored."""
        return list(self._departments.values())

    # People ---------------------------------------------------------------------------------------
    def put_contact(self, contact: Contact) -> None:
        """Create or replace the contact with this user id, keeping the indexes in step."""
        with self.transaction():
            self._unindex(contact.user_id)
            self._set(self._contacts, contact.user_id, contact)
            self._set(self._inner(self._by_department, contact.department_id), contact.user_id, None)
            self._set(self._inner(self._by_role, contact.role), contact.user_id, None)

    def _unindex(self, user_id: int) -> None:
        before = self._contacts.get(user_id)
        if before is not None:
            self._delete(self._by_department.get(before.department_id, {}), user_id)
            self._delete(self._by_role.get(before.role, {}), user_id)

    def get_contact(self, user_id: int) -> Contact | None:
        """Return the contact bound to this user, or None."""
        return self._contacts.get(user_id)

    def list_contacts(self, department_id: str | None = None, role: str | None = None) -> list[Contact]:
        """Return contacts (revoked ones included), never bound first, then in the order they were bound."""
        if department_id is not None:
            ids = set(self._by_department.get(department_id, {}))
            if role is not None:
                ids &= set(self._by_role.get(role, {}))
        elif role is not None:
            ids = set(self._by_role.get(role, {}))
        else:
            ids = set(self._contacts)
        contacts = [self._contacts[user_id] for user_id in ids]
        return sorted(contacts, key=_bound_order)

    def remove_contact(self, user_id: int) -> bool:
        """Unbind a user. Returns whether one was bound."""
        with self.transaction():
            if user_id not in self._contacts:
                return False
            self._unindex(user_id)
            self._delete(self._contacts, user_id)
            return True

    def get_invite(self, code: str) -> Invite | None:
        """Return the record of a used invitation code, or None."""
        return self._invites.get(code)

    def put_invite(self, invite: Invite) -> None:
        """Record an invitation code's use."""
        with self.transaction():
            self._set(self._invites, invite.code, invite)

    # Cycles ---------------------------------------------------------------------------------------
    def put_cycle(self, cycle: Cycle) -> None:
        """Create or replace a cycle."""
        with self.transaction():
            self._set(self._cycles, cycle.id, replace(cycle, reminder_plan=tuple(cycle.reminder_plan)))

    def get_cycle(self, cycle_id: str) -> Cycle | None:
        """Return one cycle, or None."""
        return self._cycles.get(cycle_id)

    def list_cycles(self) -> list[Cycle]:
        """Return every cycle, the earliest opening first (then by id)."""
        return sorted(self._cycles.values(), key=lambda cycle: (cycle.opens_at, cycle.id))

    # Answers --------------------------------------------------------------------------------------
    def save_answers(
        self, cycle_id: str, values: dict[str, Any], by: str, at: datetime, raw: dict[str, str] | None = None
    ) -> list[AnswerVersion]:
        """Record new values for several fields in one write, keeping every earlier one."""
        with self.transaction():
            fields = self._inner(self._answers, cycle_id)
            saved = []
            for field_id, value in values.items():
                versions = fields.get(field_id)
                if versions is None:
                    versions = []
                    self._set(fields, field_id, versions)
                stored = AnswerVersion(
                    cycle_id, field_id, as_json(value), by, at, len(versions) + 1, (raw or {}).get(field_id)
                )
                self._append(versions, stored)
                saved.append(answer_copy(stored))
            return saved

    def save_answer(
        self, cycle_id: str, field_id: str, value: Any, by: str, at: datetime, raw: str | None = None
    ) -> AnswerVersion:
        """Record a new value for one field."""
        raws = {field_id: raw} if raw is not None else None
        return self.save_answers(cycle_id, {field_id: value}, by, at, raws)[0]

    def delete_answer(self, cycle_id: str, field_id: str, by: str, at: datetime) -> None:
        """Clear a field's current value (a new version holding None); nothing if never answered."""
        if self._answers.get(cycle_id, {}).get(field_id):
            self.save_answer(cycle_id, field_id, None, by, at)

    def current_answers(self, cycle_id: str) -> dict[str, AnswerVersion]:
        """Return the latest version of every answered field of a cycle (cleared fields left out)."""
        return {
            field_id: answer_copy(versions[-1])
            for field_id, versions in self._answers.get(cycle_id, {}).items()
            if versions and versions[-1].value is not None
        }

    def answer_versions(self, cycle_id: str, field_ids: list[str]) -> dict[str, int]:
        """Return each field's current version number (0 if never answered)."""
        fields = self._answers.get(cycle_id, {})
        return {field_id: len(fields.get(field_id, ())) for field_id in field_ids}

    def answer_history(self, cycle_id: str, field_id: str | None = None) -> list[AnswerVersion]:
        """Return every stored version, oldest first, optionally of one field only."""
        fields = self._answers.get(cycle_id, {})
        if field_id is not None:
            return [answer_copy(v) for v in fields.get(field_id, ())]
        versions = [v for history in fields.values() for v in history]
        return [answer_copy(v) for v in sorted(versions, key=lambda v: v.at)]

    def count_answer_versions(self, cycle_id: str) -> int:
        """Return how many versions a cycle holds."""
        return sum(len(versions) for versions in self._answers.get(cycle_id, {}).values())

    # Section review -------------------------------------------------------------------------------
    def get_section_state(self, cycle_id: str, section_id: str) -> SectionState:
        """Return a section's review state (not started if never touched)."""
        state = self._sections.get(cycle_id, {}).get(section_id)
        return section_copy(state) if state else SectionState(cycle_id, section_id, NOT_STARTED)

    def set_section_state(
        self, cycle_id: str, section_id: str, state: str, by: str, at: datetime, comment: str | None = None
    ) -> SectionState:
        """Move a section to ``state``, appending the transition to its history; ValueError if unknown."""
        if state not in SECTION_STATES:
            raise ValueError(f"no such section state: {state!r}")
        with self.transaction():
            before = self.get_section_state(cycle_id, section_id)
            step = {"state": state, "by": by, "at": at.isoformat(), "comment": comment}
            after = SectionState(cycle_id, section_id, state, at, by, comment, (*before.history, step))
            self._set(self._inner(self._sections, cycle_id), section_id, after)
            return section_copy(after)

    def list_section_states(self, cycle_id: str) -> dict[str, SectionState]:
        """Return every section state stored for a cycle."""
        return {key: section_copy(state) for key, state in self._sections.get(cycle_id, {}).items()}

    def confirm_finding(self, cycle_id: str, key: str, by: str, at: datetime) -> None:
        """Record that a warning was confirmed; the first confirmation is the one kept."""
        with self.transaction():
            confirmed = self._inner(self._confirmed, cycle_id)
            if key not in confirmed:
                self._set(confirmed, key, {"by": by, "at": at})

    def confirmed_findings(self, cycle_id: str) -> dict[str, dict[str, Any]]:
        """Every confirmed warning of a cycle: key → who confirmed it and when."""
        return {key: dict(who) for key, who in self._confirmed.get(cycle_id, {}).items()}

    # Reminders ------------------------------------------------------------------------------------
    def record_reminder(
        self, cycle_id: str, department_id: str, slot: str, at: datetime, detail: dict[str, Any] | None = None
    ) -> bool:
        """Log a reminder as due; False (and nothing written) if that slot was already logged."""
        with self.transaction():
            log = self._inner(self._reminders, cycle_id)
            if (department_id, slot) in log:
                return False
            entry = ReminderEntry(cycle_id, department_id, slot, at, as_json(detail or {}))
            self._set(log, (department_id, slot), entry)
            return True

    def reminder_sent(self, cycle_id: str, department_id: str, slot: str) -> bool:
        """Return whether a reminder for this slot was logged."""
        return (department_id, slot) in self._reminders.get(cycle_id, {})

    def list_reminders(self, cycle_id: str, department_id: str | None = None) -> list[ReminderEntry]:
        """Return the reminder log of a cycle, oldest first."""
        entries = [
            replace(entry, detail=copy_out(entry.detail))
            for entry in self._reminders.get(cycle_id, {}).values()
            if department_id is None or entry.department_id == department_id
        ]
        return sorted(entries, key=lambda entry: entry.sent_at)

    # Conversations and chats ----------------------------------------------------------------------
    def get_conversation(self, cycle_id: str, user_id: int) -> dict[str, Any]:
        """Return where one person stands in one cycle's conversation (empty if nowhere)."""
        return copy_out(self._talks.get((cycle_id, user_id), {}))

    def set_conversation(self, cycle_id: str, user_id: int, state: dict[str, Any]) -> None:
        """Replace one person's conversation state in one cycle."""
        with self.transaction():
            self._set(self._talks, (cycle_id, user_id), as_json(dict(state)))

    def get_chat(self, chat_id: int) -> ChatState:
        """Return what is remembered of a chat (nothing handled yet if unknown)."""
        chat = self._chats.get(chat_id)
        return replace(chat, pending=copy_out(chat.pending)) if chat else ChatState(chat_id)

    def put_chat(self, chat: ChatState) -> None:
        """Replace what is remembered of a chat."""
        with self.transaction():
            self._set(self._chats, chat.chat_id, replace(chat, pending=as_json(chat.pending)))

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
        with self.transaction():
            delivery = Delivery(
                self._next("delivery"), chat_id, kind, payload, at, at, priority, cause, group
            )
            self.put_delivery(delivery)
            return delivery_copy(self._outbox[chat_id][delivery.id])

    def put_delivery(self, delivery: Delivery) -> None:
        """Replace a delivery; finished ones beyond the chat's newest few are forgotten."""
        with self.transaction():
            stored = replace(delivery, payload=as_json(delivery.payload))
            outbox = self._inner(self._outbox, delivery.chat_id)
            self._set(outbox, delivery.id, stored)
            if stored.state == DUE:
                self._set(self._due, delivery.id, stored)
                return
            self._delete(self._due, delivery.id)
            finished = sorted(i for i, d in outbox.items() if d.state != DUE)
            for old in finished[: max(0, len(finished) - KEEP_FINISHED)]:
                self._delete(outbox, old)

    def pending_deliveries(self) -> list[Delivery]:
        """Every delivery still due, in the order they were made due."""
        return [delivery_copy(self._due[i]) for i in sorted(self._due)]

    def recent_deliveries(self, chat_id: int) -> list[Delivery]:
        """A chat's deliveries, the finished ones of late included, oldest first."""
        outbox = self._outbox.get(chat_id, {})
        return [delivery_copy(outbox[i]) for i in sorted(outbox)]

    def add_job(self, kind: str, params: dict[str, Any], at: datetime, cause: str | None = None) -> Job:
        """Record long work to do."""
        with self.transaction():
            job = Job(self._next("job"), kind, params, at, cause)
            self.put_job(job)
            return job_copy(self._jobs[job.id])

    def put_job(self, job: Job) -> None:
        """Replace a job (its tally, its state); a finished job is forgotten."""
        with self.transaction():
            if job.state != DUE:
                self._delete(self._jobs, job.id)
                return
            self._set(self._jobs, job.id, replace(job, params=as_json(job.params), tally=as_json(job.tally)))

    def get_job(self, job_id: int) -> Job | None:
        """Return one job still to do, or None."""
        job = self._jobs.get(job_id)
        return job_copy(job) if job else None

    def pending_jobs(self) -> list[Job]:
        """Every job not yet done, oldest first."""
        return [job_copy(self._jobs[i]) for i in sorted(self._jobs)]

    def put_blob(self, data: bytes) -> str:
        """Keep a file's bytes (at once, whatever transaction is open); returns its name."""
        # Not undone by a rollback: a kept file no record names is harmless, a record naming a lost one not.
        self._blob_counter += 1
        name = f"{self._blob_counter:08d}"
        self._blobs[name] = bytes(data)
        return name

    def get_blob(self, name: str) -> bytes:
        """Return a kept file's bytes."""
        return self._blobs[name]

    def delete_blob(self, name: str) -> None:
        """Forget a kept file."""
        self._blobs.pop(name, None)

    def blob_names(self) -> set[str]:
        """The names of every kept file."""
        return set(self._blobs)

    # Settings -------------------------------------------------------------------------------------
    def get_setting(self, key: str, default: Any = None) -> Any:
        """Return a stored setting."""
        return copy_out(self._settings[key]) if key in self._settings else default

    def set_setting(self, key: str, value: Any) -> None:
        """Store a setting."""
        with self.transaction():
            self._set(self._settings, key, as_json(value))


def _bound_order(contact: Contact) -> tuple[Any, ...]:
    # Never-bound contacts have no moment to compare, so they come first, by user id.
    if contact.bound_at is None:
        return (0, contact.user_id)
    return (1, contact.bound_at, contact.user_id)
