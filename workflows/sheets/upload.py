"""The workbook in the conversation: offer it, send it, and save what a contact sends back.

What a returned workbook holds is saved through the batch service, exactly as if typed: a cell left
as the bot filled it is no change; every value refused is named by its cell (「表三!D12：…」).
"""

from __future__ import annotations

from datetime import datetime

from storage.records import CONTACT, Contact
from workflows.batch import save_values
from workflows.i18n import t, tn
from workflows.replies import Action, Button, Outcome, Reply
from workflows.session import ReportSession
from workflows.sheets.make import department_sheet, shown
from workflows.sheets.read import (
    MAX_FILE,
    MSG_GET_NEW,
    MSG_MACROS,
    MSG_TOO_BIG,
    NEEDS_NEW,
    SheetRefused,
    SheetUpload,
)
from workflows.wording import finding_lines

MAX_LINES = 40  # problems listed in one reply; the rest are counted
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MSG_NOT_A_WORKBOOK = (
    "Only the bot's own .xlsx workbook can be read here. Get it with “Fill in with Excel” under {cmd_fill}."
)
MSG_OTHER_REPORT = "This workbook is for another report ({year}), not the one being filled in now."
MSG_OTHER_DEPARTMENT = "This workbook is for the sections of {department}, not of your department."
MSG_AT_CELL = "{cell}: {problem}"  # 「表三!D12：……」
MSG_NO_SECTIONS = "Your department has no sections in this report."


def sheet_button(lang: str, cycle_id: str | None = None) -> Button:
    """「用 Excel 填写」: the workbook of the contact's sections."""
    action = Action.of("sheet", cycle_id) if cycle_id else Action.of("sheet")
    return Button(t(lang, "Fill in with Excel"), action)


def with_sheet_button(outcome: Outcome, lang: str, offered: bool = True) -> Outcome:
    """The fill answer with 「用 Excel 填写」 under its last message (when there is anything to fill)."""
    if outcome.replies and offered:
        last = outcome.replies[-1]
        outcome.replies[-1] = Reply(last.text, (*last.buttons, (sheet_button(lang),)), last.document)
    return outcome


def send_sheet(session: ReportSession, contact: Contact, now: datetime) -> Outcome:
    """The workbook of exactly the contact's sections, pre-filled with what is saved now."""
    lang = contact.lang
    if not session.units_of(contact.department_id or ""):
        return Outcome().say(t(lang, MSG_NO_SECTIONS))
    made = department_sheet(session, contact.department_id or "", now, lang)
    text = t(
        lang,
        "The workbook of your sections for the {year} report. Fill in the yellow cells in Excel or WPS "
        "and send the file back here; you may send it as often as you like, complete or not.",
        year=session.year,
    )
    return Outcome(replies=[Reply(text, document=made.data, filename=made.filename)])


def upload_problem(filename: str | None, size: int | None, mime: str | None, lang: str) -> str | None:
    """Why a document cannot be a workbook to read (before it is fetched), or None."""
    name = (filename or "").lower()
    if name.endswith((".xlsm", ".xltm", ".xlam")):
        return t(lang, MSG_MACROS)
    if not name.endswith(".xlsx") and mime != XLSX_TYPE:
        return t(lang, MSG_NOT_A_WORKBOOK)
    if size is not None and size > MAX_FILE:
        return t(lang, MSG_TOO_BIG, size=f"{size / 2**20:.1f}", max=MAX_FILE // 2**20)
    return None


def refusal(problem: SheetRefused, lang: str) -> Outcome:
    """A workbook that was not read: why, and how to get the right one."""
    text = problem.render(lang)
    if problem.message in (*NEEDS_NEW, MSG_OTHER_REPORT, MSG_OTHER_DEPARTMENT):
        text += "\n" + t(lang, MSG_GET_NEW)
    return Outcome().say(t(lang, "Nothing was saved from this file.") + "\n" + text)


def receive_sheet(
    session: ReportSession, contact: Contact | None, upload: SheetUpload | SheetRefused, now: datetime
) -> Outcome:
    """Save what a returned workbook holds for the contact's department; list every problem by cell."""
    if contact is None or not contact.active or contact.role != CONTACT:
        return Outcome()  # no longer a contact since sending it: nothing to save, nobody to answer
    lang = contact.lang
    if isinstance(upload, SheetRefused):
        return refusal(upload, lang)
    marker = upload.marker
    if marker.cycle_id != session.cycle_id:
        return refusal(SheetRefused(MSG_OTHER_REPORT, year=marker.year), lang)
    if marker.department_id != contact.department_id:
        return refusal(SheetRefused(MSG_OTHER_DEPARTMENT, department=marker.department), lang)
    raw: dict[str, object] = {}
    for fid, cell in upload.cells.items():
        if not _as_made(cell.value, marker.fields.get(fid, (0, ""))[1]):
            raw[fid] = cell.value
    seen = {fid: version for fid, (version, _) in marker.fields.items()}
    result = save_values(session, contact, raw, now, lang, seen)
    lines = [_headline(len(result.saved), bool(result.problems), lang)]
    problems = []
    for problem in result.problems:
        cell = upload.cells.get(problem.field_id or "")
        problems.append(t(lang, MSG_AT_CELL, cell=cell.ref, problem=problem.text) if cell else problem.text)
    lines += problems[:MAX_LINES]
    if len(problems) > MAX_LINES:
        lines.append(t(lang, "… and {count} more.", count=len(problems) - MAX_LINES))
    if problems:
        lines.append(t(lang, "Correct these cells and send the workbook again."))
    findings = finding_lines(lang, result.findings)
    lines += findings[:MAX_LINES]
    if len(findings) > MAX_LINES:
        lines.append(t(lang, "… and {count} more.", count=len(findings) - MAX_LINES))
    button = Button(t(lang, "Review and submit"), Action.of("fill"))
    return Outcome().say("\n".join(lines), (button,))


def _as_made(value: object, made: str) -> bool:
    """Whether a cell still holds what the bot put in it (so it is no answer of the contact's)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return made == ""
    return shown(value if not isinstance(value, str) else value.strip()) == made.strip()


def _headline(saved: int, problems: bool, lang: str) -> str:
    if saved:
        return tn(
            lang,
            "✓ Saved {count} value from the workbook.",
            "✓ Saved {count} values from the workbook.",
            saved,
        )
    if problems:
        return t(lang, "Nothing was saved from this workbook.")
    return t(lang, "Nothing new in this workbook: every value is as saved.")
