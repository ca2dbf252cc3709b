"""The form a chat app opens beside the chat (a Mini App): what it shows a contact, live checks, saving.

A contact sees their department's sections of one cycle: every table as printed, with this year's
answers, last year's figures beside them and the totals the report computes. As they type, the page
sends what changed; ``check`` runs it through the batch service (the chat's number rules, ownership,
section states) and the report's whole audit, writing nothing. ``save`` stores it through the same batch
service, with history, exactly as if typed in the chat, and tells the chat what was saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from storage.records import APPROVED, SUBMITTED, Contact
from workflows import submission
from workflows.arithmetic import Figures, compute
from workflows.audit import audit
from workflows.batch import BatchResult, check_values, save_values
from workflows.form_layout import unit_blocks
from workflows.i18n import gettext, t, tn
from workflows.model import NUMERIC_TYPES
from workflows.numbers import format_number
from workflows.placeholders import fill
from workflows.replies import FORM, Action, Button, Outcome
from workflows.session import ReportSession
from workflows.units import Unit
from workflows.validation import Finding
from workflows.wording import excerpt, finding_lines, state_name

MSG_FORM_BUTTON = "📝 Fill in the form"
MSG_FORM_TITLE = "{year} report · {department}"
MSG_FORM_SUBMITTED = "Submitted and waiting for review: it can no longer be changed here."
MSG_FORM_NOTHING_NEW = "Nothing new to save."
MSG_FORM_SAVED = "Saved {count} answer."
MSG_FORM_SAVED_MANY = "Saved {count} answers."
MSG_FORM_NOT_SAVED = "Not saved: {count} (see the notes by the fields)."
MSG_FORM_CHAT = "✓ Saved from the form: {count} answer ({sections})."
MSG_FORM_CHAT_MANY = "✓ Saved from the form: {count} answers ({sections})."
MSG_FORM_CHAT_NEXT = "Open a section here to review it and submit it."
# The page's own words, given to it in the person's language (the page holds no text of its own).
PAGE_TEXTS = {
    "loading": "Loading your tables…",
    "save": "Save",
    "saving": "Saving…",
    "checking": "Checking…",
    "last_year": "Last year {value}",
    "computed": "Computed",
    "unsaved_one": "1 change not saved yet",
    "unsaved_many": "{count} changes not saved yet",
    "all_saved": "Everything is saved.",
    "all_good": "The figures add up.",
    "errors": "To correct before submitting",
    "warnings": "Please check",
    "typed": "Please check what you typed",
    "offline": "The bot's server cannot be reached. What you typed is still here; please try again.",
    "outside_chat": "Open this form with its button in the chat with the bot.",
}


def page_texts(lang: str) -> dict[str, str]:
    """The page's own words in ``lang`` (placeholders such as {count} are filled by the page)."""
    return {key: gettext(lang, text) for key, text in PAGE_TEXTS.items()}


