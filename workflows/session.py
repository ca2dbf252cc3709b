"""One report year seen through the store: units, steps, figures and review states, computed on demand."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from storage.contract import Store
from storage.records import NOT_STARTED, Department, SectionState
from workflows.arithmetic import Figures, check_figures, compute, previous_figures, read_answers
from workflows.model import Template
from workflows.units import Step, Unit, steps_for, units_for
from workflows.validation import Finding


@dataclass
class ReportSession:
    """The state of one report year. Cheap to build; build a new one per request."""

    store: Store
    template: Template
    year: int
    previous_fallback: Mapping[str, Any] | None = None

    def refreshed(self) -> ReportSession:
        """A new view of the same year, after writes (cached values are dropped)."""
        return ReportSession(self.store, self.template, self.year, self.previous_fallback)

    @cached_property
    def departments(self) -> list[Department]:
        """All departments, in configured order."""
        return self.store.list_departments()

    @cached_property
    def units(self) -> list[Unit]:
        """Every assigned section, in document order."""
        return units_for(self.template, self.departments)

    def units_of(self, department_id: str) -> list[Unit]:
        """The sections one department writes."""
        return [u for u in self.units if u.department_id == department_id]

    def unit(self, section_id: str) -> Unit | None:
        """The unit for a section id, or None."""
        return next((u for u in self.units if u.section_id == section_id), None)

    def department(self, department_id: str) -> Department | None:
        """A department by id."""
        return next((d for d in self.departments if d.id == department_id), None)

    @cached_property
    def previous(self) -> dict[str, Any]:
        """Last year's figures: the previous cycle in the store, else the configured file."""
        stored = {fid: v.value for fid, v in self.store.current_answers(self.year - 1).items()}
        raw = stored or dict(self.previous_fallback or {})
        return previous_figures(self.template, raw)[0]

    @cached_property
    def figures(self) -> Figures:
        """This year's figures, derived values included."""
        raw = {fid: v.value for fid, v in self.store.current_answers(self.year).items()}
        given, _ = read_answers(self.template, raw)
        return compute(self.template, given, self.previous)

    @cached_property
    def findings(self) -> list[Finding]:
        """Every identity and check that currently fails."""
        return check_figures(self.figures)

    def steps(self, unit: Unit) -> list[Step]:
        """The prompts of a unit."""
        return steps_for(self.template, unit, self.figures.asked)

    def answered(self, step: Step) -> bool:
        """Whether every field of a step has a value."""
        return all(self.figures.values.get(fid) is not None for fid in step.field_ids)

    def first_open_step(self, unit: Unit) -> int | None:
        """The index of the first unanswered step, or None when the unit is complete."""
        return next((i for i, step in enumerate(self.steps(unit)) if not self.answered(step)), None)

    def state(self, unit: Unit) -> SectionState:
        """The review state of a unit."""
        return self.store.get_section_state(self.year, unit.section_id)

    def started(self, unit: Unit) -> bool:
        """Whether any field of the unit has an answer."""
        answers = self.store.current_answers(self.year)
        return any(fid in answers for fid in unit.field_ids)

    def unit_findings(self, unit: Unit) -> list[Finding]:
        """The failing checks that involve this unit's fields."""
        ids = set(unit.field_ids)
        return [f for f in self.findings if ids.intersection(f.fields)]

    def effective_state(self, unit: Unit) -> str:
        """The state shown to people: not started becomes in progress once something is answered."""
        state = self.state(unit).state
        if state == NOT_STARTED and self.started(unit):
            return "in_progress"
        return state
