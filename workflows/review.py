"""The coordinator's side of a section: approve it, or return it with a reason."""

from __future__ import annotations

from datetime import datetime

from storage.records import APPROVED, CONTACT, RETURNED, SUBMITTED, Contact
from workflows.i18n import t
from workflows.replies import Action, Button, Outcome
from workflows.session import ReportSession
from workflows.units import Unit


def find_unit(session: ReportSession, ref: str) -> Unit | None:
    """Resolve what a coordinator typed: a section id, its number in the status list, or its title's start."""
    ref = ref.strip()
    if not ref:
        return None
    if ref.isdigit() and 1 <= int(ref) <= len(session.units):
        return session.units[int(ref) - 1]
    exact = session.unit(ref)
    if exact is not None:
        return exact
    matches = [u for u in session.units if u.title.startswith(ref) or ref in u.title]
    return matches[0] if len(matches) == 1 else None


def _unknown(lang: str, ref: str) -> Outcome:
    return Outcome().say(t(lang, "No section “{ref}”. Use the number or id shown by {cmd_status}.", ref=ref))


def approve(
    session: ReportSession, coordinator: Contact, ref: str, now: datetime, version: str | None = None
) -> Outcome:
    """Approve a submitted section and tell its department.

    ``version`` comes with the 通过 button under a submission notice: the section must still be in the
    state that notice was about (not returned and resubmitted since), or the button has expired."""
    lang = coordinator.lang
    unit = find_unit(session, ref)
    if unit is None:
        return _unknown(lang, ref)
    if version is not None and str(session.state(unit).version) != version:
        return Outcome().say(
            t(lang, "This button has expired.")
            + "\n"
            + t(lang, "“{title}” changed since that notice; see {cmd_status}.", title=unit.title)
        )
    state = session.state(unit).state
    if state == APPROVED:
        return Outcome().say(t(lang, "“{title}” is already approved.", title=unit.title))
    if state != SUBMITTED:
        return Outcome().say(
            t(lang, "“{title}” has not been submitted yet, so it cannot be approved.", title=unit.title)
        )
    session.store.set_section_state(
        session.cycle_id, unit.section_id, APPROVED, f"user:{coordinator.user_id}", now
    )
    outcome = Outcome().say(t(lang, "Approved “{title}”.", title=unit.title))
    for contact in session.store.list_contacts(department_id=unit.department_id, role=CONTACT):
        if contact.active:
            outcome.tell(
                contact.user_id, t(contact.lang, "“{title}” has been approved. Thank you!", title=unit.title)
            )
    return outcome


def return_section(
    session: ReportSession, coordinator: Contact, ref: str, comment: str, now: datetime
) -> Outcome:
    """Return a section for revision with the coordinator's reason; the department may edit it again."""
    lang = coordinator.lang
    unit = find_unit(session, ref)
    if unit is None:
        return _unknown(lang, ref)
    comment = comment.strip()
    if not comment:
        return Outcome().say(
            t(lang, "Say why it is returned: {cmd_return} {ref} <reason>", ref=unit.section_id)
        )
    state = session.state(unit).state
    if state not in (SUBMITTED, APPROVED):
        return Outcome().say(
            t(lang, "“{title}” has not been submitted yet, so it cannot be returned.", title=unit.title)
        )
    by = f"user:{coordinator.user_id}"
    session.store.set_section_state(session.cycle_id, unit.section_id, RETURNED, by, now, comment=comment)
    outcome = Outcome().say(t(lang, "Returned “{title}” to its department.", title=unit.title))
    for contact in session.store.list_contacts(department_id=unit.department_id, role=CONTACT):
        if not contact.active:
            continue
        outcome.tell(
            contact.user_id,
            t(
                contact.lang,
                "“{title}” was returned for revision: {comment}",
                title=unit.title,
                comment=comment,
            ),
            (Button(t(contact.lang, "Revise"), Action.of("open", unit.section_id)),),
        )
    return outcome
