"""Load report templates from YAML (format: docs/templates.md) and check them for mistakes."""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import Any

import yaml

from workflows import placeholders
from workflows.expressions import ExpressionError, parse_comparison, parse_expression
from workflows.loader_checks import content_rule, figure_rules, plausibility
from workflows.model import (
    DECIMAL,
    ERROR,
    FIELD_TYPES,
    NARRATIVE,
    NUMERIC_TYPES,
    TEXT,
    WARNING,
    Band,
    Block,
    Derivation,
    Field,
    Rule,
    Section,
    Table,
    Template,
    TemplateError,
)
from workflows.tables import TableSpecError, build_band, column_specs, row_specs

FIELD_KEYS = {"id", "label", "type", "unit", "required", "min", "max", "max_length", "decimals", "hint"}
# A sane range for every figure, unless the template says otherwise: counts up to a billion, amounts
# with at most four decimal places.
DEFAULT_MAX = 10**9
DEFAULT_DECIMALS = 4


def bundled_templates() -> dict[str, Path]:
    """Return the templates shipped with reportbot, by id."""
    root = importlib.resources.files("templates")
    return {
        entry.name.removesuffix(".yaml"): Path(str(entry))
        for entry in sorted(root.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".yaml")
    }


def load_template(ref: str | Path) -> Template:
    """Load a bundled template by id, or any template file by path."""
    bundled = bundled_templates()
    path = bundled.get(str(ref)) or Path(ref)
    if not path.is_file():
        known = ", ".join(bundled) or "none"
        raise TemplateError(
            "no template {ref!r} (bundled: {known}; or give a path to a .yaml file)",
            ref=str(ref),
            known=known,
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise TemplateError("not valid YAML: {reason}", reason=str(exc)).at(path.name) from exc
    if not isinstance(data, dict):
        raise TemplateError("expected a mapping at the top level").at(path.name)
    try:
        return _Builder(data).build()
    except TemplateError as exc:
        raise exc.at(path.name) from None
    except (TableSpecError, ExpressionError) as exc:
        raise TemplateError(exc.message, **exc.params).at(path.name, *exc.where) from exc
    except KeyError as exc:
        raise TemplateError("missing key {key}", key=str(exc)).at(path.name) from exc
    except (TypeError, ValueError) as exc:  # a value of the wrong kind deep in the YAML, worded by Python
        raise TemplateError("not a usable template: {reason}", reason=str(exc)).at(path.name) from exc


class _Builder:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.defaults: dict[str, Any] = dict(data.get("defaults") or {})
        self.fields: dict[str, Field] = {}
        self.rules: list[Rule] = []
        self.tables: dict[str, Table] = {}
        self.section_ids: set[str] = set()

    def build(self) -> Template:
        for key in ("id", "title", "sections"):
            if key not in self.data:
                raise TemplateError("missing top-level key {key!r}", key=key)
        sections = [self.section(spec, 1, None) for spec in self.data["sections"]]
        for spec in self.data.get("derive") or []:
            for expanded in self.expand(spec):
                self.derive(
                    expanded["field"],
                    expanded["expression"],
                    expanded.get("name", ""),
                    expanded.get("name_en", ""),
                )
        for index, spec in enumerate(self.data.get("rules") or []):
            for expanded in self.expand(spec):
                self.rule(expanded, index)
        template = Template(
            id=str(self.data["id"]),
            name=str(self.data.get("name", self.data["id"])),
            name_en=str(self.data.get("name_en", self.data.get("name", self.data["id"]))),
            title=str(self.data["title"]),
            sections=sections,
            fields=self.fields,
            rules=self.rules,
            cover_letter=[self.styled(b) for b in (self.data.get("cover_letter") or [])],
            attachment_label=str(self.data.get("attachment_label", "附件")),
            closing=[str(line) for line in self.data.get("closing") or []],
            description=str(self.data.get("description", "")),
            plausibility=plausibility(self.data.get("plausibility") or {}, self.fields),
        )
        template.content_rules = [
            content_rule(spec, template, self.fields) for spec in self.data.get("content_rules") or []
        ]
        template.figures = figure_rules(self.data, self.fields)
        self.check(template)
        return template

    # Sections and blocks -----------------------------------------------------------------------------
    def section(self, spec: dict[str, Any], level: int, parent: Section | None) -> Section:
        section_id = str(spec.get("id") or "")
        if not section_id:
            raise TemplateError("a section needs an 'id' (heading {heading!r})", heading=spec.get("heading"))
        if section_id in self.section_ids:
            raise TemplateError("section id {id!r} is used twice", id=section_id)
        self.section_ids.add(section_id)
        section = Section(
            section_id,
            str(spec.get("heading") or ""),
            level,
            parent=parent,
            run_in=bool(spec.get("run_in", False)),
            when_none=str(spec.get("when_none") or ""),
        )
        for block in spec.get("blocks") or []:
            section.blocks.append(self.block(block, section))
        section.children = [self.section(child, level + 1, section) for child in spec.get("sections") or []]
        return section

    def block(self, spec: dict[str, Any], section: Section) -> Block:
        if "paragraph" in spec:
            return Block("paragraph", text=str(spec["paragraph"]), style=str(spec.get("style", "body")))
        if "narrative" in spec:
            field = self.field({**spec["narrative"], "type": NARRATIVE}, section.id)
            return Block("narrative", field_ids=(field.id,))
        if "fields" in spec:
            ids = tuple(self.field(item, section.id).id for item in spec["fields"])
            return Block("fields", field_ids=ids)
        if "table" in spec:
            return Block("table", table=self.table(spec["table"], section.id))
        raise TemplateError(
            "section {id}: unknown block {keys} (expected paragraph, narrative, fields or table)",
            id=section.id,
            keys=sorted(spec),
        )

    def styled(self, spec: dict[str, Any] | str) -> Block:
        if isinstance(spec, str):
            return Block("paragraph", text=spec)
        return Block("paragraph", text=str(spec.get("text", "")), style=str(spec.get("style", "body")))

    # Fields -----------------------------------------------------------------------------------------
    def field(self, spec: dict[str, Any], section_id: str, **placement: Any) -> Field:
        unknown = set(spec) - FIELD_KEYS
        if unknown:
            raise TemplateError("field {id!r}: unknown keys {keys}", id=spec.get("id"), keys=sorted(unknown))
        merged = {**self.defaults, **spec} if spec.get("type") not in (TEXT, NARRATIVE) else dict(spec)
        field_id = str(merged.get("id") or "")
        if not field_id or not field_id.replace(".", "").replace("_", "").isalnum() or field_id[0].isdigit():
            raise TemplateError("bad field id {id!r} (letters, digits, '_' and '.')", id=field_id)
        if field_id in self.fields:
            raise TemplateError("field id {id!r} is used twice", id=field_id)
        kind = str(merged.get("type", "integer"))
        if kind not in FIELD_TYPES:
            raise TemplateError(
                "field {id}: type must be one of {types}", id=field_id, types=", ".join(FIELD_TYPES)
            )
        field = Field(
            id=field_id,
            label=str(merged.get("label") or field_id),
            type=kind,
            unit=str(merged.get("unit", "")) if kind in NUMERIC_TYPES else "",
            required=bool(merged.get("required", True)),
            min=merged.get("min") if kind in NUMERIC_TYPES else None,
            max=merged.get("max", DEFAULT_MAX) if kind in NUMERIC_TYPES else None,
            max_length=merged.get("max_length", 200 if kind == TEXT else None),
            decimals=int(merged.get("decimals", DEFAULT_DECIMALS)) if kind == DECIMAL else None,
            hint=str(merged.get("hint", "")),
            section_id=section_id,
            **placement,
        )
        self.fields[field_id] = field
        return field

    # Tables -----------------------------------------------------------------------------------------
    def table(self, spec: dict[str, Any], section_id: str) -> Table:
        table_id = str(spec.get("id") or "")
        if not table_id or table_id in self.tables:
            raise TemplateError("section {id}: a table needs a unique 'id'", id=section_id)
        band_specs = spec.get("bands") or [spec]
        bands = [build_band(band_spec, table_id) for band_spec in band_specs]
        width = max(b.label_columns + (1 if b.unit_column else 0) + len(b.columns) for b in bands)
        table = Table(table_id, str(spec.get("caption", "")), bands, width, str(spec.get("note", "")))
        defaults = dict(spec.get("defaults") or {})
        seen_rows: set[str] = set()
        for band, band_spec in zip(bands, band_specs, strict=True):
            columns, rows = column_specs(band_spec), row_specs(band_spec)
            for row in band.rows:
                if row.key in seen_rows:
                    raise TemplateError(
                        "table {table}: row key {key!r} is used twice", table=table_id, key=row.key
                    )
                seen_rows.add(row.key)
                for column in band.columns:
                    own = {k: v for k, v in columns[column.key].items() if k in FIELD_KEYS - {"id", "label"}}
                    row_own = {k: v for k, v in rows[row.key].items() if k in FIELD_KEYS - {"id", "label"}}
                    label = " · ".join(part for part in (row.label, column.label) if part)
                    self.field(
                        {
                            **defaults,
                            **row_own,
                            **own,
                            "id": band.cells[(row.key, column.key)],
                            "label": label,
                        },
                        section_id,
                        table_id=table_id,
                        row=row.path[-1],
                        column=column.path[-1],
                        row_path=row.path,
                        column_path=column.path,
                    )
            self.table_derivations(table_id, band, band_spec)
        self.tables[table_id] = table
        return table

    def table_derivations(self, table_id: str, band: Band, spec: dict[str, Any]) -> None:
        cell = band.cells
        for item in spec.get("sum_columns") or []:
            for row in band.rows:
                parts = " + ".join(cell[(row.key, key)] for key in item["parts"])
                self.derive(
                    cell[(row.key, item["total"])], parts, item.get("name", ""), item.get("name_en", "")
                )
        for item in spec.get("sum_rows") or []:
            for column in band.columns:
                parts = " + ".join(cell[(key, column.key)] for key in item["parts"])
                self.derive(
                    cell[(item["total"], column.key)], parts, item.get("name", ""), item.get("name_en", "")
                )
        for item in spec.get("cumulative_columns") or []:
            for row in band.rows:
                target, source = cell[(row.key, item["column"])], cell[(row.key, item["of"])]
                self.derive(
                    target,
                    f"last_year({target}) + {source}",
                    item.get("name", "上年累计加本年"),
                    item.get("name_en", "last year's cumulative plus this year"),
                )

    def derive(self, field_id: str, expression: str, name: str, name_en: str) -> None:
        if field_id not in self.fields:
            raise TemplateError("derived field {id!r} is not defined", id=field_id)
        field = self.fields[field_id]
        if field.derivation is None:  # a second, equivalent definition (a grand total) is redundant
            field.derivation = Derivation(
                parse_expression(expression), name or "各组成项之和", name_en or "the sum of its parts"
            )

    # Rules ------------------------------------------------------------------------------------------
    def expand(self, spec: dict[str, Any]) -> list[dict[str, Any]]:
        """Repeat a rule or derivation for every column (``{col}``) or row (``{row}``) of a table."""
        each = spec.get("for_each")
        if not each:
            return [spec]
        table = self.tables.get(str(each.get("table")))
        if table is None:
            raise TemplateError("for_each names unknown table {table!r}", table=each.get("table"))
        over = str(each.get("over", "columns"))
        only = set(each.get("only") or [])
        placeholder = "{col}" if over == "columns" else "{row}"
        items = [
            (item.key, item.label)
            for band in table.bands
            for item in (band.columns if over == "columns" else band.rows)
            if not only or item.key in only
        ]
        out = []
        for key, label in dict(items).items():
            out.append(
                {
                    k: v.replace(placeholder, key).replace("{label}", label) if isinstance(v, str) else v
                    for k, v in spec.items()
                    if k != "for_each"
                }
            )
        return out

    def rule(self, spec: dict[str, Any], index: int) -> None:
        severity = str(spec.get("severity", ERROR))
        if severity not in (ERROR, WARNING):
            raise TemplateError("rule {id}: severity must be error or warning", id=spec.get("id", index))
        comparison = parse_comparison(str(spec["check"]))
        rule_id = str(spec.get("id", f"rule{index + 1}"))
        self.rules.append(
            Rule(
                id=rule_id,
                comparison=comparison,
                severity=severity,
                name=str(spec.get("name", "")),
                name_en=str(spec.get("name_en", spec.get("name", ""))),
                left_label=str(spec.get("left_label", "")),
                right_label=str(spec.get("right_label", "")),
                check=str(spec["check"]),
            )
        )

    # Whole-template checks --------------------------------------------------------------------------
    def check(self, template: Template) -> None:
        known = set(self.fields)
        for rule in self.rules:
            for fid in rule.fields() + rule.comparison.left.fields(True) + rule.comparison.right.fields(True):
                if fid not in known:
                    raise TemplateError("rule {rule} reads unknown field {id!r}", rule=rule.id, id=fid)
        for field in self.fields.values():
            if field.derivation:
                for fid in field.derivation.expression.fields() + field.derivation.expression.fields(True):
                    if fid not in known:
                        raise TemplateError(
                            "{field} is derived from unknown field {id!r}", field=field.id, id=fid
                        )
        self.check_cycles()
        printed = {fid for table in self.tables.values() for fid in table.field_ids()}
        for section in template.walk_sections():
            for block in section.blocks:
                if block.kind == "narrative":
                    printed.update(block.field_ids)
                printed.update(n for n in placeholders.names(block.text) if n in known)
        unprinted = [fid for fid in self.fields if fid not in printed]
        if unprinted:
            raise TemplateError("fields never printed in the document: {ids}", ids=", ".join(unprinted))

    def check_cycles(self) -> None:
        state: dict[str, int] = {}

        def visit(fid: str, trail: tuple[str, ...]) -> None:
            if state.get(fid) == 2:
                return
            if state.get(fid) == 1:
                raise TemplateError(
                    "derived values depend on each other: {trail}", trail=" -> ".join((*trail, fid))
                )
            state[fid] = 1
            derivation = self.fields[fid].derivation
            for dep in derivation.expression.fields() if derivation else []:
                visit(dep, (*trail, fid))
            state[fid] = 2

        for fid in self.fields:
            visit(fid, ())
