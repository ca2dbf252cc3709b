"""Every subcommand speaks one language: --lang, else the locale (LC_ALL, LC_MESSAGES, LANG), else Chinese."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from workflows.clock import ManualClock
from workflows.i18n import lang_from_env

ROOT = Path(__file__).resolve().parents[2]
E2021 = ROOT / "examples" / "2021"
EN, ZH = "en_US.UTF-8", "zh_CN.UTF-8"


def cli(args, lang_env=None, **kwargs):
    env = {"LANG": lang_env} if lang_env else {"LANG": None}  # None: unset, as on a bare server
    return CliRunner(env=env).invoke(main, list(map(str, args)), **kwargs)


def office_config(tmp_path):
    text = (ROOT / "examples" / "reportbot.example.toml").read_text(encoding="utf-8")
    path = tmp_path / "reportbot.toml"
    path.write_text(text.replace('database = "reportbot-data"', f'database = "{tmp_path / "db"}"'), "utf-8")
    return path


@pytest.mark.parametrize(
    ("env", "lang"),
    [
        ({}, "zh"),
        ({"LANG": "C"}, "zh"),
        ({"LANG": "POSIX"}, "zh"),
        ({"LANG": EN}, "en"),
        ({"LANG": ZH}, "zh"),
        ({"LANG": EN, "LC_ALL": ZH}, "zh"),
        ({"LANG": ZH, "LC_MESSAGES": "en_GB.UTF-8"}, "en"),
        ({"LANG": EN, "LC_ALL": ""}, "en"),
    ],
)
def test_the_locale_decides_and_chinese_is_the_default(env, lang):
    assert lang_from_env(env) == lang


def cases(tmp_path):
    """(arguments, the English line, the Chinese line) for run, invite, check and init."""
    config = office_config(tmp_path)
    existing = tmp_path / "mine.toml"
    existing.write_text("# mine\n", encoding="utf-8")
    missing = tmp_path / "none.toml"
    return {
        "run": (
            ["run", "--config", missing],
            f"reportbot: {missing}: no such configuration file (`reportbot init` writes one; see "
            "examples/reportbot.example.toml)",
            f"reportbot: {missing}：配置文件不存在（`reportbot init` 可生成一个；参见 examples/reportbot.example.toml）",
        ),
        "invite": (
            ["invite", "--config", config],
            "reportbot: give either --department ID or --coordinator",
            "reportbot: 请给出 --department 部门ID 或 --coordinator（二选一）",
        ),
        "check": (
            ["check", "--template", "gov-disclosure-2021", "--answers", E2021 / "answers.yaml"],
            "0 errors, 0 warnings",
            "错误 0 项，警告 0 项",
        ),
        "init": (
            ["init", "--config", existing],
            f"reportbot: {existing} exists already: edit it, or pass --force to replace it",
            f"reportbot: {existing} 已存在：请直接编辑，或加 --force 覆盖",
        ),
    }


@pytest.mark.parametrize("command", ["run", "invite", "check", "init"])
def test_each_command_follows_lang_and_the_option_wins(tmp_path, command):
    args, english, chinese = cases(tmp_path)[command]
    last = lambda result: result.output.splitlines()[-1]  # noqa: E731
    assert last(cli(args, EN)) == english
    assert last(cli(args, ZH)) == chinese
    assert last(cli(args)) == chinese  # no locale at all: Chinese first
    assert last(cli([*args, "--lang", "en"], ZH)) == english  # the command's option beats LANG
    assert last(cli([*args, "--lang", "zh"], EN)) == chinese
    assert last(cli(["--lang", "en", *args], ZH)) == english  # so does the group's
    assert (
        last(cli(["--lang", "en", *args, "--lang", "zh"], EN)) == chinese
    )  # the command's beats the group's


def test_config_problems_are_framed_in_chinese_with_the_key_path(tmp_path):
    path = office_config(tmp_path)
    text = path.read_text(encoding="utf-8").replace("template = ", "templte = ", 1)
    path.write_text(text.replace("escalate_after = 3", "escalate_after = 'x'", 1), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run", "--config", str(path)],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "REPORTBOT_TOKEN": "123:secret-token", "LANG": ZH},
        cwd=ROOT,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"reportbot: {path}：发现 2 个问题，未启动任何内容：",
        "  - report.templte：未知的键；是否想写 'template'？",
        "  - reminders.escalate_after：应为整数，收到的是 'x'",
    ]
    assert "secret-token" not in result.stderr


def test_start_up_errors_speak_the_language_without_the_token(tmp_path):
    path = office_config(tmp_path)
    result = CliRunner(
        env={
            "LANG": ZH,
            "REPORTBOT_TOKEN": "123:secret-token",
            "REPORTBOT_API_URL": "http://x/123:secret-token",
        }
    ).invoke(main, ["run", "--config", str(path)])
    assert result.exit_code == 2
    assert result.output == (
        "reportbot: Bot API 地址 'http://x/<token>' 须以 http(s):// 开头、以 /bot 结尾，如 "
        "https://api.telegram.org/bot：请检查 REPORTBOT_API_URL 或 bot.api_url\n"
    )


def test_assemble_dates_the_written_line_by_the_office_zone(tmp_path):
    # 20:00 UTC on 19 January is already 20 January in Beijing: the office's date, not the server's.
    clock = ManualClock(datetime(2027, 1, 19, 20, 0, tzinfo=UTC))
    out = tmp_path / "report.docx"
    args = ["assemble", "--template", "gov-disclosure-2021", "--answers", E2021 / "answers.yaml"]
    result = cli([*args, "--out", out, "--draft"], ZH, obj={"clock": clock})
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == f"已生成：{out}（2027年1月20日）"
    result = cli([*args, "--out", out, "--draft", "--timezone", "UTC"], ZH, obj={"clock": clock})
    assert result.output.splitlines()[-1] == f"已生成：{out}（2027年1月19日）"
    result = cli([*args, "--out", out, "--timezone", "Mars/Olympus"], EN, obj={"clock": clock})
    assert result.exit_code == 2
    assert (
        result.output == "reportbot: --timezone: unknown time zone 'Mars/Olympus' (such as Asia/Shanghai)\n"
    )


@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (
            ["invite", "--days", "x"],
            "reportbot invite：--days：需要一个整数（用法见 reportbot invite --help）",
            "reportbot invite: --days: a whole number is needed (see reportbot invite --help)",
        ),
        (
            ["cycle", "opne"],
            "reportbot cycle：没有命令 opne；是否想用 open？（用法见 reportbot cycle --help）",
            "reportbot cycle: no command opne; did you mean open? (see reportbot cycle --help)",
        ),
        (
            ["check", "--format", "yml"],
            "reportbot check：--format：请从 text, json 中选择（用法见 reportbot check --help）",
            "reportbot check: --format: choose one of text, json (see reportbot check --help)",
        ),
        (
            ["assemble"],
            "reportbot assemble：缺少必填选项 --template（用法见 reportbot assemble --help）",
            "reportbot assemble: --template is required (see reportbot assemble --help)",
        ),
    ],
)
def test_click_usage_errors_are_one_line_in_the_users_language(args, zh, en):
    for lang_env, expected in ((ZH, zh), (EN, en)):
        assert cli([*args, "--lang", "en"], ZH, prog_name="reportbot").output.strip() == en
        result = cli(args, lang_env, prog_name="reportbot")
        assert result.exit_code == 2 and result.output.strip() == expected, result.output
