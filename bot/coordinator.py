"""Telegram handlers for coordinator commands, and the dispatcher for inline buttons."""

from __future__ import annotations

from telegram import Update

from bot.callbacks import decode, deep_link
from bot.guard import Request, answer_button, bound, refuse
from bot.handlers import confirm_role, contact_button
from bot.runtime import current_unit
from bot.worker import ASSEMBLE, BROADCAST, EXPORT, group_of
from storage.records import BROADCAST as BROADCAST_PRIORITY
from storage.records import CONTACT, COORDINATOR, HEAD
from workflows import progress, review
from workflows.cycles import (
    CycleError,
    close_cycle,
    create_cycle,
    created_text,
    cycle_state,
    read_moment,
    read_period,
)
from workflows.i18n import t
from workflows.onboarding import InviteError, issue

MINUTE = "%Y-%m-%d %H:%M"


@bound(needs_cycle=True)
async def status(request: Request) -> None:
    """/status: every department's progress for a coordinator; a head sees their own department's."""
    only = None
    if request.contact.role != COORDINATOR:
        headed = progress.headed_by(request.contact, request.session.departments)
        if not headed:
            request.say(t(request.lang, "This command is for the coordinator only."))
            return
        only = {d.id for d in headed}
    request.send(progress.status(request.session, request.cycle, request.now, request.lang, only))


@bound(COORDINATOR, needs_cycle=True)
async def missing(request: Request) -> None:
    """/missing: who has not submitted, with contact names."""
    request.send(progress.missing(request.session, request.cycle, request.now, request.lang))


@bound(COORDINATOR, needs_cycle=True)
async def remind(request: Request) -> None:
    """/remind [department]: nudge the contacts of departments that still owe sections.

    Answers at once; the reminders go out through the paced outbox, and the coordinator is told how
    many arrived once they all have."""
    wanted = " ".join(request.args).strip()
    messages, reminded, unreachable = progress.remind_targets(
        request.session, request.cycle, request.now, wanted
    )
    if messages:
        job = request.unit.job(BROADCAST, {"chat": request.chat_id, "lang": request.lang, "names": reminded})
        for contact, reply in messages:
            request.unit.reply(contact.address, reply, BROADCAST_PRIORITY, group=group_of(job))
    request.say(progress.remind_summary(len(messages), reminded, unreachable, wanted, request.lang))


@bound(COORDINATOR, needs_cycle=True)
async def approve(request: Request) -> None:
    """/approve <section>."""
    ref = " ".join(request.args)
    if not ref:
        request.say(t(request.lang, "Usage: /approve <number>"))
        return
    request.send(review.approve(request.session, request.contact, ref, request.now))


@bound(COORDINATOR, needs_cycle=True)
async def return_command(request: Request) -> None:
    """/return <section> <reason>."""
    if not request.args:
        request.say(t(request.lang, "Usage: /return <number> <reason>"))
        return
    ref, comment = request.args[0], " ".join(request.args[1:])
    request.send(review.return_section(request.session, request.contact, ref, comment, request.now))


@bound(COORDINATOR, needs_cycle=True)
async def assemble(request: Request) -> None:
    """/assemble: the current .docx (built in the background), marked 草稿 while incomplete."""
    request.unit.job(ASSEMBLE, {"cycle": request.cycle.id, "chat": request.chat_id, "lang": request.lang})
    request.say(t(request.lang, "Assembling the report; it will follow in a moment."))


@bound(COORDINATOR, needs_cycle=True)
async def export(request: Request) -> None:
    """/export: every figure as .xlsx and .json (built in the background)."""
    request.unit.job(EXPORT, {"cycle": request.cycle.id, "chat": request.chat_id, "lang": request.lang})
    request.say(t(request.lang, "Exporting every figure; the files will follow in a moment."))


