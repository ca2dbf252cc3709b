"""Plain records the store hands out; they carry no storage or Telegram types."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Section states, in the order a section normally moves through them.
NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
SUBMITTED = "submitted"
RETURNED = "returned"
APPROVED = "approved"
SECTION_STATES = (NOT_STARTED, IN_PROGRESS, SUBMITTED, RETURNED, APPROVED)


@dataclass(frozen=True)
class Department:
    """A department (科室) and the template sections it owns."""

    id: str
    name: str
    sections: tuple[str, ...] = ()
    head_user_id: int | None = None


@dataclass(frozen=True)
class Contact:
    """A Telegram user bound to a role: a department contact or a coordinator."""

    user_id: int
    role: str  # "contact" or "coordinator"
    name: str = ""
    department_id: str | None = None
    lang: str = "zh"
    chat_id: int | None = None
    blocked: bool = False
    bound_at: datetime | None = None


@dataclass(frozen=True)
class Invite:
    """A single-use onboarding code."""

    code: str
    role: str
    department_id: str | None
    created_at: datetime
    expires_at: datetime
    used_by: int | None = None
    used_at: datetime | None = None


@dataclass(frozen=True)
class Cycle:
    """One report year: when it opens, its deadline and its reminder plan."""

    year: int
    template_id: str
    opens_at: datetime
    deadline: datetime
    timezone: str = "Asia/Shanghai"
    reminder_plan: tuple[str, ...] = ()
    opened: bool = False
    closed: bool = False


@dataclass(frozen=True)
class AnswerVersion:
    """One stored value of one field: who gave it, when, and what they typed."""

    year: int
    field_id: str
    value: Any
    by: str
    at: datetime
    version: int
    raw: str | None = None


@dataclass(frozen=True)
class SectionState:
    """Where a section stands in review, with every transition it went through."""

    year: int
    section_id: str
    state: str = NOT_STARTED
    updated_at: datetime | None = None
    by: str | None = None
    comment: str | None = None
    history: tuple[dict[str, Any], ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ReminderEntry:
    """A reminder that was sent: at most one per (year, department, slot)."""

    year: int
    department_id: str
    slot: str
    sent_at: datetime
    detail: dict[str, Any] = field(default_factory=dict)
