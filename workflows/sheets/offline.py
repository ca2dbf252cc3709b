"""A returned workbook read on the command line (`reportbot check/assemble --answers F.xlsx`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workflows.files import InputFileError
from workflows.model import Template
from workflows.sheets.read import MAX_FILE, MSG_TOO_BIG, SheetRefused, read_sheet


def workbook_answers(
    path: str | Path, template: Template, lang: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """The answers a workbook holds (field id → value as typed) and where each is (field id → 表三!D7).

    Totals the workbook computes are left to the report's own arithmetic."""
    source = Path(path)
    try:
        size = source.stat().st_size
        if size > MAX_FILE:  # refused before a byte is read into memory
            refused = SheetRefused(MSG_TOO_BIG, size=f"{size / 2**20:.1f}", max=MAX_FILE // 2**20)
            raise InputFileError(refused.message, **refused.params).at(str(source))
        data = source.read_bytes()
    except FileNotFoundError:
        raise InputFileError("no such file").at(str(source)) from None
    except OSError as exc:
        raise InputFileError("cannot be read ({reason})", reason=exc.__class__.__name__).at(
            str(source)
        ) from None
    try:
        upload = read_sheet(data, template)
    except SheetRefused as refused:
        raise InputFileError(refused.message, **refused.params).at(str(source)) from None
    answers, cells = {}, {}
    for fid, cell in upload.cells.items():
        derivation = template.fields[fid].derivation
        if cell.value is None or (derivation is not None and not derivation.needs_previous):
            continue
        answers[fid], cells[fid] = cell.value, cell.ref
    return answers, cells
