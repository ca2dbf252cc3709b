"""A department's section as a whole: its summary, and submitting it for the coordinator's review."""

from __future__ import annotations

from datetime import datetime

from storage.records import APPROVED, COORDINATOR, SUBMITTED, Contact
from workflows.i18n import t
from workflows.numbers import format_number
from workflows.replies import Action, Button, Outcome
from workflows.session import ReportSession
from workflows.units import TEXT_STEP, Unit
from workflows.wording import excerpt, finding_lines, state_name, value_text

APPROVED_NOTE = "This section is approved and can no longer be changed."
NOT_YOURS = "That section is not one of yours. Send {cmd_fill} to see yours."


def _find(units: list[Unit], section_id: str) -> Unit | None:
    return next((u for u in units if u.section_id == section_id), None)


def summary(
    session: ReportSession, units: list[Unit], section_id: str, lang: str, note: str | None = None
) -> Outcome:
    """List a section's answers (computed values marked) and failing checks, with 修改 and 提交 buttons."""
    unit = _find(units, section_id)
    if unit is None:
        return Outcome().say(t(lang, NOT_YOURS))
    state = session.effective_state(unit)
    lines = [note] if note else []
    lines.append(t(lang, "【{title}】 status: {state}", title=unit.title, state=state_name(lang, state)))
    values = session.figures.values
    for step in session.steps(unit):
        shown = [value_text(values.get(fid)) for fid in step.field_ids]
        if step.kind == TEXT_STEP:
            lines.append(f"· {step.label}：{excerpt(shown[0], 40)}")
            continue
        derived = [format_number(values[d]) for d in step.derived_ids if values.get(d) is not None]
        extra = t(lang, " (computed: {values})", values=" ".join(derived)) if derived else ""
        lines.append(f"· {step.label}：{' '.join(shown)}{extra}")
    lines.extend(finding_lines(lang, session.unit_findings(unit)))
    if state == APPROVED:
        return Outcome().say("\n".join(lines))
    content = session.content_stamp(unit)
    return Outcome().say(
        "\n".join(lines),
        (
            Button(t(lang, "Change"), Action.of("editmenu", section_id)),
            Button(t(lang, "Submit"), Action.of("submit", section_id, content)),
        ),
    )


def submit(
    session: ReportSession,
    contact: Contact,
    units: list[Unit],
    section_id: str,
    now: datetime,
    confirmed: bool,
) -> Outcome:
    """Submit a section: refuse while answers are missing or identities fail; confirm warnings first."""
    lang = contact.lang
    unit = _find(units, section_id)
    if unit is None:
        return Outcome().say(t(lang, NOT_YOURS))
    state = session.state(unit).state
    if state == APPROVED:
        return Outcome().say(t(lang, APPROVED_NOTE))
    if state == SUBMITTED:
        return Outcome().say(
            t(lang, "“{title}” is already submitted and waiting for review.", title=unit.title)
        )
    missing = session.figures.missing(list(unit.field_ids))
    if missing:
        names = "、".join(f.label for f in missing[:5]) + ("…" if len(missing) > 5 else "")
        return Outcome().say(
            t(
                lang,
                "Not submitted: {count} answers are still missing: {names}",
                count=len(missing),
                names=names,
            ),
            (Button(t(lang, "Continue"), Action.of("open", section_id)),),
        )
    findings = session.unit_findings(unit)
    errors = [f for f in findings if f.blocking]
    if errors:
        text = [
            t(
                lang,
                "Not submitted: these figures disagree."
                if all(not (f.rule_id or "").startswith("content.") for f in errors)
                else "Not submitted: please correct these first.",
            ),
            *finding_lines(lang, errors),
            t(lang, "Correct them and submit again."),
        ]
        return Outcome().say("\n".join(text), (Button(t(lang, "Change"), Action.of("editmenu", section_id)),))
    warnings = [f for f in findings if not f.blocking]
    confirmations = session.store.confirmed_findings(session.cycle_id)
    unconfirmed = [f for f in warnings if f.key() not in confirmations]
    if unconfirmed and not confirmed:
        text = [
            t(lang, "Please confirm:"),
            *finding_lines(lang, unconfirmed),
            t(lang, "If the figures are right, submit anyway."),
        ]
        content = session.content_stamp(unit)
        return Outcome().say(
            "\n".join(text),
            (
                Button(t(lang, "Submit anyway"), Action.of("confirm", section_id, content)),
                Button(t(lang, "Change"), Action.of("editmenu", section_id)),
            ),
        )
    for finding in unconfirmed:  # 仍然提交: the writer has seen them and stands by the answers
        session.store.confirm_finding(session.cycle_id, finding.key(), f"user:{contact.user_id}", now)
    submitted = session.store.set_section_state(
        session.cycle_id, unit.section_id, SUBMITTED, f"user:{contact.user_id}", now
    )
    outcome = Outcome().say(
        t(
            lang,
            "Submitted “{title}”. You will be told when the coordinator has reviewed it.",
            title=unit.title,
        )
    )
    department = session.department(unit.department_id)
    for coordinator in session.store.list_contacts(role=COORDINATOR):
        if not coordinator.active:
            continue
        lines = [
            t(
                coordinator.lang,
                "{department} submitted “{title}”.",
                department=department.name,
                title=unit.title,
            ),
            *finding_lines(coordinator.lang, warnings),
        ]
        approve = Action.of("approve", unit.section_id, submitted.version)
        outcome.tell(
            coordinator.user_id, "\n".join(lines), (Button(t(coordinator.lang, "Approve"), approve),)
        )
    return outcome
