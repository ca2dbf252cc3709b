"""The command line, run as a person would: real files in, one clear line per problem out."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import docx
import pytest
from click.testing import CliRunner

from bot.cli import main
from tests.conftest import EXAMPLES

E2018 = EXAMPLES / "2018"
E2021 = EXAMPLES / "2021"


def run(*args):
    """The offline tools as a Chinese office runs them (its default language)."""
    return CliRunner(env={"LANG": "zh_CN.UTF-8"}).invoke(main, list(map(str, args)))


def english(*args, env=None):
    """The command line with an English locale (conftest pins LANG=en_US.UTF-8), plus ``env``."""
    return CliRunner(env=env).invoke(main, list(map(str, args)))


def test_templates_lists_both():
    result = run("templates")
    assert result.exit_code == 0
    assert "gov-disclosure-2018" in result.output and "gov-disclosure-2021" in result.output


def test_fields_as_json_carry_what_the_bot_quotes():
    result = run("fields", "--template", "gov-disclosure-2021", "--format", "json")
    records = {r["id"]: r for r in json.loads(result.output)}
    cell = records["t3.denied_state_secret.natural"]
    assert {k: cell[k] for k in ("section", "label", "unit", "type", "required", "row", "column")} == {
        "section": "requests",
        "label": "（三）不予公开·1.属于国家秘密 · 自然人",
        "unit": "件",
        "type": "integer",
        "required": True,
        "row": "1.属于国家秘密",
        "column": "自然人",
    }
    assert records["t3.new.total"]["derived"] is True
    assert records["problems.text"]["type"] == "narrative"
    assert len(records) == 208  # 207 before overview.text, the optional lead paragraph of 一


def test_check_passes_the_example():
    result = run(
        "check",
        "--template",
        "gov-disclosure-2021",
        "--answers",
        E2021 / "answers.yaml",
        "--previous",
        E2021 / "previous.yaml",
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("错误 0 项，警告 0 项")


def news_off_by_three(tmp_path):
    """The 2018 example answers with one category three short of its total."""
    answers = (E2018 / "answers.yaml").read_text(encoding="utf-8")
    path = tmp_path / "answers.yaml"
    path.write_text(answers.replace("categories.news: 67", "categories.news: 64"), encoding="utf-8")
    return path


def check_2018(answers):
    """`reportbot check` of the 2018 format on these answers, against the example's last year."""
    return [
        "check",
        "--template",
        "gov-disclosure-2018",
        "--answers",
        answers,
        "--previous",
        E2018 / "previous.yaml",
    ]


def test_check_exits_1_naming_the_figures(tmp_path):
    path = news_off_by_three(tmp_path)
    result = run(
        "check", "--template", "gov-disclosure-2018", "--answers", path, "--previous", E2018 / "previous.yaml"
    )
    assert result.exit_code == 1
    assert "错误：主动公开分类合计：分类合计 160 与 主动公开总数 163 不符（相差 3）" in result.output
    english = run(*check_2018(path), "--lang", "en")
    assert (
        "error: proactive disclosure by category: 分类合计 160 does not match 主动公开总数 163"
        in english.output
    )


def test_assemble_writes_the_seed_report(tmp_path):
    out = tmp_path / "report.docx"
    result = run(
        *ASSEMBLE_2018,
        "--org",
        E2018 / "organisation.yaml",
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    document = docx.Document(str(out))
    assert document.tables[0].rows[1].cells[3].text == "1482"


def test_assemble_refuses_gaps_unless_draft(tmp_path):
    out = tmp_path / "report.docx"
    args = [
        "assemble",
        "--template",
        "gov-disclosure-2021",
        "--answers",
        E2021 / "answers.yaml",
        "--org",
        E2021 / "organisation.yaml",
        "--out",
        out,
    ]
    partial = tmp_path / "partial.yaml"
    partial.write_text("t3:\n  new: {natural: 3}\n", encoding="utf-8")
    args[4] = partial
    refused = run(*args)
    assert refused.exit_code == 1 and not out.exists()
    assert "缺项：【待填写：办公室 · 一、总体情况（一）主动公开】" in refused.output
    drafted = run(*args, "--draft")
    assert drafted.exit_code == 0 and out.exists()
    assert "草稿" in docx.Document(str(out)).sections[0].header.paragraphs[0].text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "--template", "nope", "--answers", "x.yaml"], "reportbot: no template 'nope'"),
        (
            ["check", "--template", "gov-disclosure-2021", "--answers", "/no/such.yaml"],
            "reportbot: /no/such.yaml: no such file",
        ),
    ],
)
def test_errors_are_one_line_without_traceback(args, message):
    result = subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip() == result.stderr.strip().splitlines()[0]
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.stderr


