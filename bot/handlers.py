"""Telegram handlers for everyone and for department contacts: read the update, call a workflow, reply."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import replace

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.ext import ContextTypes

from bot.sender import send_outcome
from bot.services import Services
from storage.records import Contact
from workflows.conversation import Conversation
from workflows.i18n import normalise_lang, t
from workflows.onboarding import COORDINATOR, InviteError, redeem
from workflows.replies import Outcome

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]

CONTACT_COMMANDS = [
    ("fill", "Fill in your sections"),
    ("done", "Finish the text you are writing"),
    ("submit", "Submit the section you have open"),
    ("lang", "Language: /lang zh or /lang en"),
    ("help", "What this bot does"),
]
COORDINATOR_COMMANDS = [
    ("status", "Progress of every department"),
    ("missing", "Who has not submitted"),
    ("remind", "Remind departments that owe sections"),
    ("approve", "Approve a section"),
    ("return", "Return a section with a reason"),
    ("assemble", "The report as a .docx"),
    ("export", "All figures as .xlsx and .json"),
    ("invite", "A new invitation link"),
    ("cycle", "Report cycles: list or open one"),
    ("lang", "Language: /lang zh or /lang en"),
    ("help", "Coordinator commands"),
]
INVITE_PROBLEMS = {
    "expired": "This invitation has expired. Please ask the coordinator for a new one.",
    "used": "This invitation has already been used. Please ask the coordinator for a new one.",
    "invalid": "This invitation code is not valid. Please ask the coordinator for a new link.",
}
REFUSAL = (
    "Sorry, this bot only serves the report contacts of this office. If you should have access, "
    "ask the coordinator for an invitation link."
)


def services_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The services built at start-up."""
    return context.application.bot_data["services"]


async def reply(context: ContextTypes.DEFAULT_TYPE, chat_id: int, outcome: Outcome) -> None:
    """Send an outcome: replies to this chat, notifications to others."""
    services = services_of(context)
    await send_outcome(context.bot, chat_id, outcome, services.mark_blocked)


async def refuse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """One short, polite refusal for anyone who is not bound, and nothing more."""
    if update.callback_query:
        await update.callback_query.answer()
    lang = normalise_lang(update.effective_user.language_code if update.effective_user else None)
    await reply(context, update.effective_chat.id, Outcome().say(t(lang, REFUSAL)))


def bound(role: str | None = None) -> Callable[[Callable], Handler]:
    """Run the handler only for a registered contact (of ``role``, when given); refuse everyone else."""

    def decorate(handler: Callable) -> Handler:
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
            if role is not None and contact.role != role:
                if update.callback_query:
                    await update.callback_query.answer()
                text = t(
                    contact.lang,
                    "This command is for the coordinator only."
                    if role == COORDINATOR
                    else "This is for department contacts.",
                )
                await reply(context, update.effective_chat.id, Outcome().say(text))
                return
            await handler(update, context, services, contact)

        return wrapper

    return decorate


async def set_commands(context: ContextTypes.DEFAULT_TYPE, contact: Contact) -> None:
    """Show this person's own command menu (per-chat scope), in their language."""
    commands = COORDINATOR_COMMANDS if contact.role == COORDINATOR else CONTACT_COMMANDS
    await context.bot.set_my_commands(
        [BotCommand(name, t(contact.lang, text)) for name, text in commands],
        scope=BotCommandScopeChat(contact.chat_id or contact.user_id),
    )


def help_text(contact: Contact) -> str:
    """The commands of this person's role, one per line."""
    commands = COORDINATOR_COMMANDS if contact.role == COORDINATOR else CONTACT_COMMANDS
    lines = [t(contact.lang, "Commands:")]
    lines += [f"/{name} — {t(contact.lang, text)}" for name, text in commands]
    return "\n".join(lines)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start [code]: bind a Telegram user with an invitation code, or greet a known one."""
    services = services_of(context)
    user = update.effective_user
    lang = normalise_lang(user.language_code) if user.language_code else services.settings.language
    contact = services.store.get_contact(user.id)
    if not context.args:
        if contact is None:
            await refuse(update, context)
            return
        await reply(context, update.effective_chat.id, Outcome().say(help_text(contact)))
        return
    try:
        contact = redeem(
            services.store,
            services.key,
            context.args[0],
            user.id,
            user.full_name,
            contact.lang if contact else lang,
            services.now(),
        )
    except InviteError as exc:
        await reply(
            context,
            update.effective_chat.id,
            Outcome().say(t(lang, INVITE_PROBLEMS.get(str(exc), INVITE_PROBLEMS["invalid"]))),
        )
        return
    contact = replace(contact, chat_id=update.effective_chat.id)
    services.store.put_contact(contact)
    await set_commands(context, contact)
    if contact.role == COORDINATOR:
        welcome = t(
            contact.lang, "Welcome, {name}. You are a coordinator of this report.", name=user.full_name
        )
    else:
        department = services.store.get_department(contact.department_id)
        welcome = t(
            contact.lang,
            "Welcome, {name}. You answer for {department}. Send /fill when a report is open.",
            name=user.full_name,
            department=department.name,
        )
    await reply(context, update.effective_chat.id, Outcome().say(welcome + "\n\n" + help_text(contact)))


@bound()
async def help_command(update: Update, context, services: Services, contact: Contact) -> None:
    """/help: the commands of the user's role."""
    await reply(context, update.effective_chat.id, Outcome().say(help_text(contact)))


