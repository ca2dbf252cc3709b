"""Telegram handlers for coordinator commands, and the dispatcher for inline buttons."""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import BadRequest

from bot.config import ConfigError, parse_moment
from bot.guard import Request, bound, refuse, services_of
from bot.handlers import contact_button
from workflows import notices, progress, review
from workflows.cycles import CycleError, close_cycle, cycle_state, new_cycle
from workflows.i18n import t
from workflows.onboarding import CONTACT, COORDINATOR, InviteError, issue
from workflows.replies import Outcome, Reply
from workflows.reports import assemble_current, figures_json, figures_xlsx

MINUTE = "%Y-%m-%d %H:%M"


@bound(COORDINATOR, needs_cycle=True)
async def status(request: Request) -> None:
    """/status: per-department progress."""
    await request.send(progress.status(request.session, request.cycle, request.now, request.lang))


@bound(COORDINATOR, needs_cycle=True)
async def missing(request: Request) -> None:
    """/missing: who has not submitted, with contact names."""
    await request.send(progress.missing(request.session, request.cycle, request.now, request.lang))


@bound(COORDINATOR, needs_cycle=True)
async def remind(request: Request) -> None:
    """/remind [department]: nudge the contacts of departments that still owe sections."""
    wanted = " ".join(request.args).strip()
    outcome, reminded = Outcome(), []
    for entry in progress.department_progress(request.session):
        if not entry.owing or (wanted and wanted not in (entry.department.id, entry.department.name)):
            continue
        for person in entry.contacts:
            note = notices.reminder(request.session, request.cycle, entry, request.now, person.lang)
            outcome.notify.append((person.user_id, note))
        reminded.append(entry.department.name)
    if reminded:
        outcome.say(t(request.lang, "Reminded: {names}", names="、".join(reminded)))
    elif wanted:
        outcome.say(t(request.lang, "“{name}” owes nothing, or is not a department.", name=wanted))
    else:
        outcome.say(t(request.lang, "Every section has been submitted."))
    await request.send(outcome)


@bound(COORDINATOR, needs_cycle=True)
async def approve(request: Request) -> None:
    """/approve <section>."""
    ref = " ".join(request.args)
    if not ref:
        await request.say(t(request.lang, "Usage: /approve <number>"))
        return
    await request.send(review.approve(request.session, request.contact, ref, request.now))


@bound(COORDINATOR, needs_cycle=True)
async def return_command(request: Request) -> None:
    """/return <section> <reason>."""
    if not request.args:
        await request.say(t(request.lang, "Usage: /return <number> <reason>"))
        return
    ref, comment = request.args[0], " ".join(request.args[1:])
    await request.send(review.return_section(request.session, request.contact, ref, comment, request.now))


@bound(COORDINATOR, needs_cycle=True)
async def assemble(request: Request) -> None:
    """/assemble: the current .docx, marked 草稿 while incomplete or inconsistent."""
    services = request.services
    assembly, errors, draft = assemble_current(
        request.session, services.organisation(), request.now, services.settings.timezone
    )
    if draft:
        head = t(
            request.lang,
            "Draft: {gaps} parts missing, {errors} figures inconsistent.",
            gaps=len(assembly.gaps),
            errors=len(errors),
        )
    else:
        head = t(request.lang, "Complete and consistent.")
    lines = [
        head,
        *(f"· {gap.placeholder()}" for gap in assembly.gaps[:20]),
        *(f"❌ {finding.render(request.lang)}" for finding in errors[:20]),
    ]
    name = f"report-{request.session.year}{'-draft' if draft else ''}.docx"
    await request.send(
        Outcome(replies=[Reply("\n".join(lines), document=assembly.to_bytes(), filename=name)])
    )


@bound(COORDINATOR, needs_cycle=True)
async def export(request: Request) -> None:
    """/export: every figure as .xlsx and .json."""
    year = request.session.year
    await request.send(
        Outcome(
            replies=[
                Reply(
                    t(request.lang, "All figures of {year}", year=year),
                    document=figures_xlsx(request.session),
                    filename=f"figures-{year}.xlsx",
                ),
                Reply("JSON", document=figures_json(request.session), filename=f"figures-{year}.json"),
            ]
        )
    )


