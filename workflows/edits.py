"""An edited message counts: where it answered a prompt, the edit replaces that answer, or says why not.

A chat lets a person correct a message they sent; they expect the bot to take the correction as they would
a colleague. The edit is applied exactly where the message was an answer (its section and fields,
remembered in the person's position), with history, and only while that is still safe: the section is
not submitted, and nobody has changed those fields since the message was answered.
"""

from __future__ import annotations

from storage.records import APPROVED, SUBMITTED
from workflows import drafts, submission
from workflows.answer_texts import parse_answer, saved_text, warnings_reply, who
from workflows.conversation import Conversation
from workflows.i18n import t
from workflows.position import Position
from workflows.prompts import derived_note
from workflows.replies import Outcome
from workflows.units import TEXT_STEP

NOT_AN_ANSWER = (
    "Your edit changes nothing: that message did not answer a question I can still find. "
    "Send the answer again, or open {cmd_fill}."
)
NOT_APPLIED = "Your edit was not applied: {reason}"


def edit_answer(talks: list[Conversation], message_id: int, text: str, lang: str) -> Outcome:
    """Apply an edit in whichever open report the message answered (not only the one chosen now)."""
    talk = next((talk for talk in talks if str(message_id) in talk.position.answered), None)
    if talk is None:
        return Outcome().say(t(lang, NOT_AN_ANSWER))
    return apply_edit(talk, message_id, text)


def apply_edit(talk: Conversation, message_id: int, text: str) -> Outcome:
    """Apply an edited message where it was an answer, or say precisely why it cannot be."""
    lang = talk.lang
    entry = talk.position.answered.get(str(message_id))
    unit = talk.unit_of(entry["section"]) if entry else None
    steps = talk.session.steps(unit) if unit else []
    step = next((s for s in steps if list(s.field_ids) == entry["fields"]), None) if entry else None
    if entry is None or unit is None or step is None:
        return Outcome().say(t(lang, NOT_AN_ANSWER))
    state = talk.session.state(unit).state
    if state == APPROVED:
        return Outcome().say(t(lang, NOT_APPLIED, reason=t(lang, submission.APPROVED_NOTE)))
    if state == SUBMITTED:
        reason = t(lang, "this section has been submitted. To change it, open {cmd_fill} and press Change.")
        return Outcome().say(t(lang, NOT_APPLIED, reason=reason))
    if step.kind == TEXT_STEP:
        return _narrative(talk, entry, text)
    left = Position.versions_answered(entry)
    if list(step.field_ids) == talk.position.fields and talk.position.seen == left:
        return talk.text(text, message_id)  # still the open question: the edit is simply the answer
    now = talk.session.versions(step.field_ids)
    if now != left:
        answers, me = talk.session.answers, f"user:{talk.contact.user_id}"
        changed = next((answers[f] for f in step.field_ids if now[f] != left.get(f) and f in answers), None)
        by = changed.by if changed else ""
        reason = t(
            lang,
            "this answer was changed since, by {who}. To change it again, open {cmd_fill} and press Change.",
            who=t(lang, "you") if by == me else who(talk.store, by, me, lang),
        )
        return Outcome().say(t(lang, NOT_APPLIED, reason=reason))
    values, raw, problem = parse_answer(talk.session.template.fields, step, text, lang, talk.position.seq)
    if problem is not None:
        return Outcome().say(t(lang, NOT_APPLIED, reason=problem.replies[0].text))
    note = talk.save_values(unit, values, raw)
    talk.remember(message_id, unit, step)
    ack = t(
        lang,
        "Your edit was applied.\n{saved}",
        saved=saved_text(step, values, talk.session.template.fields, lang),
    )
    text = "\n".join(x for x in (ack, note, derived_note(talk.session, step, lang)) if x)
    warnings = talk.session.open_warnings(step)
    if warnings:  # the same 数字无误 question a typed answer gets
        return Outcome(
            replies=[warnings_reply(text, warnings, unit.section_id, steps.index(step), step, lang)]
        )
    return Outcome().say(text)


def _narrative(talk: Conversation, entry: dict, text: str) -> Outcome:
    field_id, part = entry["fields"][0], int(entry.get("part", -1))
    outcome = drafts.replace_part(talk.position, field_id, part, entry.get("draft"), text, talk.lang)
    if outcome is None:
        reason = t(
            talk.lang,
            "that message was part of a text that is no longer being written (it was saved or set "
            "aside). To change the text, open {cmd_fill} and press Change.",
        )
        return Outcome().say(t(talk.lang, NOT_APPLIED, reason=reason))
    talk.save_position()
    return outcome
