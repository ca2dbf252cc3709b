"""Open an uploaded workbook without trusting it, and read every input cell of the bot's layout.

Before openpyxl sees a byte, the file must be a small zip of few members whose declared sizes are
modest (zipfile never inflates a member past its declared size), with no macros; XML entity tricks
are refused by defusedxml, which openpyxl uses when it is installed. The workbook is opened read-only
with cached values (a formula someone typed counts as what Excel showed), and no sheet is read past
the rows the layout has.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import coordinate_to_tuple

from workflows.model import Template
from workflows.problems import Problem
from workflows.sheets.layout import FORMAT, WorkbookLayout, workbook_layout
from workflows.sheets.marker import Marker, MarkerError, read_marker

MAX_FILE = 5 * 2**20  # bytes: the bot's own file is ~20 KB; a filled one with long texts well under 1 MB
MAX_MEMBERS = 100
MAX_MEMBER = 20 * 2**20  # declared uncompressed size of one member
MAX_TOTAL = 50 * 2**20
MAX_RATIO = 100  # uncompressed : compressed, for members over 1 MB
MAX_ROWS = 2000  # rows of any sheet; the largest table has a few dozen
_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls, and .xlsx encrypted with a password

# Why a file is refused (English source strings; the reply translates them and, where it helps, adds
# MSG_GET_NEW: how to get the right workbook).
MSG_TOO_BIG = "The file is too large ({size} MB; at most {max} MB)."
MSG_NOT_XLSX = "This is not an .xlsx workbook (in WPS or Excel: save as .xlsx)."
MSG_OLD_XLS = (
    "This is an old .xls file or a workbook with a password. Please save it as .xlsx without a password."
)
MSG_MACROS = "Workbooks with macros (.xlsm) are not accepted. Please save it as a plain .xlsx."
MSG_HOSTILE = "This file would unpack to far more than it holds, so it was not read."
MSG_TOO_MANY_ROWS = "A sheet of this file has more than {max} rows, far more than the report's tables."
MSG_NOT_OURS = "This workbook was not made by this bot, so its cells cannot be matched to the report."
MSG_OLD_FORMAT = "This workbook was made by an older version of the bot."
MSG_OTHER_TEMPLATE = "This workbook is for another report template ({template})."
MSG_OLD_LAYOUT = (
    "The report's tables have changed since this workbook was made, so its cells no longer match."
)
MSG_MISSING_SHEET = "Sheet “{sheet}” is missing from the workbook."
MSG_MOVED = (
    "Rows or columns of sheet “{sheet}” were moved (cell {cell} should read “{text}”), so the figures "
    "cannot be matched."
)
MSG_GET_NEW = "Get a new workbook with “Fill in with Excel” under {cmd_fill}, fill it in and send it back."
NEEDS_NEW = (MSG_NOT_OURS, MSG_OLD_FORMAT, MSG_OTHER_TEMPLATE, MSG_OLD_LAYOUT, MSG_MISSING_SHEET, MSG_MOVED)


class SheetRefused(Problem):
    """A workbook that is not read at all, with why (a catalog message and its parameters)."""


@dataclass(frozen=True)
class CellValue:
    """What one input cell holds, and where it is (「表三!D12」)."""

    sheet: str
    coord: str
    value: Any

    @property
    def ref(self) -> str:
        """The cell as people name it: 表三!D12."""
        return f"{self.sheet}!{self.coord}"


@dataclass
class SheetUpload:
    """A workbook read: its marker, its layout, and every input cell's value by field id."""

    marker: Marker
    layout: WorkbookLayout
    cells: dict[str, CellValue] = field(default_factory=dict)


