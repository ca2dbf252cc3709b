"""`reportbot run`, `invite` and `cycle`, as a person runs them: one clear line, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from storage import kept_secret, open_store
from storage.records import Department
from workflows.onboarding import InviteError, redeem, signing_key

ROOT = Path(__file__).resolve().parents[2]


def config(tmp_path):
    text = (
        (ROOT / "examples" / "reportbot.example.toml")
        .read_text(encoding="utf-8")
        .replace('database = "reportbot-data"', f'database = "{tmp_path / "db"}"')
    )
    path = tmp_path / "reportbot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def cli(*args, env=None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("REPORTBOT_")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *map(str, args)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
    )


def test_run_without_a_token_is_one_line(tmp_path):
    result = cli("run", "--config", config(tmp_path))
    assert result.returncode == 2
    assert (
        result.stderr
        == "reportbot: REPORTBOT_TOKEN is not set: export the token @BotFather gave you, then run again\n"
    )


def test_run_with_a_bad_config_is_one_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        "[report]\ntemplate = 'nope'\n[[departments]]\nid = 'a'\nname = 'A'\nsections = ['intro']\n",
        encoding="utf-8",
    )
    result = cli("run", "--config", bad, env={"REPORTBOT_TOKEN": "1:x"})
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_invite_prints_a_link_and_a_code_that_the_bot_accepts(tmp_path):
    result = CliRunner(env={"REPORTBOT_TOKEN": "123:secret"}).invoke(
        main, ["invite", "--config", str(config(tmp_path)), "--department", "policy"]
    )
    assert result.exit_code == 0, result.output
    link, code = result.output.split()
    assert link == f"https://t.me/my_office_report_bot?start={code}"
    # Signed with the random secret kept (0600) in the database folder, not with the token.
    secret = tmp_path / "db" / "signing-secret"
    assert oct(secret.stat().st_mode)[-3:] == "600" and len(secret.read_text().strip()) >= 40
    store = open_store(tmp_path / "db")
    store.put_department(Department("policy", "政策法规科"))
    with pytest.raises(InviteError):
        redeem(store, signing_key("123:secret"), code, 5, "钱", "zh", datetime.now(UTC))
    redeemed = redeem(
        store, signing_key(kept_secret(tmp_path / "db")), code, 5, "钱", "zh", datetime.now(UTC)
    )
    assert redeemed.contact.department_id == "policy"
    store.close()


def test_a_weak_secret_is_refused_and_a_strong_one_signs(tmp_path):
    weak = CliRunner(env={"REPORTBOT_SECRET": "correct horse battery"}).invoke(
        main, ["invite", "--config", str(config(tmp_path)), "--coordinator"]
    )
    assert weak.exit_code == 2 and "REPORTBOT_SECRET is too weak (it has 21 characters" in weak.output
    strong = "Zq8-x_3LkP0aVw9NcR2tYbH7mJ5eUdF4gS6"
    result = CliRunner(env={"REPORTBOT_SECRET": strong}).invoke(
        main, ["invite", "--config", str(config(tmp_path)), "--coordinator"]
    )
    assert result.exit_code == 0, result.output
    code = result.output.split()[-1]
    store = open_store(tmp_path / "db")
    assert (
        redeem(store, signing_key(strong), code, 5, "王", "zh", datetime.now(UTC)).contact.role
        == "coordinator"
    )
    store.close()


def test_invite_needs_a_known_department(tmp_path):
    result = CliRunner(env={"REPORTBOT_TOKEN": "123:secret"}).invoke(
        main, ["invite", "--config", str(config(tmp_path)), "--department", "nope"]
    )
    assert result.exit_code == 2 and "no department 'nope'" in result.output


def test_cycle_open_and_list(tmp_path):
    path = config(tmp_path)
    runner = CliRunner()

    def cycle(*args):
        return runner.invoke(main, ["cycle", args[0], "--config", str(path), *args[1:]])

    opened = cycle("open", "--year", "2026", "--deadline", "2027-01-20", "--opens", "2027-01-04")
    assert opened.exit_code == 0, opened.output
    assert opened.output.startswith(
        "cycle 2026: opens 2027-01-04 09:00, deadline 2027-01-20 18:00 (Asia/Shanghai)"
    )
    listed = cycle("list")
    assert "2026\t" in listed.output and "deadline 2027-01-20 18:00" in listed.output
    again = cycle("open", "--year", "2026", "--deadline", "2027-01-25")
    assert again.exit_code == 2 and "exists already" in again.output
    backwards = cycle("open", "--year", "2027", "--deadline", "2027-01-02", "--opens", "2027-01-04")
    assert backwards.exit_code == 2 and "must come after the opening" in backwards.output
    closed = cycle("close", "--cycle", "2026")
    assert closed.exit_code == 0 and closed.output == "cycle 2026: closed\n"
    assert "closed" in cycle("list").output
    assert cycle("close", "--cycle", "2026").exit_code == 2
    quarter = cycle("open", "--year", "2027", "--period", "Q1", "--deadline", "2027-04-20")
    assert quarter.exit_code == 0 and quarter.output.startswith("cycle 2027-Q1: opens"), quarter.output


def test_cycle_commands_explain_a_running_bot(tmp_path):
    path = config(tmp_path)
    holder = open_store(tmp_path / "db")
    try:
        result = CliRunner().invoke(main, ["cycle", "list", "--config", str(path)])
        assert result.exit_code == 2 and "is in use (is the bot running?)" in result.output
    finally:
        holder.close()
