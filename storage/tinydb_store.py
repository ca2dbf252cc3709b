"""The TinyDB implementation of the storage contract, on disk or in memory.

Layout (one TinyDB table per line, each its own file on disk):

- ``organisation``, ``departments``, ``contacts``, ``invites``, ``cycles``, ``user_state``, ``settings``
- ``history@<year>@<chunk>``: answer versions, append-only, at most ``CHUNK_SIZE`` per table, so that
  saving an answer rewrites one small file however many answers the database holds
- ``sections@<year>``: review state per section; ``reminders@<year>``: the reminder log

The current value of each field is not stored twice: it is the newest version in the history, indexed
in memory the first time a year is touched. One save is therefore one atomic write.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from tinydb import Query, TinyDB
from tinydb.storages import MemoryStorage

from storage.durable import DirectoryStorage
from storage.records import (
    NOT_STARTED,
    SECTION_STATES,
    AnswerVersion,
    Contact,
    Cycle,
    Department,
    Invite,
    ReminderEntry,
    SectionState,
)

CHUNK_SIZE = 500
_T = TypeVar("_T")
_Q = Query()


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _locked(method: Callable[..., _T]) -> Callable[..., _T]:
    @functools.wraps(method)
    def wrapper(self: TinyStore, *args: Any, **kwargs: Any) -> _T:
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper


class TinyStore:
    """A ``Store`` kept in TinyDB: durable files in a directory, or memory for tests."""

    def __init__(self, db: TinyDB) -> None:
        self._db = db
        self._lock = threading.RLock()
        self._current: dict[int, dict[str, AnswerVersion]] = {}
        self._chunk: dict[int, tuple[int, int]] = {}  # year -> (chunk number, versions in it)

    # Organisation ---------------------------------------------------------------------------------
    def get_organisation(self) -> dict[str, Any]:
        """Return the organisation profile; empty if unset."""
        doc = self._db.table("organisation").get(doc_id=1)
        return dict(doc) if doc else {}

    @_locked
    def set_organisation(self, profile: dict[str, Any]) -> None:
        """Replace the organisation profile."""
        table = self._db.table("organisation")
        table.truncate()
        table.insert(dict(profile))

    # Departments and people -----------------------------------------------------------------------
    @_locked
    def put_department(self, department: Department) -> None:
        """Create or replace a department."""
        doc = asdict(department)
        doc["sections"] = list(department.sections)
        self._db.table("departments").upsert(doc, _Q.id == department.id)

    def get_department(self, department_id: str) -> Department | None:
        """Return one department, or None."""
        doc = self._db.table("departments").get(_Q.id == department_id)
        return _department(doc) if doc else None

    def list_departments(self) -> list[Department]:
        """Return all departments in the order they were first stored."""
        return [_department(doc) for doc in self._db.table("departments").all()]

    @_locked
    def put_contact(self, contact: Contact) -> None:
        """Create or replace the contact with this Telegram user id."""
        doc = asdict(contact)
        doc["bound_at"] = _iso(contact.bound_at)
        self._db.table("contacts").upsert(doc, _Q.user_id == contact.user_id)

    def get_contact(self, user_id: int) -> Contact | None:
        """Return the contact bound to this Telegram user, or None."""
        doc = self._db.table("contacts").get(_Q.user_id == user_id)
        return _contact(doc) if doc else None

    def list_contacts(self, department_id: str | None = None, role: str | None = None) -> list[Contact]:
        """Return contacts, optionally only one department's or one role's."""
        contacts = [_contact(doc) for doc in self._db.table("contacts").all()]
        return [
            contact
            for contact in contacts
            if (department_id is None or contact.department_id == department_id)
            and (role is None or contact.role == role)
        ]

    @_locked
    def remove_contact(self, user_id: int) -> bool:
        """Unbind a Telegram user. Returns whether one was bound."""
        return bool(self._db.table("contacts").remove(_Q.user_id == user_id))

    # Invitations ----------------------------------------------------------------------------------
    @_locked
    def put_invite(self, invite: Invite) -> None:
        """Store a new invitation code."""
        self._db.table("invites").upsert(_invite_doc(invite), _Q.code == invite.code)

    def get_invite(self, code: str) -> Invite | None:
        """Return the invitation with this code, or None."""
        doc = self._db.table("invites").get(_Q.code == code)
        return _invite(doc) if doc else None

    @_locked
    def consume_invite(self, code: str, user_id: int, now: datetime) -> Invite | None:
        """Mark an unused, unexpired code as used by ``user_id``; None if it cannot be used."""
        invite = self.get_invite(code)
        if invite is None or invite.used_by is not None or now >= invite.expires_at:
            return None
        used = replace(invite, used_by=user_id, used_at=now)
        self.put_invite(used)
        return used

    # Cycles ---------------------------------------------------------------------------------------
    @_locked
    def put_cycle(self, cycle: Cycle) -> None:
        """Create or replace the cycle for its year."""
        doc = asdict(cycle)
        doc.update(
            opens_at=_iso(cycle.opens_at),
            deadline=_iso(cycle.deadline),
            reminder_plan=list(cycle.reminder_plan),
        )
        self._db.table("cycles").upsert(doc, _Q.year == cycle.year)

    def get_cycle(self, year: int) -> Cycle | None:
        """Return the cycle of one report year, or None."""
        doc = self._db.table("cycles").get(_Q.year == year)
        return _cycle(doc) if doc else None

    def list_cycles(self) -> list[Cycle]:
        """Return all cycles, oldest year first."""
        return sorted((_cycle(doc) for doc in self._db.table("cycles").all()), key=lambda c: c.year)

    # Answers --------------------------------------------------------------------------------------
    def save_answer(
        self, year: int, field_id: str, value: Any, by: str, at: datetime, raw: str | None = None
    ) -> AnswerVersion:
        """Record a new value for a field, keeping every earlier one."""
        raws = {field_id: raw} if raw is not None else None
        return self.save_answers(year, {field_id: value}, by, at, raws)[0]

    @_locked
    def save_answers(
        self, year: int, values: dict[str, Any], by: str, at: datetime, raw: dict[str, str] | None = None
    ) -> list[AnswerVersion]:
        """Record several values in one durable write (a table row, a whole section)."""
        current = self._current_index(year)
        versions = []
        for field_id, value in values.items():
            previous = current.get(field_id)
            number = previous.version + 1 if previous else 1
            versions.append(AnswerVersion(year, field_id, value, by, at, number, (raw or {}).get(field_id)))
        if not versions:
            return []
        self._history_table_for_append(year, len(versions)).insert_multiple(
            {
                "field": v.field_id,
                "value": v.value,
                "by": v.by,
                "at": _iso(v.at),
                "version": v.version,
                "raw": v.raw,
            }
            for v in versions
        )
        for version in versions:
            current[version.field_id] = version
        return versions

    def delete_answer(self, year: int, field_id: str, by: str, at: datetime) -> None:
        """Clear a field's current value; the history keeps what it was."""
        if field_id in self._current_index(year):
            self.save_answer(year, field_id, None, by, at)

    def current_answers(self, year: int) -> dict[str, AnswerVersion]:
        """Return the latest version of every answered field of a year."""
        return {key: v for key, v in self._current_index(year).items() if v.value is not None}

    def answer_history(self, year: int, field_id: str | None = None) -> list[AnswerVersion]:
        """Return every stored version, oldest first, optionally of one field only."""
        return [v for v in self._iter_history(year) if field_id is None or v.field_id == field_id]

    def count_answer_versions(self, year: int) -> int:
        """Return how many versions a year holds."""
        return sum(len(self._db.table(name)) for name in self._history_tables(year))

    def _history_tables(self, year: int) -> list[str]:
        prefix = f"history@{year}@"
        return sorted(name for name in self._db.tables() if name.startswith(prefix))

    def _iter_history(self, year: int):
        for name in self._history_tables(year):
            for doc in self._db.table(name).all():
                yield AnswerVersion(
                    year,
                    doc["field"],
                    doc["value"],
                    doc["by"],
                    _dt(doc["at"]),
                    doc["version"],
                    doc.get("raw"),
                )

    def _current_index(self, year: int) -> dict[str, AnswerVersion]:
        if year not in self._current:
            index: dict[str, AnswerVersion] = {}
            for version in self._iter_history(year):
                index[version.field_id] = version
            self._current[year] = index
        return self._current[year]

    def _history_table_for_append(self, year: int, count: int):
        if year not in self._chunk:
            names = self._history_tables(year)
            last = names[-1] if names else None
            self._chunk[year] = (int(last.rsplit("@", 1)[1]), len(self._db.table(last))) if last else (0, 0)
        chunk, size = self._chunk[year]
        if size and size + count > CHUNK_SIZE:
            chunk, size = chunk + 1, 0
        self._chunk[year] = (chunk, size + count)
        return self._db.table(f"history@{year}@{chunk:05d}")

    # Section review -------------------------------------------------------------------------------
    def get_section_state(self, year: int, section_id: str) -> SectionState:
        """Return a section's review state (not started if never touched)."""
        doc = self._db.table(f"sections@{year}").get(_Q.section_id == section_id)
        return _section(year, doc) if doc else SectionState(year, section_id, NOT_STARTED)

    @_locked
    def set_section_state(
        self, year: int, section_id: str, state: str, by: str, at: datetime, comment: str | None = None
    ) -> SectionState:
        """Move a section to ``state``, appending the transition to its history."""
        if state not in SECTION_STATES:
            raise ValueError(f"unknown section state {state!r}")
        before = self.get_section_state(year, section_id)
        step = {"state": state, "by": by, "at": _iso(at), "comment": comment}
        doc = {
            "section_id": section_id,
            "state": state,
            "updated_at": _iso(at),
            "by": by,
            "comment": comment,
            "history": [*before.history, step],
        }
        self._db.table(f"sections@{year}").upsert(doc, _Q.section_id == section_id)
        return _section(year, doc)

    def list_section_states(self, year: int) -> dict[str, SectionState]:
        """Return every section state stored for a year."""
        return {doc["section_id"]: _section(year, doc) for doc in self._db.table(f"sections@{year}").all()}

    # Reminders ------------------------------------------------------------------------------------
    @_locked
    def record_reminder(
        self, year: int, department_id: str, slot: str, at: datetime, detail: dict[str, Any] | None = None
    ) -> bool:
        """Log a reminder; False (and nothing written) if that slot was already logged."""
        if self.reminder_sent(year, department_id, slot):
            return False
        self._db.table(f"reminders@{year}").insert(
            {"department_id": department_id, "slot": slot, "sent_at": _iso(at), "detail": detail or {}}
        )
        return True

    def reminder_sent(self, year: int, department_id: str, slot: str) -> bool:
        """Return whether a reminder for this slot was logged."""
        table = self._db.table(f"reminders@{year}")
        return table.contains((_Q.department_id == department_id) & (_Q.slot == slot))

    def list_reminders(self, year: int, department_id: str | None = None) -> list[ReminderEntry]:
        """Return the reminder log of a year, oldest first."""
        entries = [
            ReminderEntry(year, doc["department_id"], doc["slot"], _dt(doc["sent_at"]), doc.get("detail", {}))
            for doc in self._db.table(f"reminders@{year}").all()
        ]
        return [e for e in entries if department_id is None or e.department_id == department_id]

    # Conversation state and settings --------------------------------------------------------------
    def get_user_state(self, user_id: int) -> dict[str, Any]:
        """Return what the bot keeps about a user's conversation (empty if none)."""
        doc = self._db.table("user_state").get(_Q.user_id == user_id)
        return dict(doc.get("state", {})) if doc else {}

    @_locked
    def set_user_state(self, user_id: int, state: dict[str, Any]) -> None:
        """Replace a user's conversation state."""
        self._db.table("user_state").upsert({"user_id": user_id, "state": state}, _Q.user_id == user_id)

    def get_setting(self, key: str, default: Any = None) -> Any:
        """Return a stored setting."""
        doc = self._db.table("settings").get(_Q.key == key)
        return doc["value"] if doc else default

    @_locked
    def set_setting(self, key: str, value: Any) -> None:
        """Store a setting."""
        self._db.table("settings").upsert({"key": key, "value": value}, _Q.key == key)

    def close(self) -> None:
        """Release files and locks."""
        self._db.close()


