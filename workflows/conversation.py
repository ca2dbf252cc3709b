"""The department conversation: ask for exactly a department's sections, check as it goes, never lose a word.

Where a person stands is derived from what is stored: the current step is the first unanswered one of the
section they opened. The store keeps only which section is open, an explicit step while editing, and the
narrative paragraphs received so far (so a restart mid-narrative loses nothing).
"""

from __future__ import annotations

from datetime import datetime

from storage.records import APPROVED, IN_PROGRESS, RETURNED, SUBMITTED, Contact
from workflows import submission
from workflows.i18n import t
from workflows.numbers import format_number, split_row
from workflows.replies import Button, Outcome
from workflows.session import ReportSession
from workflows.units import ROW, TEXT_STEP, Step, Unit
from workflows.validation import clean_text, coerce, to_stored
from workflows.wording import excerpt, state_name, value_text

MAX_NARRATIVE = 20000


class Conversation:
    """One contact talking to the bot about their department's sections."""

    def __init__(self, session: ReportSession, contact: Contact, now: datetime) -> None:
        self.session = session
        self.contact = contact
        self.now = now
        self.lang = contact.lang
        self.store = session.store
        self.units = session.units_of(contact.department_id or "")
        self.state = self.store.get_user_state(contact.user_id)
        if self.state.get("year") != session.year:
            self.state = {"year": session.year}

    # Stored position --------------------------------------------------------------------------------
    def _save_state(self, **changes) -> None:
        self.state.update(changes)
        self.state = {k: v for k, v in self.state.items() if v is not None}
        self.store.set_user_state(self.contact.user_id, self.state)

    def _current_unit(self) -> tuple[int, Unit] | None:
        for index, unit in enumerate(self.units):
            if unit.section_id == self.state.get("unit"):
                return index, unit
        return None

    def _draft(self, step: Step) -> list[str]:
        # Paragraphs received but not yet saved, kept per field so switching sections loses none.
        return list((self.state.get("drafts") or {}).get(step.field_ids[0], []))

    def _set_draft(self, step: Step, parts: list[str] | None) -> None:
        drafts = dict(self.state.get("drafts") or {})
        if parts:
            drafts[step.field_ids[0]] = parts
        else:
            drafts.pop(step.field_ids[0], None)
        self._save_state(drafts=drafts or None)

    def current_index(self) -> int | None:
        """The index (among this department's sections) of the open section, if any."""
        current = self._current_unit()
        return current[0] if current else None

    def _by(self) -> str:
        return f"user:{self.contact.user_id}"

    # Entry points -----------------------------------------------------------------------------------
    def menu(self) -> Outcome:
        """/fill: open the only section still to do, or list the department's sections to choose from."""
        if not self.units:
            return Outcome().say(t(self.lang, "Your department has no sections in this report."))
        todo = [
            i for i, u in enumerate(self.units) if self.session.state(u).state not in (SUBMITTED, APPROVED)
        ]
        if len(self.units) == 1 or len(todo) == 1:
            return self.open(todo[0] if todo else 0)
        lines = [t(self.lang, "Your sections for the {year} report:", year=self.session.year)]
        buttons = []
        for index, unit in enumerate(self.units):
            state = state_name(self.lang, self.session.effective_state(unit))
            lines.append(f"{index + 1}. {unit.title}（{state}）")
            buttons.append((Button(f"{index + 1}. {excerpt(unit.title, 24)}", f"open:{index}"),))
        lines.append(t(self.lang, "Choose one to fill in or review."))
        return Outcome().say("\n".join(lines), *buttons)

    def open(self, index: int) -> Outcome:
        """Open one of the department's sections at its first unanswered step (or its summary)."""
        if not 0 <= index < len(self.units):
            return Outcome().say(t(self.lang, submission.NOT_YOURS))
        unit = self.units[index]
        self._save_state(unit=unit.section_id, mode="answer", step=None)
        if self.session.state(unit).state == APPROVED:
            return self.summary(index, note=t(self.lang, submission.APPROVED_NOTE))
        return self._next(Outcome())

    def text(self, text: str) -> Outcome:
        """A message from the contact: the answer to the current prompt."""
        current = self._current_unit()
        if current is None:
            return Outcome().say(t(self.lang, "Send /fill to start filling in your sections."))
        index, unit = current
        if self.session.state(unit).state == APPROVED:
            return self.summary(index, note=t(self.lang, submission.APPROVED_NOTE))
        step = self._active_step(unit)
        if step is None:
            return self.summary(
                index,
                note=t(
                    self.lang,
                    "This section is complete. Press Change to edit an answer, or Submit to submit it.",
                ),
            )
        if step.kind == TEXT_STEP:
            return self._narrative_part(step, text)
        if step.kind == ROW:
            return self._row_answer(unit, step, text)
        return self._single_answer(unit, step, text)

    def all_zero(self) -> Outcome:
        """The 全部为 0 button: answer the current table row with zeros."""
        current = self._current_unit()
        step = self._active_step(current[1]) if current else None
        if step is None or step.kind != ROW:
            return Outcome().say(t(self.lang, "There is no table row waiting for an answer."))
        return self._row_answer(current[1], step, " ".join("0" for _ in step.field_ids))

    def done(self) -> Outcome:
        """/done or 完成: save the narrative received so far and move on."""
        current = self._current_unit()
        step = self._active_step(current[1]) if current else None
        if step is None or step.kind != TEXT_STEP:
            return Outcome().say(
                t(self.lang, "There is no text being written right now. Send /fill to continue.")
            )
        draft = self._draft(step)
        if not draft:
            return Outcome().say(
                t(
                    self.lang,
                    "Nothing received yet for “{label}”. Send the text first, then /done.",
                    label=step.label,
                )
            )
        text = "\n\n".join(draft)
        note = self._saved(current[1], {step.field_ids[0]: text}, {})
        self._set_draft(step, None)
        ack = t(self.lang, "✓ Saved “{label}” ({count} characters).", label=step.label, count=len(text))
        return self._next(Outcome(), "\n".join(x for x in (ack, note) if x))

    def edit_menu(self, index: int) -> Outcome:
        """修改: list the steps of a section so one can be answered again."""
        if not 0 <= index < len(self.units):
            return Outcome().say(t(self.lang, submission.NOT_YOURS))
        unit = self.units[index]
        if self.session.state(unit).state == APPROVED:
            return self.summary(index, note=t(self.lang, submission.APPROVED_NOTE))
        steps = self.session.steps(unit)
        rows, row = [], []
        for number, step in enumerate(steps):
            row.append(Button(f"{number + 1}. {excerpt(step.label, 18)}", f"edit:{index}:{number}"))
            if len(row) == 2:
                rows.append(tuple(row))
                row = []
        if row:
            rows.append(tuple(row))
        return Outcome().say(
            t(self.lang, "Which answer of “{title}” do you want to change?", title=unit.title), *rows
        )

    def edit(self, index: int, number: int) -> Outcome:
        """Ask one step again, whatever its current answer."""
        if not 0 <= index < len(self.units):
            return Outcome().say(t(self.lang, submission.NOT_YOURS))
        unit = self.units[index]
        steps = self.session.steps(unit)
        if not 0 <= number < len(steps):
            return self.edit_menu(index)
        if self.session.state(unit).state == APPROVED:
            return self.summary(index, note=t(self.lang, submission.APPROVED_NOTE))
        self._save_state(unit=unit.section_id, mode="edit", step=number)
        return Outcome().say(*self._prompt(unit, steps, number))

    # Steps ------------------------------------------------------------------------------------------
    def _active_step(self, unit: Unit) -> Step | None:
        steps = self.session.steps(unit)
        if self.state.get("mode") == "edit" and isinstance(self.state.get("step"), int):
            number = self.state["step"]
            if 0 <= number < len(steps):
                return steps[number]
        number = self.session.first_open_step(unit)
        return steps[number] if number is not None else None

    def _next(self, outcome: Outcome, ack: str = "") -> Outcome:
        index, unit = self._current_unit()
        self.session = self.session.refreshed()
        number = self.session.first_open_step(unit)
        if number is None:
            summary = self.summary(index, note=ack or None)
            outcome.replies.extend(summary.replies)
            return outcome
        text, *buttons = self._prompt(unit, self.session.steps(unit), number)
        outcome.say(f"{ack}\n\n{text}" if ack else text, *buttons)
        return outcome

    def _prompt(self, unit: Unit, steps: list[Step], number: int) -> tuple:
        step = steps[number]
        head = t(
            self.lang, "【{title}】 item {n} of {total}", title=unit.title, n=number + 1, total=len(steps)
        )
        values = self.session.figures.values
        previous = self.session.previous
        if step.kind == TEXT_STEP:
            field_ = self.session.template.fields[step.field_ids[0]]
            lines = [head, t(self.lang, "Please write: {label}", label=step.label)]
            if field_.hint:
                lines.append(field_.hint)
            if values.get(field_.id):
                lines.append(t(self.lang, "Saved now: {text}", text=excerpt(str(values[field_.id]), 80)))
                lines.append(t(self.lang, "What you send now replaces it."))
            pending = self._draft(step)
            if pending:
                lines.append(
                    t(
                        self.lang,
                        "Already received, not yet saved: {n} parts ({count} characters).",
                        n=len(pending),
                        count=sum(map(len, pending)),
                    )
                )
            lines.append(
                t(self.lang, "You may send it in several messages; when finished send /done or press Done.")
            )
            return "\n".join(lines), (Button(t(self.lang, "Done"), "done"),)
        unit_text = t(self.lang, " (unit: {unit})", unit=step.unit) if step.unit else ""
        if step.kind == ROW:
            lines = [
                head,
                step.label,
                t(
                    self.lang,
                    "Enter {count} numbers in this order, separated by spaces: {columns}{unit}",
                    count=len(step.field_ids),
                    columns="、".join(step.columns),
                    unit=unit_text,
                ),
            ]
            now_values = [values.get(fid) for fid in step.field_ids]
            if all(v is not None for v in now_values):
                lines.append(
                    t(self.lang, "Saved now: {values}", values=" ".join(map(format_number, now_values)))
                )
            last = [previous.get(fid) for fid in step.field_ids]
            if any(v is not None for v in last):
                lines.append(
                    t(
                        self.lang,
                        "Last year: {values}",
                        values=" ".join(format_number(v) if v is not None else "—" for v in last),
                    )
                )
            return "\n".join(lines), (Button(t(self.lang, "All 0"), "zero"),)
        fid = step.field_ids[0]
        lines = [head, t(self.lang, "Please enter: {label}{unit}", label=step.label, unit=unit_text)]
        if values.get(fid) is not None:
            lines.append(t(self.lang, "Saved now: {values}", values=value_text(values[fid])))
        if previous.get(fid) is not None:
            lines.append(t(self.lang, "Last year: {values}", values=value_text(previous[fid])))
        return ("\n".join(lines),)

    def _saved(self, unit: Unit, values: dict, raw: dict) -> str:
        was = self.session.state(unit).state
        self.store.save_answers(
            self.session.year, {k: to_stored(v) for k, v in values.items()}, self._by(), self.now, raw
        )
        if was != IN_PROGRESS:
            self.store.set_section_state(
                self.session.year, unit.section_id, IN_PROGRESS, self._by(), self.now
            )
        self._save_state(mode="answer", step=None)
        if was in (SUBMITTED, RETURNED):
            return t(
                self.lang, "This section was changed after submission: submit it again when you are done."
            )
        return ""

    def _single_answer(self, unit: Unit, step: Step, text: str) -> Outcome:
        field_ = self.session.template.fields[step.field_ids[0]]
        value, problem = coerce(field_, text)
        if problem is not None:
            return Outcome().say(problem.render(self.lang) + "\n" + t(self.lang, "Please send it again."))
        note = self._saved(unit, {field_.id: value}, {field_.id: text})
        unit_text = field_.unit if field_.numeric else ""
        ack = t(
            self.lang,
            "✓ Saved: {label} = {value}{unit}",
            label=field_.label,
            value=value_text(value),
            unit=unit_text,
        )
        return self._next(Outcome(), "\n".join(x for x in (ack, note, self._derived_note(step)) if x))

    def _row_answer(self, unit: Unit, step: Step, text: str) -> Outcome:
        fields = [self.session.template.fields[fid] for fid in step.field_ids]
        parts = split_row(text)
        if len(parts) != len(fields):
            return Outcome().say(
                t(
                    self.lang,
                    "{label}: expected {count} numbers ({columns}), got {got}. "
                    "Please send the whole row again.",
                    label=step.label,
                    count=len(fields),
                    columns="、".join(step.columns),
                    got=len(parts),
                ),
                (Button(t(self.lang, "All 0"), "zero"),),
            )
        values, problems = {}, []
        for field_, part, column in zip(fields, parts, step.columns, strict=True):
            value, problem = coerce(field_, part)
            if problem is not None:
                # Name the column rather than repeating the row: 「· 自然人：“x”不是有效数字…」.
                detail = problem.render(self.lang).removeprefix(field_.label).lstrip("：: ")
                problems.append(f"· {column}：{detail}")
            else:
                values[field_.id] = value
        if problems:
            return Outcome().say(
                "\n".join(
                    [
                        t(self.lang, "{label}: not saved.", label=step.label),
                        *problems,
                        t(self.lang, "Please send the whole row again."),
                    ]
                )
            )
        note = self._saved(unit, values, {fid: text for fid in values})
        shown = "、".join(
            f"{c} {format_number(values[f.id])}" for c, f in zip(step.columns, fields, strict=True)
        )
        ack = t(self.lang, "✓ Saved: {label}: {values}", label=step.label, values=shown)
        return self._next(Outcome(), "\n".join(x for x in (ack, note, self._derived_note(step)) if x))

    def _derived_note(self, step: Step) -> str:
        if not step.derived_ids:
            return ""
        session = self.session.refreshed()
        shown = []
        for fid in step.derived_ids:
            value = session.figures.values.get(fid)
            if value is not None:
                shown.append(f"{self.session.template.fields[fid].label} {format_number(value)}")
        return t(self.lang, "Computed: {values}", values="；".join(shown)) if shown else ""

    def _narrative_part(self, step: Step, text: str) -> Outcome:
        cleaned = clean_text(text)
        if not cleaned:
            return Outcome().say(t(self.lang, "That message had no text. Send the text, then /done."))
        draft = [*self._draft(step), cleaned]
        total = sum(len(part) for part in draft)
        if total > MAX_NARRATIVE:
            return Outcome().say(
                t(
                    self.lang,
                    "Too long: at most {max} characters in one answer. This part was "
                    "not added; send /done to save what you have.",
                    max=MAX_NARRATIVE,
                )
            )
        self._set_draft(step, draft)
        return Outcome().say(
            t(
                self.lang,
                "Received part {n} ({count} characters so far). Send more, or /done when finished.",
                n=len(draft),
                count=total,
            ),
            (Button(t(self.lang, "Done"), "done"),),
        )

    # Summary and submission -------------------------------------------------------------------------
    def summary(self, index: int, note: str | None = None) -> Outcome:
        """Show a section's answers and checks, with 修改 and 提交."""
        return submission.summary(self.session.refreshed(), self.units, index, self.lang, note)

    def submit(self, index: int, confirmed: bool = False) -> Outcome:
        """/submit or 提交: block on gaps and broken identities, confirm warnings, then submit."""
        outcome = submission.submit(
            self.session.refreshed(), self.contact, self.units, index, self.now, confirmed
        )
        self.state = self.store.get_user_state(self.contact.user_id)
        return outcome
