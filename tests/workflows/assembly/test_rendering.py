"""The assembled reports rendered by LibreOffice and read back page by page from the PDF.

What a coordinator would otherwise check by eye before printing: no table row split across pages, header
rows repeated on continuation pages, 28 characters on a full body line, the page number 「— N —」 on every
page, 7 mm under the type area and one character in from the edge, the covering letter's red issuer and
rules where GB/T 9704's 信函格式 puts them, sub-headings in 楷体. Skipped only where LibreOffice is not
installed locally; under CI (CI=true, .ci/run installs it) its absence is a failure.

No 楷体_GB2312 is installed on Linux: the rendering maps it to AR PL UKai (fonts-arphic-ukai, a 楷 face)
through a fontconfig alias, as a Chinese Windows machine has the real one. Every other missing face falls
back to Noto CJK, so only the sub-headings can be told apart by the font in the PDF.
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
from pypdf.generic import ContentStream

from tests.conftest import EXAMPLES
from workflows.arithmetic import check_answers
from workflows.assembly import letter, styles
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
TYPE_AREA_RIGHT_PT = Mm(210 - styles.MARGINS_MM["right"]).pt
RED, BLACK = (1.0, 0.0, 0.0), (0.0, 0.0, 0.0)
KAI_ALIAS = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <alias binding="same"><family>楷体_GB2312</family><prefer><family>AR PL UKai CN</family></prefer></alias>
</fontconfig>
"""
CJK_ONLY = re.compile(r"^[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+$")
SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Piece:
    """A run of text on a page, with its baseline position in points from the bottom-left corner."""

    x: float
    y: float
    size: float
    text: str
    font: str = ""
    color: tuple[float, ...] = BLACK


@dataclass(frozen=True)
class Rule:
    """A horizontal line stroked on a page: its height and ends in points from the bottom-left corner."""

    y: float
    x0: float
    x1: float
    width: float
    color: tuple[float, ...]


@dataclass
class Rendered:
    """One report: the .docx as written and the PDF LibreOffice made of it."""

    document: object
    pages: list[list[Piece]]
    rules: list[list[Rule]]

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


def _pieces(page) -> list[Piece]:
    """The page's text runs, each with its font's name and the fill colour it is drawn in."""
    found: list[Piece] = []
    colors = [BLACK]  # the graphics state stack's fill colours: LibreOffice sets one per q … Q

    def before(op, args, cm, tm):
        if op == b"q":
            colors.append(colors[-1])
        elif op == b"Q" and len(colors) > 1:
            colors.pop()
        elif op == b"rg":
            colors[-1] = tuple(float(a) for a in args)

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            name = str(font.get("/BaseFont", "")) if font else ""
            found.append(
                Piece(round(x, 1), round(y, 1), size * abs(tm[3] * cm[3]) or size, text, name, colors[-1])
            )

    page.extract_text(visitor_text=visit, visitor_operand_before=before)
    return found


def _rules(page, reader) -> list[Rule]:
    """The horizontal lines stroked on the page (borders and rules), once each, with width and colour."""
    found: set[Rule] = set()
    states = [(BLACK, 1.0)]
    start = (0.0, 0.0)
    for args, op in ContentStream(page.get_contents(), reader).operations:
        color, width = states[-1]
        if op == b"q":
            states.append(states[-1])
        elif op == b"Q" and len(states) > 1:
            states.pop()
        elif op == b"RG":
            states[-1] = (tuple(float(a) for a in args), width)
        elif op == b"w":
            states[-1] = (color, float(args[0]))
        elif op == b"m":
            start = (float(args[0]), float(args[1]))
        elif op == b"l" and abs(float(args[1]) - start[1]) < 0.01:
            x0, x1 = sorted((start[0], float(args[0])))
            found.add(Rule(round(start[1], 2), round(x0, 2), round(x1, 2), width, color))
    return sorted(found, key=lambda rule: -rule.y)


