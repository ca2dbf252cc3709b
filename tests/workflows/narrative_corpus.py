"""Score the narrative-figure checker on real sentences from published reports (narrative_corpus.yaml).

Each report's tables are rebuilt from what its sentences say (a careful reader's annotation: which
cells each figure states) and from the table values the report itself showed; every other cell gets a
value no sentence states. Then:

- a false alarm is a warning on a figure whose annotated reading agrees with the tables, or on a
  number the annotator found not to be a table figure at all;
- the catch rate is the share of annotated, agreeing figures that are flagged once their number in
  the sentence is changed by one.

Run ``python -m tests.workflows.narrative_corpus`` to print the score and every miss and false alarm.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

from workflows.loader import load_template
from workflows.narrative_figures import _NUMBER, mentions
from workflows.numbers import parse_number

CORPUS = Path(__file__).with_name("narrative_corpus.yaml")
CORPUS_2018 = Path(__file__).with_name("narrative_corpus_2018.yaml")
# Gathered after the checker was built, from other reports: never tuned against.
HOLDOUT = Path(__file__).with_name("narrative_corpus_holdout.yaml")
# The old format's 附表, as the 2018 corpus names its cells, in the 2018 template's ids.
OLD_CELLS = {
    "old.proactive.items": "appendix.proactive.year",
    "old.channel.website": "appendix.proactive_web.year",
    "old.channel.gazette": "appendix.proactive_gazette.year",
    "old.requests.total": "appendix.requests.year",
    "old.requests.in_person": "appendix.requests_in_person.year",
    "old.requests.online": "appendix.requests_online.year",
    "old.requests.letter": "appendix.requests_mail.year",
    "old.replies.total": "appendix.replies.year",
    "old.replies.granted": "appendix.replies_granted.year",
    "old.replies.partial": "appendix.replies_partial.year",
    "old.replies.denied": "appendix.replies_denied.year",
    "old.review.total": "appendix.reviews.year",
    "old.litigation.total": "appendix.lawsuits.year",
}
# Rows of table 三 that a sentence names as a group (「不予公开3件」) or by one reason (「属于国家秘密1件」).
# A sentence that gives a reason lists what the report has of that group: the other reasons are 0.
GROUPS = [
    [
        f"t3.denied_{r}.total"
        for r in (
            "state_secret",
            "other_law",
            "three_safety",
            "third_party",
            "internal",
            "process",
            "enforcement_file",
            "admin_query",
        )
    ],
    [f"t3.unable_{r}.total" for r in ("not_held", "needs_creation", "unclear")],
    [f"t3.not_processed_{r}.total" for r in ("petition", "repeat", "publication", "mass_repeat", "confirm")],
    [f"t3.other_{r}.total" for r in ("no_correction", "no_fee", "other")],
]


@dataclass
class Score:
    """What the checker did on the corpus."""

    figures: int = 0
    agreeing: int = 0
    caught: int = 0
    false_alarms: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    true_mismatches: int = 0

    @property
    def catch_rate(self) -> float:
        """Share of altered figures flagged."""
        return self.caught / self.agreeing if self.agreeing else 0.0


def _tokens(text: str) -> list[tuple[int, int, Decimal]]:
    out = []
    for match in _NUMBER.finditer(text):
        value = parse_number(match.group("number"), "")
        if isinstance(value, Decimal):
            out.append((match.start("number"), match.end("number"), value))
    return out


def _locate(text: str, figures: list[dict]) -> list[tuple[int, int] | None]:
    """Where each figure's number is in the sentence."""
    tokens = _tokens(text)
    spans, used = [], set()
    for figure in figures:
        number = Decimal(str(figure["number"]))
        span = None
        if figure.get("near"):
            start = text.find(figure["near"])
            span = next(
                ((s, e) for s, e, v in tokens if v == number and start <= s < start + len(figure["near"])),
                None,
            )
        else:
            span = next(((s, e) for s, e, v in tokens if v == number and (s, e) not in used), None)
        if span is not None:
            used.add(span)
        spans.append(span)
    return spans


