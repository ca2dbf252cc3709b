"""`reportbot run`, `init`, `invite` and `demo`: the commands that use the configuration and the store."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time
from datetime import timedelta
from pathlib import Path

import click
import httpx

from bot.app import ReportBot, StartupError, api_url_problem, protect_logs, redact
from bot.callbacks import deep_link
from bot.config import ConfigError, Settings, load_settings, starter_config
from bot.offline import DEMO_TEMPLATES, examples_folder
from storage import DatabaseLocked, kept_secret, open_store
from storage.records import CONTACT, COORDINATOR, HEAD
from workflows.clock import SystemClock
from workflows.i18n import LANGS, lang_from_env, t
from workflows.loader import TemplateError, load_template
from workflows.onboarding import InviteError, issue, signing_key
from workflows.services import Services
from workflows.workdays import CalendarError, WorkCalendar

CONFIG = click.option(
    "--config",
    "config_path",
    type=click.Path(),
    default=None,
    help="The TOML configuration (default: $REPORTBOT_CONFIG or ./reportbot.toml).",
)


def _resolve_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    """The command's --lang, else the group's (`reportbot --lang en …`), else the environment's locale."""
    if value is not None:
        return value
    root = ctx.find_root()
    if root is not ctx and root.params.get("lang"):
        return root.params["lang"]
    return lang_from_env(os.environ)


# Eager, so that it is known when the other options are checked (their errors speak this language too).
LANG = click.option(
    "--lang",
    type=click.Choice(LANGS),
    default=None,
    is_eager=True,
    callback=_resolve_lang,
    help="Language of messages (default: from LC_ALL/LC_MESSAGES/LANG; Chinese unless English).",
)


