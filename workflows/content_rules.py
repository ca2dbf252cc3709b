"""What auditors require of the wording: 五 names problems and fixes, 六 states the 信息处理费, texts fit.

Each rule comes from the template (``content_rules``, docs/templates.md) with an id, a severity and its
message in Chinese and English. An error blocks a submission; a warning asks for confirmation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from workflows.assembly import markup
from workflows.model import ContentRule, Template
from workflows.validation import Finding

_PUNCTUATION = re.compile(r"[\s。，、；：.,;:!！?？…（）()“”\"'‘’]")


def says_nothing(text: str, refuse: tuple[str, ...]) -> bool:
    """Whether a text is one of the answers that say nothing (「无」「暂无问题。」), punctuation aside."""
    bare = _PUNCTUATION.sub("", text)
    return not bare or bare in {_PUNCTUATION.sub("", r) for r in refuse}


def content_findings(template: Template, values: Mapping[str, Any]) -> list[Finding]:
    """Every content rule a set of narratives breaks (parts not written yet are gaps, not findings)."""
    findings = []
    for rule in template.content_rules:
        texts = [str(values[fid]) for fid in rule.fields if isinstance(values.get(fid), str) and values[fid]]
        if not texts:
            continue
        problem = _broken(rule, texts)
        if problem is not None:
            label = (
                template.section(rule.section).title
                if rule.section
                else template.fields[rule.fields[0]].label
            )
            params = {"label": label, **problem}
            findings.append(
                Finding(
                    rule.severity,
                    rule.message,
                    params,
                    rule.fields,
                    f"content.{rule.id}",
                    message_en=rule.message_en,
                )
            )
    return findings


def _broken(rule: ContentRule, texts: list[str]) -> dict[str, str] | None:
    # Counted and read as printed: the bold markers of 「**科技政策执行阳光透明。**」 are not words.
    text = "\n".join(markup.printed(t) for t in texts)
    length = len(_PUNCTUATION.sub("", text))
    if rule.refuse and says_nothing(text, rule.refuse):
        return {"length": str(length)}
    if rule.min_length is not None and length < rule.min_length:
        return {"length": str(length), "min": str(rule.min_length)}
    if rule.max_length is not None and length > rule.max_length:
        return {"length": str(length), "max": str(rule.max_length)}
    missing = [group[0] for group in rule.mention_all if not any(word in text for word in group)]
    if missing:
        return {"missing": "、".join(missing)}
    if rule.require and any(re.search(p, text) for p in rule.when) and not re.search(rule.require, text):
        return {"length": str(length)}
    return None
