"""The department conversation: ask for exactly a department's sections, check as it goes, never lose a word.

Each person has a position of their own (``workflows.position``): the step they were shown, with the
versions of what it showed. An answer is stored exactly where the person was asked, and only if nobody
changed those fields meanwhile; otherwise they are told what was saved by whom, and choose. Buttons
carry the sequence number of the prompt they belong to: a button from an earlier prompt is refused
as expired instead of acting on whatever is being asked now.
"""

from __future__ import annotations

from datetime import datetime

from storage.records import APPROVED, IN_PROGRESS, RETURNED, SUBMITTED, Contact
from workflows import drafts, submission
from workflows.answer_texts import (
    clash,
    parse_answer,
    saved_text,
    shown,
    warnings_reply,
    warnings_stamp,
    who,
)
from workflows.i18n import t
from workflows.position import EDIT, Conflict, Position
from workflows.prompts import derived_note, prompt
from workflows.replies import Action, Button, Outcome, stamp
from workflows.session import ReportSession
from workflows.units import ROW, TEXT_STEP, Step, Unit
from workflows.validation import to_stored
from workflows.wording import excerpt, state_name

EXPIRED = "This button has expired."


class Conversation:
    """One contact talking to the bot about their department's sections in one cycle."""

    def __init__(self, session: ReportSession, contact: Contact, now: datetime) -> None:
        self.session = session
        self.contact = contact
        self.now = now
        self.lang = contact.lang
        self.store = session.store
        self.units = session.units_of(contact.department_id or "")
        self.position = Position.load(self.store.get_conversation(session.cycle_id, contact.user_id))

    # Position -----------------------------------------------------------------------------------------
    def save_position(self) -> None:
        """Keep this person's position (the caller's unit of work commits it)."""
        self.store.set_conversation(self.session.cycle_id, self.contact.user_id, self.position.dump())

    def unit_of(self, section_id: str | None) -> Unit | None:
        """One of this person's sections, by id (None if it is not theirs)."""
        return next((u for u in self.units if u.section_id == section_id), None)

    def _current(self) -> tuple[Unit | None, Step | None, int | None]:
        unit = self.unit_of(self.position.unit)
        if unit is None or not self.position.fields:
            return unit, None, None
        steps = self.session.steps(unit)
        for number, step in enumerate(steps):
            if list(step.field_ids) == self.position.fields:
                return unit, step, number
        return unit, None, None

    def _by(self) -> str:
        return f"user:{self.contact.user_id}"

    def _ask(self, outcome: Outcome, unit: Unit, number: int, ack: str = "", mode: str = "answer") -> Outcome:
        step = self.session.steps(unit)[number]
        seq = self.position.ask(step.field_ids, self.session.versions(step.field_ids), mode)
        self.save_position()
        reply = self._prompt(unit, number, step, seq)
        outcome.say(f"{ack}\n\n{reply.text}" if ack else reply.text, *reply.buttons)
        return outcome

    def _prompt(self, unit: Unit, number: int, step: Step, seq: int):
        # The question, with what the person has written of a narrative so far.
        return prompt(self.session, unit, number, seq, self.lang, self.position.drafts.get(step.field_ids[0]))

    def _next(self, unit: Unit, after: int, ack: str = "") -> Outcome:
        """Ask the next unanswered step after ``after`` (wrapping round), or show the summary.

        A step a colleague is being asked right now is left to them while another one is open, so two
        people filling one section at once take different rows."""
        self.session = self.session.refreshed()
        taken = self._colleagues_steps(unit)
        number = self.session.first_open_step(unit, after, skip=taken)
        if number is None:
            number = self.session.first_open_step(unit, after)
        if number is None:
            self.position.leave()
            self.save_position()
            return self.summary(unit.section_id, note=ack or None)
        return self._ask(Outcome(), unit, number, ack)

    def _colleagues_steps(self, unit: Unit) -> set[tuple[str, ...]]:
        taken = set()
        for colleague in self.store.list_contacts(department_id=self.contact.department_id):
            if colleague.user_id == self.contact.user_id or not colleague.active:
                continue
            position = self.store.get_conversation(self.session.cycle_id, colleague.user_id)
            if position.get("unit") == unit.section_id and position.get("fields"):
                taken.add(tuple(position["fields"]))
        return taken

    def _expired(self) -> Outcome:
        """Refuse a stale button, and show what is being asked now."""
        outcome = Outcome().say(t(self.lang, EXPIRED))
        unit, step, number = self._current()
        if step is not None:
            reply = self._prompt(unit, number, step, self.position.seq)
            outcome.say(reply.text, *reply.buttons)
        return outcome

    # Entry points -------------------------------------------------------------------------------------
    def menu(self) -> Outcome:
        """Fill: open the only section still to do, or list the department's sections to choose from."""
        if not self.units:
            return Outcome().say(t(self.lang, "Your department has no sections in this report."))
        todo = [u for u in self.units if self.session.state(u).state not in (SUBMITTED, APPROVED)]
        if len(self.units) == 1 or len(todo) == 1:
            return self.open((todo or self.units)[0].section_id)
        lines = [t(self.lang, "Your sections for the {year} report:", year=self.session.year)]
        buttons = []
        for index, unit in enumerate(self.units):
            state = state_name(self.lang, self.session.effective_state(unit))
            lines.append(f"{index + 1}. {unit.title}（{state}）")
            buttons.append(
                (Button(f"{index + 1}. {excerpt(unit.title, 24)}", Action.of("open", unit.section_id)),)
            )
        lines.append(t(self.lang, "Choose one to fill in or review."))
        return Outcome().say("\n".join(lines), *buttons)

    def open(self, section_id: str) -> Outcome:
        """Open one of the department's sections at its first unanswered step (or its summary)."""
        unit = self.unit_of(section_id)
        if unit is None:
            return Outcome().say(t(self.lang, submission.NOT_YOURS))
        self.position.unit = section_id
        if self.session.state(unit).state == APPROVED:
            self.position.leave()
            self.save_position()
            return self.summary(section_id, note=t(self.lang, submission.APPROVED_NOTE))
        return self._next(unit, -1)

    def text(self, text: str, message_id: int | None = None) -> Outcome:
        """A message from the contact: the answer to the prompt they were shown (remembered for edits)."""
        unit, step, number = self._current()
        if unit is None:
            return Outcome().say(t(self.lang, "Send {cmd_fill} to start filling in your sections."))
        if self.session.state(unit).state == APPROVED:
            return self.summary(unit.section_id, note=t(self.lang, submission.APPROVED_NOTE))
        if step is None:
            if self.session.first_open_step(unit) is None:
                note = t(
                    self.lang,
                    "This section is complete. Press Change to edit an answer, or Submit to submit it.",
                )
                return self.summary(unit.section_id, note=note)
            return self._next(unit, -1)
        parts = len(self.position.drafts.get(step.field_ids[0], ()))
        if step.kind == TEXT_STEP:
            outcome = self._narrative_part(step, text)
        else:
            outcome = self._figures(unit, step, number, text)
        if message_id is not None and self.position.conflict is None:
            self.remember(message_id, unit, step, parts)
        return outcome

    def remember(self, message_id: int, unit: Unit, step: Step, parts_before: int = 0) -> None:
        """Note that ``message_id`` answered ``step``, as its fields are now, so an edit can replace it."""
        more = {}
        if step.kind == TEXT_STEP:  # a narrative's part, while it is a draft
            parts = len(self.position.drafts.get(step.field_ids[0], ()))
            if parts == parts_before:
                return  # the part was refused
            # Which draft: a later one of the same field (after saving, then Change) is another text.
            more["part"], more["draft"] = parts - 1, self.position.draft_base.get(step.field_ids[0])
        versions = self.session.refreshed().versions(step.field_ids)
        self.position.remember(message_id, unit.section_id, step.field_ids, versions, **more)
        self.save_position()

    def all_zero(self, seq: str) -> Outcome:
        """「本行全部为 0」 on the row prompt ``seq``: zeros for exactly that row, if it is still asked."""
        unit, step, number = self._current()
        if str(self.position.seq) != seq or step is None or step.kind != ROW:
            return self._expired()
        return self._figures(unit, step, number, " ".join("0" for _ in step.field_ids))

    def done(self, seq: str | None = None) -> Outcome:
        """Done (完成): save the narrative received so far and move on."""
        unit, step, number = self._current()
        if seq is not None and str(self.position.seq) != seq:
            return self._expired()
        if step is None or step.kind != TEXT_STEP:
            return Outcome().say(
                t(self.lang, "There is no text being written right now. Send {cmd_fill} to continue.")
            )
        fid = step.field_ids[0]
        draft = self.position.drafts.get(fid)
        if not draft:
            return Outcome().say(
                t(
                    self.lang,
                    "Nothing received yet for “{label}”. Send the text first, then {cmd_done}.",
                    label=step.label,
                )
            )
        text = "\n\n".join(draft)
        base = {fid: self.position.draft_base.get(fid, self.position.seen.get(fid, 0))}
        conflict = self._conflict(unit, step, {fid: text}, {}, base)
        if conflict is not None:
            return conflict
        return self._saved_ack(unit, step, number, {fid: text}, {})

    def resolve(self, seq: str, overwrite: bool) -> Outcome:
        """The buttons under a conflict: store my answer after all, or keep what the other person saved."""
        unit, step, number = self._current()
        conflict = self.position.conflict
        if (
            str(self.position.seq) != seq
            or conflict is None
            or step is None
            or conflict.fields != list(step.field_ids)
        ):
            return self._expired()
        if not overwrite:
            for fid in conflict.values:
                self._drop_draft(fid)
            ack = t(
                self.lang,
                "Kept what was saved: {values}",
                values=shown(step, self.session.figures.values, self.lang),
            )
            return self._next(unit, number, ack)
        again = self._conflict(unit, step, conflict.values, conflict.raw, self.position.seen)
        if again is not None:
            return again
        return self._saved_ack(unit, step, number, conflict.values, conflict.raw)

    def edit_menu(self, section_id: str) -> Outcome:
        """修改: list the steps of a section so one can be answered again."""
        unit = self.unit_of(section_id)
        if unit is None:
            return Outcome().say(t(self.lang, submission.NOT_YOURS))
        if self.session.state(unit).state == APPROVED:
            return self.summary(section_id, note=t(self.lang, submission.APPROVED_NOTE))
        rows, row = [], []
        for number, step in enumerate(self.session.steps(unit)):
            action = Action.of("edit", section_id, number, stamp(step.field_ids))
            row.append(Button(f"{number + 1}. {excerpt(step.label, 18)}", action))
            if len(row) == 2:
                rows.append(tuple(row))
                row = []
        if row:
            rows.append(tuple(row))
        return Outcome().say(
            t(self.lang, "Which answer of “{title}” do you want to change?", title=unit.title), *rows
        )

    def edit(self, section_id: str, number: str, step_stamp: str) -> Outcome:
        """Ask one step again, whatever its current answer."""
        unit = self.unit_of(section_id)
        if unit is None:
            return Outcome().say(t(self.lang, submission.NOT_YOURS))
        steps = self.session.steps(unit)
        index = int(number) if number.isdigit() else -1
        if not 0 <= index < len(steps) or stamp(steps[index].field_ids) != step_stamp:
            return self._expired()
        if self.session.state(unit).state == APPROVED:
            return self.summary(section_id, note=t(self.lang, submission.APPROVED_NOTE))
        self.position.unit = section_id
        return self._ask(Outcome(), unit, index, mode=EDIT)

    # Answers ------------------------------------------------------------------------------------------
    def _figures(self, unit: Unit, step: Step, number: int, text: str) -> Outcome:
        fields = self.session.template.fields
        values, raw, problem = parse_answer(fields, step, text, self.lang, self.position.seq)
        if problem is not None:
            return problem
        conflict = self._conflict(unit, step, values, raw, self.position.seen)
        if conflict is not None:
            return conflict
        return self._saved_ack(unit, step, number, values, raw)

    def _conflict(
        self, unit: Unit, step: Step, values: dict, raw: dict, seen: dict[str, int]
    ) -> Outcome | None:
        """None if the fields are as the person saw them; otherwise say who changed them, and ask."""
        now = self.session.versions(step.field_ids)
        if all(now[fid] == seen.get(fid, 0) for fid in step.field_ids):
            return None
        answers = self.session.answers
        changed = next(
            (answers[f] for f in step.field_ids if now[f] != seen.get(f, 0) and f in answers), None
        )
        self.position.seen = now
        self.position.conflict = Conflict(
            list(step.field_ids), {k: to_stored(v) for k, v in values.items()}, raw, now
        )
        self.position.seq += 1
        self.save_position()
        zone = self.session.cycle.deadline.tzinfo
        return clash(
            step,
            shown(step, self.session.figures.values, self.lang),
            shown(step, values, self.lang),
            who(self.store, changed.by if changed else "", self._by(), self.lang),
            f"{changed.at.astimezone(zone):%H:%M}" if changed else "—",
            self.position.seq,
            self.lang,
        )

    def _saved_ack(self, unit: Unit, step: Step, number: int, values: dict, raw: dict) -> Outcome:
        note = self.save_values(unit, values, raw)
        ack = saved_text(step, values, self.session.template.fields, self.lang)
        self.session = self.session.refreshed()
        after = -1 if self.position.mode == EDIT else number
        text = "\n".join(x for x in (ack, note, derived_note(self.session, step, self.lang)) if x)
        warnings = self.session.open_warnings(step)
        if not warnings:
            return self._next(unit, after, text)
        # The warnings, with their buttons, first; then the next question in a message of its own.
        outcome = Outcome(replies=[warnings_reply(text, warnings, unit.section_id, number, step, self.lang)])
        return outcome.extend(self._next(unit, after))

    def confirm_warnings(self, section_id: str, number: str, warnings_seen: str) -> Outcome:
        """数字无误 / 内容无误: the warnings a saved answer raised are right as they are."""
        unit = self.unit_of(section_id)
        steps = self.session.steps(unit) if unit else []
        index = int(number) if number.isdigit() else -1
        if not 0 <= index < len(steps):
            return self._expired()
        warnings = self.session.open_warnings(steps[index])
        if not warnings or warnings_stamp(warnings) != warnings_seen:
            return self._expired()
        for finding in warnings:
            self.store.confirm_finding(self.session.cycle_id, finding.key(), self._by(), self.now)
        return Outcome().say(t(self.lang, "Confirmed: it will not be asked again unless it changes."))

    def save_values(self, unit: Unit, values: dict, raw: dict) -> str:
        """Store answers of ``unit`` as this person's, with history; returns a note if it was submitted."""
        was = self.session.state(unit).state
        self.store.save_answers(
            self.session.cycle_id, {k: to_stored(v) for k, v in values.items()}, self._by(), self.now, raw
        )
        for fid in values:
            self._drop_draft(fid)
        if was != IN_PROGRESS:
            self.store.set_section_state(
                self.session.cycle_id, unit.section_id, IN_PROGRESS, self._by(), self.now
            )
        self.session = self.session.refreshed()
        if was in (SUBMITTED, RETURNED):
            return t(
                self.lang, "This section was changed after submission: submit it again when you are done."
            )
        return ""

    def _drop_draft(self, fid: str) -> None:
        self.position.drafts.pop(fid, None)
        self.position.draft_base.pop(fid, None)

    def _narrative_part(self, step: Step, text: str) -> Outcome:
        outcome = drafts.add_part(self.position, step.field_ids[0], text, self.lang)
        self.save_position()
        return outcome

    # Summary and submission ---------------------------------------------------------------------------
    def summary(self, section_id: str, note: str | None = None) -> Outcome:
        """Show a section's answers and checks, with 修改 and 提交."""
        return submission.summary(self.session.refreshed(), self.units, section_id, self.lang, note)

    def current_section(self) -> str | None:
        """The section this person has open, if any."""
        return self.position.unit if self.unit_of(self.position.unit) else None

    def submit(self, section_id: str, content: str | None = None, confirmed: bool = False) -> Outcome:
        """Submit (提交): block on gaps and broken identities, confirm warnings, then submit.

        ``content`` is the fingerprint of what the pressed button's summary showed: a section changed
        since then is shown again instead of being submitted unseen."""
        session = self.session.refreshed()
        unit = self.unit_of(section_id)
        if unit is not None and content is not None and session.content_stamp(unit) != content:
            return Outcome().say(t(self.lang, EXPIRED)).extend(self.summary(section_id))
        outcome = submission.submit(session, self.contact, self.units, section_id, self.now, confirmed)
        if unit is not None and session.refreshed().state(unit).state == SUBMITTED:
            self.position.leave()
            self.save_position()
        return outcome
