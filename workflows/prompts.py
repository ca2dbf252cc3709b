"""The texts of the department conversation's prompts: one figure, one table row, or one narrative."""

from __future__ import annotations

from workflows.i18n import t
from workflows.numbers import format_number
from workflows.replies import Action, Button, Reply
from workflows.session import ReportSession
from workflows.units import ROW, TEXT_STEP, Step, Unit
from workflows.wording import excerpt, value_text


def prompt(
    session: ReportSession, unit: Unit, number: int, seq: int, lang: str, draft: list[str] | None = None
) -> Reply:
    """Ask for step ``number`` of a unit: its labels, unit, what is saved now and last year's value."""
    steps = session.steps(unit)
    step = steps[number]
    head = t(lang, "【{title}】 item {n} of {total}", title=unit.title, n=number + 1, total=len(steps))
    values, previous = session.figures.values, session.previous
    if step.kind == TEXT_STEP:
        field_ = session.template.fields[step.field_ids[0]]
        lines = [head, t(lang, "Please write: {label}", label=step.label)]
        if field_.hint:
            lines.append(field_.hint)
        if values.get(field_.id):
            lines.append(t(lang, "Saved now: {text}", text=excerpt(str(values[field_.id]), 80)))
            lines.append(t(lang, "What you send now replaces it."))
        if draft:
            lines.append(
                t(
                    lang,
                    "Already received, not yet saved: {n} parts ({count} characters).",
                    n=len(draft),
                    count=sum(map(len, draft)),
                )
            )
        names = [f"{{{c.name}}}" for c in session.template.figures.concepts if c.suggest]
        if names:
            lines.append(
                t(
                    lang,
                    "To print a figure from the tables, write its name in braces: {names}",
                    names="".join(names),
                )
            )
        lines.append(
            t(
                lang,
                "Layout: a line starting with （一） is a sub-heading, 1. keeps its number, "
                "**text** opening a paragraph is bold.",
            )
        )
        lines.append(
            t(lang, "You may send it in several messages; when finished send {cmd_done} or press Done.")
        )
        return Reply("\n".join(lines), ((Button(t(lang, "Done"), Action.of("done", seq)),),))
    unit_text = t(lang, " (unit: {unit})", unit=step.unit) if step.unit else ""
    if unit_text and unit_text.strip() in step.label:
        unit_text = ""  # the label names it already, as a column header does: 「本年收费金额（单位：万元）」
    if step.kind == ROW:
        lines = [
            head,
            step.label,
            t(
                lang,
                "Enter {count} numbers in this order, separated by spaces: {columns}{unit}",
                count=len(step.field_ids),
                columns="、".join(step.columns),
                unit=unit_text,
            ),
        ]
        now_values = [values.get(fid) for fid in step.field_ids]
        if all(v is not None for v in now_values):
            lines.append(t(lang, "Saved now: {values}", values=" ".join(map(format_number, now_values))))
        last = [previous.get(fid) for fid in step.field_ids]
        if any(v is not None for v in last):
            shown = " ".join(format_number(v) if v is not None else "—" for v in last)
            lines.append(t(lang, "Last year: {values}", values=shown))
        return Reply("\n".join(lines), ((zero_button(seq, lang),),))
    fid = step.field_ids[0]
    lines = [head, t(lang, "Please enter: {label}{unit}", label=step.label, unit=unit_text)]
    if values.get(fid) is not None:
        lines.append(t(lang, "Saved now: {values}", values=value_text(values[fid])))
    if previous.get(fid) is not None:
        lines.append(t(lang, "Last year: {values}", values=value_text(previous[fid])))
    return Reply("\n".join(lines))


def zero_button(seq: int, lang: str) -> Button:
    """「本行全部为 0」 for the row prompt ``seq``."""
    return Button(t(lang, "All 0"), Action.of("zero", seq))


def derived_note(session: ReportSession, step: Step, lang: str) -> str:
    """「已计算：合计 42」 for the totals a saved row feeds."""
    shown = []
    for fid in step.derived_ids:
        value = session.figures.values.get(fid)
        if value is not None:
            shown.append(f"{session.template.fields[fid].label} {format_number(value)}")
    return t(lang, "Computed: {values}", values="；".join(shown)) if shown else ""


def row_text(step: Step, values: dict) -> str:
    """「自然人 3、法人 0」: each column of a row with the value it got."""
    return "、".join(
        f"{column} {format_number(values[fid])}"
        for column, fid in zip(step.columns, step.field_ids, strict=True)
    )
