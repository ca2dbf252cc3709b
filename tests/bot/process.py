"""`reportbot run` as a real process against a local Bot API server in the test, to kill and restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.offline.local_api import LocalBotApi, Sent
from storage import kept_secret, open_store
from storage.records import CONTACT
from workflows.onboarding import issue, signing_key

ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition, timeout: float = 20.0) -> bool:
    """Wait for another process to do something (not for a schedule)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def write_config(folder: Path, now: datetime | None = None) -> Path:
    """The example configuration with its database in ``folder`` and a cycle open now."""
    now = now or datetime.now(UTC)
    text = (ROOT / "examples" / "reportbot.example.toml").read_text(encoding="utf-8")
    text = text.replace('database = "reportbot-data"', f'database = "{folder / "db"}"')
    opens = (now - timedelta(days=1)).astimezone().strftime("%Y-%m-%dT%H:%M:%S%z")
    deadline = (now + timedelta(days=30)).strftime("%Y-%m-%d")
    text = text.replace("opens = 2027-01-04T09:00:00", f'opens = "{opens[:-2]}:{opens[-2:]}"')
    text = text.replace("deadline = 2027-01-20", f'deadline = "{deadline}"')
    config = folder / "reportbot.toml"
    config.write_text(text, encoding="utf-8")
    return config


class BotProcess:
    """`reportbot run` in a child process; the people and Telegram are in this one."""

    def __init__(
        self, folder: Path, api: LocalBotApi | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.folder = folder
        self.api = api or LocalBotApi()
        if api is None:
            self.api.start()
        self.config = write_config(folder)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTBOT_")}
        self.env.update(
            REPORTBOT_TOKEN=self.api.token,
            REPORTBOT_API_URL=self.api.base_url,
            REPORTBOT_FILE_URL=self.api.file_url,
        )
        self.env.update(env or {})
        self.process: subprocess.Popen | None = None
        self.output: list[str] = []

    def start(self) -> None:
        """Start the bot and wait until it polls."""
        polls = self.api.calls["getUpdates"]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--config", str(self.config)],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert wait_for(lambda: self.api.calls["getUpdates"] > polls), "the bot never polled"

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)

    def wait_dead(self) -> None:
        """Wait until the process is gone, and keep what it printed."""
        output, _ = self.process.communicate(timeout=30)
        self.output.append(output)

    def stop(self) -> int:
        """SIGINT, as Ctrl-C: a clean stop."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        self.wait_dead()
        return self.process.returncode

    def code(self, department: str) -> str:
        """An invitation for a department, signed with the secret the bot keeps."""
        key = signing_key(kept_secret(self.folder / "db"))
        return issue(key, CONTACT, department, datetime.now(UTC)).code

    def store(self):
        """The database, once the bot has stopped."""
        return open_store(self.folder / "db")

    def messages(self, user_id: int) -> list[Sent]:
        """What the bot sent a person."""
        return self.api.messages_to(user_id)

    def close(self) -> None:
        """Stop everything."""
        self.kill()
        if self.process is not None:
            self.process.communicate(timeout=30)
        self.api.stop()
