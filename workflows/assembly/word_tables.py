"""Print a template table into Word: bands stacked in one grid, header cells merged as on paper."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.table import Table as WordTable
from docx.text.paragraph import Paragraph

from workflows.assembly.styles import (
    HEADING1_FONT,
    TABLE_LINE,
    TABLE_SIZE,
    TABLE_STYLE,
    TEXT_WIDTH_MM,
    ems,
    font_run,
    mark_missing,
)
from workflows.model import Band, Table
from workflows.table_grid import FIGURE, UNIT, band_cells

MISSING_CELL = "待填"
CELL_MARGIN_MM = 1
CELL_MARGIN_TWIPS = round(Mm(CELL_MARGIN_MM).twips)
GROUP_COLUMN_MM = 8.0  # one vertical line of table text (14 pt, 4.9 mm) and the two 1 mm cell margins
KEEP_GROUPS_UP_TO = 10  # rows; a larger group may break across pages


@dataclass(frozen=True)
class _Cell:
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str
    header: bool = False
    missing: bool = False
    align_left: bool = False

    @property
    def vertical(self) -> bool:
        """A group label (三、本年度办理结果, （三）不予公开) runs down its narrow column, as on paper."""
        return not self.header and self.rowspan > 1 and self.colspan == 1


def _band_cells(
    band: Band, top: int, width: int, cell_text: Callable[[str], str | None], fill: Callable[[str], str]
) -> tuple[list[_Cell], int]:
    grid, after = band_cells(band, top, width)
    cells: list[_Cell] = []
    for cell in grid:
        if cell.kind == FIGURE:
            value = cell_text(cell.field_id)
            text = value if value is not None else MISSING_CELL
            cells.append(_Cell(cell.row, cell.col, 1, cell.colspan, text, missing=value is None))
        elif cell.kind == UNIT:
            cells.append(_Cell(cell.row, cell.col, 1, 1, cell.text))
        else:
            cells.append(
                _Cell(
                    cell.row,
                    cell.col,
                    cell.rowspan,
                    cell.colspan,
                    fill(cell.text),
                    header=cell.header,
                    align_left=cell.align_left,
                )
            )
    return cells, after


def _column_widths(table: Table) -> list[float]:
    label_columns = max(band.label_columns + (1 if band.unit_column else 0) for band in table.bands)
    data_columns = table.width - label_columns
    if not label_columns:
        return [TEXT_WIDTH_MM / table.width] * table.width
    label_share = 0.5 if label_columns > 1 else (0.45 if data_columns > 2 else 0.55)
    label_mm = TEXT_WIDTH_MM * label_share
    unit_mm = 12.0 if any(band.unit_column for band in table.bands) else 0.0
    plain_labels = label_columns - (1 if unit_mm else 0)
    # Group labels (rowspans) run down their columns, one vertical line each: across, a column two
    # characters wide broke 「（三）不予公开」 as 「（三」「）不」…; the innermost label column gets the rest
    # for the long row names.
    group_mm = GROUP_COLUMN_MM if plain_labels > 1 else 0.0
    inner_mm = label_mm - unit_mm - group_mm * (plain_labels - 1)
    widths = [group_mm] * (plain_labels - 1) + [inner_mm] + ([unit_mm] if unit_mm else [])
    data_mm = (TEXT_WIDTH_MM - sum(widths)) / data_columns
    return widths + [data_mm] * data_columns


def _element(tag: str, **attributes: str):
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    return element


def _narrow_cell_margins(word_table: WordTable) -> None:
    """Cell margins of 1 mm (Word: 1.9 mm) left and right: more of a narrow column for its text."""
    margins = _element("w:tblCellMar")
    for side in ("left", "right"):
        margins.append(_element(f"w:{side}", w=str(CELL_MARGIN_TWIPS), type="dxa"))
    tbl_pr = word_table._tbl.tblPr
    look = tbl_pr.find(qn("w:tblLook"))
    if look is not None:
        look.addprevious(margins)
    else:
        tbl_pr.append(margins)


def _lines(spec: _Cell, widths: list[float]) -> int:
    """About how many lines a cell's text takes across its columns (1 mm margins each side)."""
    room = Mm(sum(widths[spec.col : spec.col + spec.colspan]) - 2 * CELL_MARGIN_MM).pt
    return max(1, math.ceil(ems(spec.text) * TABLE_SIZE.pt / room))


