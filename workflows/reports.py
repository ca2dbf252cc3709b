"""The report as the coordinator takes it away: the assembled .docx, and every figure as .xlsx and .json."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from workflows.i18n import t
from workflows.session import ReportSession


def owners(session: ReportSession) -> dict[str, str]:
    """Section id → the name of the department that writes it (fixed-wording parts included)."""
    return {section_id: d.name for d in session.departments for section_id in d.sections}


@dataclass(frozen=True)
class AssembledReport:
    """The report as assembled now: the .docx, its name, and the caption that says what it still lacks."""

    document: bytes
    filename: str
    caption: str


def assemble_current(
    session: ReportSession, organisation: Mapping[str, Any], now: datetime, zone: tzinfo, lang: str
) -> AssembledReport:
    """Assemble what is stored now; the document is a draft while anything is missing or inconsistent.

    Reads only what ``session`` has already computed, so it may run in a worker thread."""
    from workflows.assembly.document import assemble  # python-docx is loaded only to assemble

    errors = [f for f in session.findings if f.blocking]
    warnings = [f for f in session.findings if not f.blocking]
    today = now.astimezone(zone).date()
    assembly = assemble(session.template, session.figures, organisation, session.year, today, owners(session))
    draft = bool(assembly.gaps or errors)
    if draft:
        assembly.mark_draft(today)
        head = t(
            lang,
            "Draft: {gaps} parts missing, {errors} figures inconsistent.",
            gaps=len(assembly.gaps),
            errors=len(errors),
        )
    elif warnings:  # complete, but not everything agrees: never 「数字一致」 then
        head = t(lang, "Complete; {count} warnings to look at before it goes out.", count=len(warnings))
    else:
        head = t(lang, "Complete and consistent.")
    lines = [
        head,
        *(f"· {gap.placeholder()}" for gap in assembly.gaps[:20]),
        *(f"❌ {finding.render(lang)}" for finding in errors[:20]),
        *(f"⚠️ {finding.render(lang)}" for finding in warnings[:20]),
    ]
    name = f"report-{session.cycle_id}{'-draft' if draft else ''}.docx"
    return AssembledReport(assembly.to_bytes(), name, "\n".join(lines))


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def figures_json(session: ReportSession) -> bytes:
    """Every field with its value, who gave it and when (derived values marked), as UTF-8 JSON."""
    answers = session.answers
    fields = []
    for fid, field_ in session.template.fields.items():
        value = session.figures.values.get(fid)
        entry: dict[str, Any] = {
            "id": fid,
            "section": field_.section_id,
            "label": field_.label,
            "unit": field_.unit,
            "value": str(value) if isinstance(value, Decimal) else value,
            "derived": fid in session.figures.derived,
        }
        if fid in answers:
            entry.update(by=answers[fid].by, at=answers[fid].at.isoformat(), version=answers[fid].version)
        fields.append(entry)
    document = {
        "cycle": session.cycle_id,
        "year": session.year,
        "template": session.template.id,
        "fields": fields,
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def figures_xlsx(session: ReportSession) -> bytes:
    """A workbook: one sheet listing every figure, then one sheet per table laid out as printed."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "全部数据"
    bold = Font(bold=True)
    sheet.append(["字段", "章节", "名称", "单位", "数值", "计算得出"])
    for cell in sheet[1]:
        cell.font = bold
    values = session.figures.values
    for fid, field_ in session.template.fields.items():
        if field_.numeric:
            sheet.append(
                [
                    fid,
                    field_.section_id,
                    field_.label,
                    field_.unit,
                    _plain(values.get(fid)),
                    "是" if fid in session.figures.derived else "",
                ]
            )
    for table in session.template.tables():
        grid = workbook.create_sheet(title=f"表 {table.id}"[:31])
        for band in table.bands:
            if band.title:
                grid.append([band.title])
                grid.cell(grid.max_row, 1).font = bold
            grid.append([band.corner or ""] + [column.label for column in band.columns])
            for cell in grid[grid.max_row]:
                cell.font = bold
            for row in band.rows:
                grid.append(
                    [row.label] + [_plain(values.get(band.cells[(row.key, c.key)])) for c in band.columns]
                )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
