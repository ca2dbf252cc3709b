"""`reportbot cycle open|close|list`: report cycles, from the command line."""

from __future__ import annotations

import click

from bot.commands import CONFIG, LANG, fail, in_range, open_or_exit, settings_or_exit
from workflows.clock import SystemClock
from workflows.cycles import (
    PERIODS,
    CycleError,
    close_cycle,
    create_cycle,
    created_text,
    cycle_state,
    read_moment,
)
from workflows.i18n import t


def register(main: click.Group) -> None:
    """Add the ``cycle`` group to the command line."""

    @main.group()
    def cycle() -> None:
        """Report cycles (one per report year)."""

    @cycle.command(name="open")
    @CONFIG
    @click.option(
        "--year",
        type=int,
        callback=in_range(2000, 2100),
        required=True,
        help="The report year, e.g. 2026 for the report due in 2027.",
    )
    @click.option(
        "--period",
        type=click.Choice(PERIODS),
        default="year",
        show_default=True,
        help="A year's report, a half-year's (H1, H2) or a quarter's (Q1…Q4).",
    )
    @click.option("--deadline", required=True, help="2027-01-20 (18:00) or 2027-01-20T17:00.")
    @click.option("--opens", default=None, help="When to send the opening prompts (default: now).")
    @LANG
    def cycle_open(
        config_path: str | None, year: int, period: str, deadline: str, opens: str | None, lang: str
    ) -> None:
        """Create a cycle; the bot sends the opening prompts at its opening time."""
        settings = settings_or_exit(config_path, lang)
        zone = settings.timezone
        store = open_or_exit(settings, lang)
        try:
            due_at = read_moment(deadline, zone, end_of_day=True)
            opens_at = read_moment(opens, zone) if opens else None
            created = create_cycle(
                store, settings.template.id, year, due_at, opens_at, zone, SystemClock().now(), period
            )
        except CycleError as exc:
            fail(exc.render(lang))
        finally:
            store.close()
        click.echo(created_text(created, zone, lang))

    @cycle.command(name="close")
    @CONFIG
    @click.option(
        "--cycle", "cycle_ref", required=True, help="The cycle id, as `reportbot cycle list` shows it."
    )
    @LANG
    def cycle_close(config_path: str | None, cycle_ref: str, lang: str) -> None:
        """Close a cycle: no more prompts or reminders for it."""
        store = open_or_exit(settings_or_exit(config_path, lang), lang)
        try:
            if not close_cycle(store, cycle_ref):
                fail(t(lang, "no open cycle {cycle}", cycle=cycle_ref))
        finally:
            store.close()
        click.echo(t(lang, "cycle {cycle}: closed", cycle=cycle_ref))

    @cycle.command(name="list")
    @CONFIG
    @LANG
    def cycle_list(config_path: str | None, lang: str) -> None:
        """Show every cycle with its state."""
        settings = settings_or_exit(config_path, lang)
        store = open_or_exit(settings, lang)
        zone = settings.timezone
        try:
            now = SystemClock().now()
            cycles = store.list_cycles()
            for item in cycles:
                opens = t(lang, "opens {time}", time=f"{item.opens_at.astimezone(zone):%Y-%m-%d %H:%M}")
                due = t(lang, "deadline {time}", time=f"{item.deadline.astimezone(zone):%Y-%m-%d %H:%M}")
                click.echo(f"{item.id}\t{cycle_state(item, now)}\t{opens}\t{due}\t{item.template_id}")
            if not cycles:
                click.echo(t(lang, "no cycles yet: reportbot cycle open --year … --deadline …"))
        finally:
            store.close()
