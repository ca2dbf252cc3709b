"""Write the workbook: tables as printed, input cells unlocked and checked, totals as formulas, a marker.

Yellow cells take this year's answers (pre-filled with what is saved); blue cells are totals the
workbook computes as the bot does (blank until every part is there); grey cells are last year's figures.
Everything but the yellow cells is protected, and the workbook's structure is locked.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from workflows.arithmetic import Figures
from workflows.i18n import t
from workflows.model import DECIMAL, INTEGER, NARRATIVE, Field
from workflows.numbers import format_number
from workflows.sheets.layout import TOP, Placed, SheetLayout, WorkbookLayout
from workflows.sheets.marker import Marker, write_marker
from workflows.table_grid import FIGURE, HEADER, LABEL, TITLE, UNIT
from workflows.validation import HARD_LIMIT

MAX_TEXT = 20000  # as the chat takes for one narrative
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
INPUT = PatternFill("solid", fgColor="FFF2CC")
TOTAL = PatternFill("solid", fgColor="DDEBF7")
HEAD = PatternFill("solid", fgColor="E7E6E6")
LAST_YEAR = PatternFill("solid", fgColor="F2F2F2")
GREY = Font(color="7F7F7F")
WRAP = Alignment(wrap_text=True, vertical="center", horizontal="center")
WRAP_LEFT = Alignment(wrap_text=True, vertical="center", horizontal="left")


@dataclass
class SheetContent:
    """What a workbook shows: the layout, the figures (given, computed, last year's) and its marker."""

    layout: WorkbookLayout
    figures: Figures
    marker: Marker
    lang: str


def build_workbook(content: SheetContent) -> bytes:
    """The .xlsx file's bytes."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    where = content.layout.where()
    for layout in content.layout.sheets:
        sheet = workbook.create_sheet(layout.title)
        _Writer(sheet, layout, content, where).write()
    write_marker(workbook, content.marker)
    workbook.security = WorkbookProtection(lockStructure=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def set_text(cell: Cell, value: str) -> None:
    """Put text in a cell as text: a value that starts with "=" is never taken for a formula."""
    cell.value = value
    cell.data_type = "s"


class _Writer:
    """Writes one sheet."""

    def __init__(self, sheet: Worksheet, layout: SheetLayout, content: SheetContent, where: dict) -> None:
        self.sheet, self.layout, self.content, self.where = sheet, layout, content, where
        self.lang = content.lang
        self.template = content.figures.template
        self.validations: dict[str, DataValidation] = {}

    def write(self) -> None:
        """The sheet: headings, cells, checks, shape and protection."""
        self._headings()
        for cell in self.layout.cells:
            self._cell(cell)
        for validation in self.validations.values():
            self.sheet.add_data_validation(validation)
        self._shape()
        protection = self.sheet.protection
        protection.sheet = True
        protection.formatColumns = protection.formatRows = False  # widening a column is fine

    def _headings(self) -> None:
        sheet, layout, year = self.sheet, self.layout, self.content.marker.year
        right = (layout.previous_col or 1) + layout.width - 1 if layout.previous_col else layout.width
        title = layout.heading or t(self.lang, "Items outside the tables")
        self._merged(1, 1, 1, max(right, layout.width), title, Font(bold=True, size=14), WRAP_LEFT)
        note = t(
            self.lang,
            "Fill in the yellow cells (numbers as you would type them in the chat). Blue cells are "
            "computed, grey ones are last year's. Then send this file back to the bot.",
        )
        self._merged(2, 1, 1, max(right, layout.width), note, Font(italic=True, color="595959"), WRAP_LEFT)
        sheet.row_dimensions[2].height = 30
        if layout.table is not None:
            this_year = t(self.lang, "{year} (this year)", year=year)
            self._merged(3, 1, 1, layout.width, this_year, Font(bold=True), WRAP)
            if layout.previous_col:
                last = t(self.lang, "{year} (last year, for reference)", year=year - 1)
                width = right - layout.previous_col + 1
                self._merged(3, layout.previous_col, 1, width, last, Font(bold=True, color="7F7F7F"), WRAP)

    def _merged(
        self,
        row: int,
        col: int,
        rowspan: int,
        colspan: int,
        text: str,
        font: Font | None = None,
        alignment: Alignment = WRAP,
        fill: PatternFill | None = None,
        border: bool = False,
    ) -> Cell:
        """Write ``text`` into a cell spanning rowspan × colspan, styled, boxed when ``border``."""
        cell = self.sheet.cell(row, col)
        set_text(cell, text)
        cell.font = font or Font()
        cell.alignment = alignment
        if fill is not None:
            cell.fill = fill
        if rowspan > 1 or colspan > 1:
            self.sheet.merge_cells(
                start_row=row, start_column=col, end_row=row + rowspan - 1, end_column=col + colspan - 1
            )
        if border:
            for r in range(row, row + rowspan):
                for c in range(col, col + colspan):
                    self.sheet.cell(r, c).border = BOX
        return cell

    def _cell(self, placed: Placed) -> None:
        kind = placed.kind
        span = (placed.row, placed.col, placed.rowspan, placed.colspan)
        if kind == TITLE:
            self._merged(*span, placed.text, Font(bold=True), WRAP_LEFT, HEAD, border=True)
        elif kind == HEADER:
            self._merged(*span, placed.text, Font(bold=True), WRAP, HEAD, border=True)
        elif kind in (LABEL, "item"):
            self._merged(*span, placed.text, None, WRAP_LEFT if placed.rowspan == 1 else WRAP, border=True)
        elif kind in (UNIT, "unit"):
            self._merged(*span, placed.text, None, WRAP, border=True)
        elif kind == "section":
            self._merged(*span, placed.text, Font(bold=True), WRAP_LEFT, HEAD, border=True)
        elif placed.previous:
            self._previous(placed)
        else:
            self._figure(placed)

    def _previous(self, placed: Placed) -> None:
        value = self.content.figures.previous.get(placed.field_id)
        cell = self._merged(placed.row, placed.col, 1, placed.colspan, "", GREY, WRAP, LAST_YEAR, True)
        if isinstance(value, str):
            set_text(cell, value)
            cell.alignment = WRAP_LEFT
        else:
            cell.value = value

    def _figure(self, placed: Placed) -> None:
        figures, field_ = self.content.figures, self.template.fields[placed.field_id]
        cell = self._merged(placed.row, placed.col, 1, placed.colspan, "", None, WRAP, INPUT, True)
        cell.value = None
        if not figures.asked(field_):
            cell.fill = TOTAL
            cell.font = Font(bold=True)
            cell.value = self._formula(field_)
            return
        cell.protection = Protection(locked=False)
        value = figures.given.get(field_.id)
        if isinstance(value, str):
            set_text(cell, value)
            cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
        elif value is not None:
            cell.value = value
        self._validate(field_, placed.coord)

    def _formula(self, field_: Field) -> str | int | Decimal | None:
        """The total as the bot computes it: blank until every part is given."""
        figures, refs, parts = self.content.figures, [], []
        for term in field_.derivation.expression.terms:
            sign = "-" if term.sign < 0 else "+"
            if term.field is None:
                parts.append(f"{sign}{format_number(term.constant)}")
            elif term.last_year:
                known = figures.previous.get(term.field)
                if known is None:
                    return figures.values.get(field_.id)
                parts.append(f"{sign}{format_number(known)}")
            elif term.field in self.where:
                sheet, coord = self.where[term.field]
                ref = coord if sheet == self.layout.title else f"{quote_sheetname(sheet)}!{coord}"
                refs.append(ref)
                parts.append(f"{sign}{ref}")
            else:  # a part outside this workbook: what is saved for it now
                known = figures.values.get(term.field)
                if known is None:
                    return None
                parts.append(f"{sign}{format_number(known)}")
        body = "".join(parts).lstrip("+") or "0"
        if not refs:
            return f"={body}"
        return f'=IF(COUNT({",".join(refs)})={len(refs)},{body},"")'

    def _validate(self, field_: Field, coord: str) -> None:
        if field_.type == NARRATIVE or not field_.numeric:
            limit = MAX_TEXT if field_.type == NARRATIVE else (field_.max_length or MAX_TEXT)
            key, rule = f"text{limit}", ("textLength", "lessThanOrEqual", str(limit), None)
            message = t(self.lang, "At most {max} characters.", max=limit)
        else:
            low = format_number(field_.min) if field_.min is not None else "-" + str(HARD_LIMIT)
            high = format_number(field_.max) if field_.max is not None else str(HARD_LIMIT)
            kind = "whole" if field_.type == INTEGER else "decimal"
            key, rule = f"{kind}{low}:{high}", (kind, "between", low, high)
            message = (
                t(self.lang, "A whole number from {min} to {max}.", min=low, max=high)
                if field_.type == INTEGER
                else t(self.lang, "A number from {min} to {max}.", min=low, max=high)
            )
            if field_.type == DECIMAL and field_.decimals is not None:
                message += " " + t(self.lang, "At most {places} decimal places.", places=field_.decimals)
        validation = self.validations.get(key)
        if validation is None:
            kind, operator, first, second = rule
            validation = DataValidation(
                type=kind,
                operator=operator,
                formula1=first,
                formula2=second,
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="warning",  # the bot reads 「1,234」 and 「一百」 too: warn, do not forbid
                errorTitle=t(self.lang, "Please check")[:32],
                error=message[:255],
            )
            self.validations[key] = validation
        validation.add(coord)

    def _shape(self) -> None:
        """Column widths that fit the labels, frozen headings, landscape pages one page wide."""
        sheet, layout = self.sheet, self.layout
        if layout.table is None:
            for col, width in zip("ABCD", (34, 8, 60, 40), strict=True):
                sheet.column_dimensions[col].width = width
            for placed in layout.cells:
                if placed.kind == "narrative":
                    sheet.row_dimensions[placed.row].height = 120
        else:
            widths: dict[int, float] = {}
            for placed in layout.cells:
                if placed.colspan == 1 and placed.kind in (LABEL, HEADER, UNIT, FIGURE):
                    want = 10.0 if placed.kind != LABEL else min(4 + 1.8 * len(placed.text), 40)
                    widths[placed.col] = max(widths.get(placed.col, 6.0), want)
            for col, width in widths.items():
                sheet.column_dimensions[get_column_letter(col)].width = width
            first = min((p.row for p in layout.cells if p.kind == FIGURE), default=TOP)
            sheet.freeze_panes = sheet.cell(first, 1)
        self._heights()
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_options.horizontalCentered = True

    def _heights(self) -> None:
        """Rows tall enough for their wrapped labels (no spreadsheet fits merged or wrapped rows itself)."""
        sheet, lines = self.sheet, {}
        for placed in self.layout.cells:
            if placed.rowspan != 1 or not placed.text or placed.row < TOP:
                continue
            width = sum(
                sheet.column_dimensions[get_column_letter(c)].width or 8.43
                for c in range(placed.col, placed.col + placed.colspan)
            )
            needed = math.ceil(_text_width(placed.text) / max(width - 1, 1))
            lines[placed.row] = max(lines.get(placed.row, 1), needed)
        for row, count in lines.items():
            if count > 1:
                sheet.row_dimensions[row].height = 15 * count


def _text_width(text: str) -> float:
    """How many column-width units a text needs: a Chinese character takes about two."""
    return sum(2.0 if ord(char) > 0x2E80 else 1.1 for char in text)
