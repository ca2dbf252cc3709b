"""The report template, as the rest of the domain sees it once loaded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from workflows.expressions import Comparison, Expression
from workflows.problems import Problem

INTEGER, DECIMAL, TEXT, NARRATIVE = "integer", "decimal", "text", "narrative"
FIELD_TYPES = (INTEGER, DECIMAL, TEXT, NARRATIVE)
NUMERIC_TYPES = (INTEGER, DECIMAL)
ERROR, WARNING = "error", "warning"


@dataclass
class Field:
    """One value the report needs: asked of a department, or derived from other values."""

    id: str
    label: str
    type: str = INTEGER
    unit: str = ""
    required: bool = True
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    decimals: int | None = None  # at most this many decimal places (decimal fields)
    hint: str = ""
    section_id: str = ""
    table_id: str | None = None
    row: str | None = None
    column: str | None = None
    row_path: tuple[str, ...] = ()
    column_path: tuple[str, ...] = ()
    derivation: Derivation | None = None

    @property
    def numeric(self) -> bool:
        """Whether the field holds a number."""
        return self.type in NUMERIC_TYPES

    def asked(self, has_previous: bool) -> bool:
        """Whether a person must give this value (derived values are computed when they can be)."""
        if self.derivation is None:
            return True
        return self.derivation.needs_previous and not has_previous


@dataclass(frozen=True)
class Derivation:
    """How a derived field is computed, and how to name that computation in messages."""

    expression: Expression
    name: str
    name_en: str

    @property
    def needs_previous(self) -> bool:
        """Whether the computation reads last year's figures."""
        return bool(self.expression.fields(last_year=True))


@dataclass(frozen=True)
class Rule:
    """An arithmetic check across fields: an error blocks submission, a warning only asks to confirm."""

    id: str
    comparison: Comparison
    severity: str
    name: str
    name_en: str
    left_label: str = ""
    right_label: str = ""
    check: str = ""  # as the template wrote it

    def fields(self) -> list[str]:
        """Return this year's field ids the rule reads."""
        return self.comparison.left.fields() + self.comparison.right.fields()


@dataclass(frozen=True)
class Plausibility:
    """When a figure looks wrong enough to ask its writer to confirm it (soft warnings, never blocking)."""

    ratio: float = 5.0  # more than ratio× or less than 1/ratio of last year's value …
    min_previous: float = 10.0  # … when last year's was at least this much
    ceilings: dict[str, float] = field(default_factory=dict)  # field id → the most that is believable


@dataclass(frozen=True)
class ContentRule:
    """A rule an auditor applies to the wording of a part: it must say something, mention things, fit."""

    id: str
    severity: str
    message: str  # Chinese; may use {label}, {length}, {max}, {min}, {missing}
    message_en: str
    fields: tuple[str, ...] = ()  # the narrative fields it reads (a section's, for max_length)
    section: str | None = None
    refuse: tuple[str, ...] = ()  # texts that say nothing (「无」「暂无问题。」)
    min_length: int | None = None
    max_length: int | None = None
    mention_all: tuple[tuple[str, ...], ...] = ()  # each group: at least one of its words must appear
    when: tuple[str, ...] = ()  # patterns: if any matches the text …
    require: str | None = None  # … this pattern must match too


@dataclass(frozen=True)
class Column:
    """A data column of a table band."""

    key: str
    label: str
    path: tuple[str, ...]


@dataclass(frozen=True)
class Row:
    """A data row of a table band."""

    key: str
    label: str
    path: tuple[str, ...]
    unit: str = ""


@dataclass(frozen=True)
class HeaderCell:
    """A printed header cell with its span in the band's grid."""

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Band:
    """A run of table rows sharing one column header (a table has one band or several)."""

    title: str
    corner: str
    columns: list[Column]
    rows: list[Row]
    header: list[HeaderCell]
    header_rows: int
    label_columns: int
    unit_column: str | None
    row_labels: list[HeaderCell]
    cells: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass
