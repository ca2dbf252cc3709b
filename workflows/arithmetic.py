"""The report's own arithmetic: derived values, identities between figures, and what is still missing."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from workflows.expressions import Expression
from workflows.model import ERROR, Field, Rule, Template
from workflows.numbers import format_number
from workflows.validation import Finding, Value, coerce, unknown_field

MSG_RULE_EQUAL = "{name}: {left_label} {left} does not match {right_label} {right} (difference {diff})"
MSG_RULE_ABOVE = "{name}: {left_label} {left} is more than {right_label} {right}"
MSG_RULE_BELOW = "{name}: {left_label} {left} is less than {right_label} {right}"
MSG_DERIVED = "{label}: {given} was entered, but {name} is {computed}"
LAST_YEAR_ZH, LAST_YEAR_EN = "上年", "last year's "


@dataclass
class Figures:
    """Every value of a report: what people gave, what was computed, and last year's."""

    template: Template
    given: dict[str, Value]
    values: dict[str, Value]
    previous: dict[str, Value]
    derived: set[str] = field(default_factory=set)

    def asked(self, field_: Field) -> bool:
        """Whether a person owes this value: not derived, or derived from last-year figures we lack."""
        derivation = field_.derivation
        if derivation is None:
            return True
        last_year = derivation.expression.fields(last_year=True)
        return bool(last_year) and any(self.previous.get(fid) is None for fid in last_year)

    def missing(self, field_ids: list[str] | None = None) -> list[Field]:
        """Return the required fields a person still has to answer, in document order."""
        ids = field_ids if field_ids is not None else list(self.template.fields)
        fields = (self.template.fields[fid] for fid in ids)
        return [f for f in fields if f.required and self.values.get(f.id) is None and self.asked(f)]


STORED_EXPONENT = re.compile(r"\d+(\.\d+)?E\+\d+")


def read_answers(template: Template, raw: Mapping[str, Any]) -> tuple[dict[str, Value], list[Finding]]:
    """Coerce raw answers (typed, from a file or from storage) into values, collecting every problem."""
    values: dict[str, Value] = {}
    findings: list[Finding] = []
    for field_id, value in raw.items():
        field_ = template.fields.get(field_id)
        if field_ is None:
            findings.append(unknown_field(field_id, template.id))
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue  # a blank in a file means "not answered yet", which `missing` reports
        if isinstance(value, str) and STORED_EXPONENT.fullmatch(value):
            value = format(Decimal(value), "f")  # a round amount as reportbot ≤ 0.1 stored it ('1E+1')
        coerced, problem = coerce(field_, value)
        if problem is not None:
            findings.append(problem)
        elif coerced is not None:
            values[field_id] = coerced
    return values, findings


def compute(template: Template, given: Mapping[str, Value], previous: Mapping[str, Value]) -> Figures:
    """Fill in every derived value that can be computed; keep given values where it cannot."""
    values: dict[str, Value] = {}
    derived: set[str] = set()
    numbers_prev = {k: v for k, v in previous.items() if not isinstance(v, str)}

    def value_of(fid: str) -> Value | None:
        if fid in values:
            return values[fid]
        field_ = template.fields[fid]
        result: Value | None = None
        if field_.derivation is not None:
            operands = {dep: value_of(dep) for dep in field_.derivation.expression.fields()}
            result = field_.derivation.expression.evaluate(
                {k: v for k, v in operands.items() if v is not None and not isinstance(v, str)}, numbers_prev
            )
            if result is not None:
                derived.add(fid)
        if result is None:
            result = given.get(fid)
        if result is not None:
            values[fid] = result
        return result

    for fid in template.fields:
        value_of(fid)
    return Figures(template, dict(given), values, dict(previous), derived)


def previous_figures(
    template: Template, raw: Mapping[str, Any] | None
) -> tuple[dict[str, Value], list[Finding]]:
    """Read last year's figures (a cycle of the same template), computing its own totals."""
    if not raw:
        return {}, []
    given, findings = read_answers(template, raw)
    return compute(template, given, {}).values, findings


