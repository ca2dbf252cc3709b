"""Assemble the finished .docx from a template, the figures and the organisation profile.

Every part that is not yet answered is printed as a visible placeholder naming its section and the
department that owns it (【待填写：办公室 · 二、主动公开政府信息情况】), and listed as a gap.
The document is built run by run with python-docx: nothing a person typed is ever read as a template.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from workflows.arithmetic import Figures
from workflows.assembly import letter, markup, styles
from workflows.assembly.word_tables import add_table
from workflows.content_rules import says_nothing
from workflows.files import flatten_answers
from workflows.model import Block, Section, Template, section_path
from workflows.narrative_figures import insert_figures
from workflows.numbers import format_number
from workflows.placeholders import pieces

UNASSIGNED = "未分配"
_LETTER_LAYOUT = {  # how each part of the covering letter is set, by its style in the template
    "issuer": letter.issuer,
    "number": letter.number,
    "title": letter.title,
    "salutation": letter.salutation,
}
NOTHING = ("无", "暂无", "没有", "无需要说明的事项", "无其他需要说明的事项")
ORGANISATION_LABELS = {
    "organisation": "机关名称",
    "short_name": "机关简称",
    "we": "自称（如“我局”）",
    "website": "网站地址",
    "website_name": "网站名称",
    "phone": "联系电话",
    "address": "地址",
    "postcode": "邮政编码",
    "email": "电子邮箱",
    "report_date": "成文日期",
    "cover_letter.number": "函件文号",
    "cover_letter.recipient": "主送机关",
    "cover_letter.basis": "报送依据",
}


@dataclass(frozen=True)
class Gap:
    """A part of the report still missing: where it is, who owes it, and what exactly is absent."""

    section_id: str
    section: str
    department: str
    missing: tuple[str, ...]

    def placeholder(self) -> str:
        """The marker printed in the document."""
        return f"【待填写：{self.department} · {self.section}】"


@dataclass
class Assembly:
    """The assembled document and what it still lacks."""

    document: Any
    gaps: list[Gap] = field(default_factory=list)

    def save(self, path: str | Path) -> Path:
        """Write the .docx to ``path`` (atomically: a reader never sees half a file)."""
        target = Path(path)
        tmp = target.with_name(f".{target.name}.tmp")
        self.document.save(str(tmp))
        tmp.replace(target)
        return target

    def mark_draft(self, made_on: date) -> None:
        """Print 草稿 (with the date and the number of gaps) at the top of every page."""
        gaps = f" · 尚有 {len(self.gaps)} 处待填写" if self.gaps else ""
        styles.add_draft_header(self.document, f"草稿 · {format_date(made_on)}生成{gaps}")

    def to_bytes(self) -> bytes:
        """Return the .docx as bytes (for sending)."""
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


def format_date(day: date) -> str:
    """Print a date the way official documents do: 2019年1月15日."""
    return f"{day.year}年{day.month}月{day.day}日"


def flatten(profile: Mapping[str, Any]) -> dict[str, str]:
    """Turn a nested organisation profile into ``{"cover_letter.number": …}`` placeholder values."""
    return {
        key: str(value)
        for key, value in flatten_answers(profile).items()
        if value is not None and not isinstance(value, list)
    }


def owner_of(section: Section, owners: Mapping[str, str]) -> str:
    """Return the department that owns a section: its own assignment or its nearest parent's."""
    node: Section | None = section
    while node is not None:
        if node.id in owners:
            return owners[node.id]
        node = node.parent
    return UNASSIGNED


