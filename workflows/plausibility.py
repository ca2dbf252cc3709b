"""Figures that are possible but unlikely: far from last year's, or above what the template finds believable.

These are soft warnings: the writer confirms them with one button (or corrects the figure); they never
block a submission. Limits come from the template's ``plausibility`` entry (docs/templates.md).
"""

from __future__ import annotations

from decimal import Decimal

from workflows.arithmetic import Figures
from workflows.model import WARNING
from workflows.numbers import format_number
from workflows.validation import Finding

MSG_RATIO_UP = "{label}: {value} is {times} times last year's {previous}; please check it"
MSG_RATIO_DOWN = "{label}: {value} is less than 1/{ratio} of last year's {previous}; please check it"
MSG_CEILING = (
    "{label}: {value} is more than {ceiling}, which is unusual; please check the figure and its unit"
)
RATIO, CEILING = "plausibility.ratio", "plausibility.ceiling"


def plausibility_findings(figures: Figures) -> list[Finding]:
    """A warning for each given figure far from last year's, or above its ceiling."""
    settings = figures.template.plausibility
    ratio, floor = Decimal(str(settings.ratio)), Decimal(str(settings.min_previous))
    findings = []
    for fid, value in figures.given.items():
        field_ = figures.template.fields[fid]
        if not field_.numeric or fid in figures.derived or isinstance(value, str):
            continue
        value = Decimal(value)
        previous = figures.previous.get(fid)
        if isinstance(previous, int | Decimal) and Decimal(previous) >= floor:
            previous = Decimal(previous)
            params = {
                "label": field_.label,
                "value": format_number(value),
                "previous": format_number(previous),
            }
            if value > previous * ratio:
                times = format_number((value / previous).quantize(Decimal("0.1")))
                findings.append(Finding(WARNING, MSG_RATIO_UP, {**params, "times": times}, (fid,), RATIO))
            elif value * ratio < previous:
                params["ratio"] = format_number(ratio)
                findings.append(Finding(WARNING, MSG_RATIO_DOWN, params, (fid,), RATIO))
        ceiling = settings.ceilings.get(fid)
        if ceiling is not None and value > Decimal(str(ceiling)):
            shown = f"{format_number(Decimal(str(ceiling)))}{field_.unit}"
            params = {
                "label": field_.label,
                "value": f"{format_number(value)}{field_.unit}",
                "ceiling": shown,
            }
            findings.append(Finding(WARNING, MSG_CEILING, params, (fid,), CEILING))
    return findings
