"""The hidden sheet that says whose workbook it is: template, layout, cycle, department, and what it showed.

It is "very hidden" (Excel and WPS offer no way to show it) and the workbook's structure is locked, so it
travels unchanged through an office. It is a claim, not a proof: whatever it says, the values are still
saved only for the uploader's own department and through every check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openpyxl.workbook.workbook import Workbook

MARKER_SHEET = "_reportbot"
MAGIC = "reportbot-sheet"
MAX_MARKER_ROWS = 5000  # far more than any template's fields; a longer marker is not ours


class MarkerError(ValueError):
    """A marker sheet that is missing or unreadable."""


@dataclass
class Marker:
    """What the bot wrote into a workbook when it made it."""

    format: int
    template_id: str
    layout: str  # the layout's stamp (``WorkbookLayout.stamp``)
    year: int
    cycle_id: str = ""  # empty for a workbook made offline (`reportbot sheet`)
    department_id: str = ""  # empty for a workbook of every section
    department: str = ""  # the department's name, for messages
    made_at: str = ""
    # field id -> (its version when the workbook was made, the value it showed, as text)
    fields: dict[str, tuple[int, str]] = field(default_factory=dict)


_KEYS = ("format", "template_id", "layout", "year", "cycle_id", "department_id", "department", "made_at")


def write_marker(workbook: Workbook, marker: Marker) -> None:
    """Add the marker as the workbook's last sheet, very hidden, every value as text."""
    sheet = workbook.create_sheet(MARKER_SHEET)
    rows: list[list[Any]] = [[MAGIC]]
    rows += [[key, str(getattr(marker, key))] for key in _KEYS]
    rows += [["field", fid, str(version), shown] for fid, (version, shown) in marker.fields.items()]
    for values in rows:
        sheet.append(values)
    for row in sheet.iter_rows():
        for cell in row:
            cell.data_type = "s"  # a value that starts with "=" is text here, never a formula
    sheet.sheet_state = "veryHidden"
    sheet.protection.sheet = True


def read_marker(workbook: Any) -> Marker:
    """The marker of an opened workbook (read-only mode is fine); MarkerError if it has none or it is bad."""
    if MARKER_SHEET not in workbook.sheetnames:
        raise MarkerError("no marker sheet")
    rows = workbook[MARKER_SHEET].iter_rows(max_row=MAX_MARKER_ROWS + 1, max_col=4, values_only=True)
    values: dict[str, str] = {}
    fields: dict[str, tuple[int, str]] = {}
    for number, row in enumerate(rows):
        cells = ["" if v is None else str(v) for v in (*row, "", "", "", "")[:4]]
        if number > 0 and not any(cells):
            continue  # an empty row (a reader may pad up to the rows asked for)
        if number == 0:
            if cells[0] != MAGIC:
                raise MarkerError("not a reportbot marker")
            continue
        if number > MAX_MARKER_ROWS:
            raise MarkerError("marker too long")
        if cells[0] == "field":
            if not cells[2].isdigit():
                raise MarkerError(f"bad version for {cells[1]!r}")
            fields[cells[1]] = (int(cells[2]), cells[3])
        elif cells[0] in _KEYS:
            values[cells[0]] = cells[1]
    if not values.get("format", "").isdigit() or not values.get("year", "").isdigit():
        raise MarkerError("marker without format or year")
    return Marker(
        int(values["format"]),
        values.get("template_id", ""),
        values.get("layout", ""),
        int(values["year"]),
        values.get("cycle_id", ""),
        values.get("department_id", ""),
        values.get("department", ""),
        values.get("made_at", ""),
        fields,
    )
