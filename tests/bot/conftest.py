"""Fixtures shared by the bot's tests."""

from tests.bot.in_process import office  # noqa: F401 - the in-process Application (tests/bot/test_handlers.py)
