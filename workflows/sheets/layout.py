"""Where everything goes in the workbook: one sheet per table, as printed, and one for the other items.

The layout depends only on the template and the fields the workbook is for, so the reader finds every
field's cell again without trusting the file; its ``stamp`` changes whenever a cell would move, and a
file made for another layout is refused rather than read from the wrong cells.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from workflows.model import Section, Table, Template
from workflows.placeholders import fill
from workflows.replies import stamp
from workflows.table_grid import FIGURE, HEADER, LABEL, TITLE, GridCell, band_cells, data_start

FORMAT = 1  # the layout's version: a file of another version is refused as old
TOP = 4  # first row of a table's grid: the title, a note and the year headings stand above it
OTHER_SHEET = "其他填报项"
LIST_COLUMNS = ("项目", "单位", "本年", "上年")
_NUMBERED = re.compile(r"^([一二三四五六七八九十]+)、")
_ENUMERATOR = re.compile(r"^（[^）]*）")
_NOT_IN_TITLES = re.compile(r"[\[\]:*?/\\']")


@dataclass(frozen=True)
class Placed:
    """A cell of a sheet (1-based row and column), with its spans; ``previous`` for last year's copy."""

    row: int
    col: int
    rowspan: int
    colspan: int
    kind: str  # TITLE, HEADER, LABEL, UNIT, FIGURE (table_grid), or "section", "narrative" on the list
    text: str = ""
    field_id: str | None = None
    previous: bool = False

    @property
    def coord(self) -> str:
        """The cell's address, such as D12."""
        return f"{get_column_letter(self.col)}{self.row}"


@dataclass
class SheetLayout:
    """One sheet: its name, its heading and its cells."""

    title: str
    heading: str
    cells: list[Placed] = field(default_factory=list)
    width: int = 1  # columns of this year's part
    previous_col: int | None = None  # first column of last year's copy, when there is one
    table: Table | None = None

    def figures(self) -> list[Placed]:
        """This year's cells that hold a field, in reading order."""
        return [c for c in self.cells if c.field_id is not None and not c.previous]

    def anchors(self) -> dict[str, str]:
        """Label cells and their text: a file whose rows were moved no longer has them in place."""
        return {c.coord: c.text for c in self.cells if c.kind in (LABEL, "item") and c.text}


@dataclass
class WorkbookLayout:
    """Every sheet of a workbook for one set of fields."""

    template_id: str
    sheets: list[SheetLayout]

    def where(self) -> dict[str, tuple[str, str]]:
        """Field id → (sheet, cell) of this year's value."""
        return {c.field_id: (s.title, c.coord) for s in self.sheets for c in s.figures()}

    @property
    def stamp(self) -> str:
        """A fingerprint of every sheet name, field cell and label: equal layouts read the same cells."""
        parts: list[object] = [FORMAT, self.template_id]
        for sheet in self.sheets:
            parts.append(sheet.title)
            parts.extend(f"{c.coord}={c.field_id}" for c in sheet.figures())
            parts.extend(f"{coord}:{text}" for coord, text in sheet.anchors().items())
        return stamp(parts)


def workbook_layout(
    template: Template, field_ids: Iterable[str], year: int, with_previous: set[str] = frozenset()
) -> WorkbookLayout:
    """The sheets for ``field_ids``: each table holding one of them, then one sheet for the rest.

    ``with_previous`` names the tables that get last year's figures beside this year's."""
    wanted = set(field_ids)
    values = {"year": str(year)}
    sheets: list[SheetLayout] = []
    used: set[str] = set()
    in_tables: set[str] = set()
    for section in template.walk_sections():
        for block in section.blocks:
            table = block.table
            if table is None:
                continue
            in_tables.update(table.field_ids())
            if wanted.intersection(table.field_ids()):
                title = _unique(_sheet_name(section, table), used)
                heading = fill(table.caption or _heading(section), values)
                sheets.append(_table_sheet(title, heading, table, values, table.id in with_previous))
    rest = [fid for fid in template.fields if fid in wanted and fid not in in_tables]
    if rest:
        sheets.append(_list_sheet(_unique(OTHER_SHEET, used), template, rest, values))
    return WorkbookLayout(template.id, sheets)


def _heading(section: Section) -> str:
    parts, node = [], section
    while node is not None:
        if node.heading:
            parts.append(node.heading.rstrip("。"))
        node = node.parent
    return "".join(reversed(parts)) or section.title


def _sheet_name(section: Section, table: Table) -> str:
    numbered = _NUMBERED.match(section.heading or "")
    if numbered:
        return f"表{numbered.group(1)}"
    name = table.caption or _ENUMERATOR.sub("", section.title) or table.id
    return _NOT_IN_TITLES.sub("", name)[:28] or table.id


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name[:26]}（{n}）", n + 1
    used.add(candidate)
    return candidate


def _table_sheet(title: str, heading: str, table: Table, values: dict, with_previous: bool) -> SheetLayout:
    sheet = SheetLayout(title, heading, width=table.width, table=table)
    previous_col = table.width + 2 if with_previous else None  # one empty column between the two
    sheet.previous_col = previous_col
    top = 0
    for band in table.bands:
        grid, top = band_cells(band, top, table.width)
        start = data_start(band)
        for cell in grid:
            sheet.cells.append(_placed(cell, values, 1 + cell.col))
            if previous_col is None or cell.corner or cell.kind not in (TITLE, HEADER, FIGURE):
                continue
            span = cell.colspan - (start if cell.kind == TITLE else 0)
            sheet.cells.append(_placed(cell, values, previous_col + max(cell.col - start, 0), span, True))
    return sheet


def _placed(
    cell: GridCell, values: dict, col: int, span: int | None = None, previous: bool = False
) -> Placed:
    return Placed(
        TOP + cell.row,
        col,
        cell.rowspan,
        span or cell.colspan,
        cell.kind,
        fill(cell.text, values) if cell.text else "",
        cell.field_id if cell.kind == FIGURE else None,
        previous,
    )


def _list_sheet(title: str, template: Template, field_ids: list[str], values: dict) -> SheetLayout:
    """The items outside tables: a heading row per section, then one row per item."""
    sheet = SheetLayout(title, "", width=len(LIST_COLUMNS))
    row = TOP
    for col, name in enumerate(LIST_COLUMNS, start=1):
        sheet.cells.append(Placed(row, col, 1, 1, HEADER, name))
    section_id = None
    for fid in field_ids:
        field_ = template.fields[fid]
        if field_.section_id != section_id:
            section_id = field_.section_id
            row += 1
            heading = fill(_heading(template.section(section_id)), values)
            sheet.cells.append(Placed(row, 1, 1, len(LIST_COLUMNS), "section", heading))
        row += 1
        kind = "narrative" if not field_.numeric else FIGURE
        sheet.cells.append(Placed(row, 1, 1, 1, "item", fill(field_.label, values)))
        sheet.cells.append(Placed(row, 2, 1, 1, "unit", field_.unit if field_.numeric else ""))
        sheet.cells.append(Placed(row, 3, 1, 1, kind, field_id=fid))
        sheet.cells.append(Placed(row, 4, 1, 1, kind, field_id=fid, previous=True))
    return sheet
