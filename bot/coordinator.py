"""Telegram handlers for coordinator commands, and the dispatcher for inline buttons."""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import BadRequest

from bot.config import ConfigError, parse_moment
from bot.handlers import bound, contact_button, no_cycle, refuse, reply, services_of
from bot.services import Services
from storage.records import Contact
from workflows import notices, progress, review
from workflows.cycles import CycleError, cycle_state, new_cycle
from workflows.i18n import t
from workflows.onboarding import CONTACT, COORDINATOR, InviteError, issue
from workflows.replies import Outcome, Reply
from workflows.reports import assemble_current, figures_json, figures_xlsx


def _session(services: Services):
    cycle = services.cycle()
    return (cycle, services.session(cycle)) if cycle else (None, None)


@bound(COORDINATOR)
async def status(update: Update, context, services: Services, contact: Contact) -> None:
    """/status: per-department progress."""
    cycle, session = _session(services)
    if cycle is None:
        await no_cycle(update, context, contact)
        return
    await reply(
        context, update.effective_chat.id, progress.status(session, cycle, services.now(), contact.lang)
    )


@bound(COORDINATOR)
async def missing(update: Update, context, services: Services, contact: Contact) -> None:
    """/missing: who has not submitted, with contact names."""
    cycle, session = _session(services)
    if cycle is None:
        await no_cycle(update, context, contact)
        return
    await reply(
        context, update.effective_chat.id, progress.missing(session, cycle, services.now(), contact.lang)
    )


@bound(COORDINATOR)
async def remind(update: Update, context, services: Services, contact: Contact) -> None:
    """/remind [department]: nudge the contacts of departments that still owe sections."""
    cycle, session = _session(services)
    if cycle is None:
        await no_cycle(update, context, contact)
        return
    wanted = " ".join(context.args or []).strip()
    outcome, reminded = Outcome(), []
    for entry in progress.department_progress(session):
        if not entry.owing or (wanted and wanted not in (entry.department.id, entry.department.name)):
            continue
        for person in entry.contacts:
            outcome.notify.append(
                (person.user_id, notices.reminder(session, cycle, entry, services.now(), person.lang))
            )
        reminded.append(entry.department.name)
    if reminded:
        outcome.say(t(contact.lang, "Reminded: {names}", names="、".join(reminded)))
    elif wanted:
        outcome.say(t(contact.lang, "“{name}” owes nothing, or is not a department.", name=wanted))
    else:
        outcome.say(t(contact.lang, "Every section has been submitted."))
    await reply(context, update.effective_chat.id, outcome)


@bound(COORDINATOR)
async def approve(update: Update, context, services: Services, contact: Contact) -> None:
    """/approve <section>."""
    cycle, session = _session(services)
    if cycle is None:
        await no_cycle(update, context, contact)
        return
    ref = " ".join(context.args or [])
    if not ref:
        await reply(
            context, update.effective_chat.id, Outcome().say(t(contact.lang, "Usage: /approve <number>"))
        )
        return
    await reply(context, update.effective_chat.id, review.approve(session, contact, ref, services.now()))


@bound(COORDINATOR)
async def return_command(update: Update, context, services: Services, contact: Contact) -> None:
    """/return <section> <reason>."""
    cycle, session = _session(services)
    if cycle is None:
        await no_cycle(update, context, contact)
        return
    args = context.args or []
    if not args:
        usage = t(contact.lang, "Usage: /return <number> <reason>")
        await reply(context, update.effective_chat.id, Outcome().say(usage))
        return
    comment = " ".join(args[1:])
    await reply(
        context,
        update.effective_chat.id,
        review.return_section(session, contact, args[0], comment, services.now()),
    )


@bound(COORDINATOR)
async def assemble(update: Update, context, services: Services, contact: Contact) -> None:
    """/assemble: the current .docx, marked 草稿 while incomplete or inconsistent."""
    cycle, session = _session(services)
    if cycle is None:
        await no_cycle(update, context, contact)
        return
    assembly, errors, draft = assemble_current(
        session, services.organisation(), services.now(), services.settings.timezone
    )
    lines = [
        t(
            contact.lang,
            "Draft: {gaps} parts missing, {errors} figures inconsistent.",
            gaps=len(assembly.gaps),
            errors=len(errors),
        )
        if draft
        else t(contact.lang, "Complete and consistent.")
    ]
    lines += [f"· {gap.placeholder()}" for gap in assembly.gaps[:20]]
    lines += [f"❌ {finding.render(contact.lang)}" for finding in errors[:20]]
    name = f"report-{session.year}{'-draft' if draft else ''}.docx"
    outcome = Outcome(replies=[Reply("\n".join(lines), document=assembly.to_bytes(), filename=name)])
    await reply(context, update.effective_chat.id, outcome)


