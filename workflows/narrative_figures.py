"""Narrative figures checked against the tables: 「全年新收政府信息公开申请40件」 beside a table 三 of 34.

A narrative is cut into sentences and clauses. Every number with a counting unit (件, 条, 宗, 万元 …) is a
mention; the words around it in its clause name what it counts, by the template's ``narrative_figures``
(concepts: cue patterns and the table cells each may mean) and ``narrative_topics`` (what a sentence is
about so far: applications, 规章, 行政复议 …, for cues such as 「维持」 or 「废止」 that mean something only
within a topic). A concept usually has several readings (「受理…749件」 is 新收 alone, or 新收 plus 上年结转);
a mention agrees with the tables when any reading whose cells are known adds up to it. Only a number
that agrees with no reading is reported, quoting the sentence, the number and the cells it should
match. A number whose clause names no concept, a change (较上年增加…), a share (占…%), a date or a rank
is left alone: a false alarm costs more than a miss. Built and measured on real published sentences
(tests/workflows/narrative_corpus.yaml).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from workflows.model import NARRATIVE, WARNING
from workflows.numbers import format_number, parse_number
from workflows.validation import Finding
from workflows.wording import excerpt

AMOUNT_UNITS = ("万元", "元")
NO_TOPIC = "none"  # as a concept's topic: the sentence has named none so far
_NUMBER = re.compile(
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万]+)"
    r"\s*(?P<unit>万元|人次|件次|[件宗起个项条份次家篇例元])"
)
_CLAUSE = re.compile(r"[，,；;：:。！？!?()（）\n]")
_SOFT = "、"  # within a clause, an enumeration: a cue beyond it counts as much farther away
# An enumerated item with words of its own (「行政许可93条、行政执法37条」, 「11条行政许可、2条规划信息」)
# names its own subject: a cue in an earlier item does not reach it. Only bare items (「…分别为5件、3件」)
# or items of these words alone inherit one.
_OWN_WORDS = re.compile(r"[\u4e00-\u9fff](?<![共各为是有达计其中及和与])")
# Words that make a number something other than a table figure: a change, a share, a rank, an estimate.
_IGNORE_BEFORE = re.compile(
    r"(较上年|比上年|同比|较去年|环比|较\d{4}年|增加了?|减少了?|增长了?|上升了?|下降了?|多了|少了|第|约|近|超过|"
    r"累计达|平均|人均|占|每|历年共计|历年)\s*$"
)
_IGNORE_AFTER = re.compile(
    r"^\s*(%|％|年|月|日|号|时|个?百分点|余|多|以上|以下|左右|万(?!元)|亿|个?(工作日|自然日|小时|月|星期)|天|周)"
)
_INCLUSIVE = re.compile(r"^\s*[(（]\s*含")


@dataclass(frozen=True)
class Concept:
    """A table quantity the narrative may state: what cues it, which cells it may mean, its unit."""

    name: str
    name_en: str
    cues: tuple[str, ...]  # regular expressions; {last_year}, {this_year}, {next_year} are filled in
    readings: tuple[tuple[str, ...], ...]
    unit: str = "件"
    needs_topic: tuple[str, ...] = ()  # only within a sentence about one of these ("none": no topic named)
    inclusive: tuple[tuple[str, ...], ...] = ()  # the readings of 「N件（含…）」, when it has its own
    exclude: str | None = None  # not when the sentence so far matches this (留言, 信箱: not requests)
    not_between: str | None = None  # a cue does not count when this stands between it and the number
    requires: str | None = None  # only when the sentence so far matches this (「公开…其中规章11条」)
    fallback: bool = False  # only when no other concept's cue is in the clause (a bare 「规章11条」)
    suggest: bool = False  # named in the narrative prompts as a figure writers may insert


def concept_from_spec(spec: Mapping[str, Any]) -> Concept:
    """Read one ``narrative_figures`` entry of a template."""
    cues = tuple(alternative for cue in spec.get("cues") or () for alternative in _alternatives(str(cue)))
    readings = tuple(tuple(str(f) for f in reading) for reading in spec.get("readings") or ())
    if not spec.get("name") or not cues or not readings:
        raise ValueError(f"narrative figure {spec.get('name')!r}: needs a name, cues and readings")
    topics = spec.get("topic") or ()
    return Concept(
        str(spec["name"]),
        str(spec.get("name_en", spec["name"])),
        cues,
        readings,
        str(spec.get("unit", "件")),
        (topics,) if isinstance(topics, str) else tuple(topics),
        tuple(tuple(str(f) for f in reading) for reading in spec.get("inclusive") or ()),
        str(spec["exclude"]) if spec.get("exclude") else None,
        str(spec["not_between"]) if spec.get("not_between") else None,
        str(spec["requires"]) if spec.get("requires") else None,
        bool(spec.get("fallback", False)),
        bool(spec.get("suggest", False)),
    )


def _alternatives(pattern: str) -> list[str]:
    """A cue's top-level alternatives, searched one by one so that overlapping cues all count
    (in 「结转下年度继续办理」 both 「结转下年」 and 「下年度继续办理」 are found, and the longer wins)."""
    parts, depth, start, escaped = [], 0, 0, False
    for index, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
    parts.append(pattern[start:])
    return [part for part in parts if part]


@functools.cache
def _compiled(pattern: str, year: int) -> re.Pattern[str]:
    filled = pattern.replace("{last_year}", str(year - 1)).replace("{this_year}", str(year))
    return re.compile(filled.replace("{next_year}", str(year + 1)))


@dataclass(frozen=True)
class FigureRules:
    """A template's way of reading narrative figures: concepts, topics, clauses that hold no figure."""

    concepts: tuple[Concept, ...] = ()
    topics: Mapping[str, str] = field(default_factory=dict)
    ignore: tuple[str, ...] = ()  # a number ending a clause that matches one of these is not checked


