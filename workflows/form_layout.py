"""How a department's sections are laid out on a form: headings, tables as printed, figures and texts.

Channel-neutral: rows of cells with their spans, laid out by ``workflows.table_grid`` as the Word
document prints them (so people recognise the table), each figure cell naming its field; the page decides
how to draw them.
"""

from __future__ import annotations

from typing import Any

from workflows.model import Table, Template
from workflows.placeholders import fill
from workflows.table_grid import FIGURE, table_cells
from workflows.units import Unit


def table_rows(table: Table, year: int) -> list[list[dict[str, Any]]]:
    """The table's rows as printed (the Word document's grid): band titles, merged headers, row labels
    and one cell per field, each with its spans."""
    cells, height = table_cells(table)
    rows: list[list[dict[str, Any]]] = [[] for _ in range(height)]
    for cell in sorted(cells, key=lambda c: (c.row, c.col)):
        shown: dict[str, Any] = {"kind": cell.kind, "rowspan": cell.rowspan, "colspan": cell.colspan}
        if cell.kind == FIGURE:
            shown["field"] = cell.field_id
        else:
            shown["text"] = fill(cell.text, {"year": str(year)})
        rows[cell.row].append(shown)
    return rows


def unit_blocks(template: Template, unit: Unit, year: int) -> list[dict[str, Any]]:
    """A section's content in document order: sub-headings, tables, single figures and texts.

    Only what the unit holds: a subsection given to another department is left out."""
    wanted = set(unit.field_ids)
    root = template.section(unit.section_id)
    blocks: list[dict[str, Any]] = []
    for section in root.walk():
        if not wanted.intersection(section.own_field_ids()):
            continue
        if section is not root and section.heading:
            blocks.append({"kind": "heading", "text": fill(section.heading, {"year": str(year)})})
        for block in section.blocks:
            if block.table is not None:
                caption = fill(block.table.caption, {"year": str(year)})
                blocks.append({"kind": "table", "caption": caption, "rows": table_rows(block.table, year)})
            elif block.kind in ("fields", "narrative"):
                ids = [fid for fid in block.field_ids if fid in wanted]
                if ids:
                    blocks.append({"kind": block.kind, "fields": ids})
    return blocks