class Table:
    """A printed table: bands stacked into one grid of ``width`` columns."""

    id: str
    caption: str
    bands: list[Band]
    width: int
    note: str = ""

    def field_ids(self) -> list[str]:
        """Return every cell's field id, band by band, row by row."""
        return [fid for band in self.bands for row in band.rows for fid in _row_ids(band, row)]


def _row_ids(band: Band, row: Row) -> list[str]:
    return [band.cells[(row.key, column.key)] for column in band.columns]


@dataclass(frozen=True)
class Block:
    """A piece of section content: a paragraph of boilerplate, a narrative, a table or inline figures."""

    kind: str  # "paragraph", "narrative", "table", "fields"
    text: str = ""
    field_ids: tuple[str, ...] = ()
    table: Table | None = None
    style: str = "body"


@dataclass
class Section:
    """A heading with content and subsections; the unit that departments own and coordinators approve."""

    id: str
    heading: str
    level: int
    blocks: list[Block] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)
    parent: Section | None = None
    run_in: bool = False  # heading printed at the start of the first paragraph, as in 「（一）数量。截至…」
    name: str = ""  # how people call a part that prints no heading (the opening paragraphs)
    when_none: str = ""  # printed instead of heading and text when its narratives all say 无

    def walk(self) -> Iterator[Section]:
        """Yield this section and every subsection, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def own_field_ids(self) -> list[str]:
        """Return the ids of fields whose blocks sit directly in this section."""
        out: list[str] = []
        for block in self.blocks:
            if block.table is not None:
                out.extend(block.table.field_ids())
            elif block.kind in ("narrative", "fields"):
                out.extend(block.field_ids)
        return out

    def field_ids(self) -> list[str]:
        """Return the ids of fields in this section and all its subsections."""
        return [fid for section in self.walk() for fid in section.own_field_ids()]

    @property
    def title(self) -> str:
        """The heading as people refer to it (its name for a part that prints no heading)."""
        return self.heading or self.name or self.id


@dataclass
class Template:
    """A report template: sections, fields, rules and the boilerplate that frames them."""

    id: str
    name: str
    name_en: str
    title: str
    sections: list[Section]
    fields: dict[str, Field]
    rules: list[Rule]
    cover_letter: list[Block] = field(default_factory=list)
    attachment_label: str = "附件"
    closing: list[str] = field(default_factory=list)
    description: str = ""
    plausibility: Plausibility = field(default_factory=Plausibility)
    content_rules: list[ContentRule] = field(default_factory=list)
    figures: Any = None  # workflows.narrative_figures.FigureRules: narrative figures against the tables

    def walk_sections(self) -> Iterator[Section]:
        """Yield every section in document order."""
        for section in self.sections:
            yield from section.walk()

    def section(self, section_id: str) -> Section:
        """Return a section by id (KeyError if absent)."""
        return self._sections_by_id[section_id]

    @cached_property
    def _sections_by_id(self) -> dict[str, Section]:
        # Looked up per section by every view: an index keeps them linear (a template is not changed
        # once loaded).
        return {section.id: section for section in self.walk_sections()}

    def section_of(self, field_id: str) -> Section:
        """Return the section that directly holds a field."""
        return self.section(self.fields[field_id].section_id)

    def tables(self) -> Iterator[Table]:
        """Yield every table in document order."""
        for section in self.walk_sections():
            for block in section.blocks:
                if block.table is not None:
                    yield block.table

    def asked_fields(self, has_previous: bool) -> list[Field]:
        """Return the fields a person answers, in document order."""
        return [f for f in self.fields.values() if f.asked(has_previous)]


def section_path(section: Section) -> str:
    """Name a section with its parents' headings: 「六、说明与附表（二）附表」."""
    parts = []
    node: Section | None = section
    while node is not None:
        if node.heading:
            parts.append(node.heading.rstrip("。"))
        node = node.parent
    return "".join(reversed(parts)) or section.title


class TemplateError(Problem):
    """A template that cannot be used, with where and why."""
