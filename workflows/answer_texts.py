"""What a person typed for a step, read into values; and how answers, clashes and warnings are worded.

Kept apart from the conversation, which decides what happens; this module only reads and words.
"""

from __future__ import annotations

from storage.contract import Store
from workflows.i18n import t
from workflows.numbers import split_row
from workflows.prompts import row_text, zero_button
from workflows.replies import Action, Button, Outcome, Reply, stamp
from workflows.units import ROW, TEXT_STEP, Step
from workflows.validation import Finding, coerce
from workflows.wording import excerpt, finding_lines, value_text


def parse_answer(fields_of, step: Step, text: str, lang: str, seq: int) -> tuple[dict, dict, Outcome | None]:
    """A step's values from the typed text (with what was typed per field), or the reply that refuses it."""
    fields = [fields_of[fid] for fid in step.field_ids]
    if step.kind != ROW:
        value, problem = coerce(fields[0], text)
        if problem is not None:
            return {}, {}, Outcome().say(problem.render(lang) + "\n" + t(lang, "Please send it again."))
        return {fields[0].id: value}, {fields[0].id: text}, None
    split = split_row(text, len(fields))
    if split.problem is not None:
        message = t(
            lang,
            "“{text}” could be one number or {count}. Please separate the numbers with spaces, "
            "for example 100 200 300.",
            text=split.problem.params["text"],
            count=split.problem.params["count"],
        )
        return {}, {}, Outcome().say(message, (zero_button(seq, lang),))
    if len(split.parts) != len(fields):
        message = t(
            lang,
            "{label}: expected {count} numbers ({columns}), got {got}. Please send the whole row again.",
            label=step.label,
            count=len(fields),
            columns="、".join(step.columns),
            got=len(split.parts),
        )
        return {}, {}, Outcome().say(message, (zero_button(seq, lang),))
    values, problems = {}, []
    for field_, part, column in zip(fields, split.parts, step.columns, strict=True):
        value, problem = coerce(field_, part)
        if problem is not None:
            # Name the column rather than repeating the row: 「· 自然人：“x”不是有效数字…」.
            detail = problem.render(lang).removeprefix(field_.label).lstrip("：: ")
            problems.append(f"· {column}：{detail}")
        else:
            values[field_.id] = value
    if problems:
        lines = [t(lang, "{label}: not saved.", label=step.label), *problems]
        lines.append(t(lang, "Please send the whole row again."))
        return {}, {}, Outcome().say("\n".join(lines))
    return values, {fid: text for fid in values}, None


def shown(step: Step, values: dict, lang: str) -> str:
    """An answer as a person is shown it: 「自然人 3、法人 0」, 「12.5」, 「120 字，“全年…”」."""
    if step.kind == TEXT_STEP:
        text = str(values.get(step.field_ids[0]) or "")
        return t(lang, "{count} characters, “{start}”", count=len(text), start=excerpt(text, 30))
    if step.kind == ROW:
        return row_text(step, values)
    return value_text(values.get(step.field_ids[0]))


def who(store: Store, by: str, me: str, lang: str) -> str:
    """The name of whoever saved a version (「你（在另一会话中）」 for oneself)."""
    if by == me:
        return t(lang, "you (in another chat)")
    contact = store.get_contact(int(by.split(":")[1])) if by.startswith("user:") else None
    return contact.name if contact and contact.name else t(lang, "a colleague")


def clash(step: Step, theirs: str, mine: str, name: str, when: str, seq: int, lang: str) -> Outcome:
    """「未保存：在你填写期间，钱法规已于 10:12 保存了…」, with 用我的覆盖 and 保留对方的."""
    lines = [
        t(
            lang,
            "Not saved: while you were answering, {who} saved “{label}” at {when}: {theirs}",
            who=name,
            label=step.label,
            when=when,
            theirs=theirs,
        ),
        t(lang, "Yours: {mine}", mine=mine),
    ]
    buttons = (
        Button(t(lang, "Save mine instead"), Action.of("overwrite", seq)),
        Button(t(lang, "Keep theirs"), Action.of("keep", seq)),
    )
    return Outcome().say("\n".join(lines), buttons)


def warnings_reply(
    ack: str, warnings: list[Finding], section_id: str, number: int, step: Step, lang: str
) -> Reply:
    """The acknowledgement with the warnings a saved answer raised: confirm them, or answer again."""
    confirm_label = (
        t(lang, "The text is right") if step.kind == TEXT_STEP else t(lang, "The figures are right")
    )
    lines = [ack, *finding_lines(lang, warnings), t(lang, "Please check; confirm if it is right.")]
    buttons = (
        Button(confirm_label, Action.of("okwarn", section_id, number, warnings_stamp(warnings))),
        Button(t(lang, "Answer again"), Action.of("edit", section_id, number, stamp(step.field_ids))),
    )
    return Reply("\n".join(x for x in lines if x), (buttons,))


def warnings_stamp(warnings: list[Finding]) -> str:
    """A fingerprint of a set of warnings (a confirmation button holds for exactly these)."""
    return stamp(sorted(f.key() for f in warnings))


def saved_text(step: Step, values: dict, fields: dict, lang: str) -> str:
    """「✓ 已记录：…」: what was just saved, as the person will read it back."""
    if step.kind == TEXT_STEP:
        text = values[step.field_ids[0]]
        return t(lang, "✓ Saved “{label}” ({count} characters).", label=step.label, count=len(text))
    if step.kind == ROW:
        return t(lang, "✓ Saved: {label}: {values}", label=step.label, values=row_text(step, values))
    field_ = fields[step.field_ids[0]]
    return t(
        lang,
        "✓ Saved: {label} = {value}{unit}",
        label=field_.label,
        value=value_text(values[field_.id]),
        unit=field_.unit if field_.numeric else "",
    )
