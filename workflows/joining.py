"""Joining the report with an invitation: bind the person, or ask first when it would change their role,
then welcome them as their role and the report's state call for."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from storage.records import COORDINATOR, FIRST_CHANNEL, HEAD, Contact
from workflows.i18n import t
from workflows.notices import welcome_contact
from workflows.onboarding import InviteError, redeem
from workflows.replies import Action, Button, Outcome, Reply
from workflows.services import Services
from workflows.workdays import WorkCalendar

EXPIRED = "This button has expired."


@dataclass(frozen=True)
class Joined:
    """What joining said, and the person's role when they hold one now (the channel shows their menu)."""

    outcome: Outcome
    contact: Contact | None = None


def role_name(contact: Contact | None, lang: str, department: str | None = None) -> str:
    """「协调人」, 「政策法规科的负责人」 or 「政策法规科的联系人」."""
    if contact is not None and contact.role == COORDINATOR:
        return t(lang, "a coordinator")
    if contact is not None and contact.role == HEAD:
        return t(lang, "the head of {department}", department=department or "—")
    return t(lang, "the contact for {department}", department=department or "—")


def join(
    services: Services,
    user_id: int,
    name: str,
    language: str,
    code: str,
    address: int,
    now: datetime,
    confirmed: bool = False,
    channel: str = FIRST_CHANNEL,
) -> Joined:
    """Redeem ``code`` for the person on ``channel``; ask before it changes a role they hold (the code
    waits meanwhile)."""
    store = services.store
    known = store.get_contact(user_id)
    lang = known.lang if known else language
    try:
        result = redeem(store, services.key, code, user_id, name, lang, now, address, confirmed, channel)
    except InviteError as exc:
        return Joined(Outcome().say(exc.render(lang)))
    if result.needs_confirmation:
        chat = store.get_chat(address)
        seq = int(chat.pending.get("seq", 0)) + 1
        store.put_chat(replace(chat, pending={"code": code, "seq": seq}))
        current = store.get_department(result.previous.department_id or "")
        wanted = store.get_department(result.grant.department_id or "")
        text = t(
            lang,
            "You are {current}. This invitation would make you {wanted} instead. Change?",
            current=role_name(result.previous, lang, current.name if current else None),
            wanted=role_name(Contact(user_id, result.grant.role), lang, wanted.name if wanted else None),
        )
        buttons = (
            Button(t(lang, "Change my role"), Action.of("role", "yes", seq)),
            Button(t(lang, "Keep it"), Action.of("role", "no", seq)),
        )
        return Joined(Outcome().say(text, buttons))
    contact = result.contact
    return Joined(Outcome(list(_welcome(services, contact, name, now))), contact)


def confirm_role(
    services: Services,
    user_id: int,
    name: str,
    address: int,
    answer: str,
    seq: str,
    now: datetime,
    channel: str = FIRST_CHANNEL,
) -> Joined:
    """The answer to 「要更改吗？」: redeem the waiting code after all, or drop it."""
    store = services.store
    chat = store.get_chat(address)
    known = store.get_contact(user_id)
    lang = known.lang if known else services.settings.language
    if not chat.pending or seq != str(chat.pending.get("seq")):
        return Joined(Outcome().say(t(lang, EXPIRED)))
    store.put_chat(replace(chat, pending={}))
    if answer == "yes":
        return join(services, user_id, name, lang, chat.pending["code"], address, now, True, channel)
    return Joined(Outcome().say(t(lang, "Nothing changed.")))


def _welcome(services: Services, contact: Contact, name: str, now: datetime):
    store, lang = services.store, contact.lang
    if contact.role == COORDINATOR:
        return [
            Outcome()
            .say(t(lang, "Welcome, {name}. You are a coordinator of this report.", name=name))
            .replies[0]
        ]
    if contact.role == HEAD:
        text = t(
            lang,
            "Welcome, {name}. You head {department}: you will be told if it falls behind, and {cmd_status} "
            "shows its progress.",
            name=name,
            department=store.get_department(contact.department_id).name,
        )
        return [Reply(text)]
    return welcome_contact(
        contact.user_id,
        name,
        store.get_department(contact.department_id),
        [services.session(cycle) for cycle in services.cycles_for(contact)],
        store.list_cycles(),
        services.calendar or WorkCalendar.default(),
        now,
        lang,
    )
