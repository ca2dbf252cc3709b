"""What the scheduler says: the opening prompt, reminders, the coordinators' digest, the head's notice."""

from __future__ import annotations

from datetime import datetime

from storage.records import Contact, Cycle, Department
from workflows.form import form_button
from workflows.i18n import t, tn
from workflows.progress import DepartmentProgress, deadline_text, department_progress
from workflows.replies import Action, Button, Outcome, Reply
from workflows.session import ReportSession
from workflows.sheets.upload import sheet_button
from workflows.units import Unit
from workflows.workdays import WorkCalendar


def _owed_lines(session: ReportSession, units: list[Unit], lang: str) -> list[str]:
    return [
        tn(
            lang,
            "· {title} ({count} answer missing)",
            "· {title} ({count} answers missing)",
            len(session.figures.missing(list(unit.field_ids))),
            title=unit.title,
        )
        for unit in units
    ]


def _with_deadline_and_button(lines: list[str], session: ReportSession, now: datetime, lang: str) -> Reply:
    # Every message that asks a department to act ends with how long is left and the ways to start: the
    # chat, then the form (where the channel has one) and the workbook.
    fill = Button(t(lang, "Fill in"), Action.of("fill", session.cycle_id))
    return Reply(
        "\n".join([*lines, deadline_text(session, now, lang)]),
        ((fill,), (form_button(session.cycle_id, lang), sheet_button(lang, session.cycle_id))),
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
        [*lines, *(f"· {unit.title}" for unit in progress.units)], session, now, lang
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
    return _with_deadline_and_button(lines, session, now, lang)


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
            deadline=deadline_text(session, now, lang),
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


def catch_up(session: ReportSession, progress: DepartmentProgress, now: datetime, lang: str) -> Reply:
    """For someone who joins a department while its report is open: the message they missed, as of now.

    The opening while nothing is submitted and the deadline has not passed, else a reminder of what is
    still owed (which says how late it is), else that everything is in."""
    if not progress.owing:
        return Reply(
            t(
                lang,
                "{department} has submitted all its sections of the {year} report.",
                department=progress.department.name,
                year=session.year,
            )
        )
    if len(progress.owing) == len(progress.units) and now <= session.cycle.deadline:
        return opening(session, session.cycle, progress, now, lang)
    return reminder(session, session.cycle, progress, now, lang)


def welcome_contact(
    user_id: int,
    name: str,
    department: Department,
    sessions: list[ReportSession],
    cycles: list[Cycle],
    calendar: WorkCalendar,
    now: datetime,
    lang: str,
) -> list[Reply]:
    """What a new department contact is told: who they answer for, then where the report stands for them.

    ``sessions`` are the open cycles': for each, the newcomer gets the message they missed, as of now,
    and the reminder log notes it, so that the department's opening, if still to come, leaves them out."""
    lines = [t(lang, "Welcome, {name}. You answer for {department}.", name=name, department=department.name)]
    missed = []
    for session in sessions:
        entry = next((p for p in department_progress(session) if p.department.id == department.id), None)
        if entry is not None:
            session.store.record_reminder(session.cycle_id, department.id, joined_key(user_id), now)
            missed.append(catch_up(session, entry, now, lang))
    if missed:
        return [Reply("\n".join(lines)), *missed]
    upcoming = [c for c in cycles if not c.closed and c.opens_at > now]
    first = min(upcoming, key=lambda c: c.opens_at, default=None)
    lines.append(_waiting_for(first, calendar, now, lang))
    return [Reply("\n".join(lines))]


def _waiting_for(upcoming: Cycle | None, calendar: WorkCalendar, now: datetime, lang: str) -> str:
    if upcoming is None:
        return t(lang, "No report is open at the moment; you will get a message when one opens.")
    zone = upcoming.deadline.tzinfo
    # The opening goes out on a working morning (see reminders.slots).
    local = calendar.working_time(upcoming.opens_at, zone)
    shown = f"{local.month}月{local.day}日" if lang == "zh" else f"{local:%d %b}"
    return t(
        lang,
        "The {year} report opens on {date}; you will get a message then.",
        year=upcoming.year,
        date=shown,
    )


def joined_key(user_id: int) -> str:
    """The reminder log's entry for a contact given a department's messages as they joined."""
    return f"joined:{user_id}"


def opening_recipients(session: ReportSession, progress: DepartmentProgress) -> list[Contact]:
    """Who gets a department's opening: its reachable contacts not already given it when they joined."""
    store, cycle_id, department_id = session.store, session.cycle_id, progress.department.id
    return [
        c
        for c in progress.contacts
        if not c.blocked and not store.reminder_sent(cycle_id, department_id, joined_key(c.user_id))
    ]


def choose_cycle(cycles: list[Cycle], names: dict[str, str], lang: str) -> Outcome:
    """Several reports are open for a person's department: which one to fill in (``names``: by cycle id)."""
    buttons = [(Button(f"{c.id} · {names.get(c.id, '')}"[:40], Action.of("fill", c.id)),) for c in cycles]
    return Outcome().say(t(lang, "Several reports are open for your department. Which one?"), *buttons)
