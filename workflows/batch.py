"""Several answers of one contact at once (a spreadsheet, a form), saved exactly as if typed one by one.

Channel-neutral: a value is given per field id, as typed (text) or as a cell holds it (a number). Each
goes through the chat's own number rules and checks (``validation.coerce``); what is valid is saved in
one write with history, what is not is named with the reason in the contact's language. Only the
sections of the contact's department can change, and not once they are submitted or approved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from storage.records import APPROVED, IN_PROGRESS, SUBMITTED, Contact
from workflows import submission
from workflows.answer_texts import who
from workflows.arithmetic import compute
from workflows.audit import audit
from workflows.i18n import t
from workflows.model import NARRATIVE
from workflows.position import Position
from workflows.session import ReportSession
from workflows.units import Unit
from workflows.validation import Finding, Value, coerce, to_stored
from workflows.wording import value_text

MAX_NARRATIVE = 20000  # as in the chat, where a narrative sent in parts may reach this many characters
MSG_BATCH_UNKNOWN = "“{field}” is not a field of this report; it was ignored."
MSG_BATCH_NOT_YOURS = "{label}: “{section}” is not one of your department's sections; not saved."
MSG_BATCH_COMPUTED = "{label} is computed from the other figures; the value given was not saved."
MSG_BATCH_SUBMITTED = "“{title}” is submitted and waiting for review; its answers were not changed."
MSG_BATCH_TOO_LONG = "{label}: at most {max} characters, got {count}; not saved."
MSG_BATCH_CHANGED = "Not saved: while you were answering, {who} saved “{label}” at {when}: {theirs}"


@dataclass(frozen=True)
class BatchProblem:
    """One value that was not saved, or a section that could not change (text in the user's language)."""

    field_id: str | None
    section_id: str | None
    text: str


@dataclass
class BatchResult:
    """What a batch of values did: what was stored, what was refused and why, and the checks afterwards."""

    saved: dict[str, Value] = field(default_factory=dict)  # field id -> value stored (unchanged: not here)
    problems: list[BatchProblem] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # errors and unconfirmed warnings, touched sections
    sections: list[str] = field(default_factory=list)  # the sections the values belong to, document order


@dataclass
class _Plan:
    values: dict[str, Value] = field(default_factory=dict)  # to save
    raw: dict[str, str] = field(default_factory=dict)  # as given, for the history
    units: dict[str, Unit] = field(default_factory=dict)  # every owned section a valid value belongs to
    changed: set[str] = field(default_factory=set)  # the sections of the values to save
    result: BatchResult = field(default_factory=BatchResult)


def check_values(
    session: ReportSession,
    contact: Contact,
    raw: Mapping[str, object],
    lang: str,
    seen: Mapping[str, int] | None = None,
) -> BatchResult:
    """Parse and check values as :func:`save_values` would, writing nothing.

    ``seen`` is each field's version when the values were offered for editing (a form, a file): a field
    someone else changed since is not overwritten."""
    plan = _plan(session, contact, raw, lang, seen)
    given = {**session.figures.given, **plan.values}
    figures = compute(session.template, given, session.previous)
    plan.result.saved = dict(plan.values)
    plan.result.findings = _findings(session, audit(figures, session.year), plan.units.values())
    return plan.result


def save_values(
    session: ReportSession,
    contact: Contact,
    raw: Mapping[str, object],
    now: datetime,
    lang: str,
    seen: Mapping[str, int] | None = None,
) -> BatchResult:
    """Save the valid values in one write with history, as if each were typed; report every problem."""
    plan = _plan(session, contact, raw, lang, seen)
    store, by = session.store, f"user:{contact.user_id}"
    if plan.values:
        stored = {fid: to_stored(value) for fid, value in plan.values.items()}
        store.save_answers(session.cycle_id, stored, by, now, plan.raw)
        for unit in plan.units.values():
            if unit.section_id in plan.changed and session.state(unit).state != IN_PROGRESS:
                store.set_section_state(session.cycle_id, unit.section_id, IN_PROGRESS, by, now)
        _drop_drafts(session, contact, plan.values)
    after = session.refreshed()
    plan.result.saved = dict(plan.values)
    plan.result.findings = _findings(after, after.findings, plan.units.values())
    return plan.result


def _plan(
    session: ReportSession,
    contact: Contact,
    raw: Mapping[str, object],
    lang: str,
    seen: Mapping[str, int] | None,
) -> _Plan:
    plan = _Plan()
    units = session.units_of(contact.department_id or "")
    owner = {fid: unit for unit in units for fid in unit.field_ids}
    template, figures = session.template, session.figures
    refused: set[str] = set()  # sections already reported as unchangeable
    computed: dict[str, Value] = {}
    versions = session.versions([fid for fid in raw if fid in template.fields]) if seen else {}
    for fid, given in raw.items():
        if _blank(given):
            continue  # not given: a partial file or form is fine
        field_ = template.fields.get(fid)
        if field_ is None:
            plan.result.problems.append(BatchProblem(fid, None, t(lang, MSG_BATCH_UNKNOWN, field=fid)))
            continue
        unit = owner.get(fid)
        if unit is None:
            section = template.section_of(fid)
            text = t(lang, MSG_BATCH_NOT_YOURS, label=field_.label, section=section.title)
            plan.result.problems.append(BatchProblem(fid, section.id, text))
            continue
        value, problem = coerce(field_, given)
        if problem is None and field_.type == NARRATIVE and len(str(value)) > MAX_NARRATIVE:
            text = t(lang, MSG_BATCH_TOO_LONG, label=field_.label, max=MAX_NARRATIVE, count=len(str(value)))
            plan.result.problems.append(BatchProblem(fid, unit.section_id, text))
            continue
        if problem is not None:
            plan.result.problems.append(BatchProblem(fid, unit.section_id, problem.render(lang)))
            continue
        plan.units.setdefault(unit.section_id, unit)
        if not figures.asked(field_):
            computed[fid] = value  # compared below with what the values given make of it
            continue
        if fid in figures.given and figures.given[fid] == value:
            continue  # unchanged: not saved again, so the history shows only real changes
        state = session.state(unit).state
        if state in (SUBMITTED, APPROVED):
            if unit.section_id not in refused:
                refused.add(unit.section_id)
                text = (
                    t(lang, submission.APPROVED_NOTE)
                    if state == APPROVED
                    else t(lang, MSG_BATCH_SUBMITTED, title=unit.title)
                )
                plan.result.problems.append(BatchProblem(None, unit.section_id, text))
            continue
        if seen is not None and _changed_by_another(session, contact, fid, versions, seen):
            plan.result.problems.append(
                BatchProblem(fid, unit.section_id, _changed(session, contact, fid, lang))
            )
            continue
        plan.values[fid] = value
        plan.changed.add(unit.section_id)
        plan.raw[fid] = given if isinstance(given, str) else value_text(given)
    if computed:
        after = compute(template, {**figures.given, **plan.values}, session.previous).values
        for fid, value in computed.items():
            if after.get(fid) != value:
                text = t(lang, MSG_BATCH_COMPUTED, label=template.fields[fid].label)
                plan.result.problems.append(BatchProblem(fid, owner[fid].section_id, text))
    order = {unit.section_id: n for n, unit in enumerate(units)}
    plan.units = dict(sorted(plan.units.items(), key=lambda item: order[item[0]]))
    plan.result.sections = list(plan.units)
    return plan


def _changed_by_another(
    session: ReportSession, contact: Contact, fid: str, versions: Mapping[str, int], seen: Mapping[str, int]
) -> bool:
    """Whether someone else saved the field since it was offered (a contact's own later answer, such as
    an earlier upload of the same file, is theirs to replace)."""
    if versions.get(fid, 0) == seen.get(fid, 0):
        return False
    answer = session.answers.get(fid)
    return answer is None or answer.by != f"user:{contact.user_id}"


def _blank(given: object) -> bool:
    return given is None or (isinstance(given, str) and not given.strip())


def _changed(session: ReportSession, contact: Contact, fid: str, lang: str) -> str:
    """「未保存：在你填写期间，钱法规已于 10:12 保存了…」, as the chat says it."""
    answer = session.answers.get(fid)
    zone = session.cycle.deadline.tzinfo
    return t(
        lang,
        MSG_BATCH_CHANGED,
        who=who(session.store, answer.by if answer else "", f"user:{contact.user_id}", lang),
        label=session.template.fields[fid].label,
        when=f"{answer.at.astimezone(zone):%H:%M}" if answer else "—",
        theirs=value_text(session.figures.values.get(fid)),
    )


def _findings(session: ReportSession, findings: list[Finding], units: Iterable[Unit]) -> list[Finding]:
    """Errors, and warnings nobody confirmed, on the fields of the given sections."""
    ids = {fid for unit in units for fid in unit.field_ids}
    confirmed = session.store.confirmed_findings(session.cycle_id)
    return [f for f in findings if ids.intersection(f.subject) and (f.blocking or f.key() not in confirmed)]


def _drop_drafts(session: ReportSession, contact: Contact, values: Mapping[str, Value]) -> None:
    """A narrative saved here replaces what the contact had begun sending in the chat, as there."""
    stored = session.store.get_conversation(session.cycle_id, contact.user_id)
    position = Position.load(stored)
    if not any(fid in position.drafts for fid in values):
        return
    for fid in values:
        position.drafts.pop(fid, None)
        position.draft_base.pop(fid, None)
    session.store.set_conversation(session.cycle_id, contact.user_id, position.dump())