@dataclass(frozen=True)
class Mention:
    """A number in a narrative, what it was read as, and whether the tables agree."""

    sentence: str
    span: tuple[int, int]  # where the number is, in the text checked
    number: Decimal
    shown: str
    concept: Concept
    expected: tuple[Decimal, ...]  # the value of each reading whose cells are known
    cells: tuple[str, ...]  # the cells of the first known reading

    @property
    def agrees(self) -> bool:
        """Whether any reading adds up to the number."""
        return any(self.number == value for value in self.expected)


def sentences(text: str) -> list[tuple[int, str]]:
    """A narrative cut into sentences (。！？ and line ends), each with where it starts."""
    out, start = [], 0
    for match in re.finditer(r"[。！？!?]|\n+", text):
        out.append((start, text[start : match.end()]))
        start = match.end()
    out.append((start, text[start:]))
    return [(offset, s) for offset, s in out if s.strip()]


def _topic(before: str, clause_after: str, topics: Mapping[str, str], year: int) -> str | None:
    """What the sentence is about at this point: the topic whose marker ends last before the number
    (the longest on a tie), else the first one named after it in its clause (「收到4件…申请」)."""
    best: tuple[int, int, str] | None = None
    for name, pattern in topics.items():
        for match in _compiled(pattern, year).finditer(before):
            key = (match.end(), len(match.group()), name)
            if best is None or key[:2] > best[:2]:
                best = key
    if best is not None:
        return best[2]
    following = [
        (m.start(), name) for name, p in topics.items() if (m := _compiled(p, year).search(clause_after))
    ]
    return min(following)[1] if following else None


def _applies(concept: Concept, topic: str | None, sentence_before: str, year: int) -> bool:
    if concept.needs_topic and (topic or NO_TOPIC) not in concept.needs_topic:
        return False
    if concept.requires is not None and not _compiled(concept.requires, year).search(sentence_before):
        return False
    return concept.exclude is None or not _compiled(concept.exclude, year).search(sentence_before)


def _concept(
    before: str, after: str, concepts: list[Concept], topic: str | None, sentence_before: str, year: int
) -> Concept | None:
    """The concept whose cue is nearest the number in its clause: before it, else after it."""
    concepts = [c for c in concepts if _applies(c, topic, sentence_before, year)]
    for group in ([c for c in concepts if not c.fallback], [c for c in concepts if c.fallback]):
        found = _nearest(before, after, group, year)
        if found is not None:
            return found
    return None


def _nearest(before: str, after: str, concepts: list[Concept], year: int) -> Concept | None:
    best: tuple[int, int, Concept] | None = None
    item = before.rsplit(_SOFT, 1)
    own = len(item) == 2 and bool(_OWN_WORDS.search(item[1] + after.split(_SOFT)[0]))
    reach = len(item[0]) if own else 0
    for concept in concepts:
        for cue in concept.cues:
            for match in _compiled(cue, year).finditer(before, reach):
                gap = before[match.end() :]
                if concept.not_between and _compiled(concept.not_between, year).search(gap):
                    continue
                key = (len(gap) + 1000 * gap.count(_SOFT), -len(match.group()))
                if best is None or key < best[:2]:
                    best = (*key, concept)
    if best is not None:
        return best[2]
    for concept in concepts:
        for cue in concept.cues:
            match = _compiled(cue, year).search(after.split(_SOFT)[0])
            if match is not None:
                key = (match.start(), -len(match.group()))
                if best is None or key < best[:2]:
                    best = (*key, concept)
    return best[2] if best else None


def _known(
    readings: tuple[tuple[str, ...], ...], values: Mapping[str, Any]
) -> list[tuple[Decimal, tuple[str, ...]]]:
    known = []
    for reading in readings:
        parts = [values.get(fid) for fid in reading]
        if all(isinstance(p, int | Decimal) and not isinstance(p, bool) for p in parts):
            known.append((sum((Decimal(p) for p in parts), Decimal(0)), reading))
    return known


