"""What the scheduler says: the opening prompt, reminders, the coordinators' digest, the head's notice."""

from __future__ import annotations

from datetime import datetime

from storage.records import Cycle
from workflows.i18n import t
from workflows.progress import DepartmentProgress, deadline_text
from workflows.replies import Action, Button, Reply
from workflows.session import ReportSession
from workflows.units import Unit


def _owed_lines(session: ReportSession, units: list[Unit], lang: str) -> list[str]:
    return [
        t(
            lang,
            "· {title} ({count} answers missing)",
            title=unit.title,
            count=len(session.figures.missing(list(unit.field_ids))),
        )
        for unit in units
    ]


def _with_deadline_and_button(lines: list[str], cycle: Cycle, now: datetime, lang: str) -> Reply:
    # Every message that asks a department to act ends with how long is left and a way to start.
    return Reply(
        "\n".join([*lines, deadline_text(cycle, now, lang)]),
        ((Button(t(lang, "Fill in"), Action.of("fill")),),),
    )


def opening(
    session: ReportSession, cycle: Cycle, progress: DepartmentProgress, now: datetime, lang: str
) -> Reply:
    """The first message of a cycle: which sections, the deadline, a button to start."""
    lines = [
        t(
            lang,
            "The {year} report is open. {department} is asked for:",
            year=session.year,
            department=progress.department.name,
        )
    ]
    return _with_deadline_and_button(
        [*lines, *(f"· {unit.title}" for unit in progress.units)], cycle, now, lang
    )


def reminder(
    session: ReportSession, cycle: Cycle, progress: DepartmentProgress, now: datetime, lang: str
) -> Reply:
    """A reminder to one department: what is still missing and how long is left."""
    lines = [
        t(
            lang,
            "Reminder: the {year} report still needs from {department}:",
            year=session.year,
            department=progress.department.name,
        ),
        *_owed_lines(session, progress.owing, lang),
    ]
    return _with_deadline_and_button(lines, cycle, now, lang)


def head_notice(
    session: ReportSession,
    cycle: Cycle,
    progress: DepartmentProgress,
    overdue_days: int,
    now: datetime,
    lang: str,
) -> Reply:
    """Escalation to a department's head after some overdue working days."""
    lines = [
        t(
            lang,
            "For your attention: {department} is {days} working days late with its part of the {year} "
            "report:",
            department=progress.department.name,
            days=overdue_days,
            year=session.year,
        ),
        *_owed_lines(session, progress.owing, lang),
    ]
    names = "、".join(c.name for c in progress.contacts if c.name)
    if names:
        lines.append(t(lang, "Contacts: {names}", names=names))
    return Reply("\n".join(lines))


def digest(
    session: ReportSession,
    cycle: Cycle,
    overdue: list[DepartmentProgress],
    overdue_days: int,
    now: datetime,
    lang: str,
) -> Reply:
    """The coordinators' daily digest of overdue departments."""
    lines = [
        t(
            lang,
            "Daily digest: {count} departments are overdue ({deadline}).",
            count=len(overdue),
            deadline=deadline_text(cycle, now, lang),
        )
    ]
    for progress in overdue:
        lines.append(
            t(
                lang,
                "· {department}: {done}/{total} submitted",
                department=progress.department.name,
                done=progress.submitted,
                total=len(progress.units),
            )
        )
    return Reply("\n".join(lines))
