"""Everything checked about a report's answers, in one list: arithmetic, plausibility, narratives, wording.

Errors block a submission and keep the assembled document a draft; warnings are shown to the writer,
who confirms or corrects them, and to the coordinator.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from workflows.arithmetic import CheckResult, Figures, check_figures, compute, previous_figures, read_answers
from workflows.content_rules import content_findings
from workflows.model import ERROR, Template
from workflows.narrative_figures import narrative_findings
from workflows.plausibility import plausibility_findings
from workflows.validation import Finding

MSG_NOT_A_FIELD = "“{field}” is not a field of template {template}"
MSG_NOT_A_FIELD_HINT = "“{field}” is not a field of template {template}; did you mean “{suggestion}”?"


def audit(figures: Figures, year: int = 0) -> list[Finding]:
    """Every check on a set of figures: the template's rules, plausibility, narrative figures, content.

    ``year`` is the report year, for narratives that name years (「2022年结转」 in a 2023 report)."""
    template = figures.template
    return [
        *check_figures(figures),
        *plausibility_findings(figures),
        *narrative_findings(template, figures.values, year),
        *content_findings(template, figures.values),
    ]


def unknown_fields(template: Template, raw: Mapping[str, Any]) -> list[Finding]:
    """An error for each answer whose id the template does not know, with the nearest id it does."""
    findings = []
    for field_id in raw:
        if field_id in template.fields:
            continue
        close = difflib.get_close_matches(field_id, list(template.fields), n=1, cutoff=0.6)
        params = {"field": field_id, "template": template.id}
        if close:
            hint = {**params, "suggestion": close[0]}
            findings.append(Finding(ERROR, MSG_NOT_A_FIELD_HINT, hint, (field_id,), "field.unknown"))
        else:
            findings.append(Finding(ERROR, MSG_NOT_A_FIELD, params, (field_id,), "field.unknown"))
    return findings


def check_answers(
    template: Template, raw: Mapping[str, Any], previous_raw: Mapping[str, Any] | None = None, year: int = 0
) -> CheckResult:
    """Read, compute and check a whole set of answers (and last year's, when given)."""
    previous, previous_findings = previous_figures(template, previous_raw)
    known = {k: v for k, v in raw.items() if k in template.fields}
    given, findings = read_answers(template, known)
    figures = compute(template, given, previous)
    problems = [f if f.rule_id else _as_field_problem(f) for f in [*previous_findings, *findings]]
    return CheckResult(figures, [*unknown_fields(template, raw), *problems, *audit(figures, year)])


def _as_field_problem(finding: Finding) -> Finding:
    return replace(finding, rule_id="field.invalid")