def in_range(low: int, high: int):
    """An option callback that refuses a number outside low…high in one line, in the user's language
    (click's own message is three lines of usage, in English)."""

    def check(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
        if value is not None and not low <= value <= high:
            lang = ctx.params.get("lang") or lang_from_env(os.environ)
            option = param.opts[0] if param.opts else str(param.name)
            fail(
                t(
                    lang,
                    "{option}: {value} is not between {low} and {high}",
                    option=option,
                    value=value,
                    low=low,
                    high=high,
                )
            )
        return value

    return check


def fail(message: str) -> None:
    """Print one line and exit with status 2."""
    click.echo(f"reportbot: {message}", err=True)
    sys.exit(2)


def settings_or_exit(config_path: str | None, lang: str) -> Settings:
    """Load the configuration, or say in one line why it cannot be used."""
    try:
        return load_settings(config_path, lang=lang)
    except ConfigError as exc:
        fail(str(exc))
        raise  # pragma: no cover - fail() exits


def calendar_for(settings: Settings, lang: str) -> WorkCalendar:
    """The working-day calendar, with the coordinator's own calendar file if configured."""
    try:
        return WorkCalendar.load(settings.calendar_file)
    except CalendarError as exc:
        fail(exc.render(lang))
        raise  # pragma: no cover


def open_or_exit(settings: Settings, lang: str):
    """Open the store, or explain that the bot is already using it."""
    try:
        return open_store(settings.database)
    except DatabaseLocked:
        fail(
            t(
                lang,
                "the database {path} is in use (is the bot running?). Stop it first, or use the coordinator "
                "commands in Telegram.",
                path=str(settings.database),
            )
        )
        raise  # pragma: no cover


def register(main: click.Group) -> None:
    """Add the bot commands to the `reportbot` command group."""

    @main.command()
    @CONFIG
    @click.option(
        "--retry-for",
        type=click.FloatRange(min=0),
        default=60.0,
        show_default=True,
        help="Seconds to keep retrying the first connection to Telegram (with backoff) before giving up.",
    )
    @LANG
    def run(config_path: str | None, retry_for: float, lang: str) -> None:
        """Run the bot (long polling). The token comes from REPORTBOT_TOKEN."""
        settings = settings_or_exit(config_path, lang)
        if not settings.token:
            fail(t(lang, "REPORTBOT_TOKEN is not set: export the token @BotFather gave you, then run again"))
        if (problem := api_url_problem(settings.api_url, lang)) is not None:
            fail(redact(problem, settings.token))
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
        protect_logs(settings.token)
        if hasattr(
            signal, "SIGXFSZ"
        ):  # a write past a file-size limit must fail like a full disk, not kill us
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        store = open_or_exit(settings, lang)
        services = Services(settings, store, SystemClock())
        services.sync_from_settings()
        bot = ReportBot(
            services,
            settings.token,
            calendar_for(settings, lang),
            int(settings.reminders.get("escalate_after", 3)),
            retry_for=retry_for,
            lang=lang,
        )
        try:
            asyncio.run(bot.run())
        except StartupError as exc:
            fail(redact(str(exc), settings.token))
        finally:
            store.close()
        if bot.fatal is not None:
            fail(
                t(
                    lang,
                    "Telegram refused to serve this bot ({reason}): check REPORTBOT_TOKEN",
                    reason=bot.fatal.__class__.__name__,
                )
            )

    @main.command()
    @click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=Path("reportbot.toml"),
        show_default=True,
        help="Where to write the configuration.",
    )
    @click.option(
        "--template",
        "template_ref",
        default="gov-disclosure-2021",
        show_default=True,
        help="A bundled template id (see `reportbot templates`) or a template .yaml file.",
    )
    @click.option(
        "--username", default="my_office_report_bot", help="The bot's @username, for invitation links."
    )
    @click.option("--force", is_flag=True, help="Overwrite an existing file.")
    @click.option(
        "--example", is_flag=True, help="Write the filled-in example office (江滨市科技局) instead."
    )
    @LANG
    def init(
        config_path: Path, template_ref: str, username: str, force: bool, example: bool, lang: str
    ) -> None:
        """Write an annotated reportbot.toml for a new office, to edit before `reportbot run`."""
        if config_path.exists() and not force:
            fail(
                t(
                    lang,
                    "{path} exists already: edit it, or pass --force to replace it",
                    path=str(config_path),
                )
            )
        try:
            if example:
                text = (examples_folder() / "reportbot.example.toml").read_text(encoding="utf-8")
            else:
                text = starter_config(load_template(template_ref), username.lstrip("@"))
        except TemplateError as exc:
            fail(exc.render(lang))
        try:
            config_path.write_text(text, encoding="utf-8")
        except OSError as exc:
            fail(f"{config_path}: {exc.strerror}")
        click.echo(
            t(
                lang,
                "written: {path}. Next: describe the organisation and departments in it, then",
                path=str(config_path),
            )
        )
        click.echo(t(lang, "  export REPORTBOT_TOKEN=…  and  reportbot run"))

    @main.command()
    @CONFIG
    @click.option("--department", help="The department id (from the configuration) the contact answers for.")
    @click.option("--coordinator", is_flag=True, help="Invite a coordinator instead.")
    @click.option("--head", is_flag=True, help="With --department: invite the department's head.")
    @click.option(
        "--days",
        type=int,
        callback=in_range(1, 90),
        default=7,
        show_default=True,
        help="How long the code stays valid (1 to 90).",
    )
    @LANG
    def invite(
        config_path: str | None, department: str | None, coordinator: bool, head: bool, days: int, lang: str
    ) -> None:
        """Print a single-use invitation link (and the bare code)."""
        settings = settings_or_exit(config_path, lang)
        if coordinator == bool(department):
            fail(t(lang, "give either --department ID or --coordinator"))
        if head and not department:
            fail(t(lang, "--head goes with --department ID"))
        if department and department not in {d.id for d in settings.departments}:
            fail(
                t(
                    lang,
                    "no department {department} (configured: {configured})",
                    department=repr(department),
                    configured=", ".join(d.id for d in settings.departments),
                )
            )
        try:
            issued = issue(
                signing_key(settings.secret or kept_secret(settings.database)),
                COORDINATOR if coordinator else HEAD if head else CONTACT,
                department,
                SystemClock().now(),
                timedelta(days=days),
            )
        except InviteError as exc:
            fail(exc.render(lang))
        username = settings.username or _ask_username(settings)
        if username:
            click.echo(deep_link(username, issued.code))
        else:
            click.echo(t(lang, "(set bot.username in the configuration to get a link)"), err=True)
        click.echo(issued.code)

    @main.command()
    @click.option(
        "--template",
        "template_id",
        type=click.Choice(DEMO_TEMPLATES),
        default="gov-disclosure-2021",
        show_default=True,
        help="The 2021 national format, or the 2018 one with the seed report's figures.",
    )
    @click.option(
        "--out",
        "out_dir",
        type=click.Path(path_type=Path),
        default=Path("demo-output"),
        show_default=True,
        help="Where the report, the database and the summary are written.",
    )
    def demo(template_id: str, out_dir: Path) -> None:
        """Run a whole reporting cycle offline against an embedded Bot API server."""
        from bot.offline.demo import SCRIPTS, play  # the fake server and the scripts: only for the demo

        logging.basicConfig(level=logging.WARNING)
        started = time.monotonic()
        paths = asyncio.run(play(SCRIPTS[template_id], out_dir))
        click.echo(f"\n完成（用时 {time.monotonic() - started:.0f} 秒）/ done:")
        click.echo(f"  报告 report:      {paths['report']}")
        click.echo(f"  数据库 database:  {paths['database']}")
        click.echo(f"  摘要 summary:     {paths['summary']}")


def _ask_username(settings: Settings) -> str | None:
    """Ask the Bot API for the bot's username (needs the token and network access)."""
    try:
        response = httpx.get(f"{settings.api_url}{settings.token}/getMe", timeout=10)
        return response.json()["result"]["username"]
    except (httpx.HTTPError, KeyError, ValueError):
        return None