def _read(path: Path) -> tuple[list[list[Piece]], list[list[Rule]]]:
    reader = pypdf.PdfReader(path)
    return [_pieces(page) for page in reader.pages], [_rules(page, reader) for page in reader.pages]


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
    fonts = folder / "fonts.conf"
    fonts.write_text(KAI_ALIAS, encoding="utf-8")
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
        env={**os.environ, "FONTCONFIG_FILE": str(fonts)},
    )
    return {
        name: Rendered(docx.Document(str(path)), *_read(path.with_suffix(".pdf")))
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


def _line(page: list[Piece], y: float) -> list[Piece]:
    return sorted((p for p in page if abs(p.y - y) < 0.5), key=lambda piece: piece.x)


def _ends(line: list[Piece]) -> tuple[float, float]:
    """Where a line of text starts and ends: its last run's own width is all that is estimated."""
    return line[0].x, line[-1].x + letter.text_width(line[-1].text).pt


def test_the_covering_letter_is_in_the_letter_format(rendered):
    report = rendered["2018"]
    page, rules = report.pages[0], report.rules[0]
    assert "—" not in report.page_text(0)  # no page number on the letter's page
    issuer = next(p for p in page if p.text == "泉州市科学技术局" and p.size > styles.BODY_SIZE.pt)
    assert issuer.color == RED
    top = PAGE_HEIGHT_PT - (issuer.y + letter.IDEOGRAPHIC_TOP * issuer.size)
    assert top == pytest.approx(Mm(letter.ISSUER_TOP_MM).pt, abs=Mm(1).pt)  # GB/T 9704 allows 1 mm
    centre = LEFT_MARGIN_PT + Mm(styles.TEXT_WIDTH_MM).pt / 2
    assert issuer.x + len(issuer.text) * issuer.size / 2 == pytest.approx(centre, abs=Mm(1.5).pt)
    # Two red double rules, 170 mm long and centred under the issuer: thick over thin 4 mm below it,
    # thin over thick with its foot 20 mm above the bottom edge.
    assert len(rules) == 4 and {rule.color for rule in rules} == {RED}
    for rule in rules:
        assert rule.x1 - rule.x0 == pytest.approx(Mm(letter.RULE_LENGTH_MM).pt, abs=1)
        assert (rule.x0 + rule.x1) / 2 == pytest.approx(centre, abs=1)
    upper, lower = rules[:2], rules[2:]
    assert upper[0].width > upper[1].width and lower[0].width < lower[1].width
    issuer_foot = issuer.y - (1 - letter.IDEOGRAPHIC_TOP) * issuer.size
    gap = issuer_foot - (upper[0].y + upper[0].width / 2)
    assert gap == pytest.approx(Mm(letter.ISSUER_RULE_GAP_MM).pt, abs=Mm(1).pt)
    assert lower[1].y - lower[1].width / 2 == pytest.approx(Mm(letter.BOTTOM_RULE_MM).pt, abs=Mm(1).pt)
    later = [rule for rules in report.rules[1:] for rule in rules if rule.color != BLACK]
    assert not later, "red rules belong on the letter's first page only"
    # The number at the right edge of the type area, 7/8 of a character under the rule.
    number = _line(page, next(p.y for p in page if "函〔" in p.text))
    assert _ends(number)[1] == pytest.approx(TYPE_AREA_RIGHT_PT, abs=1.5)
    number_top = number[0].y + letter.IDEOGRAPHIC_TOP * number[0].size
    assert lower[0].y < number_top < upper[1].y - upper[1].width / 2
    assert upper[1].y - upper[1].width / 2 - number_top == pytest.approx(letter.NUMBER_GAP.pt, abs=Mm(1).pt)
    # The date four characters in from the right, the signature centred over it.
    date_line = _line(page, next(p.y for p in page if p.text == "日"))
    signature = _line(page, max(p.y for p in page if p.text == "泉州市科学技术局" and p is not issuer))
    date_start, date_end = _ends(date_line)
    assert date_end == pytest.approx(TYPE_AREA_RIGHT_PT - letter.characters(4).pt, abs=2)
    sign_start, sign_end = _ends(signature)
    assert (sign_start + sign_end) / 2 == pytest.approx((date_start + date_end) / 2, abs=Mm(1).pt)
    assert signature[0].y - date_line[0].y == pytest.approx(styles.LINE_PITCH.pt, abs=0.5)


def _kai_installed() -> bool:
    listed = subprocess.run(["fc-list"], capture_output=True, text=True) if shutil.which("fc-list") else None
    return bool(listed and "UKai" in listed.stdout)


def _leading_chinese(text: str) -> str:
    return re.match(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]*", text).group()


@pytest.mark.parametrize("name", REPORTS)
def test_sub_headings_are_set_in_kai(rendered, name):
    if not _kai_installed():
        if os.environ.get("CI") == "true":
            pytest.fail("AR PL UKai is missing under CI: .ci/run should have installed fonts-arphic-ukai")
        pytest.skip("AR PL UKai (fonts-arphic-ukai) is not installed: 楷体 cannot be told from the PDF")
    report = rendered[name]
    kai_font = styles.HEADING2_FONT
    expected = []  # what the .docx sets in 楷体: （一） sub-headings and run-in headings
    for paragraph in report.document.paragraphs:
        if paragraph.style.name == styles.HEADING_STYLES[2]:
            expected.append(paragraph.text)
        expected += [
            run.text for run in paragraph.runs if run._r.rPr is not None and kai_font in run._r.rPr.xml
        ]
    pieces = [piece for page in report.pages for piece in page]
    starts = {_leading_chinese(text)[:8] for text in expected if _leading_chinese(text)}  # a line at most
    assert len(starts) >= 5, expected
    for start in starts:
        drawn = [p for p in pieces if p.text.startswith(start)]
        assert drawn and all("Kai" in p.font for p in drawn), (start, {p.font for p in drawn})
    body = [p for p in pieces if "Kai" not in p.font and CJK_ONLY.match(p.text) and len(p.text) > 20]
    assert body, "body text should not be in 楷体"
