"""`reportbot sheet`, and `check`/`assemble --answers F.xlsx`: the workbook offline, as an office uses it."""

from __future__ import annotations

import docx
from openpyxl import load_workbook

from tests.bot.test_cli import E2021, english, run
from workflows.loader import load_template
from workflows.sheets.read import read_sheet

T2021 = "gov-disclosure-2021"


def set_cells(path, values):
    book = load_workbook(path)
    for ref, value in values.items():
        sheet, coord = ref.split("!")
        book[sheet][coord].value = value
    book.save(path)


def cells_of(path):
    return {fid: c.ref for fid, c in read_sheet(path.read_bytes(), load_template(T2021)).cells.items()}


def test_the_blank_workbook_has_every_table(tmp_path):
    out = tmp_path / "sheet.xlsx"
    result = run("sheet", "--template", T2021, "--out", out)
    assert result.exit_code == 0, result.output
    assert result.output == f"已写入：{out}\n"
    assert load_workbook(out).sheetnames == ["表二", "表三", "表四", "其他填报项", "_reportbot"]


def test_a_departments_workbook_needs_the_profile(tmp_path):
    out = tmp_path / "policy.xlsx"
    result = english("sheet", "--template", T2021, "--out", out, "--department", "policy")
    assert result.exit_code == 2 and "--department needs --org" in result.output
    result = english(
        "sheet",
        "--template",
        T2021,
        "--out",
        out,
        "--department",
        "nobody",
        "--org",
        E2021 / "organisation.yaml",
    )
    assert (
        result.exit_code == 2
        and "no department nobody (configured: office, policy, approval, it, hr)" in result.output
    )
    result = english(
        "sheet",
        "--template",
        T2021,
        "--out",
        out,
        "--department",
        "policy",
        "--org",
        E2021 / "organisation.yaml",
        "--previous",
        E2021 / "previous.yaml",
    )
    assert result.exit_code == 0, result.output
    assert load_workbook(out).sheetnames == ["表三", "表四", "其他填报项", "_reportbot"]
    assert english("sheet", "--template", T2021, "--out", tmp_path / "x.docx").exit_code == 2


def test_a_filled_workbook_is_checked_and_assembled(tmp_path):
    out = tmp_path / "all.xlsx"
    assert run("sheet", "--template", T2021, "--out", out, "--answers", E2021 / "answers.yaml").exit_code == 0
    previous = E2021 / "previous.yaml"
    clean = run("check", "--template", T2021, "--answers", out, "--previous", previous)
    assert clean.exit_code == 0 and clean.output.strip().endswith("错误 0 项，警告 0 项")
    report = tmp_path / "report.docx"
    assembled = english(
        "assemble",
        "--template",
        T2021,
        "--answers",
        out,
        "--previous",
        previous,
        "--out",
        report,
        "--org",
        E2021 / "organisation.yaml",
        "--year",
        "2021",
    )
    assert assembled.exit_code == 0, assembled.output
    assert any("政府信息公开" in p.text for p in docx.Document(report).paragraphs)
    # A mistake typed into a cell is reported with the cell.
    where = cells_of(out)
    set_cells(out, {where["t3.new.natural"]: "abc"})
    wrong = english("check", "--template", T2021, "--answers", out, "--previous", previous)
    assert wrong.exit_code == 1
    assert (
        f"error: {where['t3.new.natural']}: 一、本年新收政府信息公开申请数量 · 自然人: “abc” is not a number"
        in wrong.output
    )


def test_workbooks_that_are_not_the_bots_are_refused_in_one_line(tmp_path):
    out = tmp_path / "sheet.xlsx"
    run("sheet", "--template", T2021, "--out", out)
    other = english("check", "--template", "gov-disclosure-2018", "--answers", out)
    assert other.exit_code == 2
    assert (
        other.output.strip() == f"reportbot: {out}: This workbook is for another report template ({T2021})."
    )
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    result = english("check", "--template", T2021, "--answers", junk)
    assert result.exit_code == 2 and "This is not an .xlsx workbook" in result.output
    assert "Traceback" not in result.output
    missing = english("check", "--template", T2021, "--answers", tmp_path / "none.xlsx")
    assert missing.exit_code == 2 and "no such file" in missing.output
