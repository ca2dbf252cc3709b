"""Small pieces of wording: state names, excerpts, values as shown, and finding lines."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storage.records import SECTION_STATES
from workflows.model import ERROR, WARNING
from workflows.validation import Finding
from workflows.wording import excerpt, finding_lines, state_name, value_text


def test_state_names():
    assert [state_name("zh", s) for s in SECTION_STATES] == ["未开始", "填写中", "已提交", "已退回", "已通过"]
    assert [state_name("en", s) for s in SECTION_STATES] == [
        "not started",
        "in progress",
        "submitted",
        "returned",
        "approved",
    ]
    assert state_name("zh", "archived") == "archived"  # an unknown state is shown as it is


@pytest.mark.parametrize(
    ("text", "limit", "shown"),
    [
        ("  全年\n新收   申请 ", 20, "全年 新收 申请"),
        ("一二三四五", 5, "一二三四五"),
        ("一二三四五六", 5, "一二三四…"),
        (12345678, 4, "123…"),
    ],
)
def test_excerpt(text, limit, shown):
    assert excerpt(text, limit) == shown
    assert len(excerpt(text, limit)) <= limit


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "—"),
        (0, "0"),
        (1482, "1482"),
        (Decimal("12.50"), "12.5"),
        (Decimal("0.10"), "0.1"),
        ("文字", "文字"),
    ],
)
def test_value_text(value, shown):
    assert value_text(value) == shown


def test_finding_lines_mark_what_blocks_and_what_warns():
    error = Finding(ERROR, "{label}: please enter a value", {"label": "规章"})
    warning = Finding(WARNING, "{label}: please enter a value", {"label": "行政许可"})
    assert finding_lines("zh", [error, warning]) == ["❌ 规章：请填写数值", "⚠️ 行政许可：请填写数值"]
    assert finding_lines("en", [warning]) == ["⚠️ 行政许可: please enter a value"]
    assert finding_lines("zh", []) == []
