"""One report cycle seen through the store: units, steps, figures and review states, computed on demand."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from storage.contract import Store
from storage.records import NOT_STARTED, Cycle, Department, SectionState
from workflows.arithmetic import Figures, compute, previous_figures, read_answers
from workflows.audit import audit
from workflows.model import Template
from workflows.replies import stamp
from workflows.units import Step, Unit, steps_for, units_for
from workflows.validation import Finding
from workflows.workdays import WorkCalendar


def previous_cycle_id(store: Store, cycle: Cycle) -> str | None:
    """The cycle whose figures are “last year's”: same template and period, the year before."""
    for other in store.list_cycles():
        if (
            other.template_id == cycle.template_id
            and other.period == cycle.period
            and other.year == cycle.year - 1
        ):
            return other.id
    return None


@dataclass
class ReportSession:
    """The state of one report cycle. Cheap to build; build a new one per request."""

    store: Store
    template: Template
    cycle: Cycle
    previous_fallback: Mapping[str, Any] | None = None
    calendar: WorkCalendar | None = None  # lateness is counted in its working days

    @property
    def workdays(self) -> WorkCalendar:
        """The working-day calendar deadlines are counted in."""
        return self.calendar or WorkCalendar.default()

    @property
    def cycle_id(self) -> str:
        """The cycle's id: everything it holds is keyed by it."""
        return self.cycle.id

    @property
    def year(self) -> int:
        """The report year the cycle covers."""
        return self.cycle.year

    def refreshed(self) -> ReportSession:
        """A new view of the same cycle, after writes (cached values are dropped)."""
        return ReportSession(self.store, self.template, self.cycle, self.previous_fallback, self.calendar)

    @cached_property
    def departments(self) -> list[Department]:
        """The departments taking part, in configured order (removed ones are history only)."""
        return [d for d in self.store.list_departments() if d.active]

    @cached_property
    def units(self) -> list[Unit]:
        """Every assigned section, in document order."""
        return units_for(self.template, self.departments)

    @cached_property
    def _units_by_department(self) -> dict[str, list[Unit]]:
        # Views walk every department: an index keeps them linear in departments + sections.
        index: dict[str, list[Unit]] = {}
        for unit in self.units:
            index.setdefault(unit.department_id, []).append(unit)
        return index

    def units_of(self, department_id: str) -> list[Unit]:
        """The sections one department writes."""
        return self._units_by_department.get(department_id, [])

    def unit(self, section_id: str) -> Unit | None:
        """The unit for a section id, or None."""
        return self._units_by_section.get(section_id)

    @cached_property
    def _units_by_section(self) -> dict[str, Unit]:
        return {u.section_id: u for u in self.units}

    def department(self, department_id: str) -> Department | None:
        """A department by id."""
        return next((d for d in self.departments if d.id == department_id), None)

    @cached_property
    def previous(self) -> dict[str, Any]:
        """Last year's figures: the previous cycle in the store, else the configured file."""
        previous_id = previous_cycle_id(self.store, self.cycle)
        stored = (
            {fid: v.value for fid, v in self.store.current_answers(previous_id).items()}
            if previous_id
            else {}
        )
        raw = stored or dict(self.previous_fallback or {})
        return previous_figures(self.template, raw)[0]

    @cached_property
    def answers(self) -> dict:
        """The current answer of every answered field (with who gave it, when, and its version)."""
        return self.store.current_answers(self.cycle_id)

    @cached_property
    def figures(self) -> Figures:
        """This cycle's figures, derived values included."""
        given, _ = read_answers(self.template, {fid: v.value for fid, v in self.answers.items()})
        return compute(self.template, given, self.previous)

    @cached_property
    def findings(self) -> list[Finding]:
        """Every check that currently fails: arithmetic, plausibility, narrative figures, wording."""
        return audit(self.figures, self.year)

    @cached_property
    def section_states(self) -> dict[str, SectionState]:
        """Every stored section state of the cycle."""
        return self.store.list_section_states(self.cycle_id)

    def steps(self, unit: Unit) -> list[Step]:
        """The prompts of a unit."""
        return steps_for(self.template, unit, self.figures.asked)

    def answered(self, step: Step) -> bool:
        """Whether every field of a step has a value."""
        return all(self.figures.values.get(fid) is not None for fid in step.field_ids)

    def first_open_step(
        self, unit: Unit, after: int = -1, skip: set[tuple[str, ...]] = frozenset()
    ) -> int | None:
        """The first unanswered step after ``after`` (wrapping round) and not in ``skip``; None if none.

        Optional parts (the 2021 template's lead paragraph under 一、总体情况) are not asked in turn: a writer
        who wants one adds it from the section's 修改 menu, and nobody is held up by it."""
        steps = self.steps(unit)
        order = [*range(after + 1, len(steps)), *range(0, min(after + 1, len(steps)))]
        fields = self.template.fields
        return next(
            (
                i
                for i in order
                if not self.answered(steps[i])
                and any(fields[fid].required for fid in steps[i].field_ids)
                and steps[i].field_ids not in skip
            ),
            None,
        )

    def state(self, unit: Unit) -> SectionState:
        """The review state of a unit."""
        return self.section_states.get(unit.section_id) or SectionState(self.cycle_id, unit.section_id)

    def started(self, unit: Unit) -> bool:
        """Whether any field of the unit has an answer."""
        return any(fid in self.answers for fid in unit.field_ids)

    def unit_findings(self, unit: Unit) -> list[Finding]:
        """The failing checks that involve this unit's fields, in the audit's order."""
        positions = {p for fid in unit.field_ids for p in self._findings_by_field.get(fid, ())}
        return [self.findings[p] for p in sorted(positions)]

    @cached_property
    def _findings_by_field(self) -> dict[str, list[int]]:
        index: dict[str, list[int]] = {}
        for position, finding in enumerate(self.findings):
            for fid in dict.fromkeys(finding.subject):
                index.setdefault(fid, []).append(position)
        return index

    def open_warnings(self, step: Step) -> list[Finding]:
        """The warnings on a step's fields that nobody has confirmed yet."""
        confirmed = self.store.confirmed_findings(self.cycle_id)
        ids = set(step.field_ids)
        return [
            f
            for f in self.findings
            if not f.blocking and ids.intersection(f.subject) and f.key() not in confirmed
        ]

    def effective_state(self, unit: Unit) -> str:
        """The state shown to people: not started becomes in progress once something is answered."""
        state = self.state(unit).state
        if state == NOT_STARTED and self.started(unit):
            return "in_progress"
        return state

    def versions(self, field_ids: tuple[str, ...] | list[str]) -> dict[str, int]:
        """The current version number of each field (0 if never answered)."""
        return self.store.answer_versions(self.cycle_id, list(field_ids))

    def content_stamp(self, unit: Unit) -> str:
        """A fingerprint of a unit's answers and review state (a button made for them sees changes)."""
        versions = self.versions(unit.field_ids)
        return stamp([self.state(unit).version, *(versions[f] for f in unit.field_ids)])
