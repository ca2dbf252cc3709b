"""Where one person stands in one cycle: the prompt they were shown, and what they were shown with it.

Each person has their own position, so two contacts of one department can fill different rows at once.
A prompt records the version of every field it showed (``seen``); an answer is saved only if those
fields are still at those versions, so nobody silently overwrites what a colleague saved meanwhile.
Every prompt gets a new ``seq``; a button carries the ``seq`` of the prompt it was made for.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

ANSWER, EDIT = "answer", "edit"
MAX_REMEMBERED = 40  # answered messages kept for edits: table 三's 25 rows, and a little more


@dataclass
class Conflict:
    """An answer that was not saved because someone changed the same fields after it was asked."""

    fields: list[str]
    values: dict[str, Any]
    raw: dict[str, str]
    seen: dict[str, int]  # the versions it would replace, as shown in the conflict message


@dataclass
class Position:
    """One person's place in one cycle's conversation (kept in the store)."""

    unit: str | None = None  # the section open
    fields: list[str] | None = None  # the step being asked: its field ids
    mode: str = ANSWER
    seq: int = 0
    seen: dict[str, int] = field(default_factory=dict)
    drafts: dict[str, list[str]] = field(default_factory=dict)  # narrative parts received, per field
    draft_base: dict[str, int] = field(default_factory=dict)  # each draft's field version when it began
    conflict: Conflict | None = None
    # The messages that answered a prompt, newest last: message id -> the section, the step's fields, their
    # versions after the answer and (for a narrative) which part of the draft it was. An edited message
    # is applied where it was an answer, and only if nobody changed those fields since.
    answered: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, data: dict[str, Any]) -> Position:
        """Read a stored position (older records may lack keys)."""
        conflict = data.get("conflict")
        return cls(
            unit=data.get("unit"),
            fields=data.get("fields"),
            mode=data.get("mode", ANSWER),
            seq=int(data.get("seq", 0)),
            seen=dict(data.get("seen") or {}),
            drafts={k: list(v) for k, v in (data.get("drafts") or {}).items()},
            draft_base=dict(data.get("draft_base") or {}),
            conflict=Conflict(**conflict) if conflict else None,
            answered=dict(data.get("answered") or {}),
        )

    def dump(self) -> dict[str, Any]:
        """The stored form (the store keeps its own copy, so nothing here is copied twice)."""
        stored = dict(vars(self))
        stored["conflict"] = asdict(self.conflict) if self.conflict else None
        return stored

    def ask(self, fields: tuple[str, ...] | list[str], versions: dict[str, int], mode: str = ANSWER) -> int:
        """Show a new prompt for ``fields`` as they are now; returns its sequence number."""
        self.fields, self.seen, self.mode = list(fields), dict(versions), mode
        self.conflict = None
        self.seq += 1
        return self.seq

    def leave(self) -> None:
        """No prompt is open (a summary or a menu is shown instead)."""
        self.fields, self.seen, self.mode, self.conflict = None, {}, ANSWER, None
        self.seq += 1

    @staticmethod
    def versions_answered(entry: dict[str, Any]) -> dict[str, int]:
        """The versions a remembered answer left its fields at, by field id."""
        return dict(zip(entry["fields"], entry["versions"], strict=True))

    def remember(
        self,
        message_id: int,
        section: str,
        fields: tuple[str, ...] | list[str],
        versions: dict[str, int],
        **more,
    ) -> None:
        """Note that ``message_id`` answered ``fields`` of ``section``; the oldest notes make way."""
        key = str(message_id)
        self.answered.pop(key, None)
        # Versions in the order of the fields: a position is written with every answer, so it stays small.
        versions_list = [versions.get(fid, 0) for fid in fields]
        self.answered[key] = {"section": section, "fields": list(fields), "versions": versions_list, **more}
        while len(self.answered) > MAX_REMEMBERED:
            del self.answered[next(iter(self.answered))]
