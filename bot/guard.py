"""Who may do what: every handler runs behind ``bound``, which refuses strangers, wrong roles and group chats.

A bound handler receives one ``Request``: the update's person (a stored, active contact), the services,
the unit of work the update is handled in, and, when the handler needs a report, the active cycle and
a fresh view of it. Whatever the handler says goes to the outbox through the unit.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime

from telegram import Chat, Update
from telegram.ext import ContextTypes

from bot.callbacks import decode
from bot.messages import ANSWER
from bot.runtime import Unit, current_unit
from storage.contract import Store
from storage.records import CONTACT, COORDINATOR, HEAD, REPLY, Contact, Cycle
from workflows import notices
from workflows.i18n import normalise_lang, t
from workflows.replies import Outcome
from workflows.services import Services
from workflows.session import ReportSession

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]
MSG_REFUSAL = (
    "Sorry, this bot only serves the report contacts of this office. If you should have access, "
    "ask the coordinator for an invitation link."
)
MSG_PRIVATE_ONLY = "This bot works in private chats only: please write to it directly."


# The channel this package is: contacts who joined here are stored with it, and only they are served here
# (a user id of another channel is another person).
CHANNEL = "telegram"


def contact_of(store: Store, user_id: int) -> Contact | None:
    """The contact behind a Telegram user id, if they joined through Telegram."""
    contact = store.get_contact(user_id)
    return contact if contact is not None and contact.channel == CHANNEL else None


def services_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The services built at start-up."""
    return context.application.bot_data["services"]


def answer_button(update: Update, unit: Unit, text: str | None = None) -> None:
    """Stop the spinner of a pressed button (through the outbox, like every other call)."""
    if update.callback_query is not None:
        unit.deliver(
            update.effective_chat.id, ANSWER, {"query_id": update.callback_query.id, "text": text}, REPLY
        )


def refuse(update: Update, unit: Unit, text: str = MSG_REFUSAL) -> None:
    """One short, polite refusal, and nothing more."""
    answer_button(update, unit)
    lang = normalise_lang(update.effective_user.language_code if update.effective_user else None)
    unit.send(update.effective_chat.id, Outcome().say(t(lang, text)))


@dataclass
class Request:
    """One update from a known person, with what the handler needs to answer it."""

    update: Update
    context: ContextTypes.DEFAULT_TYPE
    services: Services
    contact: Contact
    unit: Unit
    cycle: Cycle | None = None
    session: ReportSession | None = None
    named_cycle: bool = False  # the first argument named the cycle (and is not the command's own)

    @property
    def lang(self) -> str:
        """The person's language."""
        return self.contact.lang

    @property
    def now(self) -> datetime:
        """The moment the update is handled (from the injected clock)."""
        return self.unit.now

    @property
    def args(self) -> list[str]:
        """The command's arguments (after the cycle's id, when one was named)."""
        return list(self.context.args or [])[1 if self.named_cycle else 0 :]

    @property
    def chat_id(self) -> int:
        """The chat the update came from."""
        return self.update.effective_chat.id

    def send(self, outcome: Outcome) -> None:
        """Answer this chat (and notify others)."""
        self.unit.send(self.chat_id, outcome)

    def say(self, text: str) -> None:
        """Answer this chat with one text."""
        self.send(Outcome().say(text))


def bound(role: str | None = None, needs_cycle: bool = False) -> Callable[[Callable], Handler]:
    """Run the handler only for an active contact (of ``role``, when given) in a private chat."""

    def decorate(handler: Callable[[Request], Awaitable[None]]) -> Handler:
        @functools.wraps(handler)
        async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            if update.effective_user is None or update.effective_chat is None:
                return
            unit = current_unit()
            if update.effective_chat.type != Chat.PRIVATE:
                if update.callback_query is not None or (
                    (update.message and update.message.text) or ""
                ).startswith("/"):
                    refuse(update, unit, MSG_PRIVATE_ONLY)
                return  # talk in a group is not for us
            services = services_of(context)
            contact = contact_of(services.store, update.effective_user.id)
            if contact is None or not contact.active:
                refuse(update, unit)
                return
            if contact.blocked:  # they are writing to us, so they unblocked the bot
                services.mark_blocked(contact.user_id, False)
            if not contact.name:  # a coordinator named by the configuration writes for the first time
                contact = replace(contact, name=update.effective_user.full_name)
                services.store.put_contact(contact)
            request = Request(update, context, services, contact, unit)
            if role is not None and contact.role != role:
                answer_button(update, unit)
                request.say(
                    t(
                        contact.lang,
                        "This command is for the coordinator only."
                        if role == COORDINATOR
                        else "This is for department contacts.",
                    )
                )
                return
            if contact.role in (CONTACT, HEAD) and not _department_active(services, contact):
                answer_button(update, unit)
                request.say(
                    t(
                        contact.lang,
                        "Your department no longer takes part in the report. Please ask the coordinator.",
                    )
                )
                return
            if needs_cycle:
                if contact.role == CONTACT:
                    request.cycle, open_ = services.cycle_for(contact, _cycle_asked(update))
                    if request.cycle is None and open_:
                        answer_button(update, unit)
                        names = {c.id: services.template_for(c).name for c in open_}
                        request.send(notices.choose_cycle(open_, names, contact.lang))
                        return
                else:
                    # A coordinator may name any cycle first (「/status 2026-Q4」, 「/assemble 2025」);
                    # else the newest open one.
                    named = services.store.get_cycle((context.args or [""])[0])
                    request.named_cycle = named is not None
                    request.cycle = named or services.cycle()
                if request.cycle is None:
                    answer_button(update, unit)
                    request.say(
                        t(
                            contact.lang,
                            "No report is being collected right now. You will get a message when the next "
                            "one opens.",
                        )
                    )
                    return
                request.session = services.session(request.cycle)
            await handler(request)

        return wrapper

    return decorate


def _cycle_asked(update: Update) -> str | None:
    """The cycle a pressed 「开始填写」 or 「用 Excel 填写」 names (an opening or a reminder says which report
    it is for)."""
    if update.callback_query is None:
        return None
    action = decode(update.callback_query.data)
    return action.args[0] if action.name in ("fill", "sheet") and action.args else None


def _department_active(services: Services, contact: Contact) -> bool:
    department = services.store.get_department(contact.department_id or "")
    return department is not None and department.active