def build_table(report: dict, fields: list[str], rng: random.Random) -> tuple[dict, list[bool]]:
    """The report's tables: its own values, then what its figures state, then unstated filler."""
    values: dict[str, Decimal] = {k: Decimal(str(v)) for k, v in (report.get("table") or {}).items()}
    agrees = []
    for sentence in report["sentences"]:
        for figure in sentence.get("figures") or []:
            number = Decimal(str(figure["number"]))
            # Every reading the annotator found reasonable is made true where the cells allow it.
            for cells in [figure["means"], *(figure.get("also") or [])]:
                unset = [c for c in cells if c not in values]
                known = sum((values[c] for c in cells if c in values), Decimal(0))
                if unset and number - known >= 0:
                    values[unset[0]] = number - known
                    for cell in unset[1:]:
                        values[cell] = Decimal(0)
            cells = figure["means"]
            for group in GROUPS:
                if set(cells) < set(group):
                    for cell in group:
                        values.setdefault(cell, Decimal(0))
            agrees.append(sum((values.get(c, Decimal(-1)) for c in cells), Decimal(0)) == number)
    for fid in fields:
        values.setdefault(fid, Decimal(rng.randint(1000, 9999)))
    return values, agrees


def _renamed(reports: list[dict], cells: dict[str, str]) -> list[dict]:
    """A corpus in another template's ids; a figure naming a cell that template lacks is not a figure."""
    for report in reports:
        report["table"] = {cells[k]: v for k, v in (report.get("table") or {}).items() if k in cells}
        for sentence in report["sentences"]:
            kept = []
            for figure in sentence.get("figures") or []:
                if all(c in cells for c in figure["means"]):
                    figure["means"] = [cells[c] for c in figure["means"]]
                    figure["also"] = [
                        [cells[c] for c in r] for r in figure.get("also") or [] if all(c in cells for c in r)
                    ]
                    kept.append(figure)
                else:
                    sentence.setdefault("other_numbers", []).append(figure["number"])
            sentence["figures"] = kept
    return reports


def score(
    template_id: str = "gov-disclosure-2021", corpus: Path = CORPUS, cells: dict | None = None
) -> Score:
    """Run the checker over a corpus (``cells`` renames the corpus's cell ids to the template's)."""
    template = load_template(template_id)
    numeric = [fid for fid, f in template.fields.items() if f.numeric]
    reports = yaml.safe_load(corpus.read_text(encoding="utf-8"))
    if cells is not None:
        reports = _renamed(reports, cells)
    result = Score()
    rng = random.Random(2021)
    for report in reports:
        values, agrees = build_table(report, numeric, rng)
        flags = iter(agrees)
        for sentence in report["sentences"]:
            text, figures = sentence["text"], sentence.get("figures") or []
            spans = _locate(text, figures)
            agreeing = [next(flags) for _ in figures]
            year = int(report.get("year") or 0)
            found = mentions(text, template.figures, values, year)
            by_span = {m.span: m for m in found}
            annotated = {span for span in spans if span}
            for mention in found:
                if not mention.agrees and mention.span not in annotated:
                    result.false_alarms.append(
                        f"{text}\n    unannotated {mention.shown} read as {mention.concept.name}"
                    )
            for figure, span, agree in zip(figures, spans, agreeing, strict=True):
                result.figures += 1
                mention = by_span.get(span)
                if not agree:
                    result.true_mismatches += 1
                    continue
                if mention is not None and not mention.agrees:
                    result.false_alarms.append(
                        f"{text}\n    {figure['number']} read as {mention.concept.name} {mention.cells}"
                    )
                    continue
                result.agreeing += 1
                if span is None:
                    result.misses.append(
                        f"{text}\n    {figure['number']} {figure['means']}: not found in the text"
                    )
                    continue
                altered = text[: span[0]] + str(Decimal(str(figure["number"])) + 1) + text[span[1] :]
                again = mentions(altered, template.figures, values, year)
                hit = [m for m in again if m.span[0] == span[0]]
                if hit and not hit[0].agrees:
                    result.caught += 1
                else:
                    reading = hit[0].concept.name if hit else "nothing"
                    result.misses.append(
                        f"{text}\n    {figure['number']} {figure['means']}: read as {reading}"
                    )
    return result


def main() -> None:
    """Print the score, the false alarms and the misses (argument ``2018`` or ``holdout``: that corpus)."""
    import sys

    which = sys.argv[1:2]
    if which == ["2018"]:
        result = score("gov-disclosure-2018", CORPUS_2018, OLD_CELLS)
    else:
        result = score(corpus=HOLDOUT) if which == ["holdout"] else score()
    for line in result.false_alarms:
        print("FALSE ALARM", line)
    for line in result.misses:
        print("MISS", line)
    print(
        f"figures {result.figures}, agreeing {result.agreeing}, caught {result.caught} "
        f"({result.catch_rate:.1%}), false alarms {len(result.false_alarms)}, real mismatches {result.true_mismatches}"
    )


if __name__ == "__main__":
    main()
