"""The rule catalogue in docs/ is the one the code generates (so it never falls behind the templates)."""

from pathlib import Path

from workflows.catalogue import catalogue_document
from workflows.loader import bundled_templates, load_template

ROOT = Path(__file__).resolve().parents[2]


def test_docs_rules_md_is_current():
    generated = catalogue_document([load_template(ref) for ref in bundled_templates()])
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == generated, (
        "run: reportbot rules > docs/rules.md"
    )


def test_every_rule_id_a_finding_can_carry_is_listed():
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule_id in (
        "field.unknown",
        "field.invalid",
        "field.missing",
        "plausibility.ratio",
        "plausibility.ceiling",
        "narrative.figure",
        "content.problems.substance",
        "content.other.fees",
        "t3.flow",
    ):
        assert f"`{rule_id}`" in text, rule_id
