"""Content rules count and read a narrative as it prints: markup is not text."""

from __future__ import annotations

from workflows.content_rules import content_findings
from workflows.model import ContentRule, Field, Template


def _template(rule: ContentRule) -> Template:
    fields = {"a": Field("a", "概述", type="text")}
    template = Template(id="t", name="t", name_en="t", title="t", sections=[], fields=fields, rules=[])
    template.content_rules = [rule]
    return template


def _length_findings(text: str, **limits: int):
    rule = ContentRule("len", "warning", "{length}", "{length}", fields=("a",), **limits)
    return content_findings(_template(rule), {"a": text})


def test_bold_markers_are_not_counted():
    lead = "1. **科技政策执行阳光透明。**"  # 11 characters print, 「1.」 and 「。」 aside: 「1科技政策执行阳光透明」
    assert not _length_findings(lead + "全" * 9, max_length=20)
    [finding] = _length_findings(lead + "全" * 10, max_length=20)
    assert finding.params["length"] == "21"
    [finding] = _length_findings("**" + "问" * 5 + "**", min_length=6)
    assert finding.params["length"] == "5"


def test_stars_that_are_not_markup_print_and_count():
    # Only a leading **…** is a bold lead-in; anywhere else the stars are typed text and print.
    [finding] = _length_findings("问题**一**", max_length=3)
    assert finding.params["length"] == "7"
