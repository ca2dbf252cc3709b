"""Build table bands from their YAML description: column and row trees become a printed grid.

A column tree ``申请人情况 > 法人或其他组织 > 商业企业`` turns into header cells with the row and column
spans they have on paper; a row tree does the same for the label cells at the left.
"""

from __future__ import annotations

from typing import Any

from workflows.model import Band, Column, HeaderCell, Row
from workflows.problems import Problem


class TableSpecError(Problem):
    """A table description that cannot be laid out."""


def _leaves(nodes: list[dict[str, Any]], child_key: str, path: tuple[str, ...] = ()):
    for node in nodes:
        label = str(node.get("label", ""))
        if child_key in node:
            yield from _leaves(node[child_key], child_key, (*path, label))
        else:
            if "key" not in node:
                raise TableSpecError(
                    "{label!r} needs a 'key' (or '{child}' beneath it)", label=label or node, child=child_key
                )
            yield node, (*path, label)


def _depth(nodes: list[dict[str, Any]], child_key: str) -> int:
    return max((1 + _depth(n[child_key], child_key) if child_key in n else 1) for n in nodes) if nodes else 0


def _count(node: dict[str, Any], child_key: str) -> int:
    return sum(_count(n, child_key) for n in node[child_key]) if child_key in node else 1


def _display(paths: list[tuple[str, ...]]) -> list[str]:
    """Short but unambiguous names: the leaf label, with its parents only where leaves repeat."""
    leaves = [path[-1] for path in paths]
    shared = 0
    while paths and all(len(p) > shared + 1 and p[shared] == paths[0][shared] for p in paths):
        shared += 1
    out = []
    for path, leaf in zip(paths, leaves, strict=True):
        if leaves.count(leaf) > 1:
            out.append("·".join(part for part in path[shared:] if part))
        elif len(path) - shared > 2:  # "（三）不予公开·1.属于国家秘密": the enumerator alone is ambiguous
            out.append("·".join(path[-2:]))
        else:
            out.append(leaf)
    return out


def _header_cells(nodes, depth, row, col, offset) -> list[HeaderCell]:
    cells = []
    for node in nodes:
        label = str(node.get("heading", node.get("label", "")))
        if "columns" in node:
            span = _count(node, "columns")
            cells.append(HeaderCell(label, row, offset + col, 1, span))
            cells.extend(_header_cells(node["columns"], depth, row + 1, col, offset))
            col += span
        else:
            cells.append(HeaderCell(label, row, offset + col, depth - row, 1))
            col += 1
    return cells


def _label_cells(nodes, depth, row, level) -> list[HeaderCell]:
    cells = []
    for node in nodes:
        label = str(node.get("label", ""))
        if "rows" in node:
            span = _count(node, "rows")
            cells.append(HeaderCell(label, row, level, span, 1))
            cells.extend(_label_cells(node["rows"], depth, row, level + 1))
            row += span
        else:
            cells.append(HeaderCell(label, row, level, 1, depth - level))
            row += 1
    return cells


def build_band(spec: dict[str, Any], table_id: str) -> Band:
    """Lay out one band: its header grid, its row labels and the field id of every cell."""
    column_nodes = spec.get("columns") or []
    row_nodes = spec.get("rows") or []
    if not column_nodes or not row_nodes:
        raise TableSpecError("table {table}: a band needs 'columns' and 'rows'", table=table_id)
    column_leaves = list(_leaves(column_nodes, "columns"))
    row_leaves = list(_leaves(row_nodes, "rows"))
    labelled = any(path[-1] for _, path in row_leaves) or len(row_leaves) > 1
    label_columns = _depth(row_nodes, "rows") if labelled else 0
    unit_column = spec.get("unit_column")
    offset = label_columns + (1 if unit_column else 0)
    header_rows = _depth(column_nodes, "columns")

    header = _header_cells(column_nodes, header_rows, 0, 0, offset)
    corner = str(spec.get("corner", ""))
    if label_columns:
        header.insert(0, HeaderCell(corner, 0, 0, header_rows, label_columns))
    if unit_column:
        header.insert(
            1 if label_columns else 0, HeaderCell(str(unit_column), 0, label_columns, header_rows, 1)
        )

    column_names = _display([path for _, path in column_leaves])
    columns = [
        Column(str(node["key"]), str(node.get("name") or name), path)
        for (node, path), name in zip(column_leaves, column_names, strict=True)
    ]
    row_names = _display([path for _, path in row_leaves]) if labelled else ["" for _ in row_leaves]
    rows = [
        Row(str(node["key"]), str(node.get("name") or name), path, str(node.get("unit", "")))
        for (node, path), name in zip(row_leaves, row_names, strict=True)
    ]
    band = Band(
        title=str(spec.get("title", "")),
        corner=corner,
        columns=columns,
        rows=rows,
        header=header,
        header_rows=header_rows,
        label_columns=label_columns,
        unit_column=str(unit_column) if unit_column else None,
        row_labels=_label_cells(row_nodes, label_columns, 0, 0) if label_columns else [],
    )
    for row in rows:
        for column in columns:
            band.cells[(row.key, column.key)] = f"{table_id}.{row.key}.{column.key}"
    return band


def column_specs(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return each leaf column's own settings (type, unit, bounds) by key."""
    return {str(node["key"]): node for node, _ in _leaves(spec.get("columns") or [], "columns")}


def row_specs(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return each leaf row's own settings by key."""
    return {str(node["key"]): node for node, _ in _leaves(spec.get("rows") or [], "rows")}
