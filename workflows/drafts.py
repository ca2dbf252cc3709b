"""A narrative written in parts: each message adds a part to the draft until the person says it is done."""

from __future__ import annotations

from workflows.i18n import t
from workflows.position import Position
from workflows.replies import Action, Button, Outcome
from workflows.validation import clean_text

MAX_NARRATIVE = 20000


def _too_long(lang: str) -> Outcome:
    return Outcome().say(
        t(
            lang,
            "Too long: at most {max} characters in one answer. This part was "
            "not added; send {cmd_done} to save what you have.",
            max=MAX_NARRATIVE,
        )
    )


def _with_done(position: Position, text: str, lang: str) -> Outcome:
    return Outcome().say(text, (Button(t(lang, "Done"), Action.of("done", position.seq)),))


def add_part(position: Position, field_id: str, text: str, lang: str) -> Outcome:
    """Add a message to the draft of ``field_id`` (the caller saves the position)."""
    cleaned = clean_text(text)
    if not cleaned:
        return Outcome().say(t(lang, "That message had no text. Send the text, then {cmd_done}."))
    draft = [*position.drafts.get(field_id, []), cleaned]
    if sum(len(part) for part in draft) > MAX_NARRATIVE:
        return _too_long(lang)
    if field_id not in position.drafts:
        position.draft_base[field_id] = position.seen.get(field_id, 0)
    position.drafts[field_id] = draft
    count = sum(len(part) for part in draft)
    received = t(
        lang,
        "Received part {n} ({count} characters so far). Send more, or {cmd_done} when finished.",
        n=len(draft),
        count=count,
    )
    return _with_done(position, received, lang)


def replace_part(
    position: Position, field_id: str, index: int, began: int | None, text: str, lang: str
) -> Outcome | None:
    """An edited message replaces its part of the draft that ``began`` at that field version; None if
    that draft was saved or set aside since (a newer draft of the field is another text)."""
    draft = list(position.drafts.get(field_id, []))
    if not 0 <= index < len(draft) or position.draft_base.get(field_id) != began:
        return None
    cleaned = clean_text(text)
    if not cleaned:
        return Outcome().say(t(lang, "That message had no text. Send the text, then {cmd_done}."))
    draft[index] = cleaned
    if sum(len(part) for part in draft) > MAX_NARRATIVE:
        return _too_long(lang)
    position.drafts[field_id] = draft
    count = sum(len(part) for part in draft)
    replaced = t(
        lang,
        "Your edit replaced part {n}: the draft now has {count} characters. Send more, or {cmd_done} when "
        "finished.",
        n=index + 1,
        count=count,
    )
    if position.fields != [field_id]:  # asked something else now: 完成 would finish nothing
        return Outcome().say(replaced)
    return _with_done(position, replaced, lang)
