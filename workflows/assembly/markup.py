"""The little markup a narrative may use, read into paragraphs of plain runs (docs/templates.md).

Three things and nothing else: a line starting with （一）/（二）… is a sub-heading (up to its first 。; the
rest of the line runs on in body text), a line starting with 1. / 1、 starts a paragraph of its own with
its number as typed, and ``**text**`` at the start of a paragraph (or right after its number) is a bold
lead-in. Everything else, unbalanced ``**`` included, is text exactly as typed: this module only cuts
strings, it never builds XML or evaluates anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TEXT, HEADING, BOLD, BREAK = "text", "heading", "bold", "break"
_SUBHEADING = re.compile(r"[（(][一二三四五六七八九十]{1,3}[）)]")
# 「1.」「2、」「3．」 but not 「1.5万元」 or 「2018年」.
_NUMBERED = re.compile(r"\d{1,2}[.．、](?!\d)\s*")
_BOLD_LEAD = re.compile(r"\*\*(?=\S)(.+?)\*\*")


@dataclass(frozen=True)
class Run:
    """A piece of a paragraph: text, sub-heading text, bold lead-in text, or a line break."""

    kind: str
    text: str = ""


@dataclass(frozen=True)
class Paragraph:
    """One printed paragraph; ``heading`` when it is a sub-heading standing alone."""

    runs: tuple[Run, ...]
    heading: bool = False


def _paragraph_start(line: str) -> list[Run]:
    """The runs of a line that opens a paragraph: a numbered line's number, then a bold lead-in if any."""
    runs: list[Run] = []
    number = _NUMBERED.match(line)
    if number:
        runs.append(Run(TEXT, line[: number.end()]))
        line = line[number.end() :]
    bold = _BOLD_LEAD.match(line)
    if bold:
        runs.append(Run(BOLD, bold.group(1)))
        line = line[bold.end() :]
    if line:
        runs.append(Run(TEXT, line))
    return runs


def parse(text: str) -> list[Paragraph]:
    """Cut a narrative into paragraphs: at blank lines, and before every sub-heading or numbered line."""
    out: list[Paragraph] = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        block = block.strip()
        if not block:
            continue
        runs: list[Run] = []
        for line in block.split("\n"):
            bare = line.strip()
            if _SUBHEADING.match(bare):
                if runs:
                    out.append(Paragraph(tuple(runs)))
                head, stop, rest = bare.partition("。")
                if not rest.strip():  # a heading line of its own: 「（一）主要问题」
                    out.append(Paragraph((Run(HEADING, bare),), heading=True))
                    runs = []
                else:  # run in: 「（一）改进情况。针对…」 keeps its text in the same paragraph
                    runs = [Run(HEADING, head + stop), Run(TEXT, rest)]
            elif _NUMBERED.match(bare):
                if runs:
                    out.append(Paragraph(tuple(runs)))
                runs = _paragraph_start(bare)
            elif not runs:
                runs = _paragraph_start(line)
            else:  # a single newline stays a line break inside the paragraph
                runs += [Run(BREAK), Run(TEXT, line)]
        if runs:
            out.append(Paragraph(tuple(runs)))
    return out


def printed(text: str) -> str:
    """The narrative as it prints, without the markup: what a length limit counts (「**」 is not text)."""
    return "\n".join(
        "".join("\n" if run.kind == BREAK else run.text for run in paragraph.runs)
        for paragraph in parse(text)
    )
