"""A person's Excel or WPS, for the demo and the tests: type values into a workbook's cells and save it."""

from __future__ import annotations

import io
from collections.abc import Mapping

from openpyxl import load_workbook


def typed(data: bytes, cells: Mapping[str, object]) -> bytes:
    """The workbook ``data`` with values typed into cells ({"表三!D7": 5}) and saved, as a person does."""
    book = load_workbook(io.BytesIO(data))
    for ref, value in cells.items():
        sheet, coord = ref.split("!")
        book[sheet][coord].value = value
        if isinstance(value, str):
            book[sheet][coord].data_type = "s"  # typed text stays text, even 「=1+1」
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
