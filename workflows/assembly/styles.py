"""The official document format of GB/T 9704-2012, applied to a python-docx document.

A4; margins 37 / 28 / 35 / 26 mm (top / left / bottom / right); title 方正小标宋简体 二号 (22 pt);
body 仿宋_GB2312 三号 (16 pt) at a fixed 28.95 pt line pitch (22 lines a page); 一、 headings 黑体,
（一） headings 楷体_GB2312; page numbers 「— 1 —」 in 宋体 四号, odd pages right, even pages left.
East-Asian fonts must be named in ``w:eastAsia``: Word uses ``w:ascii`` only for Latin text.
"""

from __future__ import annotations

import math
import re
import unicodedata

from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
RED = RGBColor(0xFF, 0, 0)
LINE_PITCH = Pt(28.95)
BODY_SIZE = Pt(16)
TITLE_SIZE = Pt(22)
TABLE_SIZE = Pt(10.5)
# Table lines at an exact 1.33 em: "single" spacing is the font's own height, which for the Noto CJK that
# stands in for 仿宋 on Linux is 1.45 em and spread table 三 over two pages.
TABLE_LINE = Pt(14)
MARGINS_MM = {"top": 37, "left": 28, "bottom": 35, "right": 26}
TEXT_WIDTH_MM = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]
CHARS_PER_LINE, LINES_PER_PAGE = 28, 22
PAGE_NUMBER_SIZE = Pt(14)
PAGE_NUMBER_GAP_MM = 7  # from the type area's lower edge to the page number's line (GB/T 9704 §7.5)
# The footer's single line starts PAGE_NUMBER_GAP_MM below the type area and is one page-number line
# high, so its lower edge (what the footer distance measures) lies that much further down.
FOOTER_DISTANCE = Mm(MARGINS_MM["bottom"] - PAGE_NUMBER_GAP_MM) - PAGE_NUMBER_SIZE
# Each body character is narrowed by the smallest whole twentieth of a point that fits 28 of them into
# the 156 mm (442.2 pt) type area, which holds only 27 untouched: 0.25 pt (28 × 15.75 = 441 pt).
TIGHTENING = Pt(math.ceil((BODY_SIZE.pt - Mm(TEXT_WIDTH_MM).pt / CHARS_PER_LINE) * 20) / 20)
# The title's characters are narrowed too: 20.3 of them to a line.
TITLE_CHARS_PER_LINE = Mm(TEXT_WIDTH_MM).pt / (TITLE_SIZE.pt - TIGHTENING.pt)

TITLE_STYLE, TABLE_STYLE, CLOSING_STYLE = "Report Title", "Report Table Text", "Report Closing"
HEADING_STYLES = {1: "Heading 1", 2: "Heading 2", 3: "Heading 3"}
_XML_UNSAFE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def ems(text: str) -> float:
    """About how wide ``text`` prints, in ems: full-width characters one, others (digits) half."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def xml_safe(text: str) -> str:
    """Drop characters XML 1.0 cannot hold (control codes, lone surrogates); keep everything else."""
    return _XML_UNSAFE.sub("", text)


def set_fonts(r_pr_owner, east_asian: str, latin: str = LATIN_FONT) -> None:
    """Name the fonts of a run or style in all four slots, dropping theme fonts that would override them."""
    r_pr = r_pr_owner.get_or_add_rPr()
    fonts = r_pr.get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:cs"), latin)


def _paragraph_style(document: Document, name: str, base: str | None = "Normal"):
    styles = document.styles
    if name in [s.name for s in styles]:
        return styles[name]
    style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if base:
        style.base_style = styles[base]
    return style


def _style_text(style, east_asian: str, size: Pt, bold: bool = False) -> None:
    style.font.size = size
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    set_fonts(style.element, east_asian)


def _fixed_pitch(fmt, first_line_indent: Pt | None = BODY_SIZE * 2) -> None:
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.first_line_indent = first_line_indent


def _document_grid(section) -> None:
    """Lay GB/T 9704's 22-line grid over the type area (§5.2.1); characters are fitted by ``_tighten``."""
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH.pt * 20)))
    grid.attrib.pop(qn("w:charSpace"), None)


def _tighten(style) -> None:
    """Fit 28 characters of 16 pt into the 156 mm type area: each is narrowed by ``TIGHTENING``.

    A character grid (``linesAndChars`` with ``w:charSpace``) does this in Word, but LibreOffice reads
    it as square cells a line pitch wide (16 characters a line).
    """
    r_pr = style.element.get_or_add_rPr()
    spacing = r_pr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        r_pr.append(spacing)
    spacing.set(qn("w:val"), str(-round(TIGHTENING.pt * 20)))


