"""Several reports at once: an annual and a quarterly cycle open side by side, each person choosing."""

from __future__ import annotations

import pytest

from tests.bot.harness import everyone_joined
from tests.bot.test_e2e import COORDINATOR, POLICY, texts
from tests.bot.test_scheduler import tick


@pytest.fixture
async def harness(tmp_path):
    # The 2026 annual report and a quarter's, due the same day.
    async with everyone_joined(tmp_path, periods=("year", "Q4")) as h:
        yield h


def annual_opening(h):
    """The newest message to 钱法规 whose 「开始填写」 is for the annual report."""
    return next(
        m
        for m in reversed(h.api.messages_to(POLICY))
        if m.buttons[:1] == [[{"callback_data": "fill|2026", "text": "开始填写"}]]
    )


async def test_an_annual_and_a_quarterly_cycle_run_side_by_side(harness):
    h = harness
    asked = await h.sim.say(POLICY, "/fill")
    assert asked[-1].text == "你所在部门有多个正在填报的报告，要填写哪一个？"
    assert [row[0]["callback_data"] for row in asked[-1].buttons] == ["fill|2026", "fill|2026-Q4"]

    menu = await h.sim.press(POLICY, asked[-1].buttons[1][0]["text"], asked[-1])
    assert "2026 年报告" in texts(menu)  # the quarter's menu (same year, same template here)
    opened = await h.sim.press(POLICY, "1. 一、总体情况（二）依申请公开", menu[-1])
    await h.sim.say(POLICY, "本季度收到申请3件。")
    await h.sim.say(POLICY, "/done")
    quarter = h.store.current_answers("2026-Q4")
    assert quarter["overview.requests.text"].value == "本季度收到申请3件。"
    assert "overview.requests.text" not in h.store.current_answers("2026")
    assert "请撰写" in texts(opened)

    # The choice is remembered: the next /fill stays in the quarter, and says nothing of the year's.
    again = await h.sim.say(POLICY, "/fill")
    assert "有多个正在填报的报告" not in texts(again)

    # The annual report's own 「开始填写」 (sent when they joined) switches to it.
    await tick(h)
    annual = await h.sim.press(POLICY, "开始填写", annual_opening(h))
    assert "1. 一、总体情况（二）依申请公开（未开始）" in texts(annual)
    assert h.store.get_chat(POLICY).cycle_id == "2026"
    assert "overview.requests.text" not in h.store.current_answers("2026")


async def test_a_coordinator_names_the_cycle_a_command_is_about(harness):
    h = harness
    asked = await h.sim.say(POLICY, "/fill")
    await h.sim.press(POLICY, asked[-1].buttons[1][0]["text"], asked[-1])  # 2026-Q4
    await h.sim.press(POLICY, "1. 一、总体情况（二）依申请公开")
    await h.sim.say(POLICY, "本季度收到申请3件。")
    await h.sim.say(POLICY, "/done")
    quarter = texts(await h.sim.say(COORDINATOR, "/status 2026-Q4"))
    annual = texts(await h.sim.say(COORDINATOR, "/status 2026"))
    assert "政策法规科：已提交 0/3 · 填写中" in quarter
    assert "政策法规科：已提交 0/3 · 未开始" in annual
    draft = await h.sim.say(COORDINATOR, "/assemble 2026-Q4")
    assert draft[-1].filename == "report-2026-Q4-draft.docx"


async def test_an_edit_lands_in_the_report_its_message_answered(harness):
    h = harness
    asked = await h.sim.say(POLICY, "/fill")
    await h.sim.press(POLICY, asked[-1].buttons[1][0]["text"], asked[-1])  # 2026-Q4
    await h.sim.press(POLICY, "1. 一、总体情况（二）依申请公开")
    await h.sim.say(POLICY, "本季度收到申请3件。")
    quarter_part = h.api.last_typed(POLICY)
    switched = await h.sim.say(POLICY, "/fill")  # remembered: the quarter; now to the year's report
    assert "有多个正在填报的报告" not in texts(switched)
    await h.sim.press(POLICY, "开始填写", annual_opening(h))
    assert h.store.get_chat(POLICY).cycle_id == "2026"

    fixed = texts(await h.sim.edit(POLICY, "本季度收到申请4件。", quarter_part))
    assert fixed.startswith("已用修改后的内容替换第 1 段")
    drafts = h.store.get_conversation("2026-Q4", POLICY)["drafts"]
    assert drafts == {"overview.requests.text": ["本季度收到申请4件。"]}