def test_errors_from_lower_layers_speak_the_users_language(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\nname: x\nsections:\n  - heading: 一、\n", encoding="utf-8")
    cases = [
        (("fields", "--template", "nope"), "没有模板 'nope'（内置模板：", "no template 'nope' (bundled: "),
        (
            ("fields", "--template", broken),
            "broken.yaml: 缺少最外层的键 'title'",
            "broken.yaml: missing top-level key 'title'",
        ),
    ]
    for args, chinese, english_text in cases:
        assert chinese in run(*args).output
        assert english_text in english(*args).output
        assert english_text in run("--lang", "en", *args).output


def test_a_document_given_as_answers_is_named_for_what_it_is(tmp_path):
    document = tmp_path / "report.docx"
    document.write_bytes(b"PK\x03\x04\xff\xfe binary")
    result = run("check", "--template", "gov-disclosure-2021", "--answers", document)
    assert result.exit_code == 2
    assert result.output.endswith(
        "report.docx: 不是文本文件：答案文件应为 YAML 或 JSON，或机器人生成的 .xlsx 表格\n"
    )


def test_broken_answer_files_are_explained(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("t3: [unclosed\n", encoding="utf-8")
    result = run("check", "--template", "gov-disclosure-2021", "--answers", bad)
    assert result.exit_code == 2
    assert "bad.yaml: 第 2 行起不是有效的 YAML 或 JSON" in result.output  # the office's language, throughout
    english_result = english("check", "--template", "gov-disclosure-2021", "--answers", bad)
    assert english_result.output.endswith("bad.yaml: not valid YAML or JSON at line 2\n")
    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]", encoding="utf-8")
    assert (
        "应为“字段编号: 数值”的映射"
        in run("check", "--template", "gov-disclosure-2021", "--answers", listed).output
    )


def answers_with(tmp_path, changes: dict, drop: tuple = ()):
    import yaml

    from workflows.files import read_answers_file

    answers = {k: v for k, v in read_answers_file(E2021 / "answers.yaml").items() if k not in drop}
    answers.update(changes)
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers, allow_unicode=True), encoding="utf-8")
    return path


def check_json(*extra):
    return run(
        "check",
        "--template",
        "gov-disclosure-2021",
        "--previous",
        E2021 / "previous.yaml",
        "--format",
        "json",
        *extra,
    )


def test_check_is_scriptable_as_json(tmp_path):
    clean = check_json("--answers", E2021 / "answers.yaml")
    assert clean.exit_code == 0 and json.loads(clean.output) == {"errors": [], "warnings": [], "missing": []}
    path = answers_with(
        tmp_path,
        {"t3.new.naturel": 40, "t2.licensing.decisions": 2000, "problems.text": "无"},
        drop=("t2.fees.amount",),
    )
    previous = tmp_path / "previous.yaml"
    previous.write_text(
        (E2021 / "previous.yaml").read_text(encoding="utf-8") + "\nt2.licensing.decisions: 150\n"
    )
    result = check_json("--answers", path, "--previous", previous)
    assert result.exit_code == 1
    report = json.loads(result.output)
    errors = {f["rule"]: f for f in report["errors"]}
    assert errors["field.unknown"]["message"] == (
        "“t3.new.naturel”不是模板 gov-disclosure-2021 的字段。是否想填“t3.new.natural”？"
    )
    assert errors["content.problems.substance"]["fields"] == ["problems.text"]
    assert errors["content.problems.substance"]["severity"] == "error"
    warnings = {f["rule"]: f for f in report["warnings"]}
    assert warnings["plausibility.ratio"]["fields"] == ["t2.licensing.decisions"]
    assert warnings["plausibility.ratio"]["message"] == (
        "行政许可 · 本年处理决定数量：2000 是上年（150）的 13.3 倍，请核实"
    )
    assert [m["fields"] for m in report["missing"]] == [["t2.fees.amount"]]
    assert report["missing"][0]["rule"] == "field.missing"


def test_gaps_alone_exit_1_unless_allowed(tmp_path):
    path = answers_with(tmp_path, {}, drop=("t2.fees.amount",))
    assert check_json("--answers", path).exit_code == 1
    allowed = check_json("--answers", path, "--allow-gaps")
    assert allowed.exit_code == 0 and json.loads(allowed.output)["errors"] == []
    assert run("check", "--template", "gov-disclosure-2021").exit_code == 2  # usage: --answers is missing


def test_hostile_answer_files_get_one_line_naming_the_field(tmp_path):
    cases = {
        "alias.yaml": (
            "a: &x 1\nt3:\n  new:\n    natural: *x\n",
            "t3.new.natural: 此处不允许使用 YAML 别名（*x）（第 4 行）",
        ),
        "deep.yaml": ("t3:\n  new:\n    natural: " + "[" * 40 + "]" * 40 + "\n", "t3.new.natural.0"),
    }
    for name, (text, expected) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        result = run("check", "--template", "gov-disclosure-2021", "--answers", path)
        assert result.exit_code == 2 and expected in result.output and result.output.count("\n") == 1, (
            result.output
        )
    nan = answers_with(tmp_path, {"t2.licensing.decisions": float("nan"), "t2.fees.amount": 1e400})
    report = json.loads(check_json("--answers", nan).output)
    messages = {f["fields"][0]: f["message"] for f in report["errors"] if f["rule"] == "field.invalid"}
    assert messages["t2.licensing.decisions"] == "行政许可 · 本年处理决定数量：nan 不是一个数值"
    assert messages["t2.fees.amount"].startswith(
        "行政事业性收费 · 本年收费金额（单位：万元）：inf 不是一个数值"
    )


