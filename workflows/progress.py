"""Who has done what: per-department progress, who is missing, and what a reminder should say."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from storage.records import (
    APPROVED,
    CONTACT,
    HEAD,
    IN_PROGRESS,
    NOT_STARTED,
    RETURNED,
    SUBMITTED,
    Contact,
    Cycle,
    Department,
)
from workflows.i18n import t, tn
from workflows.replies import Outcome, Reply
from workflows.session import ReportSession
from workflows.units import Unit
from workflows.wording import state_name


@dataclass(frozen=True)
class DepartmentProgress:
    """One department's standing in the current report."""

    department: Department
    units: list[Unit]
    states: list[str]
    last_activity: datetime | None
    contacts: list[Contact]

    @property
    def submitted(self) -> int:
        """How many of its sections are submitted or approved."""
        return sum(1 for s in self.states if s in (SUBMITTED, APPROVED))

    @property
    def owing(self) -> list[Unit]:
        """Its sections not yet submitted."""
        return [u for u, s in zip(self.units, self.states, strict=True) if s not in (SUBMITTED, APPROVED)]

    @property
    def state(self) -> str:
        """One word for the department: approved, returned, submitted, in progress or not started."""
        if self.states and all(s == APPROVED for s in self.states):
            return APPROVED
        if RETURNED in self.states:
            return RETURNED
        if self.states and all(s in (SUBMITTED, APPROVED) for s in self.states):
            return SUBMITTED
        if any(s != NOT_STARTED for s in self.states):
            return IN_PROGRESS
        return NOT_STARTED


def department_progress(session: ReportSession) -> list[DepartmentProgress]:
    """Progress of every department that owns at least one section."""
    answers = session.answers
    out = []
    for department in session.departments:
        units = session.units_of(department.id)
        if not units:
            continue
        moments = [answers[fid].at for u in units for fid in u.field_ids if fid in answers]
        moments += [s.updated_at for u in units if (s := session.state(u)).updated_at]
        out.append(
            DepartmentProgress(
                department,
                units,
                [session.effective_state(u) for u in units],
                max(moments) if moments else None,
                [
                    c
                    for c in session.store.list_contacts(department_id=department.id, role=CONTACT)
                    if c.active
                ],
            )
        )
    return out


def _when(moment: datetime | None, zone: tzinfo, lang: str) -> str:
    if moment is None:
        return t(lang, "no activity yet")
    local = moment.astimezone(zone)
    return f"{local.month}月{local.day}日 {local:%H:%M}" if lang == "zh" else f"{local:%d %b %H:%M}"


def deadline_text(session: ReportSession, now: datetime, lang: str) -> str:
    """「截止 1月20日，还剩 3 个工作日」 or 「已逾期 2 个工作日」, in working days as reminders count."""
    deadline = session.cycle.deadline
    zone = deadline.tzinfo
    deadline_day, today = deadline.astimezone(zone).date(), now.astimezone(zone).date()
    shown = f"{deadline.month}月{deadline.day}日" if lang == "zh" else f"{deadline:%d %b}"
    if now > deadline:
        # Late from the moment it passed; the first working day after it is the first full day late.
        days = max(1, session.workdays.workdays_between(deadline_day, today))
        return t(lang, "deadline {date}, overdue by {days} working days", date=shown, days=days)
    if today == deadline_day:
        return t(lang, "deadline today ({date})", date=shown)
    days = session.workdays.workdays_between(today, deadline_day)
    if days == 0:
        return t(lang, "deadline {date}, no working day left before it", date=shown)
    return t(lang, "deadline {date}, {days} working days left", date=shown, days=days)


def headed_by(contact: Contact, departments: list[Department]) -> list[Department]:
    """The departments a person heads: by the configuration's head, or by a head's invitation."""
    return [
        d
        for d in departments
        if d.head_user_id == contact.user_id or (contact.role == HEAD and contact.department_id == d.id)
    ]


