"""Telegram handlers for everyone and for department contacts: read the update, call a workflow, reply."""

from __future__ import annotations

from dataclasses import replace

from telegram import Chat, Update
from telegram.ext import ContextTypes

from bot.callbacks import decode
from bot.guard import (
    CHANNEL,
    MSG_PRIVATE_ONLY,
    Request,
    answer_button,
    bound,
    contact_of,
    refuse,
    services_of,
)
from bot.messages import COMMANDS
from bot.runtime import Unit, current_unit
from bot.worker import SHEET
from storage.records import CONTACT, COORDINATOR, HEAD, NOTICE, Contact
from workflows import joining
from workflows.conversation import EXPIRED, Conversation
from workflows.edits import edit_answer
from workflows.form import with_form_button
from workflows.i18n import normalise_lang, t
from workflows.replies import Action, Outcome
from workflows.sheets.upload import send_sheet, upload_problem, with_sheet_button

CONTACT_COMMANDS = [
    ("fill", "Fill in your sections"),
    ("done", "Finish the text you are writing"),
    ("submit", "Submit the section you have open"),
    ("lang", "Language: /lang zh or /lang en"),
    ("help", "What this bot does"),
]
HEAD_COMMANDS = [
    ("status", "Progress of your department"),
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
MSG_EDITED_COMMAND = "Your edit was not applied: a command works only when sent as a new message."
MSG_COORDINATOR_SHEET = (
    "Workbooks are filled in and sent back by department contacts. /export gives you every figure as .xlsx."
)


def commands_of(contact: Contact) -> list[tuple[str, str]]:
    """The commands of a person's role."""
    return {COORDINATOR: COORDINATOR_COMMANDS, HEAD: HEAD_COMMANDS}.get(contact.role, CONTACT_COMMANDS)


def set_commands(unit: Unit, contact: Contact) -> None:
    """Show this person's own command menu (per-chat scope), in their language."""
    commands = commands_of(contact)
    payload = {"commands": [[name, t(contact.lang, text)] for name, text in commands]}
    unit.deliver(contact.address, COMMANDS, payload, NOTICE)


def help_text(contact: Contact) -> str:
    """The commands of this person's role, one per line."""
    commands = commands_of(contact)
    lines = [t(contact.lang, "Commands:")]
    lines += [f"/{name} — {t(contact.lang, text)}" for name, text in commands]
    if contact.role == COORDINATOR:
        lines.append(t(contact.lang, "To act on another report, name its cycle first: /status 2026-Q4"))
    return "\n".join(lines)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start [code]: bind a person with an invitation code, or greet a known one."""
    unit = current_unit()
    if update.effective_user is None or update.effective_chat is None:
        return
    if update.effective_chat.type != Chat.PRIVATE:
        refuse(update, unit, MSG_PRIVATE_ONLY)
        return
    services = services_of(context)
    known = contact_of(services.store, update.effective_user.id)
    known = known if known is not None and known.active else None
    if not context.args:
        if known is None:
            refuse(update, unit)
        else:
            unit.send(update.effective_chat.id, Outcome().say(help_text(known)))
        return
    join(update, context, unit, context.args[0])


def join(update: Update, context: ContextTypes.DEFAULT_TYPE, unit: Unit, code: str) -> None:
    """Redeem a code; ask first when it would change the role the person has."""
    services, user = services_of(context), update.effective_user
    language = normalise_lang(user.language_code or services.settings.language)
    chat_id = update.effective_chat.id
    joined = joining.join(
        services, user.id, user.full_name, language, code, chat_id, unit.now, channel=CHANNEL
    )
    _welcomed(unit, chat_id, joined)


def confirm_role(update: Update, context: ContextTypes.DEFAULT_TYPE, action: Action) -> None:
    """The buttons under 「要更改吗？」: redeem the waiting code after all, or drop it."""
    unit, user = current_unit(), update.effective_user
    answer_button(update, unit)
    answer, seq = action.args[0], action.args[1]
    chat_id = update.effective_chat.id
    services = services_of(context)
    joined = joining.confirm_role(services, user.id, user.full_name, chat_id, answer, seq, unit.now, CHANNEL)
    _welcomed(unit, chat_id, joined)


def _welcomed(unit: Unit, chat_id: int, joined: joining.Joined) -> None:
    """Send what joining said; a person with a role now gets their command menu and its help below."""
    outcome = joined.outcome
    if joined.contact is not None:
        set_commands(unit, joined.contact)
        first = outcome.replies[0]
        outcome.replies[0] = replace(first, text=first.text + "\n\n" + help_text(joined.contact))
    unit.send(chat_id, outcome)


@bound()
async def help_command(request: Request) -> None:
    """/help: the commands of the user's role."""
    request.say(help_text(request.contact))


@bound()
async def lang(request: Request) -> None:
    """/lang zh|en: switch this user's language."""
    wanted = (request.args or [""])[0].lower()
    if wanted not in ("zh", "en"):
        request.say(t(request.lang, "Usage: /lang zh or /lang en"))
        return
    contact = replace(request.contact, lang=wanted)
    request.services.store.put_contact(contact)
    set_commands(request.unit, contact)
    request.say(t(wanted, "Language set to English."))


def conversation(request: Request) -> Conversation:
    """The contact's conversation about the active report."""
    return Conversation(request.session, request.contact, request.now)


@bound("contact", needs_cycle=True)
async def fill(request: Request) -> None:
    """/fill: choose or continue a section (or fill them all in the form or a workbook)."""
    talk = conversation(request)
    offered = bool(talk.units)  # a department with nothing to fill is offered no other way to fill it
    menu = with_form_button(talk.menu(), request.cycle.id, request.lang, offered)
    request.send(with_sheet_button(menu, request.lang, offered=offered))


@bound("contact", needs_cycle=True)
async def done(request: Request) -> None:
    """/done: finish the narrative being written."""
    request.send(conversation(request).done())


@bound("contact", needs_cycle=True)
async def submit(request: Request) -> None:
    """/submit: submit the open section (or choose one)."""
    talk = conversation(request)
    current = talk.current_section()
    request.send(talk.menu() if current is None else talk.submit(current))


@bound()
async def text(request: Request) -> None:
    """Any other message: an answer from a contact; a hint for a coordinator."""
    if request.contact.role == COORDINATOR:
        request.say(help_text(request.contact))
        return
    await answer(request.update, request.context)


@bound()
async def document(request: Request) -> None:
    """A file: a contact's filled-in workbook; a coordinator is told where workbooks come from."""
    if request.contact.role == COORDINATOR:
        request.say(t(request.lang, MSG_COORDINATOR_SHEET))
        return
    await upload(request.update, request.context)


@bound("contact", needs_cycle=True)
async def upload(request: Request) -> None:
    """A contact's workbook: what its message shows is checked here; the worker fetches and reads it."""
    sent = request.update.effective_message.document
    problem = upload_problem(sent.file_name, sent.file_size, sent.mime_type, request.lang)
    if problem is not None:
        request.say(problem)
        return
    params = {"cycle": request.cycle.id, "chat": request.chat_id, "lang": request.lang}
    request.unit.job(SHEET, {**params, "user": request.contact.user_id, "file_id": sent.file_id})


@bound("contact", needs_cycle=True)
async def answer(request: Request) -> None:
    """A contact's message: the answer to the prompt they were shown."""
    message = request.update.effective_message
    request.send(conversation(request).text(message.text or "", message.message_id))


@bound()
async def edited(request: Request) -> None:
    """An edited message: a contact's corrected answer, in whichever open report it answered."""
    if request.contact.role != CONTACT:
        return  # a coordinator's or a head's edit changes nothing: only contacts answer prompts
    message, services = request.update.effective_message, request.services
    if (message.text or "").startswith("/"):
        request.say(t(request.lang, MSG_EDITED_COMMAND))
        return
    talks = [
        Conversation(services.session(cycle), request.contact, request.now)
        for cycle in services.cycles_for(request.contact)
    ]
    request.send(edit_answer(talks, message.message_id, message.text or "", request.lang))


CONTACT_ACTIONS = {
    "fill": lambda c, a: c.menu(),
    "open": lambda c, a: c.open(a[0]),
    "zero": lambda c, a: c.all_zero(a[0]),
    "done": lambda c, a: c.done(a[0]),
    "overwrite": lambda c, a: c.resolve(a[0], overwrite=True),
    "keep": lambda c, a: c.resolve(a[0], overwrite=False),
    "editmenu": lambda c, a: c.edit_menu(a[0]),
    "edit": lambda c, a: c.edit(a[0], a[1], a[2]),
    "submit": lambda c, a: c.submit(a[0], a[1]),
    "confirm": lambda c, a: c.submit(a[0], a[1], confirmed=True),
    "okwarn": lambda c, a: c.confirm_warnings(a[0], a[1], a[2]),
    "sheet": lambda c, a: send_sheet(c.session, c.contact, c.now),
}


@bound("contact", needs_cycle=True)
async def contact_button(request: Request) -> None:
    """A contact pressed one of the conversation's buttons."""
    answer_button(request.update, request.unit)
    action = decode(request.update.callback_query.data)
    try:
        outcome = CONTACT_ACTIONS[action.name](conversation(request), action.args)
    except (KeyError, IndexError):
        outcome = Outcome().say(t(request.lang, EXPIRED))
    request.send(outcome)