class _Writer:
    def __init__(
        self, template: Template, figures: Figures, values: dict[str, str], owners: Mapping[str, str]
    ):
        self.template = template
        self.figures = figures
        self.values = values
        self.owners = owners
        self.document = docx.Document()
        self.gaps: dict[str, Gap] = {}
        styles.setup_document(self.document)

    # Values --------------------------------------------------------------------------------------------
    def lookup(self, name: str) -> str | None:
        if name in self.template.fields:
            value = self.figures.values.get(name)
            if value is None:
                return None
            return value if isinstance(value, str) else format_number(value)
        return self.values.get(name)

    def fill(self, text: str) -> str:
        return "".join(p.text if p.missing is None else "" for p in pieces(text, self.lookup))

    def label_of(self, name: str) -> str:
        field_ = self.template.fields.get(name)
        return field_.label if field_ else ORGANISATION_LABELS.get(name, name)

    def note_gap(self, section: Section, missing: list[str]) -> Gap:
        gap = self.gaps.get(section.id)
        merged = tuple(dict.fromkeys([*(gap.missing if gap else ()), *missing]))
        self.gaps[section.id] = Gap(section.id, section_path(section), owner_of(section, self.owners), merged)
        return self.gaps[section.id]

    # Paragraphs ------------------------------------------------------------------------------------------
    def title(self, text: str) -> Paragraph:
        """A title, broken where the template's line break says if it needs two lines, else on one.

        Left to itself a title wraps wherever its first line fills, 「…政府信息公开工作」「年度报告」; the
        standard wants its lines whole in meaning and shaped like a trapezoid (GB/T 9704 §7.3.1).
        """
        if styles.ems(self.fill(text).replace("\n", "")) <= styles.TITLE_CHARS_PER_LINE:
            text = text.replace("\n", "")
        return self.paragraph(text, None, style=styles.TITLE_STYLE)

    def paragraph(self, text: str, section: Section | None, style: str | None = None, lead: str = ""):
        paragraph = self.document.add_paragraph(style=style)
        if lead:
            styles.font_run(paragraph, lead, styles.HEADING2_FONT)
        for piece in pieces(text, self.lookup):
            if piece.missing is None:
                styles.font_run(paragraph, piece.text)
                continue
            styles.mark_missing(styles.font_run(paragraph, f"【待填写：{self.label_of(piece.missing)}】"))
            if section is not None:
                self.note_gap(section, [self.label_of(piece.missing)])
        return paragraph

    def narrative(self, block: Block, section: Section, lead: str) -> None:
        field_id = block.field_ids[0]
        text = self.figures.values.get(field_id)
        if not isinstance(text, str) or not text.strip():
            field_ = self.template.fields[field_id]
            if not field_.required:
                return
            gap = self.note_gap(section, [field_.label])
            paragraph = self.document.add_paragraph()
            if lead:
                styles.font_run(paragraph, lead, styles.HEADING2_FONT)
            styles.mark_missing(styles.font_run(paragraph, gap.placeholder()))
            return
        for index, part in enumerate(markup.parse(text)):
            style = styles.HEADING_STYLES[2] if part.heading else None
            paragraph = self.document.add_paragraph(style=style)
            if lead and index == 0:
                styles.font_run(paragraph, lead, styles.HEADING2_FONT)
            for run in part.runs:
                if run.kind == markup.BREAK:
                    paragraph.add_run().add_break()
                    continue
                font = styles.HEADING2_FONT if run.kind == markup.HEADING else None
                bold = True if run.kind == markup.BOLD else None
                for piece in insert_figures(run.text, self.template.figures.concepts, self.figures.values):
                    if piece.missing is None:
                        styles.font_run(paragraph, piece.text, font, bold)
                    else:  # a figure the writer named whose table cells are still empty
                        styles.mark_missing(styles.font_run(paragraph, f"【待填写：{piece.missing}】"))
                        self.note_gap(section, [piece.missing])

    # Sections ---------------------------------------------------------------------------------------------
    def answered_none(self, section: Section) -> bool:
        """Whether every narrative of the section is answered with 无 (暂无, 没有 …, punctuation aside)."""
        texts = [self.figures.values.get(b.field_ids[0]) for b in section.blocks if b.kind == "narrative"]
        return bool(texts) and all(isinstance(x, str) and says_nothing(x, NOTHING) for x in texts)

    def section(self, section: Section) -> None:
        if section.when_none and self.answered_none(section):
            # 「（一）无需要说明的其他事项」 reads better than a heading over a paragraph saying 「无。」
            level = min(section.level, 3)
            self.document.add_paragraph(
                styles.xml_safe(self.fill(section.when_none)), styles.HEADING_STYLES[level]
            )
            for child in section.children:
                self.section(child)
            return
        heading = self.fill(section.heading)
        lead = heading if section.run_in else ""
        if heading and not section.run_in:
            level = min(section.level, 3)
            self.document.add_paragraph(styles.xml_safe(heading), style=styles.HEADING_STYLES[level])
        for block in section.blocks:
            if block.kind == "paragraph":
                self.paragraph(block.text, section, lead=lead)
            elif block.kind == "narrative":
                self.narrative(block, section, lead)
            elif block.kind == "table" and block.table is not None:
                self.table(block, section)
            else:
                continue
            lead = ""
        if lead:  # a run-in heading whose section printed nothing still belongs on the page
            self.document.add_paragraph(styles.xml_safe(lead), style=styles.HEADING_STYLES[2])
        for child in section.children:
            self.section(child)

    def table(self, block: Block, section: Section) -> None:
        table = block.table
        if table.caption:
            caption = self.document.add_paragraph(styles.xml_safe(self.fill(table.caption)))
            caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_table(self.document, table, self.lookup, self.fill)
        missing = [f.label for f in self.figures.missing(table.field_ids())]
        if missing:
            gap = self.note_gap(section, missing)
            note = self.document.add_paragraph()
            styles.mark_missing(
                styles.font_run(note, f"{gap.placeholder()[:-1]}（表中 {len(missing)} 项）】")
            )
        if table.note:
            self.document.add_paragraph(styles.xml_safe(self.fill(table.note)))

    def cover_letter(self) -> None:
        """The covering letter (函) in the 信函格式 of GB/T 9704 §10.1 (letter.py), then 附件."""
        signatures: list = []
        for block in self.template.cover_letter:
            if block.style == "attachment" or (block.style == "signature" and not signatures):
                self.document.add_paragraph()  # one blank line before the 附件 note and the signature
            paragraph = self.title(block.text) if block.style == "title" else self.paragraph(block.text, None)
            if block.style == "signature":
                signatures.append(paragraph)
            elif block.style == "attachment":
                letter.attachment_note(paragraph, paragraph.text)
            elif block.style in _LETTER_LAYOUT:
                _LETTER_LAYOUT[block.style](paragraph)
        if signatures:
            letter.sign(signatures[:-1], signatures[-1])
        letter.end_letter(self.document)
        label = self.document.add_paragraph()
        label.paragraph_format.first_line_indent = Pt(0)
        styles.font_run(label, self.template.attachment_label, styles.HEADING1_FONT)
        self.document.add_paragraph()  # 附件 on the first line, its title on the third (§7.3.7)

    def build(self, with_cover_letter: bool) -> None:
        if with_cover_letter and self.template.cover_letter:
            self.cover_letter()
        self.title(self.template.title)
        for section in self.template.sections:
            self.section(section)
        if self.template.closing:
            self.document.add_paragraph()
            lines = [self.paragraph(line, None, style=styles.CLOSING_STYLE) for line in self.template.closing]
            letter.sign(lines[:-1], lines[-1])  # the report signed as the letter is
        styles.add_page_numbers(self.document)


