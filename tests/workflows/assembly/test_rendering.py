"""The assembled reports rendered by LibreOffice and read back page by page from the PDF.

What a coordinator would otherwise check by eye before printing: no table row split across pages, header
rows repeated on continuation pages, 28 characters on a full body line, the page number 「— N —」 on every
page, 7 mm under the type area and one character in from the edge. Skipped only where LibreOffice is not
installed locally; under CI (CI=true, .ci/run installs it) its absence is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from pathlib import Path

import docx
import pypdf
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from tests.conftest import EXAMPLES
from workflows.arithmetic import check_answers
from workflows.assembly import styles
from workflows.assembly.document import assemble
from workflows.files import read_answers_file, read_profile
from workflows.loader import load_template

REPORTS = {  # the demo's 2018 report (with its covering letter) and a 2021 report from the example answers
    "2018": ("gov-disclosure-2018", 2018, date(2019, 1, 15)),
    "2021": ("gov-disclosure-2021", 2021, date(2022, 1, 20)),
}
PAGE_HEIGHT_PT = Mm(297).pt
TYPE_AREA_BOTTOM_PT = Mm(styles.MARGINS_MM["bottom"]).pt  # from the foot of the page
LEFT_MARGIN_PT = Mm(styles.MARGINS_MM["left"]).pt
CJK_ONLY = re.compile(r"^[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+$")
SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Piece:
    """A run of text on a page, with its baseline position in points from the bottom-left corner."""

    x: float
    y: float
    size: float
    text: str


@dataclass
class Rendered:
    """One report: the .docx as written and the PDF LibreOffice made of it."""

    document: object
    pages: list[list[Piece]]

    def page_text(self, index: int) -> str:
        """The page's text in drawing order, without any whitespace."""
        return SPACE.sub("", "".join(piece.text for piece in self.pages[index]))


def _soffice() -> str:
    found = shutil.which("soffice")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("LibreOffice (soffice) is missing under CI: .ci/run should have installed it")
    pytest.skip("LibreOffice (soffice) is not installed here; .ci/run installs it for CI")


def _pieces(path: Path) -> list[list[Piece]]:
    pages = []
    for page in pypdf.PdfReader(path).pages:
        found: list[Piece] = []

        def visit(text, cm, tm, font, size, found=found):
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                found.append(Piece(round(x, 1), round(y, 1), size * abs(tm[3] * cm[3]) or size, text))

        page.extract_text(visitor_text=visit)
        pages.append(found)
    return pages


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Rendered]:
    soffice = _soffice()
    folder = tmp_path_factory.mktemp("rendering")
    documents = {}
    for name, (template_id, year, report_date) in REPORTS.items():
        template = load_template(template_id)
        answers = read_answers_file(EXAMPLES / name / "answers.yaml")
        previous = read_answers_file(EXAMPLES / name / "previous.yaml")
        profile = read_profile(EXAMPLES / name / "organisation.yaml")
        figures = check_answers(template, answers, previous).figures
        assembly = assemble(template, figures, profile.values, year, report_date, profile.owners)
        documents[name] = assembly.save(folder / f"{name}.docx")
    profile_dir = folder / "profile"  # a private LibreOffice profile: parallel runs never share one
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile_dir.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *map(str, documents.values()),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return {
        name: Rendered(docx.Document(str(path)), _pieces(path.with_suffix(".pdf")))
        for name, path in documents.items()
    }


def _row_texts(tr) -> tuple[list[str], bool]:
    """The texts of the cells that begin in this row and span no other rows; whether it is a header row."""
    texts = []
    for tc in tr.findall(qn("w:tc")):
        tc_pr = tc.find(qn("w:tcPr"))
        if tc_pr is not None and tc_pr.find(qn("w:vMerge")) is not None:
            continue  # a group label (or its continuation): drawn once, beside several rows
        texts.append("".join(t.text or "" for t in tc.iter(qn("w:t"))))
    tr_pr = tr.find(qn("w:trPr"))
    header = tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None
    return texts, header