def mentions(text: str, rules: FigureRules, values: Mapping[str, Any], year: int = 0) -> list[Mention]:
    """Every table figure the narrative states, read against ``values`` (the tables, totals included)."""
    concepts, topics = list(rules.concepts), rules.topics
    ignore = [_compiled(pattern, year) for pattern in rules.ignore]
    found: list[Mention] = []
    for offset, sentence in sentences(text):
        found += _one_figure_each(
            _sentence_mentions(sentence, offset, concepts, topics, ignore, values, year)
        )
    return found


def _one_figure_each(found: list[Mention]) -> list[Mention]:
    """A sentence naming one quantity twice (「办结行政许可事项9110件…公示行政许可55条」) states the table's
    figure at most once: when one of them agrees, the others count something else and are not read."""
    agreeing = {m.concept.name for m in found if m.agrees}
    return [m for m in found if m.agrees or m.concept.name not in agreeing]


def _sentence_mentions(
    sentence: str,
    offset: int,
    concepts: list[Concept],
    topics: Mapping[str, str],
    ignore: list[re.Pattern[str]],
    values: Mapping[str, Any],
    year: int,
) -> list[Mention]:
    """Every table figure one sentence states (``offset``: where the sentence starts in the text)."""
    found: list[Mention] = []
    for match in _NUMBER.finditer(sentence):
        start, end = match.span("number")
        before, after = sentence[:start], sentence[match.end() :]
        if _IGNORE_BEFORE.search(before) or _IGNORE_AFTER.match(sentence[end:]):
            continue
        clause_start = max((m.end() for m in _CLAUSE.finditer(sentence, 0, start)), default=0)
        clause_end = _CLAUSE.search(sentence, match.end())
        clause_after = after[: clause_end.start() - match.end()] if clause_end else after
        clause = sentence[clause_start:start]
        if any(pattern.search(clause) for pattern in ignore):
            continue  # e.g. 「其中网上申请11件」: by channel, not a row of table 三
        topic = _topic(before, clause_after, topics, year)
        concept = _concept(clause, clause_after, concepts, topic, before + clause_after, year)
        if concept is None or (match.group("unit") in AMOUNT_UNITS) != (concept.unit in AMOUNT_UNITS):
            continue
        number = parse_number(
            match.group("number") + (match.group("unit") if concept.unit in AMOUNT_UNITS else ""),
            concept.unit,
        )
        readings = concept.readings
        if _INCLUSIVE.match(after):
            if not concept.inclusive:
                continue  # 「规章13件（含新制定5件…）」: a total of something else
            readings = concept.inclusive
        known = _known(readings, values)
        if not isinstance(number, Decimal) or not known:
            continue
        span = (offset + start, offset + end)
        expected = tuple(v for v, _ in known)
        found.append(Mention(sentence.strip(), span, number, match.group(0), concept, expected, known[0][1]))
    return found


MSG_NARRATIVE = "{label}: in “{sentence}”, {number} does not match the tables: {concept} is {expected} there"
RULE = "narrative.figure"


def narrative_findings(template, values: Mapping[str, Any], year: int = 0) -> list[Finding]:
    """A warning for each narrative figure that agrees with no reading of the tables."""
    findings = []
    for fid, field_ in template.fields.items():
        text = values.get(fid)
        if field_.type != NARRATIVE or not isinstance(text, str) or not text:
            continue
        for mention in mentions(text, template.figures, values, year):
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


_NAME = re.compile(r"\{([^{}\s]{1,24})\}")


@dataclass(frozen=True)
class Inserted:
    """A run of a narrative as printed: plain text, or a table figure a writer named (「{新收申请}」)."""

    text: str
    missing: str | None = None  # the figure's name, when its cells are not answered yet


def figure_value(concept: Concept, values: Mapping[str, Any]) -> Decimal | None:
    """The value a writer's 「{name}」 prints: the concept's first reading, when its cells are known."""
    known = _known(concept.readings[:1], values)
    return known[0][0] if known else None


def insert_figures(text: str, concepts: list[Concept], values: Mapping[str, Any]) -> list[Inserted]:
    """A narrative with every 「{name}」 of a known figure replaced by its value from the tables.

    Anything else in braces is the writer's own text and stays as typed."""
    by_name = {c.name: c for c in concepts}
    out, position = [], 0
    for match in _NAME.finditer(text):
        concept = by_name.get(match.group(1))
        if concept is None:
            continue
        out.append(Inserted(text[position : match.start()]))
        value = figure_value(concept, values)
        out.append(Inserted(format_number(value)) if value is not None else Inserted("", concept.name))
        position = match.end()
    out.append(Inserted(text[position:]))
    return [piece for piece in out if piece.text or piece.missing]
