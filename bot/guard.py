"""Who may do what: every handler runs behind ``bound``, which refuses strangers and wrong roles.

A bound handler receives one ``Request``: the update's person (a stored contact), the services, and,
when the handler needs a report, the active cycle and a fresh view of it.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from telegram import Update
from telegram.ext import ContextTypes

from bot.sender import send_outcome
from bot.services import Services
from storage.records import Contact, Cycle
from workflows.i18n import normalise_lang, t
from workflows.onboarding import COORDINATOR
from workflows.replies import Outcome
from workflows.session import ReportSession

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]
REFUSAL = (
    "Sorry, this bot only serves the report contacts of this office. If you should have access, "
    "ask the coordinator for an invitation link."
)


def services_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The services built at start-up."""
    return context.application.bot_data["services"]


async def reply(context: ContextTypes.DEFAULT_TYPE, chat_id: int, outcome: Outcome) -> None:
    """Send an outcome: replies to this chat, notifications to others."""
    await send_outcome(context.bot, chat_id, outcome, services_of(context).mark_blocked)


async def refuse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """One short, polite refusal for anyone who is not bound, and nothing more."""
    if update.callback_query:
        await update.callback_query.answer()
    lang = normalise_lang(update.effective_user.language_code if update.effective_user else None)
    await reply(context, update.effective_chat.id, Outcome().say(t(lang, REFUSAL)))


@dataclass
class Request:
    """One update from a known person, with what the handler needs to answer it."""

    update: Update
    context: ContextTypes.DEFAULT_TYPE
    services: Services
    contact: Contact
    cycle: Cycle | None = None
    session: ReportSession | None = None

    @property
    def lang(self) -> str:
        """The person's language."""
        return self.contact.lang

    @property
    def now(self) -> datetime:
        """The injected clock's time."""
        return self.services.now()

    @property
    def args(self) -> list[str]:
        """The command's arguments."""
        return list(self.context.args or [])

    async def send(self, outcome: Outcome) -> None:
        """Answer this chat (and notify others)."""
        await reply(self.context, self.update.effective_chat.id, outcome)

    async def say(self, text: str) -> None:
        """Answer this chat with one text."""
        await self.send(Outcome().say(text))


def bound(role: str | None = None, needs_cycle: bool = False) -> Callable[[Callable], Handler]:
    """Run the handler only for a registered contact (of ``role``, when given); refuse everyone else."""

    def decorate(handler: Callable[[Request], Awaitable[None]]) -> Handler:
        @functools.wraps(handler)
        async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            if update.effective_user is None or update.effective_chat is None:
                return
            services = services_of(context)
            contact = services.store.get_contact(update.effective_user.id)
            if contact is None:
                await refuse(update, context)
                return
            if contact.blocked:  # they are writing to us, so they unblocked the bot
                services.mark_blocked(contact.user_id, False)
            request = Request(update, context, services, contact)
            if role is not None and contact.role != role:
                if update.callback_query:
                    await update.callback_query.answer()
                await request.say(
                    t(
                        contact.lang,
                        "This command is for the coordinator only."
                        if role == COORDINATOR
                        else "This is for department contacts.",
                    )
                )
                return
            if needs_cycle:
                request.cycle = services.cycle()
                if request.cycle is None:
                    await request.say(
                        t(
                            contact.lang,
                            "No report is being collected right now. You will get a "
                            "message when the next one opens.",
                        )
                    )
                    return
                request.session = services.session(request.cycle)
            await handler(request)

        return wrapper

    return decorate
