"""The workbook as LibreOffice Calc shows it (a stand-in for Excel and WPS): rendered to PDF, then to the PNG
the README shows. REPORTBOT_SCREENSHOTS=1 writes it to docs/images/sheet.png; otherwise it goes to tmp_path
and is only checked. Skipped only where LibreOffice is not installed locally; under CI a failure."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pytest

from storage.records import Department
from tests.conftest import EXAMPLES, ROOT
from workflows.files import read_answers_file, read_profile
from workflows.loader import load_template
from workflows.sheets.make import template_sheet
from workflows.units import units_for

RESOLUTION = 150  # pixels per inch of the PNG
MARGIN_PT = 14


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail(f"{name} is missing under CI: .ci/run should have installed it")
    pytest.skip(f"{name} is not installed here; .ci/run installs it for CI")


def policy_workbook() -> bytes:
    """政策法规科's workbook of the 2021 example, partly filled: the first rows of table 三 done."""
    template = load_template("gov-disclosure-2021")
    profile = read_profile(EXAMPLES / "2021" / "organisation.yaml")
    departments = [Department(d["id"], d["name"], tuple(d["sections"])) for d in profile.departments]
    fields = [
        fid for u in units_for(template, departments) if u.department_id == "policy" for fid in u.field_ids
    ]
    answers = read_answers_file(EXAMPLES / "2021" / "answers.yaml")
    begun = ("t3.new.", "t3.carried_in.", "t3.granted.", "t3.partial.", "t3.denied_")
    given = {fid: value for fid, value in answers.items() if fid.startswith(begun)}
    previous = read_answers_file(EXAMPLES / "2021" / "previous.yaml")
    made = template_sheet(
        template,
        2021,
        datetime(2022, 1, 10, tzinfo=UTC),
        "zh",
        given,
        previous,
        ("policy", "政策法规科", fields),
    )
    return made.data


def _content_box(pdf: Path) -> tuple[float, float, float, float, float]:
    """The first page's height and the box around its text (points, from the top-left corner)."""
    page = pypdf.PdfReader(pdf).pages[0]
    xs, ys = [], []

    def visit(text, cm, tm, font, size):
        if text.strip():
            xs.append(tm[4] * cm[0] + tm[5] * cm[2] + cm[4])
            ys.append(tm[4] * cm[1] + tm[5] * cm[3] + cm[5])

    page.extract_text(visitor_text=visit)
    height = float(page.mediabox.height)
    return height, min(xs), height - max(ys), max(xs), height - min(ys)


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_the_workbook_renders_as_a_readable_table(tmp_path):
    soffice, pdftoppm = _tool("soffice"), _tool("pdftoppm")
    workbook = tmp_path / "sheet.xlsx"
    workbook.write_bytes(policy_workbook())
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(workbook),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "sheet.pdf"
    text = pypdf.PdfReader(pdf).pages[0].extract_text()
    for expected in (
        "三、收到和处理政府信息公开申请情况",
        "申请人情况",
        "自然人",
        "（七）总计",
        "2020年（上年，仅供参考）",
    ):
        assert expected in text.replace("\n", "").replace(" ", ""), expected
    assert "49" in text  # 总计 of 一、本年新收: the workbook's own formula, computed by Calc

    _, left, top, right, bottom = _content_box(pdf)
    scale = RESOLUTION / 72
    x, y = max(left - MARGIN_PT, 0) * scale, max(top - 2 * MARGIN_PT, 0) * scale
    width, height = (right - left + 3 * MARGIN_PT) * scale, (bottom - top + 4 * MARGIN_PT) * scale
    png = tmp_path / "sheet"
    subprocess.run(
        [
            pdftoppm,
            "-png",
            "-r",
            str(RESOLUTION),
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            "-x",
            str(int(x)),
            "-y",
            str(int(y)),
            "-W",
            str(int(width)),
            "-H",
            str(int(height)),
            str(pdf),
            str(png),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    image = png.with_suffix(".png")
    columns, rows = _png_size(image)
    assert columns > 1000 and rows > 400 and image.stat().st_size > 30_000  # a table, not a blank page
    if os.environ.get("REPORTBOT_SCREENSHOTS") == "1":
        target = ROOT / "docs" / "images" / "sheet.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(image, target)
