"""Print a template table into Word: bands stacked in one grid, header cells merged as on paper."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from docx.document import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.table import Table as WordTable

from workflows.assembly.styles import HEADING1_FONT, TABLE_STYLE, font_run, mark_missing
from workflows.model import Band, Table

TEXT_WIDTH_MM = 210 - 28 - 26
MISSING_CELL = "待填"


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


def _band_cells(
    band: Band, top: int, width: int, cell_text: Callable[[str], str | None], fill: Callable[[str], str]
) -> tuple[list[_Cell], int]:
    cells: list[_Cell] = []
    band_width = band.label_columns + (1 if band.unit_column else 0) + len(band.columns)
    extra = width - band_width  # a narrow band's last column stretches to the table's width
    last_col = band_width - 1
    row = top
    if band.title:
        cells.append(_Cell(row, 0, 1, width, fill(band.title), header=True, align_left=True))
        row += 1
    for cell in band.header:
        span = cell.colspan + (extra if cell.col + cell.colspan - 1 == last_col else 0)
        cells.append(_Cell(row + cell.row, cell.col, cell.rowspan, span, fill(cell.text), header=True))
    row += band.header_rows
    for cell in band.row_labels:
        cells.append(
            _Cell(
                row + cell.row,
                cell.col,
                cell.rowspan,
                cell.colspan,
                fill(cell.text),
                align_left=cell.rowspan == 1,
            )
        )
    offset = band.label_columns
    for index, data_row in enumerate(band.rows):
        if band.unit_column:
            cells.append(_Cell(row + index, offset, 1, 1, data_row.unit))
        for col_index, column in enumerate(band.columns):
            col = offset + (1 if band.unit_column else 0) + col_index
            value = cell_text(band.cells[(data_row.key, column.key)])
            span = 1 + (extra if col == last_col else 0)
            cells.append(
                _Cell(
                    row + index,
                    col,
                    1,
                    span,
                    value if value is not None else MISSING_CELL,
                    missing=value is None,
                )
            )
    return cells, row + len(band.rows)


def _column_widths(table: Table) -> list[float]:
    label_columns = max(band.label_columns + (1 if band.unit_column else 0) for band in table.bands)
    data_columns = table.width - label_columns
    if not label_columns:
        return [TEXT_WIDTH_MM / table.width] * table.width
    label_share = 0.5 if label_columns > 1 else (0.45 if data_columns > 2 else 0.55)
    label_mm = TEXT_WIDTH_MM * label_share
    unit_mm = 12.0 if any(band.unit_column for band in table.bands) else 0.0
    plain_labels = label_columns - (1 if unit_mm else 0)
    # Group labels (rowspans) are short; the innermost label column holds the long row names.
    group_mm = 9.0 if plain_labels > 1 else 0.0
    inner_mm = label_mm - unit_mm - group_mm * (plain_labels - 1)
    widths = [group_mm] * (plain_labels - 1) + [inner_mm] + ([unit_mm] if unit_mm else [])
    data_mm = (TEXT_WIDTH_MM - sum(widths)) / data_columns
    return widths + [data_mm] * data_columns


def _repeat_as_header(word_table: WordTable, rows: int) -> None:
    for row in word_table.rows[:rows]:
        tr_pr = row._tr.get_or_add_trPr()
        flag = OxmlElement("w:tblHeader")
        flag.set(qn("w:val"), "true")
        tr_pr.append(flag)


def add_table(
    document: Document, table: Table, cell_text: Callable[[str], str | None], fill: Callable[[str], str]
) -> int:
    """Append ``table``; ``cell_text`` gives a cell's printed value (None when missing). Returns gaps."""
    cells: list[_Cell] = []
    top = 0
    for band in table.bands:
        band_cells, top = _band_cells(band, top, table.width, cell_text, fill)
        cells.extend(band_cells)
    word_table = document.add_table(rows=top, cols=table.width)
    word_table.style = document.styles["Table Grid"]
    word_table.alignment = WD_TABLE_ALIGNMENT.CENTER
    word_table.autofit = False
    widths = _column_widths(table)
    for index, column in enumerate(word_table.columns):  # the grid is what LibreOffice and WPS read
        column.width = Mm(widths[index])
    for row in word_table.rows:
        for index, cell in enumerate(row.cells):
            cell.width = Mm(widths[index])
    for spec in cells:
        target = word_table.cell(spec.row, spec.col)
        if spec.rowspan > 1 or spec.colspan > 1:
            target = target.merge(word_table.cell(spec.row + spec.rowspan - 1, spec.col + spec.colspan - 1))
        target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        paragraph = target.paragraphs[0]
        paragraph.style = document.styles[TABLE_STYLE]
        if spec.align_left:
            paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        run = font_run(
            paragraph,
            spec.text,
            HEADING1_FONT if spec.header and spec.align_left else None,
            bold=spec.header or None,
        )
        if spec.missing:
            mark_missing(run)
    first = table.bands[0]
    if not first.title:
        _repeat_as_header(word_table, first.header_rows)
    return sum(1 for spec in cells if spec.missing)
