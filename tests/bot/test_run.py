"""`reportbot run` itself, as a process: it polls the (local) Bot API, answers, and stops cleanly."""

from __future__ import annotations

import io
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from telegram.error import NetworkError

from bot.app import StartupError, connect, protect_logs
from bot.offline.local_api import LocalBotApi
from storage import kept_secret, open_store
from storage.records import CONTACT
from workflows.onboarding import issue, signing_key

ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:  # waiting for another process to answer, not for a schedule
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_run_serves_a_real_conversation_and_keeps_the_token_out_of_the_log(tmp_path):
    api = LocalBotApi()
    api.start()
    config = tmp_path / "reportbot.toml"
    text = (ROOT / "examples" / "reportbot.example.toml").read_text(encoding="utf-8")
    config.write_text(text.replace('database = "reportbot-data"', f'database = "{tmp_path / "db"}"'), "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTBOT_")}
    env.update(REPORTBOT_TOKEN=api.token, REPORTBOT_API_URL=api.base_url, REPORTBOT_FILE_URL=api.file_url)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", "--config", str(config)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert wait_for(lambda: api.calls["getUpdates"] > 0), "the bot never polled"
        code = issue(signing_key(kept_secret(tmp_path / "db")), CONTACT, "policy", datetime.now(UTC)).code
        api.user(12, "钱法规")
        api.send_text(12, f"/start {code}")
        assert wait_for(lambda: api.messages_to(12)), "no answer to /start"
        assert api.messages_to(12)[0].text.startswith("欢迎，钱法规！你是政策法规科的报告联系人")
        assert api.commands["default"][0]["command"] == "start"
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
        api.stop()
    assert process.returncode == 0, output[-2000:]
    assert api.token not in output and "Traceback" not in output
    assert re.search(
        r"INFO bot.app: started as @\w+: template gov-disclosure-2021, 5 departments "
        r"\(office, policy, approval, it, hr\), open cycle: none\n",
        output,
    ), output
    store = open_store(tmp_path / "db")
    try:
        assert store.get_contact(12).department_id == "policy"
        assert store.get_cycle("2026") is not None  # the [cycle] of the configuration
    finally:
        store.close()


def run_once(tmp_path, env_changes, *args):
    """`reportbot run` that is expected to stop at start-up: its exit code and everything it printed."""
    config = tmp_path / "reportbot.toml"
    text = (ROOT / "examples" / "reportbot.example.toml").read_text(encoding="utf-8")
    config.write_text(text.replace('database = "reportbot-data"', f'database = "{tmp_path / "db"}"'), "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTBOT_")}
    env.update(env_changes)
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run", "--config", str(config), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.returncode, result.stdout + result.stderr


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


TOKEN = "7654321:AAH-secret-token-never-printed"


def test_a_rejected_token_is_one_line_without_the_token(tmp_path):
    api = LocalBotApi()
    api.start()
    url = api.base_url
    try:
        code, output = run_once(tmp_path, {"REPORTBOT_TOKEN": TOKEN, "REPORTBOT_API_URL": url})
    finally:
        api.stop()
    assert code == 2, output
    assert output.splitlines()[-1] == (
        f"reportbot: the Bot API at {url} rejected the token: check REPORTBOT_TOKEN "
        "(copy it again from @BotFather)"
    )
    assert TOKEN not in output and "secret-token" not in output and "Traceback" not in output


def test_an_unreachable_network_is_one_line_after_the_retries(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}/bot"
    code, output = run_once(
        tmp_path, {"REPORTBOT_TOKEN": TOKEN, "REPORTBOT_API_URL": url}, "--retry-for", "0"
    )
    assert code == 2, output
    last = output.splitlines()[-1]
    assert last.startswith(f"reportbot: cannot reach the Bot API at {url} (")
    assert last.endswith("): check the network, a proxy or firewall, and REPORTBOT_API_URL if set")
    assert "secret-token" not in output and "Traceback" not in output


def test_an_api_url_without_bot_is_one_line(tmp_path):
    code, output = run_once(
        tmp_path, {"REPORTBOT_TOKEN": TOKEN, "REPORTBOT_API_URL": "http://127.0.0.1:8081"}
    )
    assert code == 2
    assert output == (
        "reportbot: the Bot API URL 'http://127.0.0.1:8081' must start with http(s):// and end with /bot, "
        "such as https://api.telegram.org/bot: check REPORTBOT_API_URL or bot.api_url\n"
    )


class FlakyApplication:
    """initialize() fails with a network error ``failures`` times, quoting the token as httpx would."""

    def __init__(self, failures):
        self.failures, self.calls = failures, 0

    async def initialize(self):
        self.calls += 1
        if self.calls <= self.failures:
            raise NetworkError(f"httpx.ConnectError: https://api.telegram.org/bot{TOKEN}/getMe")


async def test_the_first_connection_retries_with_backoff_then_gives_up(caplog):
    waits = []

    async def sleep(seconds):
        waits.append(seconds)

    flaky = FlakyApplication(3)
    await connect(flaky, TOKEN, "https://api.telegram.org/bot", retry_for=60, sleep=sleep)
    assert flaky.calls == 4 and waits == [1.0, 2.0, 4.0]
    assert TOKEN not in caplog.text and "<token>" in caplog.text
    waits.clear()
    with pytest.raises(StartupError) as caught:
        await connect(FlakyApplication(100), TOKEN, "https://api.telegram.org/bot", retry_for=60, sleep=sleep)
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0] and sum(waits) <= 60
    assert TOKEN not in str(caught.value) and "<token>" in str(caught.value)


def test_redaction_covers_tracebacks_in_logs():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, None)
    try:
        raise RuntimeError(f"GET https://api.telegram.org/bot{TOKEN.replace(':', '%3A')}/getMe")
    except RuntimeError:
        record.exc_info = sys.exc_info()
    handler = logging.StreamHandler(io.StringIO())
    root = logging.getLogger()
    root.addHandler(handler)
    factory = logging.getLogRecordFactory()
    try:
        protect_logs(TOKEN)
        text = handler.formatter.format(record)
    finally:
        root.removeHandler(handler)
        logging.setLogRecordFactory(factory)
    assert "Traceback" in text and "secret-token" not in text and "<token>" in text
