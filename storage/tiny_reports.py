"""Cycles, answers with their full history, section review states and the reminder log."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from storage.records import NOT_STARTED, SECTION_STATES, AnswerVersion, Cycle, ReminderEntry, SectionState
from storage.tiny_base import TinyBase, copied, iso, moment, writes


def _answers(cycle_id: str, field_id: str) -> str:
    # One table per field: its versions, doc id = version number. Saving appends to one small table.
    return f"answers@{cycle_id}@{field_id}"


class ReportTables(TinyBase):
    """What one report cycle holds."""

    # Cycles ---------------------------------------------------------------------------------------
    @writes
    def put_cycle(self, cycle: Cycle) -> None:
        """Create or replace a cycle."""
        doc = asdict(cycle)
        doc.update(
            opens_at=iso(cycle.opens_at),
            deadline=iso(cycle.deadline),
            reminder_plan=list(cycle.reminder_plan),
        )
        self._put(f"cycle@{cycle.id}", doc)

    def get_cycle(self, cycle_id: str) -> Cycle | None:
        """Return one cycle, or None."""
        doc = self._get(f"cycle@{cycle_id}")
        return _cycle(doc) if doc else None

    def list_cycles(self) -> list[Cycle]:
        """Return every cycle, the earliest opening first."""
        cycles = [_cycle(self._get(name)) for name in self._family("cycle")]
        return sorted(cycles, key=lambda c: (c.opens_at, c.id))

    # Answers --------------------------------------------------------------------------------------
    @writes
    def save_answers(
        self, cycle_id: str, values: dict[str, Any], by: str, at: datetime, raw: dict[str, str] | None = None
    ) -> list[AnswerVersion]:
        """Record new values for several fields in one write, keeping every earlier one."""
        saved = []
        for field_id, value in values.items():
            name = _answers(cycle_id, field_id)
            number = len(self._storage.read().get(name, {})) + 1
            text = (raw or {}).get(field_id)
            doc = {"value": value, "by": by, "at": iso(at), "raw": text}
            self._put(name, doc, number)
            saved.append(AnswerVersion(cycle_id, field_id, value, by, at, number, text))
        return saved

    def save_answer(
        self, cycle_id: str, field_id: str, value: Any, by: str, at: datetime, raw: str | None = None
    ) -> AnswerVersion:
        """Record a new value for one field."""
        return self.save_answers(cycle_id, {field_id: value}, by, at, {field_id: raw} if raw else None)[0]

    def delete_answer(self, cycle_id: str, field_id: str, by: str, at: datetime) -> None:
        """Clear a field's current value; the history keeps what it was."""
        if self._exists(_answers(cycle_id, field_id)):
            self.save_answer(cycle_id, field_id, None, by, at)

    def _latest(self, cycle_id: str, name: str) -> AnswerVersion | None:
        docs = self._storage.read().get(name)
        if not docs:
            return None
        number = len(docs)
        return _version(cycle_id, name.rsplit("@", 1)[1], number, docs[str(number)])

    def current_answers(self, cycle_id: str) -> dict[str, AnswerVersion]:
        """Return the latest version of every answered field of a cycle."""
        latest = (self._latest(cycle_id, name) for name in self._family(f"answers@{cycle_id}"))
        return {v.field_id: v for v in latest if v is not None and v.value is not None}

    def answer_versions(self, cycle_id: str, field_ids: list[str]) -> dict[str, int]:
        """Return each field's current version number (0 if never answered)."""
        tables = self._storage.read()
        return {fid: len(tables.get(_answers(cycle_id, fid), {})) for fid in field_ids}

    def answer_history(self, cycle_id: str, field_id: str | None = None) -> list[AnswerVersion]:
        """Return every stored version, oldest first, optionally of one field only."""
        names = [_answers(cycle_id, field_id)] if field_id else self._family(f"answers@{cycle_id}")
        versions = [
            _version(cycle_id, name.rsplit("@", 1)[1], number, doc)
            for name in names
            for number, doc in sorted(self._docs(name).items())
        ]
        return sorted(versions, key=lambda v: v.at)  # stable: a row saved at once keeps its order

    def count_answer_versions(self, cycle_id: str) -> int:
        """Return how many versions a cycle holds."""
        tables = self._storage.read()
        return sum(len(tables[name]) for name in self._family(f"answers@{cycle_id}"))

    # Section review -------------------------------------------------------------------------------
    def get_section_state(self, cycle_id: str, section_id: str) -> SectionState:
        """Return a section's review state (not started if never touched)."""
        doc = self._get(f"section@{cycle_id}@{section_id}")
        return _section(cycle_id, doc) if doc else SectionState(cycle_id, section_id, NOT_STARTED)

    @writes
    def set_section_state(
        self, cycle_id: str, section_id: str, state: str, by: str, at: datetime, comment: str | None = None
    ) -> SectionState:
        """Move a section to ``state``, appending the transition to its history."""
        if state not in SECTION_STATES:
            raise ValueError(f"unknown section state {state!r}")
        before = self.get_section_state(cycle_id, section_id)
        step = {"state": state, "by": by, "at": iso(at), "comment": comment}
        doc = {
            "section_id": section_id,
            "state": state,
            "updated_at": iso(at),
            "by": by,
            "comment": comment,
            "history": [*before.history, step],
        }
        self._put(f"section@{cycle_id}@{section_id}", doc)
        return _section(cycle_id, doc)

    def list_section_states(self, cycle_id: str) -> dict[str, SectionState]:
        """Return every section state stored for a cycle."""
        docs = (self._get(name) for name in self._family(f"section@{cycle_id}"))
        return {doc["section_id"]: _section(cycle_id, doc) for doc in docs}

    @writes
    def confirm_finding(self, cycle_id: str, key: str, by: str, at: datetime) -> None:
        """Record that a warning was looked at and confirmed (it is not asked again while unchanged)."""
        name = f"confirmed@{cycle_id}"
        if any(doc["key"] == key for doc in self._docs(name).values()):
            return
        self._put(name, {"key": key, "by": by, "at": iso(at)}, len(self._docs(name)) + 1)

    def confirmed_findings(self, cycle_id: str) -> dict[str, dict[str, Any]]:
        """Every confirmed warning of a cycle: key → who confirmed it and when."""
        return {
            doc["key"]: {"by": doc["by"], "at": moment(doc["at"])}
            for doc in self._docs(f"confirmed@{cycle_id}").values()
        }

    # Reminders ------------------------------------------------------------------------------------
    @writes
    def record_reminder(
        self, cycle_id: str, department_id: str, slot: str, at: datetime, detail: dict[str, Any] | None = None
    ) -> bool:
        """Log a reminder as due; False (and nothing written) if that slot was already logged."""
        if self.reminder_sent(cycle_id, department_id, slot):
            return False
        name = f"reminders@{cycle_id}@{department_id}"
        doc = {"slot": slot, "sent_at": iso(at), "detail": detail or {}}
        self._put(name, doc, len(self._docs(name)) + 1)
        return True

    def reminder_sent(self, cycle_id: str, department_id: str, slot: str) -> bool:
        """Return whether a reminder for this slot was logged."""
        docs = self._docs(f"reminders@{cycle_id}@{department_id}")
        return any(doc["slot"] == slot for doc in docs.values())

    def list_reminders(self, cycle_id: str, department_id: str | None = None) -> list[ReminderEntry]:
        """Return the reminder log of a cycle, oldest first."""
        names = (
            [f"reminders@{cycle_id}@{department_id}"]
            if department_id is not None
            else self._family(f"reminders@{cycle_id}")
        )
        entries = [
            ReminderEntry(
                cycle_id, name.rsplit("@", 1)[1], doc["slot"], moment(doc["sent_at"]), doc["detail"]
            )
            for name in names
            for _, doc in sorted(self._docs(name).items())
        ]
        return sorted(entries, key=lambda e: e.sent_at)


def _version(cycle_id: str, field_id: str, number: int, doc: dict[str, Any]) -> AnswerVersion:
    return AnswerVersion(
        cycle_id, field_id, copied(doc["value"]), doc["by"], moment(doc["at"]), number, doc.get("raw")
    )


def _cycle(doc: dict[str, Any]) -> Cycle:
    fields = dict(doc)
    fields.update(
        opens_at=moment(doc["opens_at"]),
        deadline=moment(doc["deadline"]),
        reminder_plan=tuple(doc["reminder_plan"]),
    )
    return Cycle(**fields)


def _section(cycle_id: str, doc: dict[str, Any]) -> SectionState:
    return SectionState(
        cycle_id,
        doc["section_id"],
        doc["state"],
        moment(doc.get("updated_at")),
        doc.get("by"),
        doc.get("comment"),
        tuple(doc.get("history", ())),
    )