@bound(COORDINATOR)
async def invite(request: Request) -> None:
    """/invite <department id>|coordinator: a fresh invitation link."""
    store = request.services.store
    wanted = (request.args or [""])[0]
    role = COORDINATOR if wanted == "coordinator" else CONTACT
    if role == CONTACT and store.get_department(wanted) is None:
        ids = ", ".join(d.id for d in store.list_departments())
        await request.say(
            t(
                request.lang,
                "Usage: /invite <department> or /invite coordinator (departments: {ids})",
                ids=ids,
            )
        )
        return
    try:
        issued = issue(request.services.key, role, wanted if role == CONTACT else None, request.now)
    except InviteError as exc:
        await request.say(str(exc))
        return
    until = issued.expires_at.astimezone(request.services.settings.timezone).strftime(MINUTE)
    await request.say(
        t(
            request.lang,
            "Invitation (single use, valid until {until}):\n{link}\nCode: {code}",
            until=until,
            link=issued.link(request.context.bot.username),
            code=issued.code,
        )
    )


@bound(COORDINATOR)
async def cycle(request: Request) -> None:
    """/cycle: list cycles; /cycle open <year> <deadline> [<opens>]: start collecting a report year."""
    args, services = request.args, request.services
    if args[:1] == ["open"] and len(args) in (3, 4):
        await _open_cycle(request, args[1:])
    elif args[:1] == ["close"] and len(args) == 2 and args[1].isdigit():
        closed = close_cycle(services.store, int(args[1]))
        text = "Cycle {year} closed: no more reminders." if closed else "No open cycle for {year}."
        await request.say(t(request.lang, text, year=args[1]))
    elif args:
        await request.say(
            t(request.lang, "Usage: /cycle, /cycle open <year> <deadline> [<opens>], /cycle close <year>")
        )
    else:
        lines = [
            f"{c.year} · {t(request.lang, cycle_state(c, request.now))} · {c.deadline:{MINUTE}}"
            for c in services.store.list_cycles()
        ]
        await request.say("\n".join(lines) or t(request.lang, "No cycles yet: /cycle open <year> <deadline>"))


async def _open_cycle(request: Request, args: list[str]) -> None:
    services = request.services
    zone = services.settings.timezone
    try:
        year = int(args[0])
        deadline = parse_moment(args[1], zone, "deadline", end_of_day=True)
        opens = parse_moment(args[2], zone, "opens") if len(args) == 3 else None
        created = new_cycle(services.settings.template.id, year, deadline, opens, zone.key, request.now)
    except (ValueError, ConfigError, CycleError) as exc:
        await request.say(str(exc))
        return
    if services.store.get_cycle(year) is not None:
        await request.say(t(request.lang, "A cycle for {year} exists already.", year=year))
        return
    services.store.put_cycle(created)
    await request.say(
        t(
            request.lang,
            "Cycle {year} created: opens {opens}, deadline {deadline}.",
            year=year,
            opens=created.opens_at.astimezone(zone).strftime(MINUTE),
            deadline=created.deadline.astimezone(zone).strftime(MINUTE),
        )
    )
    scheduler = request.context.application.bot_data.get("scheduler")
    if scheduler is not None:
        await scheduler.tick()


@bound(COORDINATOR, needs_cycle=True)
async def approve_button(request: Request) -> None:
    """The 通过 button under a submission notice."""
    ref = request.update.callback_query.data.split(":", 1)[1]
    await request.send(review.approve(request.session, request.contact, ref, request.now))


async def button(update: Update, context) -> None:
    """Any inline button: acknowledge it, retire its keyboard, then run the action for the user's role."""
    query = update.callback_query
    if services_of(context).store.get_contact(update.effective_user.id) is None:
        await refuse(update, context)
        return
    await query.answer()
    if query.message is not None and query.message.text:
        with contextlib.suppress(BadRequest):  # keep the text, drop the buttons: no second press
            await query.edit_message_text(query.message.text)
    if (query.data or "").startswith("approve:"):
        await approve_button(update, context)
    else:
        await contact_button(update, context)