@bound()
async def lang(update: Update, context, services: Services, contact: Contact) -> None:
    """/lang zh|en: switch this user's language."""
    wanted = (context.args or [""])[0].lower()
    if wanted not in ("zh", "en"):
        await reply(
            context, update.effective_chat.id, Outcome().say(t(contact.lang, "Usage: /lang zh or /lang en"))
        )
        return
    contact = replace(contact, lang=wanted)
    services.store.put_contact(contact)
    await set_commands(context, contact)
    await reply(context, update.effective_chat.id, Outcome().say(t(wanted, "Language set to English.")))


def _conversation(services: Services, contact: Contact) -> Conversation | None:
    cycle = services.cycle()
    if cycle is None:
        return None
    return Conversation(services.session(cycle), contact, services.now())


async def no_cycle(update: Update, context, contact: Contact) -> None:
    """Say that no report is being collected right now."""
    text = t(
        contact.lang,
        "No report is being collected right now. You will get a message when the next one opens.",
    )
    await reply(context, update.effective_chat.id, Outcome().say(text))


@bound("contact")
async def fill(update: Update, context, services: Services, contact: Contact) -> None:
    """/fill: choose or continue a section."""
    conversation = _conversation(services, contact)
    if conversation is None:
        await no_cycle(update, context, contact)
        return
    await reply(context, update.effective_chat.id, conversation.menu())


@bound("contact")
async def done(update: Update, context, services: Services, contact: Contact) -> None:
    """/done: finish the narrative being written."""
    conversation = _conversation(services, contact)
    if conversation is None:
        await no_cycle(update, context, contact)
        return
    await reply(context, update.effective_chat.id, conversation.done())


@bound("contact")
async def submit(update: Update, context, services: Services, contact: Contact) -> None:
    """/submit: submit the open section (or choose one)."""
    conversation = _conversation(services, contact)
    if conversation is None:
        await no_cycle(update, context, contact)
        return
    current = conversation.current_index()
    outcome = conversation.menu() if current is None else conversation.submit(current)
    await reply(context, update.effective_chat.id, outcome)


@bound()
async def text(update: Update, context, services: Services, contact: Contact) -> None:
    """Any other message: an answer from a contact; a hint for a coordinator."""
    if contact.role == COORDINATOR:
        await reply(context, update.effective_chat.id, Outcome().say(help_text(contact)))
        return
    conversation = _conversation(services, contact)
    if conversation is None:
        await no_cycle(update, context, contact)
        return
    await reply(context, update.effective_chat.id, conversation.text(update.effective_message.text or ""))


CONTACT_ACTIONS = {
    "fill": lambda c, args: c.menu(),
    "open": lambda c, args: c.open(int(args[0])),
    "zero": lambda c, args: c.all_zero(),
    "done": lambda c, args: c.done(),
    "editmenu": lambda c, args: c.edit_menu(int(args[0])),
    "edit": lambda c, args: c.edit(int(args[0]), int(args[1])),
    "submit": lambda c, args: c.submit(int(args[0])),
    "confirm": lambda c, args: c.submit(int(args[0]), confirmed=True),
}


async def contact_button(
    update: Update, context, services: Services, contact: Contact, action: str, args: list[str]
) -> None:
    """A contact pressed one of the conversation's buttons."""
    conversation = _conversation(services, contact)
    if conversation is None:
        await no_cycle(update, context, contact)
        return
    try:
        outcome = CONTACT_ACTIONS[action](conversation, args)
    except (KeyError, IndexError, ValueError):
        outcome = Outcome().say(t(contact.lang, "That button is out of date. Send /fill to continue."))
    await reply(context, update.effective_chat.id, outcome)
