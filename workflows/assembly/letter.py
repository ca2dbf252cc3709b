"""The covering letter (函) in GB/T 9704-2012's 信函格式 (§10.1), on a first page of its own.

The standard's own text was not at hand; these numbers agree in two independent summaries of §10.1: the
issuer's name (发文机关标志) centred on the type area, red 小标宋, its upper edge 30 mm below the top edge
of the page, its size left to the issuer; 4 mm under it a red double rule, thick above thin; 20 mm above
the bottom edge a red double rule, thin above thick; both rules 170 mm long and centred on the type area;
the number (发文字号) flush with the right edge of the type area under the first rule, 7/8 of a 三号
character's height below it; the title 「与其上最后一个要素相距二行」; no page number on the first page.
From §7.3.4, §7.3.5.1 and §7.3.7, each found quoted the same way in more than one place: the attachment
note (附件：…) one blank line under the text, two characters in, a long name continuing under its own
first character; the date (成文日期) four characters in from the right, the signature (发文机关署名)
centred over it; the attachment on a page of its own, 附件 in 黑体 on its first line, its title on the
third.

Not confirmed, and chosen here: the rules' thickness (no summary gives one: Word's 3 pt thick-thin border,
about 1.1 mm and 0.3 mm, is used); whether 相距二行 means two blank lines (taken so, as 7.3.1's 空二行 for
the usual format) or two line pitches; the issuer's size (一号, 26 pt). A summary also says text on the
line above the lower rule keeps 7/8 of a character from it; the letter's type area ends 35 mm up, as on
every page, so nothing comes near the rule.

The letter is a section of its own: its top margin places the issuer at 30 mm, and its first page's
footer holds the lower rule.
"""

from __future__ import annotations

from itertools import pairwise

from docx.document import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt
from docx.text.paragraph import Paragraph

from workflows.assembly.styles import (
    AFTER_PBDR,
    BODY_SIZE,
    LINE_PITCH,
    RED,
    TEXT_WIDTH_MM,
    TIGHTENING,
    TITLE_FONT,
    ems,
    off_grid,
    set_fonts,
)

ISSUER_TOP_MM = 30  # the issuer's upper edge, from the top edge of the page
ISSUER_RULE_GAP_MM = 4  # from the issuer's lower edge to the first rule
BOTTOM_RULE_MM = 20  # from the bottom edge of the page to the second rule
RULE_LENGTH_MM = 170
ISSUER_SIZE = Pt(26)  # 一号: the standard leaves the size to the issuer
NUMBER_GAP = Pt(BODY_SIZE.pt * 7 / 8)  # 3号汉字高度的7/8, from the first rule to the number
TITLE_GAP_LINES = 2  # 与其上最后一个要素相距二行: read as two blank lines, as 7.3.1's 空二行 is
DATE_RIGHT_CHARACTERS = 4  # 成文日期一般右空四字
RULE_SIZE = 24  # eighths of a point: Word's 3 pt thick-thin double border
# LibreOffice sets an exact-height line's baseline at 4/5 of its height (measured here; Word's rule
# was not checked here), and a CJK font's ideographic em box reaches 0.88 em above the baseline: a line
# 1.1 em high starts where its characters start, so the issuer is placed by its characters' upper edge
# whatever the font's own ascent.
EXACT_ASCENT = 0.8
IDEOGRAPHIC_TOP = 0.88
EM_LINE = IDEOGRAPHIC_TOP / EXACT_ASCENT  # 1.1 em
# The space Word and LibreOffice put between Chinese and digits: measured in LibreOffice (3.4-3.6 pt at
# 16 pt); Word's was not measured here.
AUTOSPACE_EM = 0.22
# The rules overhang the 156 mm type area by 7 mm on each side, as negative indents.
_OVERHANG = Mm((RULE_LENGTH_MM - TEXT_WIDTH_MM) / 2)


def characters(count: float) -> Length:
    """A horizontal distance of ``count`` body characters (一字, GB/T 9704 §3.1)."""
    return Pt(BODY_SIZE.pt * count)


def text_width(text: str) -> Length:
    """About how wide ``text`` prints in the body font (to centre one line over another).

    Full-width characters are one em, others half an em (digits in Times New Roman are), each narrowed by
    the body's tightening; where Chinese meets digits or Latin letters, Word and LibreOffice add a
    little space of their own (``AUTOSPACE_EM``).
    """
    wide = [ems(c) == 1 for c in text]
    spaces = AUTOSPACE_EM * sum(a != b for a, b in pairwise(wide))
    return Pt((ems(text) + spaces) * BODY_SIZE.pt - len(text) * TIGHTENING.pt)