@bound(COORDINATOR)
async def invite(request: Request) -> None:
    """/invite <department id> | head <department id> | coordinator: a fresh invitation link."""
    store = request.services.store
    args = [*request.args, "", ""]
    role = {"coordinator": COORDINATOR, "head": HEAD}.get(args[0], CONTACT)
    wanted = args[1] if role == HEAD else args[0]
    department = store.get_department(wanted) if role != COORDINATOR else None
    if role != COORDINATOR and (department is None or not department.active):
        ids = ", ".join(d.id for d in store.list_departments() if d.active)
        request.say(
            t(
                request.lang,
                "Usage: /invite <department>, /invite head <department> or /invite coordinator "
                "(departments: {ids})",
                ids=ids,
            )
        )
        return
    try:
        issued = issue(request.services.key, role, department.id if department else None, request.now)
    except InviteError as exc:
        request.say(exc.render(request.lang))
        return
    until = issued.expires_at.astimezone(request.services.settings.timezone).strftime(MINUTE)
    request.say(
        t(
            request.lang,
            "Invitation (single use, valid until {until}):\n{link}\nCode: {code}",
            until=until,
            link=deep_link(request.context.bot.username, issued.code),
            code=issued.code,
        )
    )


@bound(COORDINATOR)
async def cycle(request: Request) -> None:
    """/cycle: list cycles; /cycle open <year> <deadline> [<opens>]; /cycle close <id>."""
    args, services = request.args, request.services
    if args[:1] == ["open"] and len(args) in (3, 4):
        _open_cycle(request, args[1:])
    elif args[:1] == ["close"] and len(args) == 2:
        closed = close_cycle(services.store, args[1])
        request.say(
            t(
                request.lang,
                "Cycle {year} closed: no more reminders." if closed else "No open cycle for {year}.",
                year=args[1],
            )
        )
    elif args:
        request.say(
            t(
                request.lang,
                "Usage: /cycle, /cycle open <year or 2026-Q4> <deadline> [<opens>], /cycle close <cycle>",
            )
        )
    else:
        zone = services.settings.timezone
        lines = [
            f"{c.id} · {t(request.lang, cycle_state(c, request.now))} · "
            f"{c.deadline.astimezone(zone):{MINUTE}}"
            for c in services.store.list_cycles()
        ]
        request.say("\n".join(lines) or t(request.lang, "No cycles yet: /cycle open <year> <deadline>"))


def _open_cycle(request: Request, args: list[str]) -> None:
    services = request.services
    zone = services.settings.timezone
    try:
        year, period = read_period(args[0])
        deadline = read_moment(args[1], zone, end_of_day=True)
        opens = read_moment(args[2], zone) if len(args) == 3 else None
        created = create_cycle(
            services.store, services.settings.template.id, year, deadline, opens, zone, request.now, period
        )
    except CycleError as exc:
        request.say(exc.render(request.lang))
        return
    request.say(created_text(created, zone, request.lang))
    scheduler = request.context.application.bot_data.get("scheduler")
    if scheduler is not None:
        scheduler.wake(request.unit.cause)  # the opening may be due now: sent once this unit commits


@bound(COORDINATOR, needs_cycle=True)
async def approve_button(request: Request) -> None:
    """The 通过 button under a submission notice (it carries the submission it was made for)."""
    answer_button(request.update, request.unit)
    action = decode(request.update.callback_query.data)
    if len(action.args) != 2:
        request.say(t(request.lang, "This button has expired."))
        return
    request.send(
        review.approve(request.session, request.contact, action.args[0], request.now, action.args[1])
    )


async def button(update: Update, context) -> None:
    """Any inline button: run the action it carries for the user's role."""
    action = decode(update.callback_query.data if update.callback_query else None)
    if action.name == "role":
        if len(action.args) == 2:
            confirm_role(update, context, action)
        else:
            refuse(update, current_unit())
    elif action.name == "approve":
        await approve_button(update, context)
    else:
        await contact_button(update, context)
