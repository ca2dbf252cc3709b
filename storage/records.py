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

# Roles, and where a role came from: the configuration (revoked when removed from it) or an invitation.
CONTACT, COORDINATOR = "contact", "coordinator"
HEAD = "head"  # a department's head: sees its progress, is told when it falls behind
FROM_CONFIG, FROM_INVITE = "config", "invite"
# The channel every contact came through before contacts named theirs (records without one are from it).
FIRST_CHANNEL = "telegram"

# Delivery states: due (not yet accepted by the channel), sent, failed (can never be delivered).
DUE, SENT, FAILED = "due", "sent", "failed"
# Delivery priorities: a reply to the person who acted, a notice to someone else, a broadcast.
REPLY, NOTICE, BROADCAST = 0, 1, 2


@dataclass(frozen=True)
class Department:
    """A department (科室) and the template sections it owns."""

    id: str
    name: str
    sections: tuple[str, ...] = ()
    head_user_id: int | None = None
    active: bool = True  # False once removed from the configuration; kept so history can name it


@dataclass(frozen=True)
class Contact:
    """A person bound to a role: a department contact, a head or a coordinator.

    ``user_id`` is the person's id on their ``channel``; ``address`` is where that channel delivers to
    them (in a private chat, the same number)."""

    user_id: int
    role: str  # CONTACT, COORDINATOR or HEAD
    name: str = ""
    department_id: str | None = None
    lang: str = "zh"
    address: int | None = None  # None: the person's own id
    blocked: bool = False
    bound_at: datetime | None = None
    granted_by: str = FROM_INVITE
    revoked_at: datetime | None = None
    channel: str = FIRST_CHANNEL

    def __post_init__(self) -> None:
        if self.address is None:
            object.__setattr__(self, "address", self.user_id)

    @property
    def active(self) -> bool:
        """Whether the person still holds their role."""
        return self.revoked_at is None


@dataclass(frozen=True)
class Invite:
    """A used onboarding code (codes are signed, so only their use needs remembering)."""

    code: str
    role: str
    department_id: str | None
    created_at: datetime
    expires_at: datetime
    used_by: int | None = None
    used_at: datetime | None = None


@dataclass(frozen=True)
class Cycle:
    """One report to collect: its id, report year and period, template, opening, deadline and reminders."""

    id: str
    year: int
    template_id: str
    opens_at: datetime
    deadline: datetime
    timezone: str = "Asia/Shanghai"
    reminder_plan: tuple[str, ...] = ()
    opened: bool = False
    closed: bool = False
    period: str = "year"  # year, H1, H2, Q1…Q4


@dataclass(frozen=True)
class AnswerVersion:
    """One stored value of one field: who gave it, when, and what they typed."""

    cycle_id: str
    field_id: str
    value: Any
    by: str
    at: datetime
    version: int
    raw: str | None = None


@dataclass(frozen=True)
class SectionState:
    """Where a section stands in review, with every transition it went through."""

    cycle_id: str
    section_id: str
    state: str = NOT_STARTED
    updated_at: datetime | None = None
    by: str | None = None
    comment: str | None = None
    history: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    @property
    def version(self) -> int:
        """How many transitions the section went through (a button made for one knows it)."""
        return len(self.history)


@dataclass(frozen=True)
class ReminderEntry:
    """A reminder that fell due: at most one per (cycle, department, slot)."""

    cycle_id: str
    department_id: str
    slot: str
    sent_at: datetime
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ChatState:
    """What the bot remembers of one chat: the newest update handled, the newest message seen, a question,
    the report chosen."""

    chat_id: int
    last_update_id: int = 0
    last_message_id: int = 0
    pending: dict[str, Any] = field(default_factory=dict)
    cycle_id: str = ""  # the report this person chose to fill in, when several are open


@dataclass(frozen=True)
class Delivery:
    """A message (or edit, or menu) owed to a chat: due until the channel accepts it."""

    id: int
    chat_id: int
    kind: str  # text, document, edit, answer, commands
    payload: dict[str, Any]
    created_at: datetime
    due_at: datetime
    priority: int = NOTICE
    cause: str | None = None  # what made it due: "update:17", "tick:2026:before:3", "job:4"
    group: str | None = None  # a broadcast whose outcome is reported when all of it is done
    state: str = DUE
    attempts: int = 0
    in_flight: bool = False  # an attempt started and its answer was never seen
    after_message: int = 0  # the newest message id of the chat when that attempt started
    message_id: int | None = None
    finished_at: datetime | None = None
    detail: str | None = None


@dataclass(frozen=True)
class Job:
    """Long work asked for by someone (assembly, export, a broadcast's report), done in the background."""

    id: int
    kind: str
    params: dict[str, Any]
    created_at: datetime
    cause: str | None = None
    state: str = DUE
    tally: dict[str, int] = field(default_factory=dict)