def check_container(data: bytes) -> None:
    """Refuse what is not a small, plain .xlsx before anything parses it."""
    if len(data) > MAX_FILE:
        raise SheetRefused(MSG_TOO_BIG, size=f"{len(data) / 2**20:.1f}", max=MAX_FILE // 2**20)
    if data.startswith(OLE_MAGIC):
        raise SheetRefused(MSG_OLD_XLS)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise SheetRefused(MSG_NOT_XLSX) from None
    names = {member.filename for member in members}
    if len(members) > MAX_MEMBERS:
        raise SheetRefused(MSG_HOSTILE)
    total = 0
    for member in members:
        total += member.file_size
        big = member.file_size > 2**20
        if (
            member.file_size > MAX_MEMBER
            or total > MAX_TOTAL
            or (big and member.file_size > MAX_RATIO * max(member.compress_size, 1))
        ):
            raise SheetRefused(MSG_HOSTILE)
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise SheetRefused(MSG_NOT_XLSX)
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise SheetRefused(MSG_MACROS)
    try:
        types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise SheetRefused(MSG_NOT_XLSX) from None
    if b"macroEnabled" in types:
        raise SheetRefused(MSG_MACROS)
    sheets = [name for name in names if name.startswith("xl/worksheets/") and name.endswith(".xml")]
    for name in sheets:  # rows counted in the XML itself: a sheet's <dimension> may say anything
        if len(_ROW.findall(archive.read(name))) > MAX_ROWS:
            raise SheetRefused(MSG_TOO_MANY_ROWS, max=MAX_ROWS)


def read_sheet(data: bytes, template: Template) -> SheetUpload:
    """Every input cell of a workbook the bot made for ``template``; SheetRefused with why not."""
    check_container(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception:  # openpyxl raises many kinds on a damaged or hostile file; none may escape
        raise SheetRefused(MSG_NOT_XLSX) from None
    try:
        return _read(workbook, template)
    except SheetRefused:
        raise
    except Exception:  # a damaged sheet inside a sound zip
        raise SheetRefused(MSG_NOT_XLSX) from None
    finally:
        workbook.close()


def _read(workbook: Any, template: Template) -> SheetUpload:
    try:
        marker = read_marker(workbook)
    except MarkerError:
        raise SheetRefused(MSG_NOT_OURS) from None
    if marker.format != FORMAT:
        raise SheetRefused(MSG_OLD_FORMAT)
    if marker.template_id != template.id:
        raise SheetRefused(MSG_OTHER_TEMPLATE, template=marker.template_id)
    field_ids = [fid for fid in marker.fields if fid in template.fields]
    layout = workbook_layout(template, field_ids, marker.year)
    if layout.stamp != marker.layout or len(field_ids) != len(marker.fields):
        raise SheetRefused(MSG_OLD_LAYOUT)
    upload = SheetUpload(marker, layout)
    for sheet_layout in layout.sheets:
        if sheet_layout.title not in workbook.sheetnames:
            raise SheetRefused(MSG_MISSING_SHEET, sheet=sheet_layout.title)
        wanted = {c.coord: c.field_id for c in sheet_layout.figures()}
        anchors = sheet_layout.anchors()
        found = _cells(workbook[sheet_layout.title], {*wanted, *anchors})
        for coord, text in anchors.items():
            if _plain(found.get(coord)) != text:
                raise SheetRefused(MSG_MOVED, sheet=sheet_layout.title, cell=coord, text=text)
        for coord, fid in wanted.items():
            upload.cells[fid] = CellValue(sheet_layout.title, coord, _value(found.get(coord)))
    return upload


def _cells(sheet: Any, coords: set[str]) -> dict[str, Any]:
    """The values of ``coords``, reading the sheet row by row only as far as the last of them."""
    wanted = {coordinate_to_tuple(coord): coord for coord in coords}
    last_row = max((row for row, _ in wanted), default=0)
    last_col = max((col for _, col in wanted), default=0)
    found: dict[str, Any] = {}
    for row in sheet.iter_rows(min_row=1, max_row=last_row, max_col=last_col):
        for cell in row:
            position = (getattr(cell, "row", None), getattr(cell, "column", None))
            if position in wanted:
                found[wanted[position]] = cell.value
    return found


def _plain(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _value(value: Any) -> Any:
    """A cell's value for the batch service: text as typed, numbers as Excel shows them."""
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float):
        # Fifteen significant digits, as Excel and WPS show a number: 0.1+0.2 is 0.3, not 0.30000000000000004.
        return Decimal(f"{value:.15g}")
    return str(value)  # a date, a time: read as the text it shows, which the number rules refuse clearly
