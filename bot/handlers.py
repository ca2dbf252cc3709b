"""Telegram handlers for everyone and for department contacts: read the update, call a workflow, reply."""

from __future__ import annotations

from dataclasses import replace

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.ext import ContextTypes

from bot.guard import Request, bound, refuse, reply, services_of
from storage.records import Contact
from workflows.conversation import Conversation
from workflows.i18n import normalise_lang, t
from workflows.onboarding import COORDINATOR, InviteError, redeem
from workflows.replies import Outcome

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
    chat_id = update.effective_chat.id
    known = services.store.get_contact(user.id)
    lang = known.lang if known else normalise_lang(user.language_code or services.settings.language)
    if not context.args:
        if known is None:
            await refuse(update, context)
        else:
            await reply(context, chat_id, Outcome().say(help_text(known)))
        return
    try:
        contact = redeem(
            services.store, services.key, context.args[0], user.id, user.full_name, lang, services.now()
        )
    except InviteError as exc:
        problem = INVITE_PROBLEMS.get(str(exc), INVITE_PROBLEMS["invalid"])
        await reply(context, chat_id, Outcome().say(t(lang, problem)))
        return
    contact = replace(contact, chat_id=chat_id)
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
    await reply(context, chat_id, Outcome().say(welcome + "\n\n" + help_text(contact)))


@bound()
async def help_command(request: Request) -> None:
    """/help: the commands of the user's role."""
    await request.say(help_text(request.contact))


@bound()
async def lang(request: Request) -> None:
    """/lang zh|en: switch this user's language."""
    wanted = (request.args or [""])[0].lower()
    if wanted not in ("zh", "en"):
        await request.say(t(request.lang, "Usage: /lang zh or /lang en"))
        return
    contact = replace(request.contact, lang=wanted)
    request.services.store.put_contact(contact)
    await set_commands(request.context, contact)
    await request.say(t(wanted, "Language set to English."))


def conversation(request: Request) -> Conversation:
    """The contact's conversation about the active report."""
    return Conversation(request.session, request.contact, request.now)


@bound("contact", needs_cycle=True)
async def fill(request: Request) -> None:
    """/fill: choose or continue a section."""
    await request.send(conversation(request).menu())


@bound("contact", needs_cycle=True)
async def done(request: Request) -> None:
    """/done: finish the narrative being written."""
    await request.send(conversation(request).done())


@bound("contact", needs_cycle=True)
async def submit(request: Request) -> None:
    """/submit: submit the open section (or choose one)."""
    talk = conversation(request)
    current = talk.current_index()
    await request.send(talk.menu() if current is None else talk.submit(current))


@bound()
async def text(request: Request) -> None:
    """Any other message: an answer from a contact; a hint for a coordinator."""
    if request.contact.role == COORDINATOR:
        await request.say(help_text(request.contact))
        return
    await answer(request.update, request.context)


@bound("contact", needs_cycle=True)
async def answer(request: Request) -> None:
    """A contact's message: the answer to the current prompt."""
    await request.send(conversation(request).text(request.update.effective_message.text or ""))


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


@bound("contact", needs_cycle=True)
async def contact_button(request: Request) -> None:
    """A contact pressed one of the conversation's buttons."""
    action, *args = (request.update.callback_query.data or "").split(":")
    try:
        outcome = CONTACT_ACTIONS[action](conversation(request), args)
    except (KeyError, IndexError, ValueError):
        outcome = Outcome().say(t(request.lang, "That button is out of date. Send /fill to continue."))
    await request.send(outcome)
