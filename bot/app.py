"""Build the python-telegram-bot Application: services in, handlers registered, jobs rebuilt at start-up."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeDefault, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot import coordinator, handlers
from bot.guard import services_of
from bot.services import Services
from workflows.i18n import t

log = logging.getLogger(__name__)


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


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure and tell the user something went wrong; never stop the bot."""
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        services = services_of(context)
        contact = services.store.get_contact(update.effective_user.id) if update.effective_user else None
        text = t(
            contact.lang if contact else "zh",
            "Sorry, something went wrong. Your saved answers are safe; please try again.",
        )
        try:
            await context.bot.send_message(update.effective_chat.id, text)
        except Exception:
            log.warning("could not tell the user about the error")


async def post_init(application: Application) -> None:
    """At start-up: the default command menu, and the schedule rebuilt from the store."""
    await application.bot.set_my_commands(
        [BotCommand("start", "开始 / Start"), BotCommand("help", "帮助 / Help")],
        scope=BotCommandScopeDefault(),
    )
    scheduler = application.bot_data.get("scheduler")
    if scheduler is not None:
        await scheduler.start(application)


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
        application.add_handler(CommandHandler(name, callback))
    application.add_handler(CallbackQueryHandler(coordinator.button))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, handlers.text))
    application.add_handler(MessageHandler(filters.COMMAND, handlers.help_command))  # unknown commands
    application.add_error_handler(on_error)


def build_application(services: Services, token: str, scheduler=None) -> Application:
    """The Application for ``token``, talking to the configured Bot API server."""
    settings = services.settings
    base_url = settings.api_url  # https://api.telegram.org/bot form: the token is appended to it
    file_url = settings.file_url or base_url.replace("/bot", "/file/bot")
    request = HTTPXRequest(connection_pool_size=16, read_timeout=40, connect_timeout=10)
    updates_request = HTTPXRequest(connection_pool_size=2, read_timeout=40, connect_timeout=10)
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(file_url)
        .request(request)
        .get_updates_request(updates_request)
        .post_init(post_init)
        .build()
    )
    application.bot_data["services"] = services
    if scheduler is not None:
        application.bot_data["scheduler"] = scheduler
    register(application)
    return application