AFTER_PBDR = ("w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct")
AFTER_PBDR += ("w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid")
_AFTER_SNAP = ("w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc")
_AFTER_SNAP += ("w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId")
_AFTER_SNAP += ("w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
AFTER_PBDR += _AFTER_SNAP  # what follows w:pBdr in a w:pPr (for inserting borders in order)


def off_grid(element) -> None:
    """Let a paragraph (or style) keep its own line height instead of snapping to the 28.95 pt grid.

    On the grid a 22 pt title line or a 10.5 pt table line would take a whole grid line or two.
    """
    p_pr = element.get_or_add_pPr()
    if p_pr.find(qn("w:snapToGrid")) is None:
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        p_pr.insert_element_before(snap, *_AFTER_SNAP)


def _set_languages(document: Document) -> None:
    """Mark text as Chinese (zh-CN) so Word and WPS apply Chinese line breaking and proofing."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    r_pr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}") if defaults is not None else None
    if r_pr is None:
        r_pr = document.styles["Normal"].element.get_or_add_rPr()
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")
    # LibreOffice sizes the character grid from the default font size, not from Normal's.
    for tag in ("w:sz", "w:szCs"):
        size = r_pr.find(qn(tag))
        if size is None:
            size = OxmlElement(tag)
            r_pr.append(size)
        size.set(qn("w:val"), str(round(BODY_SIZE.pt * 2)))


def setup_document(document: Document) -> None:
    """Apply page size, margins and every paragraph style the report uses."""
    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
        section.header_distance = Mm(15)
        section.footer_distance = FOOTER_DISTANCE
        _document_grid(section)

    normal = document.styles["Normal"]
    _style_text(normal, BODY_FONT, BODY_SIZE)
    _fixed_pitch(normal.paragraph_format)
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    # A paragraph never leaves one line (「项。」) alone at the top or foot of a page.
    normal.paragraph_format.widow_control = True
    _set_languages(document)
    _tighten(normal)

    title = _paragraph_style(document, TITLE_STYLE)
    _style_text(title, TITLE_FONT, TITLE_SIZE)
    # The year's digits in 小标宋 too: in Times New Roman they print thin beside the heavy characters.
    set_fonts(title.element, TITLE_FONT, TITLE_FONT)
    _fixed_pitch(title.paragraph_format, None)
    title.paragraph_format.first_line_indent = Pt(0)
    title.paragraph_format.line_spacing = Pt(36)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = LINE_PITCH
    off_grid(title.element)

    for level, name in HEADING_STYLES.items():
        style = document.styles[name]
        font = {1: HEADING1_FONT, 2: HEADING2_FONT}.get(level, BODY_FONT)
        _style_text(style, font, BODY_SIZE, bold=level >= 3)
        _fixed_pitch(style.paragraph_format)
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT

    table_text = _paragraph_style(document, TABLE_STYLE)
    _style_text(table_text, BODY_FONT, TABLE_SIZE)
    table_text.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    table_text.paragraph_format.line_spacing = TABLE_LINE
    table_text.paragraph_format.first_line_indent = Pt(0)
    table_text.paragraph_format.space_before = Pt(0)
    table_text.paragraph_format.space_after = Pt(0)
    table_text.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    table_text.paragraph_format.widow_control = False
    off_grid(table_text.element)

    closing = _paragraph_style(document, CLOSING_STYLE)
    closing.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    closing.paragraph_format.first_line_indent = Pt(0)
    closing.paragraph_format.right_indent = BODY_SIZE * 4


def font_run(paragraph: Paragraph, text: str, east_asian: str | None = None, bold: bool | None = None) -> Run:
    """Append a run of (XML-safe) text, optionally in another East-Asian font."""
    run = paragraph.add_run(xml_safe(text))
    if east_asian:
        set_fonts(run._r, east_asian)
    if bold is not None:
        run.bold = bold
    return run


def mark_missing(run: Run) -> Run:
    """Make a placeholder impossible to overlook: red on yellow."""
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    run.font.color.rgb = RGBColor(0xC0, 0, 0)
    return run


def _field(paragraph: Paragraph, instruction: str) -> None:
    """Insert a complex field (PAGE) so Word computes the number on every page."""
    run = paragraph.add_run()
    set_fonts(run._r, PAGE_NUMBER_FONT, PAGE_NUMBER_FONT)
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText" if text == instruction else "w:t")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} " if text == instruction else text
        run._r.append(element)


def _page_number_paragraph(paragraph: Paragraph, alignment, lift: Length) -> None:
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Pt(0)
    fmt.alignment = alignment
    off_grid(paragraph._p)
    # Exactly one page-number line high, so footer_distance puts its top 7 mm under the type area.
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = PAGE_NUMBER_SIZE
    fmt.space_before = Pt(0)
    fmt.space_after = lift
    # Odd pages' number stands one character in from the right edge, even pages' from the left.
    if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = PAGE_NUMBER_SIZE
    else:
        fmt.left_indent = PAGE_NUMBER_SIZE
    for text in ("— ", None, " —"):
        if text is None:
            _field(paragraph, "PAGE")
        else:
            run = paragraph.add_run(text)
            set_fonts(run._r, PAGE_NUMBER_FONT, PAGE_NUMBER_FONT)
    for run in paragraph.runs:
        run.font.size = PAGE_NUMBER_SIZE


def add_page_numbers(document: Document) -> None:
    """Number pages 「— N —」: odd pages at the right, even pages at the left (GB/T 9704 §7.5)."""
    document.settings.odd_and_even_pages_header_footer = True
    for section in document.sections:
        # A section whose footers reach lower (the covering letter's) lifts its numbers to the same line.
        lift = Length(max(0, FOOTER_DISTANCE - section.footer_distance))
        for footer, alignment in (
            (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
            (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
        ):
            footer.is_linked_to_previous = False  # each section's own, or the numbers would print twice
            _page_number_paragraph(footer.paragraphs[0], alignment, lift)


def add_draft_header(document: Document, text: str) -> None:
    """Print ``text`` (草稿 …) at the top of every page."""
    for section in document.sections:
        for header in (section.header, section.even_page_header, section.first_page_header):
            header.is_linked_to_previous = False  # a later section would otherwise write into the first's
            paragraph = header.paragraphs[0]
            paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.first_line_indent = Pt(0)
            off_grid(paragraph._p)
            run = font_run(paragraph, text, HEADING1_FONT, bold=True)
            run.font.size = Pt(14)
            run.font.color.rgb = RGBColor(0xC0, 0, 0)