def _row_heights(cells: list[_Cell], widths: list[float]) -> dict[int, int]:
    """The least height (twips) of rows beside a vertical label longer than they are tall: 「（四）无法
    提供」 beside three one-line rows. LibreOffice grows a row for its horizontal text but clips a vertical
    label that spans it; the shortfall (the label's characters and a line's leading) is shared out.
    """
    natural: dict[int, int] = defaultdict(lambda: 1)  # lines
    for spec in cells:
        if spec.rowspan == 1:
            natural[spec.row] = max(natural[spec.row], _lines(spec, widths))
    least: dict[int, int] = {}
    for spec in cells:
        if not spec.vertical:
            continue
        rows = range(spec.row, spec.row + spec.rowspan)
        need = len(spec.text) * TABLE_SIZE.twips + TABLE_LINE.twips
        short = need - sum(natural[row] for row in rows) * TABLE_LINE.twips
        for row in rows if short > 0 else ():
            least[row] = max(least.get(row, 0), round(natural[row] * TABLE_LINE.twips + short / spec.rowspan))
    return least


def _kept_rows(cells: list[_Cell]) -> set[int]:
    """Rows that must stay on the page of the row after them.

    Band titles and header rows stay with the first data row; a small group (a row label spanning a
    few rows, such as （三）不予公开) stays whole. 三、本年度办理结果 spans most of table 三 and may break.
    """
    kept: set[int] = set()
    for spec in cells:
        if spec.header:
            kept.update(range(spec.row, spec.row + spec.rowspan))
        elif 1 < spec.rowspan <= KEEP_GROUPS_UP_TO:
            kept.update(range(spec.row, spec.row + spec.rowspan - 1))
    return kept


def add_table(
    document: Document, table: Table, cell_text: Callable[[str], str | None], fill: Callable[[str], str]
) -> int:
    """Append ``table``; ``cell_text`` gives a cell's printed value (None when missing). Returns gaps."""
    cells: list[_Cell] = []
    top = 0
    for band in table.bands:
        band_cells, top = _band_cells(band, top, table.width, cell_text, fill)
        cells.extend(band_cells)
    word_table = document.add_table(rows=0, cols=table.width)
    word_table.style = document.styles["Table Grid"]
    word_table.alignment = WD_TABLE_ALIGNMENT.CENTER
    word_table.autofit = False
    _narrow_cell_margins(word_table)
    widths = _column_widths(table)
    for index, column in enumerate(word_table.columns):  # the grid is what LibreOffice and WPS read
        column.width = Mm(widths[index])
    twips = [round(Mm(width).twips) for width in widths]
    style_id = document.styles[TABLE_STYLE].style_id
    first = table.bands[0]
    header_rows = 0 if first.title else first.header_rows
    kept = _kept_rows(cells)
    heights = _row_heights(cells, widths)
    # Each grid position names the cell that starts there or the merged cell whose rows continue there.
    # The rows are written as XML directly: table.cell() and merge() re-read the whole grid on every
    # call, which made assembly quadratic in the number of cells.
    starts: dict[tuple[int, int], _Cell] = {}
    continues: dict[tuple[int, int], _Cell] = {}
    for spec in cells:
        starts[(spec.row, spec.col)] = spec
        for row in range(spec.row + 1, spec.row + spec.rowspan):
            continues[(row, spec.col)] = spec
    tbl = word_table._tbl
    for row in range(top):
        tr = _element("w:tr")
        tr_pr = _element("w:trPr")
        tr_pr.append(_element("w:cantSplit"))  # a label and its numbers always share a page
        if row in heights:
            tr_pr.append(_element("w:trHeight", val=str(heights[row]), hRule="atLeast"))
        if row < header_rows:
            tr_pr.append(_element("w:tblHeader"))  # repeated on every page the table spans
        tr.append(tr_pr)
        col = 0
        while col < table.width:
            spec = starts.get((row, col)) or continues.get((row, col))
            span = spec.colspan if spec else 1
            tc = _element("w:tc")
            tc_pr = _element("w:tcPr")
            tc_pr.append(_element("w:tcW", w=str(sum(twips[col : col + span])), type="dxa"))
            if span > 1:
                tc_pr.append(_element("w:gridSpan", val=str(span)))
            if spec is not None and spec.rowspan > 1:
                tc_pr.append(_element("w:vMerge", val="restart") if spec.row == row else _element("w:vMerge"))
            if spec is not None and spec.vertical:  # top to bottom, Chinese characters upright
                tc_pr.append(_element("w:textDirection", val="tbRlV"))
            tc_pr.append(_element("w:vAlign", val="center"))
            tc.append(tc_pr)
            p = _element("w:p")
            p_pr = _element("w:pPr")
            p_pr.append(_element("w:pStyle", val=style_id))
            if row in kept:
                p_pr.append(_element("w:keepNext"))
            if spec is not None and spec.align_left:
                p_pr.append(_element("w:jc", val="left"))
            p.append(p_pr)
            tc.append(p)
            if spec is not None and spec.row == row:
                run = font_run(
                    Paragraph(p, word_table),
                    spec.text,
                    HEADING1_FONT if spec.header and spec.align_left else None,
                    bold=spec.header or None,
                )
                if spec.missing:
                    mark_missing(run)
            tr.append(tc)
            col += span
        tbl.append(tr)
    return sum(1 for spec in cells if spec.missing)
