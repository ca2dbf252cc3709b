"""Telegram without Telegram: a local Bot API server, scripted people talking to the real bot, the demo.

Used by ``reportbot demo`` and by the tests; the running bot never imports its modules (only this light
package, for where the examples are).
"""

from pathlib import Path

# The report formats the demo can play (bot.offline.demo.SCRIPTS has one script for each).
DEMO_TEMPLATES = ("gov-disclosure-2018", "gov-disclosure-2021")


def examples_folder() -> Path:
    """The examples: a checkout's examples/ folder, else the copy a wheel installs in this package."""
    checkout = Path(__file__).resolve().parents[2] / "examples"
    return checkout if checkout.is_dir() else Path(__file__).resolve().parent / "examples"