def _exact_line(paragraph: Paragraph, size: Pt) -> None:
    """One line exactly 1.1 em high, off the grid: its characters' upper edge is the line's top."""
    off_grid(paragraph._p)
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(size.pt * EM_LINE)
    fmt.first_line_indent = Pt(0)
    fmt.space_before = fmt.space_after = Pt(0)


def _double_rule(paragraph: Paragraph, kind: str, space: int) -> None:
    """A red double rule under the paragraph, ``space`` points below it, 170 mm wide and centred."""
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = -_OVERHANG
    borders = OxmlElement("w:pBdr")
    rule = OxmlElement("w:bottom")
    for name, value in (("val", kind), ("sz", str(RULE_SIZE)), ("space", str(space)), ("color", str(RED))):
        rule.set(qn(f"w:{name}"), value)
    borders.append(rule)
    paragraph._p.get_or_add_pPr().insert_element_before(borders, "w:shd", "w:tabs", *AFTER_PBDR)


def issuer(paragraph: Paragraph) -> None:
    """The issuer's name: red 小标宋, centred, over the red double rule (thick above thin)."""
    _exact_line(paragraph, ISSUER_SIZE)
    paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.keep_with_next = True
    for run in paragraph.runs:
        set_fonts(run._r, TITLE_FONT, TITLE_FONT)
        run.font.size = ISSUER_SIZE
        run.font.color.rgb = RED
    # The characters end 0.12 em under the baseline, 0.1 em above the line's foot; the border's own
    # distance (whole points) makes up the rest of the 4 mm.
    below = ISSUER_SIZE.pt * (EM_LINE - 1)
    _double_rule(paragraph, "thickThinSmallGap", round(Mm(ISSUER_RULE_GAP_MM).pt - below))


def number(paragraph: Paragraph) -> None:
    """The letter's number at the right edge of the type area, 7/8 of a character under the rule."""
    _exact_line(paragraph, BODY_SIZE)
    fmt = paragraph.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    fmt.space_before = NUMBER_GAP
    fmt.keep_with_next = True


def title(paragraph: Paragraph) -> None:
    """The letter's title, two lines under the number."""
    paragraph.paragraph_format.space_before = Pt(LINE_PITCH.pt * TITLE_GAP_LINES)


def salutation(paragraph: Paragraph) -> None:
    """The addressee (主送机关), flush left."""
    paragraph.paragraph_format.first_line_indent = Pt(0)


def attachment_note(paragraph: Paragraph, text: str) -> None:
    """「附件：名称」 two characters in; a long name continues under its own first character."""
    label = text.partition("：")[0]
    hang = characters(len(label) + 1) if "：" in text else Pt(0)
    fmt = paragraph.paragraph_format
    fmt.left_indent = characters(2) + hang
    fmt.first_line_indent = -hang


def sign(signatures: list[Paragraph], date_line: Paragraph) -> None:
    """The date four characters in from the right; each signature line centred over the date."""
    for paragraph in (*signatures, date_line):
        fmt = paragraph.paragraph_format
        fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fmt.first_line_indent = Pt(0)
        fmt.keep_with_next = paragraph is not date_line
    date_right = characters(DATE_RIGHT_CHARACTERS)
    date_line.paragraph_format.right_indent = date_right
    middle = date_right.pt + text_width(date_line.text).pt / 2  # the date's centre, from the right edge
    for paragraph in signatures:
        # A signature much longer than the date stays inside the type area rather than centred.
        paragraph.paragraph_format.right_indent = Pt(max(0.0, middle - text_width(paragraph.text).pt / 2))


def end_letter(document: Document) -> None:
    """Close the letter's section: the report starts on a new page; the lower rule on the first page.

    The letter's top margin puts the issuer's upper edge at 30 mm; its first page shows no page number
    but the thin-over-thick rule, whose foot is the footer's foot, 20 mm above the bottom edge. Later
    pages of a long letter keep their numbers where the report has them (``styles.add_page_numbers``).
    """
    document.add_section(WD_SECTION.NEW_PAGE)
    letter = document.sections[0]
    letter.top_margin = Mm(ISSUER_TOP_MM)
    # Off the 22-line grid: LibreOffice starts a gridded page's first line some 3.6 mm down, even for a
    # paragraph that does not snap to the grid. The letter's body keeps the 28.95 pt pitch by its style.
    grid = letter._sectPr.find(qn("w:docGrid"))
    if grid is not None:
        letter._sectPr.remove(grid)
    letter.different_first_page_header_footer = True
    letter.footer_distance = Mm(BOTTOM_RULE_MM)
    footer = letter.first_page_footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    _exact_line(paragraph, Pt(1))
    paragraph.paragraph_format.line_spacing = Pt(1)
    _double_rule(paragraph, "thinThickSmallGap", 0)
