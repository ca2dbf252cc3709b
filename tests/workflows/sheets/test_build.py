"""The workbook as built: the department's tables as printed, inputs unlocked, totals as formulas."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell

from tests.workflows.sheets.conftest import NOW, POLICY
from workflows.batch import save_values
from workflows.sheets.layout import workbook_layout
from workflows.sheets.make import department_sheet, template_sheet
from workflows.sheets.marker import MARKER_SHEET, read_marker


def open_book(made):
    return load_workbook(io.BytesIO(made.data))


def test_a_department_gets_exactly_its_sections(session, policy_sheet):
    book = open_book(policy_sheet)
    assert book.sheetnames == ["表三", "表四", "其他填报项", MARKER_SHEET]
    assert book[MARKER_SHEET].sheet_state == "veryHidden" and book.security.lockStructure
    marker = read_marker(book)
    assert (marker.template_id, marker.cycle_id, marker.department_id) == (
        "gov-disclosure-2021",
        "2021",
        "policy",
    )
    policy_fields = {fid for unit in session.units_of("policy") for fid in unit.field_ids}
    assert set(marker.fields) == policy_fields
    other = book["其他填报项"]
    assert other["A6"].value == "依申请公开工作情况" and other["C6"].protection.locked is False


def test_table_three_is_laid_out_as_printed(policy_sheet):
    sheet = open_book(policy_sheet)["表三"]
    assert sheet["A1"].value == "三、收到和处理政府信息公开申请情况"
    assert sheet["D4"].value == "申请人情况" and sheet["E5"].value == "法人或其他组织"
    assert sheet["A7"].value == "一、本年新收政府信息公开申请数量"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {
        "D4:J4",
        "E5:I5",
        "A9:A30",
        "B11:B18",
    } <= merged  # 申请人情况, 法人或其他组织, 三、…, （三）不予公开
    # An input cell is unlocked and checked; a label and a total are locked; totals are formulas.
    assert sheet["D7"].protection.locked is False and sheet["A7"].protection.locked is True
    assert sheet["J7"].value == '=IF(COUNT(D7,E7,F7,G7,H7,I7)=6,D7+E7+F7+G7+H7+I7,"")'
    assert sheet["J7"].protection.locked is True
    assert sheet.protection.sheet
    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    whole = next(v for ref, v in validations.items() if "D7" in ref.split())
    assert (whole.type, whole.formula1, whole.errorStyle) == ("whole", "0", "warning")


def test_last_years_figures_stand_beside_this_years(session, policy_sheet):
    sheet = open_book(policy_sheet)["表三"]
    # Last year's copy starts two columns after this year's ten: L… ; 结转下年 of 2020 was 3 for 自然人.
    assert sheet["L3"].value == "2020年（上年，仅供参考）"
    assert sheet["L31"].value == session.previous["t3.carried_out.natural"]
    assert sheet["L31"].protection.locked is True


def test_current_answers_are_pre_filled(session):
    save_values(session, POLICY, {"t3.new.natural": 40, "overview.requests.text": "=1+1 是文字"}, NOW, "zh")
    book = open_book(department_sheet(session.refreshed(), "policy", NOW, "zh"))
    assert book["表三"]["D7"].value == 40
    text = book["其他填报项"]["C6"]
    assert text.value == "=1+1 是文字" and text.data_type == "s"  # a person's text is never a formula
    assert read_marker(book).fields["t3.new.natural"] == (1, "40")


def test_the_offline_workbook_has_every_section(template_2021):
    made = template_sheet(template_2021, 2021, NOW, "en")
    book = open_book(made)
    assert book.sheetnames == ["表二", "表三", "表四", "其他填报项", MARKER_SHEET]
    assert book["表二"]["A2"].value.startswith("Fill in the yellow cells")
    decimal = book["表二"]
    cells = [c for row in decimal.iter_rows() for c in row if c.protection.locked is False]
    assert len([c for c in cells if not isinstance(c, MergedCell)]) == 10  # the ten figures of table 二


def test_the_layout_stamp_follows_the_cells(template_2021, template_2018):
    one = workbook_layout(template_2021, template_2021.fields, 2021)
    assert one.stamp == workbook_layout(template_2021, list(template_2021.fields), 2021).stamp
    assert one.stamp != workbook_layout(template_2021, list(template_2021.fields)[:-1], 2021).stamp
    assert [s.title for s in workbook_layout(template_2018, template_2018.fields, 2018).sheets] == [
        "附表",
        "其他填报项",
    ]