def _tables(report: Rendered):
    """Per table: its header cells' texts and each body row as one whitespace-free string."""
    for table in report.document.tables:
        header_cells: list[str] = []
        rows: list[str] = []
        for tr in table._tbl.tr_lst:
            texts, header = _row_texts(tr)
            if header:
                header_cells += [SPACE.sub("", t) for t in texts if t.strip()]
            else:
                rows.append(SPACE.sub("", "".join(texts)))
        yield header_cells, rows


@pytest.mark.parametrize("name", REPORTS)
def test_no_table_row_is_split_across_pages(rendered, name):
    report = rendered[name]
    pages = [report.page_text(i) for i in range(len(report.pages))]
    for _, rows in _tables(report):
        for row in rows:
            # A row's label and its numbers are drawn one after another; split by a page break, the page
            # number and the next page's header rows would come between them.
            assert any(row in page for page in pages), f"row {row!r} is not whole on any one page"


def test_header_rows_repeat_on_every_page_a_table_spans(rendered):
    spanning = 0
    for report in rendered.values():
        pages = [report.page_text(i) for i in range(len(report.pages))]
        for header_cells, rows in _tables(report):
            if not header_cells:
                continue
            on = sorted({i for row in rows for i, page in enumerate(pages) if row and row in page})
            spanning += len(on) > 1
            for index in on:
                missing = [cell for cell in header_cells if cell not in pages[index]]
                assert not missing, f"page {index + 1} continues a table without its header: {missing}"
    assert spanning, "no table spans two pages any more: the repeat is not shown (make one span again)"


@pytest.mark.parametrize("name", REPORTS)
def test_full_body_lines_hold_28_characters(rendered, name):
    lines: dict[tuple[int, float], list[Piece]] = defaultdict(list)
    for number, page in enumerate(rendered[name].pages):
        for piece in page:
            if abs(piece.size - styles.BODY_SIZE.pt) < 0.5:
                lines[(number, piece.y)].append(piece)
    counts = []
    for pieces in lines.values():
        pieces.sort(key=lambda piece: piece.x)
        text = "".join(piece.text for piece in pieces).strip()
        # Lines flush with the margin and all Chinese: digits and Latin letters have other widths.
        if abs(pieces[0].x - LEFT_MARGIN_PT) < 2 and CJK_ONLY.match(text):
            counts.append(len(text))
    assert counts and max(counts) == styles.CHARS_PER_LINE, sorted(counts)
    assert counts.count(styles.CHARS_PER_LINE) >= 3, sorted(counts)


@pytest.mark.parametrize("name", REPORTS)
def test_body_lines_keep_the_28_95_pt_pitch(rendered, name):
    gaps = []
    for page in rendered[name].pages:
        ys = sorted({p.y for p in page if abs(p.size - styles.BODY_SIZE.pt) < 0.5}, reverse=True)
        gaps += [round(a - b, 1) for a, b in pairwise(ys)]
    assert max(set(gaps), key=gaps.count) == pytest.approx(styles.LINE_PITCH.pt, abs=0.2)


@pytest.mark.parametrize("name", REPORTS)
def test_page_numbers_sit_7_mm_under_the_type_area_one_character_in(rendered, name):
    report = rendered[name]
    numbered = list(enumerate(report.pages))
    if name == "2018":  # the covering letter's page carries no number (信函格式)
        assert "—" not in report.page_text(0)
        numbered = numbered[1:]
    for index, page in numbered:
        number = f"—{index + 1}—"
        assert report.page_text(index).endswith(number), f"page {index + 1} lacks 「— {index + 1} —」"
        dash = next(p for p in page if p.text.strip() == "—")
        # The number's line starts 7 mm under the type area and is one page-number line (14 pt) high.
        top = TYPE_AREA_BOTTOM_PT - Mm(styles.PAGE_NUMBER_GAP_MM).pt
        assert top - styles.PAGE_NUMBER_SIZE.pt <= dash.y <= top, (index + 1, dash.y)
        if index % 2:  # even pages: one character in from the left edge of the type area
            assert dash.x == pytest.approx(LEFT_MARGIN_PT + Pt(14).pt, abs=1.5)
        else:
            assert dash.x > Mm(210).pt / 2