def _side_label(template: Template, expression: Expression, explicit: str, english: bool) -> str:
    if explicit:
        return explicit
    names = []
    for term in expression.terms:
        if term.field is None:
            names.append(format_number(term.constant))
            continue
        label = template.fields[term.field].label
        prefix = (LAST_YEAR_EN if english else LAST_YEAR_ZH) if term.last_year else ""
        names.append(("-" if term.sign < 0 else "") + prefix + label)
    if len(names) > 3:
        return (
            f"{names[0]} … {names[-1]} ({len(names)} items)"
            if english
            else f"{names[0]}至{names[-1]}等{len(names)}项之和"
        )
    return " + ".join(names).replace("+ -", "- ")


def check_rule(rule: Rule, figures: Figures) -> Finding | None:
    """Return a finding when the rule's figures are all known and disagree."""
    numeric = {k: v for k, v in figures.values.items() if not isinstance(v, str)}
    previous = {k: v for k, v in figures.previous.items() if not isinstance(v, str)}
    left = rule.comparison.left.evaluate(numeric, previous)
    right = rule.comparison.right.evaluate(numeric, previous)
    if left is None or right is None or rule.comparison.holds(left, right):
        return None
    message = {"=": MSG_RULE_EQUAL, "<=": MSG_RULE_ABOVE, ">=": MSG_RULE_BELOW}[rule.comparison.op]
    template = figures.template
    params = {
        "name": rule.name or rule.id,
        "left_label": _side_label(template, rule.comparison.left, rule.left_label, False),
        "right_label": _side_label(template, rule.comparison.right, rule.right_label, False),
        "left": format_number(left),
        "right": format_number(right),
        "diff": format_number(abs(Decimal(left) - Decimal(right))),
    }
    english = {"name": rule.name_en or params["name"]}
    if not rule.left_label:
        english["left_label"] = _side_label(template, rule.comparison.left, "", True)
    if not rule.right_label:
        english["right_label"] = _side_label(template, rule.comparison.right, "", True)
    return Finding(rule.severity, message, params, tuple(rule.fields()), rule.id, english)


def check_figures(figures: Figures) -> list[Finding]:
    """Check entered totals against their computation, then every rule of the template."""
    findings: list[Finding] = []
    for fid in sorted(figures.derived & set(figures.given), key=list(figures.template.fields).index):
        field_ = figures.template.fields[fid]
        given, computed = figures.given[fid], figures.values[fid]
        if Decimal(given) != Decimal(computed):
            derivation = field_.derivation
            findings.append(
                Finding(
                    ERROR,
                    MSG_DERIVED,
                    {
                        "label": field_.label,
                        "given": format_number(given),
                        "computed": format_number(computed),
                        "name": derivation.name,
                    },
                    (fid, *derivation.expression.fields()),
                    f"derived:{fid}",
                    {"name": derivation.name_en},
                )
            )
    for rule in figures.template.rules:
        finding = check_rule(rule, figures)
        if finding is not None:
            findings.append(finding)
    return findings


@dataclass
class CheckResult:
    """Everything ``reportbot check`` reports about a set of answers."""

    figures: Figures
    findings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        """The findings that block."""
        return [f for f in self.findings if f.blocking]

    @property
    def warnings(self) -> list[Finding]:
        """The findings that only warn."""
        return [f for f in self.findings if not f.blocking]


def check_answers(
    template: Template, raw: Mapping[str, Any], previous_raw: Mapping[str, Any] | None = None
) -> CheckResult:
    """Read, compute and check a whole set of answers (and last year's, when given)."""
    previous, previous_findings = previous_figures(template, previous_raw)
    given, findings = read_answers(template, raw)
    figures = compute(template, given, previous)
    return CheckResult(figures, [*previous_findings, *findings, *check_figures(figures)])


def only_fields(findings: list[Finding], field_ids: set[str]) -> list[Finding]:
    """Return the findings that involve at least one of ``field_ids`` (a section's share of them)."""
    return [f for f in findings if field_ids.intersection(f.fields)]
