"""What each department owes: its sections (units of submission and approval) and the steps to fill them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from storage.records import Department
from workflows.model import NARRATIVE, Band, Field, Section, Template, section_path
from workflows.problems import Problem

SINGLE, ROW, TEXT_STEP = "single", "row", "narrative"


@dataclass(frozen=True)
class Unit:
    """A section assigned to a department: what it submits and what the coordinator approves."""

    section_id: str
    title: str
    department_id: str
    field_ids: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    """One prompt: a single value, a table row (several numbers at once) or a narrative."""

    kind: str
    field_ids: tuple[str, ...]
    label: str
    derived_ids: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    unit: str = ""
    table_id: str | None = None


class OwnershipError(Problem):
    """Departments and template sections that do not fit together."""


def units_for(template: Template, departments: Iterable[Department]) -> list[Unit]:
    """Return every assigned section in document order, each with the fields it (and no other unit) holds."""
    owner: dict[str, str] = {}
    for department in departments:
        for section_id in department.sections:
            try:
                template.section(section_id)
            except KeyError:
                raise OwnershipError(
                    "department {department}: template {template} has no section {section!r}",
                    department=department.id,
                    template=template.id,
                    section=section_id,
                ) from None
            if section_id in owner:
                raise OwnershipError(
                    "section {section!r} is assigned to both {first} and {second}",
                    section=section_id,
                    first=owner[section_id],
                    second=department.id,
                )
            owner[section_id] = department.id
    units = []
    for section in template.walk_sections():
        fields = _fields_not_reassigned(section, owner) if section.id in owner else []
        if fields:  # a part with nothing to answer (fixed wording only) is nobody's task
            units.append(Unit(section.id, section_path(section), owner[section.id], tuple(fields)))
    return units


def _fields_not_reassigned(section: Section, owner: dict[str, str]) -> list[str]:
    fields = list(section.own_field_ids())
    for child in section.children:
        if child.id not in owner:
            fields.extend(_fields_not_reassigned(child, owner))
    return fields


def steps_for(template: Template, unit: Unit, is_asked) -> list[Step]:
    """Return the prompts of a unit in document order; ``is_asked(field)`` leaves out computed values."""
    wanted = set(unit.field_ids)
    steps: list[Step] = []
    for section in template.walk_sections():
        for block in section.blocks:
            if block.table is not None:
                for band in block.table.bands:
                    steps.extend(_row_steps(template, band, section, wanted, is_asked))
            else:
                for fid in block.field_ids:
                    field_ = template.fields[fid]
                    if fid in wanted and is_asked(field_):
                        kind = TEXT_STEP if field_.type == NARRATIVE else SINGLE
                        steps.append(Step(kind, (fid,), field_.label, unit=field_.unit))
    return steps


def _row_steps(template: Template, band: Band, section: Section, wanted: set[str], is_asked) -> list[Step]:
    steps = []
    for row in band.rows:
        ids = [band.cells[(row.key, column.key)] for column in band.columns]
        if not wanted.intersection(ids):
            continue
        fields: list[Field] = [template.fields[fid] for fid in ids]
        asked = [f for f in fields if is_asked(f)]
        derived = tuple(f.id for f in fields if not is_asked(f))
        if not asked:
            continue
        label = row.label or band.title or section.title
        if len(asked) == 1:
            steps.append(Step(SINGLE, (asked[0].id,), asked[0].label, derived, unit=asked[0].unit))
            continue
        steps.append(
            Step(
                ROW,
                tuple(f.id for f in asked),
                label,
                derived,
                tuple(f.column or "" for f in asked)
                if len({f.column for f in asked}) == len(asked)
                else tuple(_column_name(band, f) for f in asked),
                asked[0].unit,
                asked[0].table_id,
            )
        )
    return steps


def _column_name(band: Band, field_: Field) -> str:
    for column in band.columns:
        if field_.column_path == column.path:
            return column.label
    return field_.column or field_.label
