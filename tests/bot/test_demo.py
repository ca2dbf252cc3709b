"""`reportbot demo` as the README runs it: a fresh folder, under a minute, a finished report."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import docx
import pytest

from storage import open_store

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("template", "year", "first_row"),
    [
        ("gov-disclosure-2021", 2026, None),
        ("gov-disclosure-2018", 2018, ["主动公开文件数", "条", "163", "1482"]),
    ],
)
def test_the_demo_runs_a_whole_cycle_and_hands_over_the_report(tmp_path, template, year, first_row):
    out = tmp_path / "demo-output"
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo", "--template", template, "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr[-2000:]
    assert elapsed < 60
    log = result.stdout
    assert "未提交：以下数字不一致。" in log  # the inconsistent figure was caught …
    assert "改正后提交" in (out / "summary.md").read_text(encoding="utf-8")  # … and corrected
    assert "与表格不符" in log and "当场提示后改正" in (out / "summary.md").read_text(encoding="utf-8")
    assert "⏰ 提醒 → 办公室（before:3）" in log and "逾期汇总 → 协调人" in log
    assert "已退回" in log and "进度 [" in log
    # One department fills its tables in the workbook the bot sends, and sends it back in one message.
    assert "▸ [用 Excel 填写]" in log and "✓ 已从表格保存" in log
    assert "用 Excel 表格填写，一次发回" in (out / "summary.md").read_text(encoding="utf-8")
    report = out / f"report-{year}.docx"
    assert str(report) in log and str(out / "summary.md") in log

    document = docx.Document(str(report))
    assert not document.sections[0].header.paragraphs[0].text  # complete: not a draft
    body = "\n".join(p.text for p in document.paragraphs)
    assert "待填写" not in body
    if first_row:
        assert [c.text for c in document.tables[0].rows[1].cells] == first_row
    else:
        assert [c.text for c in document.tables[1].rows[3].cells][3:] == ["40", "5", "1", "0", "2", "1", "49"]
        assert "（补充）上年度问题均已整改到位" in body  # the returned section, as revised

    summary = (out / "summary.md").read_text(encoding="utf-8")
    for heading in ("## 提交与审核", "## 自动提醒", "## 触发的检查"):
        assert heading in summary
    assert "overdue:" in summary and "digest:" in summary

    store = open_store(out / "reportbot-data")  # the TinyDB folder it hands over opens and holds the cycle
    try:
        assert store.get_cycle(str(year)) is not None and store.count_answer_versions(str(year)) > 20
    finally:
        store.close()


def test_the_running_bot_never_loads_the_offline_parts_or_the_docx_writer():
    code = (
        "import sys, bot.cli, bot.app, bot.commands; "
        "print(sorted(m for m in sys.modules if m.startswith(('bot.offline.', 'docx'))))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"  # nor python-docx: only assembling a report loads it


def test_every_demo_template_has_a_script():
    from bot.offline import DEMO_TEMPLATES
    from bot.offline.demo import SCRIPTS

    assert set(SCRIPTS) == set(DEMO_TEMPLATES)