@bound(COORDINATOR)
async def export(update: Update, context, services: Services, contact: Contact) -> None:
    """/export: every figure as .xlsx and .json."""
    cycle, session = _session(services)
    if cycle is None:
        await no_cycle(update, context, contact)
        return
    outcome = Outcome(
        replies=[
            Reply(
                t(contact.lang, "All figures of {year}", year=session.year),
                document=figures_xlsx(session),
                filename=f"figures-{session.year}.xlsx",
            ),
            Reply("JSON", document=figures_json(session), filename=f"figures-{session.year}.json"),
        ]
    )
    await reply(context, update.effective_chat.id, outcome)


@bound(COORDINATOR)
async def invite(update: Update, context, services: Services, contact: Contact) -> None:
    """/invite <department id>|coordinator: a fresh invitation link."""
    wanted = (context.args or [""])[0]
    role = COORDINATOR if wanted == "coordinator" else CONTACT
    if role == CONTACT and services.store.get_department(wanted) is None:
        ids = ", ".join(d.id for d in services.store.list_departments())
        usage = t(
            contact.lang, "Usage: /invite <department> or /invite coordinator (departments: {ids})", ids=ids
        )
        await reply(context, update.effective_chat.id, Outcome().say(usage))
        return
    try:
        issued = issue(services.key, role, wanted if role == CONTACT else None, services.now())
    except InviteError as exc:
        await reply(context, update.effective_chat.id, Outcome().say(str(exc)))
        return
    username = context.bot.username
    text = t(
        contact.lang,
        "Invitation (single use, valid until {until}):\n{link}\nCode: {code}",
        until=issued.expires_at.astimezone(services.settings.timezone).strftime("%Y-%m-%d %H:%M"),
        link=issued.link(username),
        code=issued.code,
    )
    await reply(context, update.effective_chat.id, Outcome().say(text))


@bound(COORDINATOR)
async def cycle(update: Update, context, services: Services, contact: Contact) -> None:
    """/cycle: list cycles; /cycle open <year> <deadline> [<opens>]: start collecting a report year."""
    args = context.args or []
    now = services.now()
    if args[:1] == ["open"] and len(args) in (3, 4):
        zone = services.settings.timezone
        try:
            year = int(args[1])
            deadline = parse_moment(args[2], zone, "deadline", end_of_day=True)
            opens = parse_moment(args[3], zone, "opens") if len(args) == 4 else None
            created = new_cycle(services.settings.template.id, year, deadline, opens, zone.key, now)
        except (ValueError, ConfigError, CycleError) as exc:
            await reply(context, update.effective_chat.id, Outcome().say(str(exc)))
            return
        if services.store.get_cycle(year) is not None:
            text = t(contact.lang, "A cycle for {year} exists already.", year=year)
            await reply(context, update.effective_chat.id, Outcome().say(text))
            return
        services.store.put_cycle(created)
        scheduler = context.application.bot_data.get("scheduler")
        text = t(
            contact.lang,
            "Cycle {year} created: opens {opens}, deadline {deadline}.",
            year=year,
            opens=created.opens_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            deadline=created.deadline.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        )
        await reply(context, update.effective_chat.id, Outcome().say(text))
        if scheduler is not None:
            await scheduler.tick()
        return
    if args:
        usage = t(contact.lang, "Usage: /cycle, or /cycle open <year> <deadline> [<opens>]")
        await reply(context, update.effective_chat.id, Outcome().say(usage))
        return
    lines = [
        f"{c.year} · {t(contact.lang, cycle_state(c, now))} · {c.deadline:%Y-%m-%d %H:%M}"
        for c in services.store.list_cycles()
    ]
    text = "\n".join(lines) or t(contact.lang, "No cycles yet: /cycle open <year> <deadline>")
    await reply(context, update.effective_chat.id, Outcome().say(text))


async def button(update: Update, context) -> None:
    """Any inline button: acknowledge it, retire its keyboard, then run the action for the user's role."""
    query = update.callback_query
    services = services_of(context)
    contact = services.store.get_contact(update.effective_user.id)
    if contact is None:
        await refuse(update, context)
        return
    await query.answer()
    if query.message is not None and query.message.text:
        with contextlib.suppress(BadRequest):  # keep the text, drop the buttons: no second press
            await query.edit_message_text(query.message.text)
    action, *args = (query.data or "").split(":")
    chat_id = update.effective_chat.id
    if action == "approve" and contact.role == COORDINATOR:
        cycle, session = _session(services)
        if cycle is None:
            await no_cycle(update, context, contact)
            return
        await reply(context, chat_id, review.approve(session, contact, ":".join(args), services.now()))
    elif contact.role == COORDINATOR or action == "approve":
        text = t(
            contact.lang,
            "This is for department contacts."
            if contact.role == COORDINATOR
            else "This command is for the coordinator only.",
        )
        await reply(context, chat_id, Outcome().say(text))
    else:
        await contact_button(update, context, services, contact, action, args)
