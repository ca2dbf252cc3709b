"""The running bot in one place: services in, handlers registered, outbox and jobs resumed, polling started.

``ReportBot`` owns the python-telegram-bot ``Application`` (handlers and the JobQueue; no Updater, since
``bot.polling`` confirms updates only once handled), the runtime that gives each update its unit of
work, the courier that delivers the outbox, the worker for long jobs, and the reminder scheduler.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from telegram import BotCommand, BotCommandScopeDefault
from telegram.error import InvalidToken, NetworkError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot import coordinator, handlers
from bot.courier import Courier, Pace
from bot.polling import Poller, on_error
from bot.runtime import Runtime
from bot.scheduler import Scheduler
from bot.webapp import FormServer
from bot.worker import Worker
from storage.records import COORDINATOR, FROM_CONFIG
from workflows.cycles import cycle_state
from workflows.i18n import DEFAULT_LANG, t
from workflows.services import Services
from workflows.workdays import WorkCalendar

log = logging.getLogger(__name__)
SEND_TIMEOUT = 75.0  # longer than Telegram ever takes to answer, so a slow answer is not taken for a lost one


class StartupError(RuntimeError):
    """The bot cannot start: one line saying what to check, never the token."""


def redact(text: str, token: str | None) -> str:
    """``text`` with the token (plain or percent-encoded, as in a request URL) replaced by <token>."""
    if not token:
        return text
    for form in {token, quote(token, safe=""), quote(token)}:
        text = text.replace(form, "<token>")
    return text


class _RedactingFormatter(logging.Formatter):
    """Redacts the whole formatted record, traceback included: exception texts may quote request URLs."""

    def __init__(self, inner: logging.Formatter | None, token: str) -> None:
        super().__init__()
        self.inner, self.token = inner or logging.Formatter(), token

    def format(self, record: logging.LogRecord) -> str:
        """Format as the wrapped formatter does, then take the token out."""
        return redact(self.inner.format(record), self.token)


def protect_logs(token: str) -> None:
    """Keep the token out of every log record, from any logger to any handler, and quieten httpx,
    which logs full request URLs (the Bot API puts the token in the URL)."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if not token:
        return
    make_record = logging.getLogRecordFactory()

    def redacting_factory(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        message = record.getMessage()
        if token in message:
            record.msg, record.args = message.replace(token, "<token>"), None
        return record

    logging.setLogRecordFactory(redacting_factory)
    for handler in logging.getLogger().handlers:  # tracebacks are formatted after the record is made
        if not isinstance(handler.formatter, _RedactingFormatter):
            handler.setFormatter(_RedactingFormatter(handler.formatter, token))


def api_url_problem(api_url: str, lang: str = DEFAULT_LANG) -> str | None:
    """Why a Bot API base URL cannot work (the token is appended to it, so it must end in /bot)."""
    if not api_url.startswith(("http://", "https://")) or not api_url.rstrip().endswith("/bot"):
        return t(
            lang,
            "the Bot API URL {url} must start with http(s):// and end with /bot, such as "
            "https://api.telegram.org/bot: check REPORTBOT_API_URL or bot.api_url",
            url=repr(api_url),
        )
    return None


async def connect(
    application: Application,
    token: str,
    api_url: str,
    retry_for: float = 60.0,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    lang: str = DEFAULT_LANG,
) -> None:
    """Initialise the application (its getMe), retrying network failures with backoff for ``retry_for``
    seconds; a rejected token or a lasting outage is a StartupError that names what to check."""
    delay, waited = 1.0, 0.0
    while True:
        try:
            await application.initialize()
            return
        except InvalidToken:
            raise StartupError(
                t(
                    lang,
                    "the Bot API at {url} rejected the token: check REPORTBOT_TOKEN (copy it again from "
                    "@BotFather)",
                    url=api_url,
                )
            ) from None
        except NetworkError as exc:
            reason = redact(str(exc), token)
            if waited + delay > retry_for:
                raise StartupError(
                    t(
                        lang,
                        "cannot reach the Bot API at {url} ({reason}): check the network, a proxy or "
                        "firewall, and REPORTBOT_API_URL if set",
                        url=api_url,
                        reason=reason,
                    )
                ) from None
            log.warning("cannot reach the Bot API (%s): trying again in %.0f s", reason, delay)
        except Exception as exc:  # an unusable URL, a TLS failure…: never a traceback with the token in it
            raise StartupError(
                t(
                    lang,
                    "cannot connect to the Bot API at {url} ({reason}): check REPORTBOT_API_URL",
                    url=api_url,
                    reason=f"{exc.__class__.__name__}: {redact(str(exc), token)}",
                )
            ) from None
        await sleep(delay)
        waited += delay
        delay = min(delay * 2, 30.0)


def register(application: Application) -> None:
    """All handlers, in one place. Order matters: commands first, then buttons, then plain text."""
    for name, callback in [
        ("start", handlers.start),
        ("help", handlers.help_command),
        ("lang", handlers.lang),
        ("fill", handlers.fill),
        ("done", handlers.done),
        ("submit", handlers.submit),
        ("status", coordinator.status),
        ("missing", coordinator.missing),
        ("remind", coordinator.remind),
        ("approve", coordinator.approve),
        ("return", coordinator.return_command),
        ("assemble", coordinator.assemble),
        ("export", coordinator.export),
        ("invite", coordinator.invite),
        ("cycle", coordinator.cycle),
    ]:
        application.add_handler(CommandHandler(name, callback, filters=filters.UpdateType.MESSAGE))
    application.add_handler(CallbackQueryHandler(coordinator.button))
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, handlers.text)
    )
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.Document.ALL, handlers.document)
    )
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, handlers.help_command)
    )
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.TEXT, handlers.edited))
    application.add_error_handler(on_error)


