"""A printed table as a grid of cells: band titles, merged headers, row labels, units and figure cells.

Shared by everything that draws a table as on paper (the Word document, the spreadsheet), so that each
lays out the same cells with the same spans and differs only in how it draws them.
"""

from __future__ import annotations

from dataclasses import dataclass

from workflows.model import Band, Table

TITLE, HEADER, LABEL, UNIT, FIGURE = "title", "header", "label", "unit", "figure"


@dataclass(frozen=True)
class GridCell:
    """One cell of the grid (0-based row and column), with its spans and what it holds."""

    row: int
    col: int
    rowspan: int
    colspan: int
    kind: str  # TITLE, HEADER, LABEL, UNIT or FIGURE
    text: str = ""  # the template's text (placeholders such as {year} not yet filled)
    field_id: str | None = None  # a FIGURE cell's field
    corner: bool = False  # a header cell over the label columns, not over figures

    @property
    def header(self) -> bool:
        """Whether the cell prints as a heading (band titles and column headers)."""
        return self.kind in (TITLE, HEADER)

    @property
    def align_left(self) -> bool:
        """Band titles and one-row labels read from the left; everything else is centred."""
        return self.kind == TITLE or (self.kind == LABEL and self.rowspan == 1)


def band_cells(band: Band, top: int, width: int) -> tuple[list[GridCell], int]:
    """The cells of one band starting at row ``top`` of a grid ``width`` columns wide; and the next row.

    A band narrower than the table stretches its last column to the table's width."""
    cells: list[GridCell] = []
    band_width = data_start(band) + len(band.columns)
    extra = width - band_width
    last_col = band_width - 1
    row = top
    if band.title:
        cells.append(GridCell(row, 0, 1, width, TITLE, band.title))
        row += 1
    for cell in band.header:
        span = cell.colspan + (extra if cell.col + cell.colspan - 1 == last_col else 0)
        corner = cell.col < data_start(band)
        cells.append(GridCell(row + cell.row, cell.col, cell.rowspan, span, HEADER, cell.text, corner=corner))
    row += band.header_rows
    for cell in band.row_labels:
        cells.append(GridCell(row + cell.row, cell.col, cell.rowspan, cell.colspan, LABEL, cell.text))
    offset = band.label_columns
    for index, data_row in enumerate(band.rows):
        if band.unit_column:
            cells.append(GridCell(row + index, offset, 1, 1, UNIT, data_row.unit))
        for col_index, column in enumerate(band.columns):
            col = data_start(band) + col_index
            span = 1 + (extra if col == last_col else 0)
            fid = band.cells[(data_row.key, column.key)]
            cells.append(GridCell(row + index, col, 1, span, FIGURE, field_id=fid))
    return cells, row + len(band.rows)


def data_start(band: Band) -> int:
    """The first column of a band that holds figures (after its label and unit columns)."""
    return band.label_columns + (1 if band.unit_column else 0)


def table_cells(table: Table) -> tuple[list[GridCell], int]:
    """Every cell of a table, bands stacked; and the number of rows."""
    cells: list[GridCell] = []
    top = 0
    for band in table.bands:
        band_grid, top = band_cells(band, top, table.width)
        cells.extend(band_grid)
    return cells, top
