"""Small pieces of wording shared by the conversation, progress and review texts."""

from __future__ import annotations

from decimal import Decimal

from storage.records import APPROVED, IN_PROGRESS, NOT_STARTED, RETURNED, SUBMITTED
from workflows.i18n import t
from workflows.numbers import format_number
from workflows.validation import Finding

_STATES = {
    NOT_STARTED: "not started",
    IN_PROGRESS: "in progress",
    SUBMITTED: "submitted",
    RETURNED: "returned",
    APPROVED: "approved",
}


def state_name(lang: str, state: str) -> str:
    """未开始 / 填写中 / 已提交 / 已退回 / 已通过."""
    return t(lang, _STATES.get(state, state))


def excerpt(text: str, limit: int) -> str:
    """The first ``limit`` characters of a text on one line, with … when cut."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def value_text(value: object) -> str:
    """A stored value as shown in a chat."""
    if value is None:
        return "—"
    if isinstance(value, int | Decimal | float):
        return format_number(value)
    return str(value)


def finding_lines(lang: str, findings: list[Finding]) -> list[str]:
    """One line per finding: ❌ for what blocks, ⚠️ for what only warns."""
    return [("❌ " if f.blocking else "⚠️ ") + f.render(lang) for f in findings]
