"""The workbook for a department of a running report, or for a template alone (the command line)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workflows.arithmetic import Figures, compute, previous_figures, read_answers
from workflows.model import Template
from workflows.session import ReportSession
from workflows.sheets.build import SheetContent, build_workbook
from workflows.sheets.layout import FORMAT, workbook_layout
from workflows.sheets.marker import Marker
from workflows.validation import to_stored


@dataclass(frozen=True)
class MadeSheet:
    """A built workbook and the name to give it."""

    data: bytes
    filename: str


def shown(value: Any) -> str:
    """A value as the marker remembers it (the stored form, as text; empty when there is none)."""
    return "" if value is None else str(to_stored(value))


def department_sheet(session: ReportSession, department_id: str, now: datetime, lang: str) -> MadeSheet:
    """The workbook of exactly one department's sections, with what is saved now and last year's figures."""
    units = session.units_of(department_id)
    field_ids = [fid for unit in units for fid in unit.field_ids]
    versions = session.versions(field_ids)
    department = session.department(department_id)
    marker = Marker(
        FORMAT,
        session.template.id,
        "",
        session.year,
        session.cycle_id,
        department_id,
        department.name if department else department_id,
        now.isoformat(timespec="seconds"),
        {fid: (versions[fid], shown(session.figures.given.get(fid))) for fid in field_ids},
    )
    data = _build(session.template, field_ids, session.figures, marker, lang)
    return MadeSheet(data, f"sheet-{session.cycle_id}-{department_id}.xlsx")


def template_sheet(
    template: Template,
    year: int,
    now: datetime,
    lang: str,
    answers: Mapping[str, Any] | None = None,
    previous: Mapping[str, Any] | None = None,
    department: tuple[str, str, Iterable[str]] | None = None,
) -> MadeSheet:
    """A workbook made offline: every section, or a department's (id, name, field ids); answers optional."""
    last_year, _ = previous_figures(template, previous)
    given, _ = read_answers(template, {k: v for k, v in (answers or {}).items() if k in template.fields})
    figures = compute(template, given, last_year)
    department_id, name, wanted = department if department else ("", "", template.fields)
    field_ids = [fid for fid in template.fields if fid in set(wanted)]
    fields = {fid: (0, shown(given.get(fid))) for fid in field_ids}
    marker = Marker(
        FORMAT, template.id, "", year, "", department_id, name, now.isoformat(timespec="seconds"), fields
    )
    data = _build(template, field_ids, figures, marker, lang)
    suffix = f"-{department_id}" if department_id else ""
    return MadeSheet(data, f"sheet-{template.id}-{year}{suffix}.xlsx")


def _build(template: Template, field_ids: list[str], figures: Figures, marker: Marker, lang: str) -> bytes:
    with_previous = {
        table.id
        for table in template.tables()
        if any(figures.previous.get(fid) is not None for fid in table.field_ids())
    }
    layout = workbook_layout(template, field_ids, marker.year, with_previous)
    marker.layout = layout.stamp
    return build_workbook(SheetContent(layout, figures, marker, lang))
