"""The coordinator's side of a section: approve it, or return it with a reason."""

from __future__ import annotations

from datetime import datetime

from storage.records import APPROVED, RETURNED, SUBMITTED, Contact
from workflows.i18n import t
from workflows.replies import Button, Outcome
from workflows.session import ReportSession
from workflows.units import Unit


def find_unit(session: ReportSession, ref: str) -> Unit | None:
    """Resolve what a coordinator typed: a section id, its number in /status, or the start of its title."""
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
    return Outcome().say(t(lang, "No section “{ref}”. Use the number or id shown by /status.", ref=ref))


def approve(session: ReportSession, coordinator: Contact, ref: str, now: datetime) -> Outcome:
    """Approve a submitted section and tell its department."""
    lang = coordinator.lang
    unit = find_unit(session, ref)
    if unit is None:
        return _unknown(lang, ref)
    state = session.state(unit).state
    if state == APPROVED:
        return Outcome().say(t(lang, "“{title}” is already approved.", title=unit.title))
    if state != SUBMITTED:
        return Outcome().say(
            t(lang, "“{title}” has not been submitted yet, so it cannot be approved.", title=unit.title)
        )
    session.store.set_section_state(
        session.year, unit.section_id, APPROVED, f"user:{coordinator.user_id}", now
    )
    outcome = Outcome().say(t(lang, "Approved “{title}”.", title=unit.title))
    for contact in session.store.list_contacts(department_id=unit.department_id, role="contact"):
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
        return Outcome().say(t(lang, "Say why it is returned: /return {ref} <reason>", ref=unit.section_id))
    state = session.state(unit).state
    if state not in (SUBMITTED, APPROVED):
        return Outcome().say(
            t(lang, "“{title}” has not been submitted yet, so it cannot be returned.", title=unit.title)
        )
    by = f"user:{coordinator.user_id}"
    session.store.set_section_state(session.year, unit.section_id, RETURNED, by, now, comment=comment)
    outcome = Outcome().say(t(lang, "Returned “{title}” to its department.", title=unit.title))
    index = session.units_of(unit.department_id).index(unit)
    for contact in session.store.list_contacts(department_id=unit.department_id, role="contact"):
        outcome.tell(
            contact.user_id,
            t(
                contact.lang,
                "“{title}” was returned for revision: {comment}",
                title=unit.title,
                comment=comment,
            ),
            (Button(t(contact.lang, "Revise"), f"open:{index}"),),
        )
    return outcome
