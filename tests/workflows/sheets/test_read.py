"""Reading a returned workbook: what the bot made is read cell by cell; anything else is refused unread."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from bot.offline.excel import typed
from tests.workflows.sheets.conftest import NOW
from workflows.sheets.make import department_sheet, template_sheet
from workflows.sheets.read import (
    MSG_HOSTILE,
    MSG_MACROS,
    MSG_MISSING_SHEET,
    MSG_MOVED,
    MSG_NOT_OURS,
    MSG_NOT_XLSX,
    MSG_OLD_LAYOUT,
    MSG_OLD_XLS,
    MSG_OTHER_TEMPLATE,
    MSG_TOO_BIG,
    MSG_TOO_MANY_ROWS,
    SheetRefused,
    read_sheet,
)


def refused(data, template):
    with pytest.raises(SheetRefused) as caught:
        read_sheet(data, template)
    return caught.value.message


def test_every_input_cell_is_read_with_its_place(policy_sheet, template_2021):
    data = typed(
        policy_sheet.data, {"表三!D7": 5, "表三!E7": "1,234", "表三!F7": "１２", "表三!G7": 0.1 + 0.2}
    )
    upload = read_sheet(data, template_2021)
    cells = upload.cells
    assert (cells["t3.new.natural"].ref, cells["t3.new.natural"].value) == ("表三!D7", 5)
    assert cells["t3.new.business"].value == "1,234" and cells["t3.new.research"].value == "１２"
    assert cells["t3.new.welfare"].value == Decimal("0.3")  # as Excel shows it
    assert cells["t3.new.legal"].value is None
    assert "t3.new.total" in cells  # the formula cell is read too, and the batch service compares it
    assert upload.marker.department_id == "policy"


def test_files_that_are_not_the_bots_are_refused_with_the_reason(
    session, policy_sheet, template_2021, template_2018
):
    plain = Workbook()
    buffer = io.BytesIO()
    plain.save(buffer)
    assert refused(buffer.getvalue(), template_2021) == MSG_NOT_OURS
    assert refused(policy_sheet.data, template_2018) == MSG_OTHER_TEMPLATE
    # A workbook whose layout no longer matches the template (made for other cells) is old.
    book = load_workbook(io.BytesIO(policy_sheet.data))
    book["_reportbot"]["B4"].value = "00000000"
    out = io.BytesIO()
    book.save(out)
    assert refused(out.getvalue(), template_2021) == MSG_OLD_LAYOUT


def test_moved_rows_and_missing_sheets_are_noticed(policy_sheet, template_2021):
    book = load_workbook(io.BytesIO(policy_sheet.data))
    book["表三"].protection.sheet = False
    book["表三"].insert_rows(8)
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(SheetRefused) as caught:
        read_sheet(out.getvalue(), template_2021)
    assert caught.value.message == MSG_MOVED and caught.value.params["cell"] == "A8"
    book = load_workbook(io.BytesIO(policy_sheet.data))
    book["表四"].title = "Sheet2"
    out = io.BytesIO()
    book.save(out)
    assert refused(out.getvalue(), template_2021) == MSG_MISSING_SHEET


def zipped(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_hostile_and_broken_files_are_refused_before_parsing(policy_sheet, template_2021):
    assert refused(b"not a zip at all", template_2021) == MSG_NOT_XLSX
    assert refused(b"\xd0\xcf\x11\xe0" + b"\0" * 600, template_2021) == MSG_OLD_XLS
    assert refused(b"PK" + b"\0" * (6 * 2**20), template_2021) == MSG_TOO_BIG
    bomb = zipped(
        {"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>", "xl/big.xml": b"\0" * (30 * 2**20)}
    )
    assert len(bomb) < 100_000 and refused(bomb, template_2021) == MSG_HOSTILE
    many = zipped({f"m{n}": b"" for n in range(500)})
    assert refused(many, template_2021) == MSG_HOSTILE
    # A real workbook with a macro project inside, whatever its name says.
    with zipfile.ZipFile(io.BytesIO(policy_sheet.data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    assert refused(zipped({**members, "xl/vbaProject.bin": b"\0" * 100}), template_2021) == MSG_MACROS
    types = members["[Content_Types].xml"].replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")
    assert refused(zipped({**members, "[Content_Types].xml": types}), template_2021) == MSG_MACROS
    # 100,000 rows in a sheet, its <dimension> saying A1 only.
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(1, 100_001))
    sheet = members["xl/worksheets/sheet1.xml"]
    start, end = sheet.index(b"<sheetData"), sheet.index(b"</sheetData>") + len(b"</sheetData>")
    huge = sheet[:start] + b"<sheetData>" + rows + b"</sheetData>" + sheet[end:]
    assert refused(zipped({**members, "xl/worksheets/sheet1.xml": huge}), template_2021) == MSG_TOO_MANY_ROWS
    # Entity expansion in the XML (a "billion laughs") is refused by defusedxml, not expanded.
    laughs = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    body = sheet[sheet.index(b"?>") + 2 :] if sheet.startswith(b"<?xml") else sheet
    bomb_sheet = b'<?xml version="1.0"?>' + laughs + body.replace(b"<sheetData>", b"<sheetData>&b;", 1)
    assert refused(zipped({**members, "xl/worksheets/sheet1.xml": bomb_sheet}), template_2021) == MSG_NOT_XLSX
    # A truncated file.
    assert refused(policy_sheet.data[: len(policy_sheet.data) // 2], template_2021) == MSG_NOT_XLSX


def test_the_offline_workbook_reads_back(template_2021):
    made = template_sheet(template_2021, 2021, NOW, "zh")
    where = read_sheet(made.data, template_2021).cells["overview.requests.text"].ref
    data = typed(made.data, {"表二!B6": 3, where: "全年共收到申请。"})
    cells = read_sheet(data, template_2021).cells
    assert cells["t2.rules.issued"].value == 3
    assert cells["overview.requests.text"].value == "全年共收到申请。"


def test_a_department_workbook_lists_only_its_cells(session, template_2021):
    made = department_sheet(session, "it", NOW, "zh")
    assert set(read_sheet(made.data, template_2021).cells) == {"overview.platforms.text"}
