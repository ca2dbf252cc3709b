"""The soft checks a template declares, read from its YAML: plausibility limits, auditor content rules and
how narratives' figures are read."""

from __future__ import annotations

from typing import Any

from workflows.model import (
    ERROR,
    NARRATIVE,
    WARNING,
    ContentRule,
    Field,
    Plausibility,
    Template,
    TemplateError,
)


def plausibility(spec: dict[str, Any], fields: dict[str, Field]) -> Plausibility:
    """The template's plausibility limits (soft warnings), checked against its fields."""
    ceilings = {str(k): float(v) for k, v in (spec.get("ceilings") or {}).items()}
    for fid in ceilings:
        if fid not in fields:
            raise TemplateError("plausibility.ceilings names unknown field {id!r}", id=fid)
    return Plausibility(float(spec.get("ratio", 5)), float(spec.get("min_previous", 10)), ceilings)


def content_rule(spec: dict[str, Any], template: Template, fields: dict[str, Field]) -> ContentRule:
    """One auditor content rule of the template, checked against its sections and fields."""
    rule_id = str(spec.get("id") or "")
    if not rule_id or not spec.get("message"):
        raise TemplateError("content rule {rule}: needs an id and a message", rule=rule_id or "?")
    severity = str(spec.get("severity", WARNING))
    if severity not in (ERROR, WARNING):
        raise TemplateError("content rule {rule}: severity must be error or warning", rule=rule_id)
    section = spec.get("section")
    if section is not None:
        try:
            narratives = tuple(
                fid for fid in template.section(str(section)).field_ids() if fields[fid].type == NARRATIVE
            )
        except KeyError:
            raise TemplateError(
                "content rule {rule}: unknown section {section!r}", rule=rule_id, section=section
            ) from None
    else:
        narratives = (str(spec.get("field", "")),)
        if narratives[0] not in fields:
            raise TemplateError("content rule {rule}: unknown field {id!r}", rule=rule_id, id=narratives[0])
    return ContentRule(
        id=rule_id,
        severity=severity,
        message=str(spec["message"]),
        message_en=str(spec.get("message_en", spec["message"])),
        fields=narratives,
        section=str(section) if section is not None else None,
        refuse=tuple(str(x) for x in spec.get("refuse") or ()),
        min_length=spec.get("min_length"),
        max_length=spec.get("max_length"),
        mention_all=tuple(tuple(str(w) for w in group) for group in spec.get("mention_all") or ()),
        when=tuple(str(p) for p in spec.get("when") or ()),
        require=str(spec["require"]) if spec.get("require") else None,
    )


def figure_rules(data: dict[str, Any], fields: dict[str, Field]) -> Any:
    """How the template reads figures in narratives (``narrative_figures``, topics, ignored clauses)."""
    from workflows.narrative_figures import FigureRules, concept_from_spec  # the checker owns its format

    concepts = tuple(concept_from_spec(spec) for spec in data.get("narrative_figures") or [])
    for concept in concepts:
        for reading in (*concept.readings, *concept.inclusive):
            for fid in reading:
                if fid not in fields:
                    raise TemplateError(
                        "narrative figure {name}: unknown field {id!r}", name=concept.name, id=fid
                    )
    topics = {str(k): str(v) for k, v in (data.get("narrative_topics") or {}).items()}
    ignore = tuple(str(p) for p in data.get("narrative_ignore") or ())
    return FigureRules(concepts, topics, ignore)
