"""The assembled .docx, reopened: figures in place, GB/T 9704 format, merged cells, placeholders, safety."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor, Twips

from tests.conftest import EXAMPLES
from workflows.arithmetic import check_answers
from workflows.assembly.document import assemble
from workflows.files import read_profile


def build(template, answers, previous=None, org="2021", year=2021, draft=False):
    profile = read_profile(EXAMPLES / org / "organisation.yaml")
    figures = check_answers(template, answers, previous).figures
    assembly = assemble(template, figures, profile.values, year, date(2022, 1, 20), profile.owners, draft)
    reopened = docx.Document(io.BytesIO(assembly.to_bytes()))
    return assembly, reopened


def texts(document):
    return [p.text for p in document.paragraphs]


def table_rows(table):
    return [[cell.text for cell in row.cells] for row in table.rows]


def east_asian(element):
    return element.rPr.rFonts.get(qn("w:eastAsia"))


@pytest.fixture
def seed(template_2018, answers_2018, previous_2018):
    return build(template_2018, answers_2018, previous_2018, org="2018", year=2018)


def test_seed_figures_land_in_their_places(seed):
    assembly, document = seed
    assert assembly.gaps == []
    body = "\n".join(texts(document))
    assert "泉州市科技局2018年政府信息公开年度报告" in body
    assert (
        "（一）2018年度主动公开政府信息的数量。截至2018年12月31日，我局通过泉州市科技局门户网站政府信息公开专栏，主动公开政府信息163条，历年累计主动公开政府信息1482条。"
        in body
    )
    assert (
        "其中，机构设置与职能类信息10条；法规规章和规范类信息3条；科技规划计划类1条；年度科技统计数据类信息3条；"
        in body
    )
    assert "科技项目类信息63条" in body and "科技工作动态类信息67条，其他应主动公开的政府信息12条。" in body
    assert "联系电话：0595-22579359" in body
    # The covering letter (函) comes first, then 附件 and the report.
    assert (
        texts(document)[:4]
        == [
            "泉州市科学技术局",
            "泉科函〔2019〕1号",
            "泉州市科技局关于报送\n2018年政府信息公开年度报告的函",  # too long for a line: broken where it reads well
            "泉州市人民政府办公室：",
        ]
    )
    rows = table_rows(document.tables[0])
    assert rows[0] == ["指标名称", "单位", "2018年", "历年累计"]
    assert rows[1] == ["主动公开文件数", "条", "163", "1482"]
    assert rows[2] == ["其中：1. 政府网站公开数", "条", "163", "1482"]
    assert rows[4] == ["受理政府信息公开申请总数", "条", "0", "0"]
    assert rows[-1] == ["行政诉讼数", "件", "0", "0"]


def test_gbt_9704_page_and_fonts(seed):
    _, document = seed
    section = document.sections[-1]  # the report's; the covering letter has a section of its own
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [section.top_margin, section.left_margin, section.bottom_margin, section.right_margin]
    assert [round(m.mm) for m in margins] == [37, 28, 35, 26]
    styles = document.styles
    normal = styles["Normal"]
    assert east_asian(normal.element) == "仿宋_GB2312" and normal.font.size == Pt(16)
    assert normal.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert 28 <= normal.paragraph_format.line_spacing.pt <= 29
    assert east_asian(styles["Report Title"].element) == "方正小标宋简体"
    assert styles["Report Title"].element.rPr.rFonts.get(qn("w:ascii")) == "方正小标宋简体"  # digits too
    assert styles["Report Title"].font.size == Pt(22)
    assert east_asian(styles["Heading 1"].element) == "黑体"
    assert east_asian(styles["Heading 2"].element) == "楷体_GB2312"
    assert styles["Heading 1"].element.rPr.rFonts.get(qn("w:asciiTheme")) is None
    headings = {p.text: p.style.name for p in document.paragraphs if p.style.name.startswith("Heading")}
    assert headings["一、概述"] == "Heading 1"
    assert headings["（一）着力加强公开解读回应工作情况"] == "Heading 2"
    title = next(
        p for p in document.paragraphs if p.text == "泉州市科技局2018年政府信息公开年度报告"
    )  # fits a line
    assert title.style.name == "Report Title"


def test_page_numbers_on_odd_and_even_pages(seed):
    _, document = seed
    footers = []
    for section in document.sections:  # the letter's later pages (if any) and the report's
        for footer in (section.footer, section.even_page_footer):
            assert not footer.is_linked_to_previous
            assert "PAGE" in footer._element.xml and footer.paragraphs[0].text == "— 1 —"
            footers.append(footer._element)
    assert len(set(footers)) == 4  # each section's own: a shared one would number its pages twice
    # The letter's footers reach 20 mm down for its lower rule; its numbers are lifted to the report's line.
    letter, report = document.sections
    lift = letter.footer.paragraphs[0].paragraph_format.space_after
    assert letter.footer_distance + lift == report.footer_distance
    assert not report.footer.paragraphs[0].paragraph_format.space_after


def test_2021_tables_and_merged_cells(template_2021, answers_2021, previous_2021):
    assembly, document = build(template_2021, answers_2021, previous_2021)
    assert assembly.gaps == []
    t2, t3, t4 = document.tables
    rows2 = table_rows(t2)
    assert rows2[0] == ["第二十条第（一）项"] * 4
    assert rows2[1] == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    assert rows2[5] == ["信息内容", "本年处理决定数量", "本年处理决定数量", "本年处理决定数量"]
    assert rows2[-1] == ["行政事业性收费", "12.5", "12.5", "12.5"]
    # Table 三: 3 header rows, 25 data rows, 10 columns; corner 3×3; 三、本年度办理结果 spans 22 rows.
    assert len(t3.rows) == 28 and len(t3.columns) == 10
    assert t3.cell(0, 0)._tc is t3.cell(2, 2)._tc
    assert t3.cell(0, 3)._tc is t3.cell(0, 9)._tc and t3.cell(0, 3).text == "申请人情况"
    assert t3.cell(5, 0)._tc is t3.cell(26, 0)._tc and t3.cell(5, 0).text == "三、本年度办理结果"
    rows3 = table_rows(t3)
    assert rows3[3] == ["一、本年新收政府信息公开申请数量"] * 3 + ["40", "5", "1", "0", "2", "1", "49"]
    assert rows3[26][2:] == ["（七）总计", "39", "5", "1", "0", "2", "1", "48"]
    assert rows3[27][3:] == ["4", "0", "0", "0", "1", "0", "5"]
    # Table 四: 3 header rows and one row of 15 figures.
    assert len(t4.columns) == 15
    assert table_rows(t4)[3] == ["1", "0", "0", "1", "2", "0", "0", "0", "1", "1", "0", "0", "0", "0", "0"]
    assert t4.cell(0, 5)._tc is t4.cell(0, 14)._tc and t4.cell(0, 5).text == "行政诉讼"
    cell_run = t3.cell(3, 3).paragraphs[0].runs[0]
    assert cell_run.text == "40"


def test_missing_parts_are_marked_and_listed(template_2021, answers_2021):
    del answers_2021["problems.text"]
    del answers_2021["t3.granted.natural"]
    del answers_2021["t4.cases.review_pending"]
    assembly, document = build(template_2021, answers_2021, draft=True)
    body = texts(document)
    assert "【待填写：人事科 · 五、存在的主要问题及改进情况】" in body
    assert "【待填写：政策法规科 · 三、收到和处理政府信息公开申请情况（表中 1 项）】" in body
    assert [(g.department, g.section) for g in assembly.gaps] == [
        ("政策法规科", "三、收到和处理政府信息公开申请情况"),
        ("政策法规科", "四、政府信息公开行政复议、行政诉讼情况"),
        ("人事科", "五、存在的主要问题及改进情况"),
    ]
    assert "（一）予以公开 · 自然人" in assembly.gaps[0].missing
    # The cell itself says 待填, highlighted; totals that depend on it are 待填 too.
    cell = document.tables[1].cell(5, 3)
    assert cell.text == "待填" and cell.paragraphs[0].runs[0].font.highlight_color is not None
    assert "草稿" in document.sections[0].header.paragraphs[0].text


def test_missing_organisation_details_are_marked(template_2021, answers_2021):
    figures = check_answers(template_2021, answers_2021).figures
    assembly = assemble(template_2021, figures, {"organisation": "某局"}, 2021, date(2022, 1, 5))
    body = "\n".join(p.text for p in assembly.document.paragraphs)
    assert "【待填写：电子邮箱】" in body and "【待填写：网站地址】" in body
    assert assembly.gaps[0].department == "未分配" and "电子邮箱" in assembly.gaps[0].missing


HOSTILE = (
    "{{ organisation }} {% for x in y %}{{ x }}{% endfor %} {organisation} {year} "
    "<w:p><w:r><w:t>injected</w:t></w:r></w:p> & &amp; ]]> \x01\x07\x1b 😀🇨🇳 \u202e反向"
)


def test_hostile_text_lands_unchanged_and_the_file_opens(template_2021, answers_2021, tmp_path):
    answers_2021["problems.text"] = HOSTILE + "\n\n" + "很长的文字。" * 20000
    answers_2021["other.text"] = "第一行\n第二行"
    assembly, _ = build(template_2021, answers_2021)
    path = assembly.save(tmp_path / "hostile.docx")
    reopened = docx.Document(str(path))
    body = [p.text for p in reopened.paragraphs]
    expected = HOSTILE.replace("\x01", "").replace("\x07", "").replace("\x1b", "")
    assert expected in body
    assert "很长的文字。" * 20000 in body
    assert "第一行\n第二行" in body  # a line break inside one paragraph
    assert not any("injected" in p and "<w:p>" not in p for p in body)


def test_a_writer_can_name_a_table_figure_instead_of_typing_it(template_2021, answers_2021):
    answers = dict(answers_2021)
    answers["overview.requests.text"] = (
        "全年新收申请{新收申请}件，办结{办结申请}件，结转下年度{结转下年}件。{未知名称}与{{ 7*7 }}照原样保留。"
    )
    _, document = build(template_2021, answers)
    body = "\n".join(texts(document))
    figures = check_answers(template_2021, answers).figures.values
    new, done, out = (
        figures["t3.new.total"],
        figures["t3.total_processed.total"],
        figures["t3.carried_out.total"],
    )
    assert (
        f"全年新收申请{new}件，办结{done}件，结转下年度{out}件。{{未知名称}}与{{{{ 7*7 }}}}照原样保留。"
        in body
    )
    unanswered = {k: v for k, v in answers.items() if not k.startswith("t3.carried_out")}
    _, document = build(template_2021, unanswered)
    assert "结转下年度【待填写：结转下年】件" in "\n".join(texts(document))


def test_print_ready_properties(template_2021, answers_2021, previous_2021):
    _, document = build(template_2021, answers_2021, previous_2021)
    props = document.core_properties
    assert props.title == "江滨市科学技术局2021年政府信息公开工作年度报告"
    # A title too long for one line breaks after the organisation, not where the first line fills up.
    assert document.paragraphs[0].text == "江滨市科学技术局\n2021年政府信息公开工作年度报告"
    assert props.author == props.last_modified_by == "江滨市科学技术局"
    assert props.created.date() == date(2022, 1, 20)
    lang = document.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    assert lang.get(qn("w:eastAsia")) == "zh-CN"
    assert document.styles["Normal"].paragraph_format.widow_control is True
    grid = document.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"
    for table in document.tables:
        for row in table.rows:  # a label and its numbers always share a page
            assert row._tr.trPr.find(qn("w:cantSplit")) is not None
    t3 = document.tables[1]
    assert [r._tr.trPr.find(qn("w:tblHeader")) is not None for r in t3.rows[:4]] == [True] * 3 + [False]
    # Band titles of table 二 stay with the rows under them.
    title_row = document.tables[0].rows[0]
    assert title_row.cells[0].paragraphs[0].paragraph_format.keep_with_next is True


def test_group_labels_of_table_3_run_down_their_columns(template_2021, answers_2021, previous_2021):
    _, document = build(template_2021, answers_2021, previous_2021)
    t3 = document.tables[1]
    vertical = {}
    for tc in t3._tbl.iter(qn("w:tc")):
        direction = tc.tcPr.find(qn("w:textDirection"))
        text = "".join(t.text for t in tc.iter(qn("w:t")))
        if direction is not None and text:  # (the merged cell's continuations below it are empty)
            vertical[text] = direction.get(qn("w:val"))
    # Chinese characters upright, top to bottom (Word's tbRlV; tbRl would lay them on their side).
    assert vertical == dict.fromkeys(
        ["三、本年度办理结果", "（三）不予公开", "（四）无法提供", "（五）不予处理", "（六）其他处理"],
        "tbRlV",
    )
    widths = [
        round(Twips(int(w)).mm) for w in [g.get(qn("w:w")) for g in t3._tbl.tblGrid.iter(qn("w:gridCol"))]
    ]
    assert widths[:2] == [8, 8]  # one vertical line each, so the row names get the width

    # 「（四）无法提供」 (7 characters) spans three one-line rows: they are made tall enough to hold it.
    # （三） has eight rows: theirs are left alone; （五） and （六） have six lines each, a little short,
    # and their rows get a point or so more than one line.
    def least(row):
        height = row._tr.trPr.find(qn("w:trHeight"))
        return Pt(int(height.get(qn("w:val"))) / 20).pt if height is not None else 0

    rows = {row.cells[2].text: least(row) for row in t3.rows}
    held = [
        rows["1.本机关不掌握相关政府信息"],
        rows["2.没有现成信息需要另行制作"],
        rows["3.补正后申请内容仍不明确"],
    ]
    assert sum(held) >= 7 * 10.5 and held[0] == held[2]
    assert rows["1.属于国家秘密"] == 0
    assert 14 < rows["1.信访举报投诉类申请"] < 16 and 14 < rows["3.其他"] < 16


def test_covering_letter_in_the_letter_format(seed):
    _, document = seed
    letter, report = document.sections
    assert round(letter.top_margin.mm) == 30 and round(report.top_margin.mm) == 37
    assert letter._sectPr.find(qn("w:docGrid")) is None  # the issuer's line is placed from the page's top
    issuer, number = document.paragraphs[0], document.paragraphs[1]
    assert issuer.runs[0].font.color.rgb == RGBColor(0xFF, 0, 0)
    assert issuer.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    rule = issuer._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:val")) == "thickThinSmallGap" and rule.get(qn("w:color")) == "FF0000"
    assert (
        round(-issuer.paragraph_format.left_indent.mm) == round(-issuer.paragraph_format.right_indent.mm) == 7
    )
    assert number.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert number.paragraph_format.right_indent is None
    # The first page: no page number, and the lower rule (thin above thick) 20 mm above the bottom edge.
    assert letter.different_first_page_header_footer and not report.different_first_page_header_footer
    footer = letter.first_page_footer
    assert "PAGE" not in footer._element.xml
    lower = footer.paragraphs[0]._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert lower.get(qn("w:val")) == "thinThickSmallGap" and lower.get(qn("w:color")) == "FF0000"
    assert round(letter.footer_distance.mm) == 20
    body = texts(document)
    note = next(i for i, text in enumerate(body) if text.startswith("附件："))
    assert body[note - 1] == "" and body[note + 1] == ""  # a blank line before the note and the signature
    # 附件：… two characters in, a second line under the attachment's name (hanging by 「附件：」).
    fmt = document.paragraphs[note].paragraph_format
    assert (fmt.left_indent + fmt.first_line_indent, -fmt.first_line_indent) == (Pt(32), Pt(48))
    signature, day = document.paragraphs[note + 2], document.paragraphs[note + 3]
    assert (signature.text, day.text) == ("泉州市科学技术局", "2019年1月15日")
    assert day.paragraph_format.right_indent == Pt(64)  # 右空四字
    # Centred over the date: the signature (8 characters) is wider than the date, so it reaches further right.
    assert Pt(56) < signature.paragraph_format.right_indent < Pt(64)
    # The report follows as 附件: the label on its first line, its title on the third.
    label = body.index("附件")
    assert body[label + 1 : label + 3] == ["", "泉州市科技局2018年政府信息公开年度报告"]
    assert document.paragraphs[label + 2].style.name == "Report Title"


def test_narrative_markup_sub_headings_numbers_and_bold_lead_ins(template_2021, answers_2021):
    answers_2021["problems.text"] = (
        "（一）主要问题\n依申请公开答复的规范性仍需提高。\n"
        "（二）改进措施。修订答复文书范本。\n"
        "1. **科技政策执行阳光透明。**全年发布解读14篇。\n"
        "2、其余照常。"
    )
    _, document = build(template_2021, answers_2021)
    body = texts(document)
    start = body.index("（一）主要问题")
    assert body[start : start + 4] == [
        "（一）主要问题",
        "依申请公开答复的规范性仍需提高。",
        "（二）改进措施。修订答复文书范本。",
        "1. 科技政策执行阳光透明。全年发布解读14篇。",
    ]
    assert body[start + 4] == "2、其余照常。"
    paragraphs = document.paragraphs
    heading = paragraphs[body.index("（一）主要问题")]
    assert heading.style.name == "Heading 2" and east_asian(heading.runs[0]._r) == "楷体_GB2312"
    run_in = paragraphs[start + 2].runs
    assert [r.text for r in run_in] == ["（二）改进措施。", "修订答复文书范本。"]
    assert east_asian(run_in[0]._r) == "楷体_GB2312" and run_in[1]._r.rPr is None
    assert paragraphs[start + 2].style.name == "Normal"
    numbered = paragraphs[start + 3].runs
    assert [(r.text, r.bold) for r in numbered] == [
        ("1. ", None),
        ("科技政策执行阳光透明。", True),
        ("全年发布解读14篇。", None),
    ]
    assert not paragraphs[start + 3]._p.xpath(".//w:numPr")  # the number is typed text, not a Word list


@pytest.mark.parametrize(
    "text",
    [
        "**未闭合的加粗开头",  # unbalanced: literal
        "中间的**加粗**不算",  # not at the start: literal
        "** 空格开头** 不算",
        "<w:t>伪造</w:t><w:b/>**仍是文字**",
        "{organisation}{{ year }}{% if x %}**{{x}}**{% endif %}",
        "（一）<w:p>&amp;{year}",
        "1.5万元不是编号",
        "2018年不是编号",
    ],
)
def test_narrative_markup_leaves_everything_else_literal(template_2021, answers_2021, tmp_path, text):
    answers_2021["other.text"] = text
    assembly, _ = build(template_2021, answers_2021)
    reopened = docx.Document(str(assembly.save(tmp_path / "markup.docx")))
    assert text in [p.text for p in reopened.paragraphs]
    target = next(p for p in reopened.paragraphs if p.text == text)
    assert not any(run.bold for run in target.runs)


def test_2021_overview_lead_paragraph_is_optional(template_2021, answers_2021):
    _, document = build(template_2021, answers_2021)
    body = texts(document)
    start = body.index("一、总体情况")
    assert body[start + 1].startswith("2021年，我局坚持以公开为常态") and body[start + 2] == "（一）主动公开"
    del answers_2021["overview.text"]
    assembly, document = build(template_2021, answers_2021)
    body = texts(document)
    assert body[body.index("一、总体情况") + 1] == "（一）主动公开" and assembly.gaps == []


def test_2018_notes_answered_none_print_as_one_heading(seed, template_2018, answers_2018, previous_2018):
    _, document = seed
    body = texts(document)
    at = body.index("六、说明与附表")
    assert body[at + 1 : at + 3] == ["（一）无需要说明的其他事项", "（二）附表"]
    assert document.paragraphs[at + 1].style.name == "Heading 2"
    answers_2018["notes.text"] = "本年度信息处理费收取0元。"
    _, document = build(template_2018, answers_2018, previous_2018, org="2018", year=2018)
    body = texts(document)
    at = body.index("六、说明与附表")
    assert body[at + 1 : at + 3] == ["（一）需要说明的其他事项", "本年度信息处理费收取0元。"]