def _shown(value: object) -> str:
    """A value as a form cell holds it, as a person would type it ("" when there is none)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else format_number(value)


def _units(session: ReportSession, contact: Contact) -> list[Unit]:
    return session.units_of(contact.department_id or "")


def _locked(session: ReportSession, unit: Unit) -> bool:
    return session.state(unit).state in (SUBMITTED, APPROVED)


def view(session: ReportSession, contact: Contact, lang: str) -> dict[str, Any]:
    """Everything the form shows: the sections with their layout, each field's value, last year's and
    version (what it was when shown, so a colleague's later change is not overwritten), and the checks."""
    units = _units(session, contact)
    fields = session.template.fields
    figures, previous = session.figures, session.previous
    ids = [fid for unit in units for fid in unit.field_ids]
    versions = session.versions(ids)
    department = session.department(contact.department_id or "")
    sections = []
    for unit in units:
        state = session.state(unit).state
        note = ""
        if state == APPROVED:
            note = t(lang, submission.APPROVED_NOTE)
        elif state == SUBMITTED:
            note = t(lang, MSG_FORM_SUBMITTED)
        sections.append(
            {
                "id": unit.section_id,
                "title": fill(unit.title, {"year": str(session.year)}),
                "state": state_name(lang, session.effective_state(unit)),
                "locked": _locked(session, unit),
                "note": note,
                "blocks": unit_blocks(session.template, unit, session.year),
            }
        )
    return {
        "lang": lang,
        "cycle": session.cycle_id,
        "title": t(
            lang, MSG_FORM_TITLE, year=session.year, department=department.name if department else "—"
        ),
        "texts": page_texts(lang),
        "sections": sections,
        "fields": {
            fid: {
                "label": fields[fid].label,
                "type": fields[fid].type,
                "unit": fields[fid].unit,
                "hint": fields[fid].hint,
                "computed": not figures.asked(fields[fid]),
                "value": _shown(figures.values.get(fid)),
                "previous": _shown(previous.get(fid)) if fields[fid].type in NUMERIC_TYPES else "",
                "version": versions[fid],
            }
            for fid in ids
        },
        **checks(session, contact, figures, lang),
    }


def checks(session: ReportSession, contact: Contact, figures: Figures, lang: str) -> dict[str, Any]:
    """The audit of ``figures`` as far as the contact's sections are concerned, and their computed totals.

    Errors always; warnings until someone confirmed them (as the chat asks for them)."""
    units = _units(session, contact)
    ids = {fid for unit in units for fid in unit.field_ids}
    confirmed = session.store.confirmed_findings(session.cycle_id)
    found = [
        f
        for f in audit(figures, session.year)
        if ids.intersection(f.subject) and (f.blocking or f.key() not in confirmed)
    ]
    fields = session.template.fields
    return {
        "findings": [_finding(f, ids, lang) for f in found],
        "computed": {
            fid: _shown(figures.values.get(fid)) for fid in sorted(ids) if not figures.asked(fields[fid])
        },
    }


def _finding(finding: Finding, ids: set[str], lang: str) -> dict[str, Any]:
    return {
        "severity": finding.severity,
        "text": finding.render(lang),
        "fields": [fid for fid in dict.fromkeys(finding.fields) if fid in ids],
    }


def _problems(result: BatchResult) -> list[dict[str, Any]]:
    return [{"field": p.field_id, "section": p.section_id, "text": p.text} for p in result.problems]


def check(
    session: ReportSession,
    contact: Contact,
    values: Mapping[str, str],
    seen: Mapping[str, int],
    lang: str,
) -> dict[str, Any]:
    """What saving ``values`` would do, writing nothing: each value's problem, and the checks after it."""
    result = check_values(session, contact, values, lang, seen)
    figures = compute(session.template, {**session.figures.given, **result.saved}, session.previous)
    return {"problems": _problems(result), **checks(session, contact, figures, lang)}


def save(
    session: ReportSession,
    contact: Contact,
    values: Mapping[str, str],
    seen: Mapping[str, int],
    now: datetime,
    lang: str,
) -> tuple[dict[str, Any], Outcome]:
    """Save ``values`` through the batch service; the page's answer (with the form as it is now) and the
    chat's confirmation (nothing when nothing changed, so a repeated save says nothing twice)."""
    result = save_values(session, contact, values, now, lang, seen)
    after = session.refreshed()
    count = len(result.saved)
    lines = []
    if count:
        lines.append(tn(lang, MSG_FORM_SAVED, MSG_FORM_SAVED_MANY, count))
    elif not result.problems:
        lines.append(t(lang, MSG_FORM_NOTHING_NEW))
    if result.problems:
        lines.append(t(lang, MSG_FORM_NOT_SAVED, count=len(result.problems)))
    answer = {
        "message": " ".join(lines),
        "saved": sorted(result.saved),
        "problems": _problems(result),
        "form": view(after, contact, lang),
    }
    return answer, _told(after, contact, result, lang)


def _told(session: ReportSession, contact: Contact, result: BatchResult, lang: str) -> Outcome:
    """The chat's note of a save from the form, with a button to open each section it changed."""
    if not result.saved:
        return Outcome()
    touched = [u for u in _units(session, contact) if set(u.field_ids) & result.saved.keys()]
    count = len(result.saved)
    lines = [
        tn(
            lang,
            MSG_FORM_CHAT,
            MSG_FORM_CHAT_MANY,
            count,
            sections="、".join(unit.title for unit in touched),
        )
    ]
    errors = [f for unit in touched for f in session.unit_findings(unit) if f.blocking]
    lines += finding_lines(lang, errors)
    lines.append(t(lang, MSG_FORM_CHAT_NEXT))
    buttons = [(Button(excerpt(unit.title, 24), Action.of("open", unit.section_id)),) for unit in touched]
    return Outcome().say("\n".join(lines), *buttons)


def form_button(cycle_id: str, lang: str) -> Button:
    """「📝 在表单中填写」: opens the form for a cycle, where the channel can (else it is left out)."""
    return Button(t(lang, MSG_FORM_BUTTON), Action.of(FORM, cycle_id))


def with_form_button(outcome: Outcome, cycle_id: str, lang: str, offered: bool = True) -> Outcome:
    """The fill answer with 「📝 在表单中填写」 under its last message, whatever it asks first (when there
    is anything to fill)."""
    if outcome.replies and offered:
        last = outcome.replies[-1]
        outcome.replies[-1] = replace(last, buttons=(*last.buttons, (form_button(cycle_id, lang),)))
    return outcome