@pytest.mark.parametrize("template", ["gov-disclosure-2021", "gov-disclosure-2018"])
def test_init_writes_an_annotated_config_that_loads(tmp_path, template):
    from bot.config import load_settings

    path = tmp_path / "reportbot.toml"
    result = run("init", "--config", path, "--template", template, "--username", "@jiangbin_bot")
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    assert "#   REPORTBOT_TOKEN" in text and 'username = "jiangbin_bot"' in text
    settings = load_settings(path, env={})
    assert settings.template.id == template and [d.id for d in settings.departments] == ["office"]
    assert settings.database == tmp_path / "reportbot-data"


def test_init_refuses_to_overwrite_unless_forced(tmp_path):
    path = tmp_path / "reportbot.toml"
    path.write_text("# mine\n", encoding="utf-8")
    refused = english("init", "--config", path)
    assert refused.exit_code == 2 and path.read_text(encoding="utf-8") == "# mine\n"
    assert f"{path} exists already: edit it, or pass --force to replace it" in refused.output
    assert run("init", "--config", path, "--force").exit_code == 0
    assert path.read_text(encoding="utf-8").startswith(
        "# reportbot configuration, written by `reportbot init`"
    )


def test_fields_show_section_ids_in_text():
    result = run("fields", "--template", "gov-disclosure-2021")
    first = result.output.splitlines()[0].split("\t")
    assert first == ["overview.text", "overview", "narrative", "optional", "总体情况开头概述（可不填）"]


ASSEMBLE_2018 = [
    "assemble",
    "--template",
    "gov-disclosure-2018",
    "--answers",
    E2018 / "answers.yaml",
    "--previous",
    E2018 / "previous.yaml",
]


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("{tmp}", "reportbot: --out {tmp} is a folder: give a file name such as {tmp}/report.docx"),
        ("{tmp}/report.doc", "reportbot: --out {tmp}/report.doc: the file name must end in .docx"),
        (
            "{tmp}/locked/sub/report.docx",
            "reportbot: --out {tmp}/locked/sub/report.docx: cannot write in {tmp}/locked",
        ),
    ],
)
def test_out_is_checked_before_any_work(tmp_path, out, message):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = english(*ASSEMBLE_2018, "--out", out.format(tmp=tmp_path))
    finally:
        locked.chmod(0o700)
    if os.geteuid() == 0 and "locked" in out:
        pytest.skip("root may write anywhere")
    assert result.exit_code == 2
    assert result.output == message.format(tmp=tmp_path) + "\n"


@pytest.mark.parametrize(
    ("args", "english_line", "chinese_line"),
    [
        (
            [
                *("assemble", "--template", "gov-disclosure-2021", "--answers", "a.yaml"),
                *("--out", "r.docx", "--year", "26"),
            ],
            "--year: 26 is not between 2000 and 2100",
            "--year：26 不在 2000 到 2100 之间",
        ),
        (
            ["invite", "--coordinator", "--days", "0"],
            "--days: 0 is not between 1 and 90",
            "--days：0 不在 1 到 90 之间",
        ),
        (
            ["cycle", "open", "--year", "20266", "--deadline", "2027-01-20"],
            "--year: 20266 is not between 2000 and 2100",
            "--year：20266 不在 2000 到 2100 之间",
        ),
    ],
)
def test_days_and_years_are_range_checked_in_one_line(args, english_line, chinese_line):
    result = english(*args)
    assert result.exit_code == 2 and result.output == f"reportbot: {english_line}\n"
    result = run(*args)
    assert result.exit_code == 2 and result.output == f"reportbot: {chinese_line}\n"


def test_a_closed_pipe_is_quiet():
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "rules"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    process.stdout.readline()
    process.stdout.close()  # as `| head -1` does
    stderr = process.stderr.read().decode()
    process.wait(timeout=30)
    assert stderr == "" and process.returncode in (0, 141)


def test_counts_take_the_right_plural(tmp_path):
    path = news_off_by_three(tmp_path)
    args = check_2018(path)
    assert run(*args, "--lang", "en").output.splitlines()[-1] == "1 error, 0 warnings"
    assert run(*args).output.splitlines()[-1] == "错误 1 项，警告 0 项"
    clean = run(
        "check", "--template", "gov-disclosure-2021", "--answers", E2021 / "answers.yaml", "--lang", "en"
    )
    assert clean.output.splitlines()[-1] == "0 errors, 0 warnings"