def build_application(services: Services, token: str) -> Application:
    """The Application for ``token``, talking to the configured Bot API server."""
    settings = services.settings
    base_url = settings.api_url  # https://api.telegram.org/bot form: the token is appended to it
    file_url = settings.file_url or base_url.replace("/bot", "/file/bot")
    request = HTTPXRequest(
        connection_pool_size=32,
        read_timeout=SEND_TIMEOUT,
        write_timeout=SEND_TIMEOUT,
        connect_timeout=10,
        pool_timeout=30,
    )
    updates_request = HTTPXRequest(connection_pool_size=2, read_timeout=45, connect_timeout=10)
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(file_url)
        .request(request)
        .get_updates_request(updates_request)
        .updater(None)
        .build()
    )
    application.bot_data["services"] = services
    register(application)
    return application


class ReportBot:
    """Everything that runs: start(), then stop() (or run() until a signal)."""

    def __init__(
        self,
        services: Services,
        token: str,
        calendar: WorkCalendar,
        escalate_after: int = 3,
        pace: Pace | None = None,
        poll_timeout: int = 30,
        retry_for: float = 60.0,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        lang: str = DEFAULT_LANG,
    ) -> None:
        self.services = services
        self.lang = lang  # of the start-up errors, for the person at the terminal
        services.calendar = calendar
        self.token, self.retry_for, self.sleep = token, retry_for, sleep
        self.application = build_application(services, token)
        self.runtime = Runtime(services)
        self.courier = Courier(self.runtime, self.application.bot, pace)
        self.worker = Worker(self.runtime, self.courier)
        self.scheduler = Scheduler(self.runtime, calendar, escalate_after)
        self.poller = Poller(self.application, self.runtime, poll_timeout, on_fatal=self._fatal)
        self.application.bot_data["scheduler"] = self.scheduler
        webapp = services.settings.webapp
        self.form_server = FormServer(self.runtime, token, webapp) if webapp is not None else None
        self.fatal: BaseException | None = None
        self._tasks: list[asyncio.Task] = []
        self._stopped = asyncio.Event()

    def _fatal(self, exc: BaseException) -> None:
        self.fatal = exc
        self._stopped.set()

    async def start(self) -> None:
        """Connect, resume the outbox and the jobs, start polling, then let the scheduler catch up."""
        settings = self.services.settings
        await connect(
            self.application, self.token, settings.api_url, self.retry_for, self.sleep, lang=self.lang
        )
        await self._serve_form()
        await self.application.start()  # the JobQueue
        store = self.services.store
        pending = store.pending_deliveries()
        referenced = {d.payload.get("blob") for d in pending}
        for name in store.blob_names() - referenced:  # kept for a delivery that is done, or never committed
            store.delete_blob(name)
        self.courier.add(pending)
        self.worker.add(store.pending_jobs())
        self._tasks = [
            asyncio.create_task(self.courier.run(), name="courier"),
            asyncio.create_task(self.worker.run(), name="worker"),
            asyncio.create_task(self.poller.run(), name="poller"),
        ]
        await self.application.bot.set_my_commands(
            [BotCommand("start", "开始 / Start"), BotCommand("help", "帮助 / Help")],
            scope=BotCommandScopeDefault(),
        )
        await self._configured_menus()
        await self.scheduler.start(self.application)  # polling has started: openings never delay answers
        log.info("%d messages due, %d jobs to finish", len(pending), len(store.pending_jobs()))
        log.info("%s", self.started_line())
        # The database is in memory now and lives as long as the bot: move it out of the cyclic garbage
        # collector's sight, whose full passes would otherwise walk every stored record (10,000 contacts
        # make each answer about 10 % slower). What is freed later is still freed by reference counting.
        gc.collect()  # what start-up left as garbage is freed, not frozen for the whole run
        gc.freeze()

    async def _serve_form(self) -> None:
        """Start the form's web server, when configured; a port it cannot have stops the start."""
        if self.form_server is None:
            return
        config = self.form_server.config
        try:
            await self.form_server.start()
        except OSError as exc:
            await self.application.shutdown()
            raise StartupError(
                t(
                    self.lang,
                    "cannot serve the form on {host}:{port} ({reason}): check webapp.listen_host and "
                    "webapp.listen_port",
                    host=config.listen_host,
                    port=config.listen_port,
                    reason=exc.strerror or exc.__class__.__name__,
                )
            ) from None

    def started_line(self) -> str:
        """The start-up summary: who the bot is, its template, departments and open cycle."""
        settings, now = self.services.settings, self.services.now()
        cycles = [
            c.id for c in self.services.store.list_cycles() if cycle_state(c, now) in ("open", "overdue")
        ]
        departments = ", ".join(d.id for d in settings.departments)
        return (
            f"started as @{self.application.bot.username}: template {settings.template.id}, "
            f"{len(settings.departments)} departments ({departments}), "
            f"open cycle: {', '.join(cycles) or 'none'}"
        )

    async def _configured_menus(self) -> None:
        """Coordinators named in the configuration never redeemed an invitation: give them their menu."""
        async with self.runtime.unit("menus") as unit:
            for contact in unit.store.list_contacts(role=COORDINATOR):
                if contact.active and contact.granted_by == FROM_CONFIG and not contact.blocked:
                    handlers.set_commands(unit, contact)

    async def stop(self) -> None:
        """Finish the batch in hand and the sends in flight, then shut down."""
        if self.form_server is not None:  # first: no save may start while the rest winds down
            await self.form_server.stop()
        await self.poller.stop()
        poller = self._tasks[2] if len(self._tasks) > 2 else None
        if poller is not None:
            if not self.poller.handling:
                poller.cancel()  # waiting in a long poll: nothing fetched is confirmed, nothing is lost
            try:
                await asyncio.wait_for(poller, 60)
            except (TimeoutError, asyncio.CancelledError):
                poller.cancel()
        await self.courier.stop()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
        gc.unfreeze()  # what start froze may be garbage now (a process that starts bots again: the tests)

    async def run(self) -> None:
        """Run until SIGINT/SIGTERM (or until Telegram refuses the token)."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):  # Windows: Ctrl-C still interrupts asyncio.run
                loop.add_signal_handler(sig, self._stopped.set)
        await self.start()
        await self._stopped.wait()
        await self.stop()