def status(
    session: ReportSession, cycle: Cycle, now: datetime, lang: str, only: set[str] | None = None
) -> Outcome:
    """The status view: per department, submitted of total, state, last activity, overdue, blocked contacts.

    ``only``: the departments a head sees (theirs), without the coordinator's review commands."""
    zone = cycle.deadline.tzinfo
    lines = [
        t(lang, "{year} report — {deadline}", year=session.year, deadline=deadline_text(session, now, lang))
    ]
    numbers = {unit.section_id: number for number, unit in enumerate(session.units, start=1)}
    confirmed = session.store.confirmed_findings(session.cycle_id)
    for progress in department_progress(session):
        if only is not None and progress.department.id not in only:
            continue
        overdue = now > cycle.deadline and progress.owing
        flag = t(lang, " · OVERDUE") if overdue else ""
        lines.append("")
        lines.append(
            t(
                lang,
                "{department}: {done}/{total} submitted · {state} · last activity {when}{flag}",
                department=progress.department.name,
                done=progress.submitted,
                total=len(progress.units),
                state=state_name(lang, progress.state),
                when=_when(progress.last_activity, zone, lang),
                flag=flag,
            )
        )
        for unit, state in zip(progress.units, progress.states, strict=True):
            lines.append(f"  [{numbers[unit.section_id]}] {unit.title} — {state_name(lang, state)}")
            for finding in session.unit_findings(unit):
                mark = "❌ " if finding.blocking else "⚠️ "
                note = t(lang, " (confirmed by the department)") if finding.key() in confirmed else ""
                lines.append(f"      {mark}{finding.render(lang)}{note}")
        if not progress.contacts:
            lines.append(t(lang, "  ⚠️ no contact has joined yet"))
        for contact in progress.contacts:
            if contact.blocked:
                lines.append(t(lang, "  ⚠️ {name} has blocked the bot", name=contact.name or contact.user_id))
    if only is None:
        lines.append("")
        lines.append(t(lang, "Approve: {cmd_approve} <number>; return: {cmd_return} <number> <reason>"))
    return Outcome().say("\n".join(lines))


def missing(session: ReportSession, cycle: Cycle, now: datetime, lang: str) -> Outcome:
    """Who is missing: departments with sections not yet submitted, and whom to ask."""
    lines = []
    for progress in department_progress(session):
        if not progress.owing:
            continue
        names = "、".join(c.name or str(c.user_id) for c in progress.contacts) or t(lang, "no contact yet")
        lines.append(f"· {progress.department.name}（{names}）")
        for unit in progress.owing:
            gaps = len(session.figures.missing(list(unit.field_ids)))
            state = state_name(lang, session.effective_state(unit))
            lines.append(
                tn(
                    lang,
                    "    {title} — {state}, {count} answer missing",
                    "    {title} — {state}, {count} answers missing",
                    gaps,
                    title=unit.title,
                    state=state,
                )
            )
    if not lines:
        return Outcome().say(t(lang, "Every section has been submitted."))
    head = t(lang, "Not yet submitted ({deadline}):", deadline=deadline_text(session, now, lang))
    return Outcome().say("\n".join([head, *lines]))


def remind_targets(
    session: ReportSession, cycle: Cycle, now: datetime, wanted: str = ""
) -> tuple[list[tuple[Contact, Reply]], list[str], list[str]]:
    """A reminder for each contact of the departments that owe sections (or of ``wanted``).

    Returns the messages, the departments reminded, and the owing departments nobody could be told
    (no contact has joined, or every contact blocked the bot)."""
    from workflows.notices import reminder  # notices builds on this module

    messages, reminded, unreachable = [], [], []
    for entry in department_progress(session):
        if not entry.owing or (wanted and wanted not in (entry.department.id, entry.department.name)):
            continue
        reachable = [c for c in entry.contacts if not c.blocked]
        if not reachable:
            unreachable.append(entry.department.name)
            continue
        messages += [(c, reminder(session, cycle, entry, now, c.lang)) for c in reachable]
        reminded.append(entry.department.name)
    return messages, reminded, unreachable


def remind_summary(count: int, reminded: list[str], unreachable: list[str], wanted: str, lang: str) -> str:
    """What the coordinator who asked for reminders is told at once (the outcome follows when sent)."""
    lines = []
    if count:
        lines.append(
            t(
                lang,
                "Reminding {count} contacts of {names}; you will hear when it is done.",
                count=count,
                names="、".join(reminded),
            )
        )
    if unreachable:
        lines.append(
            t(
                lang,
                "Nobody to remind at {names}: no contact has joined, or all blocked the bot.",
                names="、".join(unreachable),
            )
        )
    if not lines:
        lines.append(
            t(lang, "“{name}” owes nothing, or is not a department.", name=wanted)
            if wanted
            else t(lang, "Every section has been submitted.")
        )
    return "\n".join(lines)


def broadcast_report(lang: str, what: str, tally: dict[str, int], names: list[str]) -> str:
    """What a coordinator is told once a broadcast has gone out: delivered, blocked, failed."""
    return t(
        lang,
        "Reminders delivered to {sent} contacts ({names}); {blocked} have blocked the bot; "
        "{failed} could not be delivered.",
        sent=tally.get("sent", 0),
        names="、".join(names) or "—",
        blocked=tally.get("blocked", 0),
        failed=tally.get("failed", 0),
    )
