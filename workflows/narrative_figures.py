"""Narrative figures checked against the tables: 「全年新收政府信息公开申请40件」 beside a table 三 of 34.

A narrative is cut into sentences and clauses. Every number with a counting unit (件, 条, 宗, 万元 …) is
a mention; the words around it in its clause name what it counts, by the template's concepts
(``narrative_figures`` in the template: cue patterns and the table cells each concept may mean). A
concept usually has several readings (「受理…749件」 is 新收 alone, or 新收 plus 上年结转); a mention
agrees with the tables when any reading whose cells are known adds up to it. Only a number that agrees
with no reading is reported, quoting the sentence, the number and the cells it should match. Numbers
whose clause names no concept, changes (较上年增加…), shares (占…%), dates and ranks are left alone:
a false alarm costs more than a miss.

Breakdowns follow the topic of the sentence: in 「收到申请127件，其中自然人120件、法人或其他组织7件」
the 自然人 figure is a column of the row the sentence is about.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from workflows.model import NARRATIVE, WARNING
from workflows.numbers import format_number, parse_number
from workflows.validation import Finding
from workflows.wording import excerpt

COUNT_UNITS = ("件", "宗", "起", "个", "项", "条", "份", "次", "人次", "家", "篇")
AMOUNT_UNITS = ("万元", "元")
_NUMBER = re.compile(
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万]+)"
    r"\s*(?P<unit>万元|人次|[件宗起个项条份次家篇元])"
)
_CLAUSE = re.compile(r"[，,；;：:、。！？!?\n]")


@dataclass(frozen=True)
class Concept:
    """A table quantity the narrative may state: what cues it, which cells it may mean, its unit."""

    name: str
    name_en: str
    cues: tuple[re.Pattern[str], ...]
    readings: tuple[tuple[str, ...], ...]
    unit: str = "件"
    topic: str | None = None  # the row this concept is about, for breakdowns by column or result
    needs_topic: str | None = None  # a breakdown: only within a sentence about this topic


def concept_from_spec(spec: Mapping[str, Any]) -> Concept:
    """Read one ``narrative_figures`` entry of a template."""
    cues = tuple(re.compile(str(cue)) for cue in spec.get("cues") or ())
    readings = tuple(tuple(str(f) for f in reading) for reading in spec.get("readings") or ())
    if not spec.get("name") or not cues or not readings:
        raise ValueError(f"narrative figure {spec.get('name')!r}: needs a name, cues and readings")
    return Concept(
        str(spec["name"]),
        str(spec.get("name_en", spec["name"])),
        cues,
        readings,
        str(spec.get("unit", "件")),
        spec.get("topic"),
        spec.get("needs_topic"),
    )


@dataclass(frozen=True)
class Mention:
    """A number in a narrative, what it was read as, and whether the tables agree."""

    sentence: str
    number: Decimal
    shown: str
    concept: Concept
    expected: tuple[Decimal, ...]  # the value of each reading whose cells are known
    cells: tuple[str, ...]  # the cells of the first known reading

    @property
    def agrees(self) -> bool:
        """Whether any reading adds up to the number."""
        return any(self.number == value for value in self.expected)


# Words that make a number something other than a table figure.
IGNORE_BEFORE = re.compile(
    r"(较上年|比上年|同比|较去年|较\d{4}年|增加|减少|增长|上升|下降|减少了|增加了|第|约|近|超过|累计|平均|人均|占)$"
)
IGNORE_AFTER = re.compile(r"^(%|％|年|月|日|号|时|余|多|以上|左右|百分点)")


def sentences(text: str) -> list[str]:
    """A narrative cut into sentences (。！？ and line ends)."""
    return [s.strip() for s in re.split(r"(?<=[。！？!?])|\n+", text) if s and s.strip()]


def _value(number: str, unit: str, concept_unit: str) -> Decimal | None:
    parsed = parse_number(number + (unit if unit in AMOUNT_UNITS else ""), concept_unit)
    return parsed if isinstance(parsed, Decimal) else None


def _units_fit(unit: str, concept_unit: str) -> bool:
    return (unit in AMOUNT_UNITS) == (concept_unit in AMOUNT_UNITS)


def _clause_bounds(sentence: str, position: int) -> tuple[int, int]:
    starts = [m.end() for m in _CLAUSE.finditer(sentence, 0, position)]
    end = _CLAUSE.search(sentence, position)
    return (starts[-1] if starts else 0), (end.start() if end else len(sentence))


def _best_concept(
    clause_before: str, clause_after: str, concepts: list[Concept], topic: str | None
) -> Concept | None:
    """The concept whose cue ends nearest before the number (or, failing that, starts just after it)."""
    best: tuple[int, Concept] | None = None
    for concept in concepts:
        if concept.needs_topic is not None and concept.needs_topic != topic:
            continue
        for cue in concept.cues:
            for match in cue.finditer(clause_before):
                distance = len(clause_before) - match.end()
                if best is None or distance < best[0] or (distance == best[0] and len(match.group()) > 0):
                    best = (distance, concept)
    if best is not None:
        return best[1]
    for concept in concepts:
        if concept.needs_topic is not None and concept.needs_topic != topic:
            continue
        if any(cue.match(clause_after) for cue in concept.cues):
            return concept
    return None


def _reading_values(concept: Concept, values: Mapping[str, Any]) -> list[tuple[Decimal, tuple[str, ...]]]:
    known = []
    for reading in concept.readings:
        parts = [values.get(fid) for fid in reading]
        if all(isinstance(p, int | Decimal) and not isinstance(p, bool) for p in parts):
            known.append((sum((Decimal(p) for p in parts), Decimal(0)), reading))
    return known


def mentions(text: str, concepts: list[Concept], values: Mapping[str, Any]) -> list[Mention]:
    """Every table figure the narrative states, read against ``values`` (the tables, totals included)."""
    found: list[Mention] = []
    for sentence in sentences(text):
        topic: str | None = None
        for match in _NUMBER.finditer(sentence):
            start, end = match.span()
            before, after = sentence[:start], sentence[end:]
            if IGNORE_BEFORE.search(before.rstrip()) or IGNORE_AFTER.match(after):
                continue
            clause_start, clause_end = _clause_bounds(sentence, start)
            concept = _best_concept(sentence[clause_start:start], sentence[end:clause_end], concepts, topic)
            if concept is None:
                continue
            if concept.topic is not None:
                topic = concept.topic
            if not _units_fit(match.group("unit"), concept.unit):
                continue
            number = _value(match.group("number"), match.group("unit"), concept.unit)
            known = _reading_values(concept, values)
            if number is None or not known:
                continue
            found.append(
                Mention(sentence, number, match.group(0), concept, tuple(v for v, _ in known), known[0][1])
            )
    return found


MSG_NARRATIVE = "{label}: in “{sentence}”, {number} does not match the tables: {concept} is {expected} there"
RULE = "narrative.figure"


def narrative_findings(template, values: Mapping[str, Any]) -> list[Finding]:
    """A warning for each narrative figure that agrees with no reading of the tables."""
    findings = []
    for fid, field_ in template.fields.items():
        text = values.get(fid)
        if field_.type != NARRATIVE or not isinstance(text, str) or not text:
            continue
        for mention in mentions(text, template.figure_concepts, values):
            if mention.agrees:
                continue
            cells = " + ".join(template.fields[c].label for c in mention.cells)
            expected = " / ".join(dict.fromkeys(format_number(v) for v in mention.expected))
            params = {
                "label": field_.label,
                "sentence": excerpt(mention.sentence, 60),
                "number": mention.shown,
                "concept": f"{mention.concept.name}（{cells}）",
                "expected": expected,
            }
            english = {"concept": f"{mention.concept.name_en} ({cells})"}
            findings.append(
                Finding(WARNING, MSG_NARRATIVE, params, (fid, *mention.cells), RULE, english, owners=(fid,))
            )
    return findings
