"""Read the YAML/JSON files people hand to the command line: answers, last year's figures, the profile."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from workflows.problems import Problem

MAX_DEPTH = 12  # answers nest a few levels (t3: {new: {natural: 40}}); deeper is a mistake or an attack


class InputFileError(Problem):
    """A file that cannot be used, described in one line."""


class _StrictLoader(yaml.SafeLoader):
    """safe_load without aliases (one alias can expand to gigabytes) and without absurd nesting."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self._path: list[str | None] = []

    def compose_node(self, parent, index):
        key = (
            index.value
            if isinstance(index, yaml.ScalarNode)
            else (str(index) if isinstance(index, int) else None)
        )
        path = ".".join(p for p in [*self._path, key] if p)
        where = (path,) if path else ()  # at the top level, the file's name says enough
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise InputFileError(
                "YAML aliases (*{anchor}) are not allowed here (line {line})",
                anchor=event.anchor,
                line=event.start_mark.line + 1,
            ).at(*where)
        if len(self._path) >= MAX_DEPTH:
            raise InputFileError("nested more than {depth} levels deep", depth=MAX_DEPTH).at(*where)
        self._path.append(key)
        try:
            return super().compose_node(parent, index)
        finally:
            self._path.pop()


def read_mapping(path: str | Path) -> dict[str, Any]:
    """Read a YAML or JSON file whose top level is a mapping."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError("no such file").at(str(source)) from None
    except UnicodeDecodeError:  # a .docx, a picture, an old .xls: not text at all
        raise InputFileError(
            "not a text file: answers are YAML or JSON, or the .xlsx workbook the bot makes"
        ).at(str(source)) from None
    except OSError as exc:
        raise InputFileError("cannot be read ({reason})", reason=exc.__class__.__name__).at(
            str(source)
        ) from None
    try:
        data = yaml.load(text, Loader=_StrictLoader)
    except InputFileError as exc:
        raise exc.at(str(source)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            raise InputFileError("not valid YAML or JSON at line {line}", line=mark.line + 1).at(
                str(source)
            ) from None
        raise InputFileError("not valid YAML or JSON").at(str(source)) from None
    except RecursionError:
        raise InputFileError("nested too deeply to be an answers file").at(str(source)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputFileError("expected a mapping of field ids to values").at(str(source))
    return data


def flatten_answers(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested mappings into dotted keys (``{a: {b: 1}}`` becomes ``{"a.b": 1}``)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten_answers(value, name + "."))
        else:
            out[name] = value
    return out


def read_answers_file(path: str | Path, template: Any = None, lang: str = "zh") -> dict[str, Any]:
    """Read an answers (or last year's figures) file into ``{field_id: value}``.

    A workbook the bot made (.xlsx) is read with its ``template``; its refusals are in ``lang``."""
    if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        if template is None:
            raise InputFileError("a workbook is read together with its template").at(str(path))
        from workflows.sheets.offline import workbook_answers  # openpyxl only when a workbook is read

        return workbook_answers(path, template, lang)[0]
    return flatten_answers(read_mapping(path))


@dataclass
class Profile:
    """An organisation profile: placeholder values, the report year and who owns which section."""

    values: dict[str, Any]
    owners: dict[str, str] = field(default_factory=dict)
    departments: list[dict[str, Any]] = field(default_factory=list)
    year: int | None = None
    report_date: date | None = None


def read_profile(path: str | Path | None) -> Profile:
    """Read an organisation profile file (see examples/*/organisation.yaml); empty when no path."""
    if path is None:
        return Profile({})
    data = read_mapping(path)
    departments = data.pop("departments", None) or []
    if not isinstance(departments, list):
        raise InputFileError("'departments' must be a list").at(str(path))
    owners: dict[str, str] = {}
    for entry in departments:
        if not isinstance(entry, dict) or "name" not in entry:
            raise InputFileError("each department needs a 'name'").at(str(path))
        for section_id in entry.get("sections") or []:
            owners[str(section_id)] = str(entry["name"])
    year = data.get("year")
    if year is not None and not isinstance(year, int):
        raise InputFileError("'year' must be a number such as 2026").at(str(path))
    report_date = data.get("report_date")
    if isinstance(report_date, date):
        data.pop("report_date")  # printed from the date itself
    return Profile(data, owners, departments, year, report_date if isinstance(report_date, date) else None)