def _department(doc: dict[str, Any]) -> Department:
    return Department(doc["id"], doc["name"], tuple(doc.get("sections", ())), doc.get("head_user_id"))


def _contact(doc: dict[str, Any]) -> Contact:
    fields = dict(doc)
    fields["bound_at"] = _dt(fields.get("bound_at"))
    return Contact(**fields)


def _invite_doc(invite: Invite) -> dict[str, Any]:
    doc = asdict(invite)
    for key in ("created_at", "expires_at", "used_at"):
        doc[key] = _iso(doc[key])
    return doc


def _invite(doc: dict[str, Any]) -> Invite:
    fields = dict(doc)
    for key in ("created_at", "expires_at", "used_at"):
        fields[key] = _dt(fields.get(key))
    return Invite(**fields)


def _cycle(doc: dict[str, Any]) -> Cycle:
    fields = dict(doc)
    fields.update(
        opens_at=_dt(doc["opens_at"]),
        deadline=_dt(doc["deadline"]),
        reminder_plan=tuple(doc["reminder_plan"]),
    )
    return Cycle(**fields)


def _section(year: int, doc: dict[str, Any]) -> SectionState:
    return SectionState(
        year,
        doc["section_id"],
        doc["state"],
        _dt(doc.get("updated_at")),
        doc.get("by"),
        doc.get("comment"),
        tuple(doc.get("history", ())),
    )


def open_store(path: str | Path) -> TinyStore:
    """Open (creating if needed) the durable store kept in directory ``path``."""
    return TinyStore(TinyDB(str(path), storage=DirectoryStorage))


def memory_store() -> TinyStore:
    """Return the in-memory twin: the same contract, nothing on disk (for tests and dry runs)."""
    return TinyStore(TinyDB(storage=MemoryStorage))
