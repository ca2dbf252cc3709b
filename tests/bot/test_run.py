"""`reportbot run` itself, as a process: it polls the (local) Bot API, answers, and stops cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

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
    text = (ROOT / "reportbot.example.toml").read_text(encoding="utf-8")
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
    store = open_store(tmp_path / "db")
    try:
        assert store.get_contact(12).department_id == "policy"
        assert store.get_cycle("2026") is not None  # the [cycle] of the configuration
    finally:
        store.close()