def _core_properties(writer: _Writer, report_date: date) -> None:
    """Title, author and date in File ▸ Properties: the organisation's, not python-docx's defaults."""
    props = writer.document.core_properties
    props.title = styles.xml_safe(writer.fill(writer.template.title).replace("\n", ""))
    author = styles.xml_safe(writer.values.get("organisation", ""))
    props.author = props.last_modified_by = author
    props.comments = props.keywords = ""
    stamp = datetime.combine(report_date, time(9, 0))
    props.created = props.modified = stamp
    props.revision = 1
    props.language = "zh-CN"


def assemble(
    template: Template,
    figures: Figures,
    organisation: Mapping[str, Any],
    year: int,
    report_date: date,
    owners: Mapping[str, str] | None = None,
    draft: bool = False,
) -> Assembly:
    """Build the report document; ``owners`` maps section ids to the departments that write them."""
    values = flatten(organisation)
    values.setdefault("year", str(year))
    values["year"] = str(year)
    values.setdefault("report_date", format_date(report_date))
    values.setdefault("short_name", values.get("organisation", ""))
    values.setdefault("we", "本机关")
    writer = _Writer(template, figures, {k: v for k, v in values.items() if v != ""}, owners or {})
    writer.build(with_cover_letter="cover_letter" in organisation)
    _core_properties(writer, report_date)
    assembly = Assembly(writer.document, list(writer.gaps.values()))
    if draft:
        assembly.mark_draft(report_date)
    return assembly
