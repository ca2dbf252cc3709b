"""The checks as contacts meet them over Telegram: a narrative that contradicts the tables, a figure far
from last year's, a stale coordinator button."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage.records import SUBMITTED
from tests.bot.harness import DEADLINE, everyone_joined
from tests.bot.test_e2e import APPROVAL, COORDINATOR, HR, POLICY, fill_section, texts
from workflows.cycles import new_cycle


@pytest.fixture
async def harness(tmp_path):
    async with everyone_joined(tmp_path) as h:
        yield h


async def test_a_narrative_that_contradicts_the_tables_is_shown_with_both_numbers_and_corrected(harness):
    h = harness
    await fill_section(h, POLICY, "policy", "requests")  # table 三: 49 new requests
    await h.sim.say(POLICY, "/fill")
    await h.sim.press(POLICY, "1. 一、总体情况（二）依申请公开")
    await h.sim.say(POLICY, "全年新收政府信息公开申请40件，已办结48件。")
    saved = await h.sim.say(POLICY, "/done")
    warning = saved[0]
    assert warning.text.startswith("✓ 已保存“依申请公开工作情况”（23 字）。")
    assert (
        "⚠️ 依申请公开工作情况：“全年新收政府信息公开申请40件，已办结48件。”中的 40件 与表格不符："
        "新收申请（一、本年新收政府信息公开申请数量 · 总计）在表中是 49 / 53 / 48" in warning.text
    )
    assert [b["text"] for b in warning.buttons[0]] == ["内容无误", "重新填写"]
    again = await h.sim.press(POLICY, "重新填写", warning)
    assert "请撰写：依申请公开工作情况" in texts(again)
    await h.sim.say(POLICY, "全年新收政府信息公开申请{新收申请}件，已办结48件。")
    fixed = await h.sim.say(POLICY, "/done")
    assert "⚠️" not in texts(fixed)
    submitted = await h.sim.press(POLICY, "提交")
    assert texts(submitted).startswith("已提交“一、总体情况（二）依申请公开”")
    # The coordinator sees the same check everywhere: nothing left to warn about.
    status = texts(await h.sim.say(COORDINATOR, "/status"))
    assert "与表格不符" not in status


async def test_a_contradiction_left_standing_is_confirmed_once_and_shown_to_the_coordinator(harness):
    h = harness
    await fill_section(h, POLICY, "policy", "requests")
    await h.sim.say(POLICY, "/fill")
    await h.sim.press(POLICY, "1. 一、总体情况（二）依申请公开")
    await h.sim.say(POLICY, "全年共收到政府信息公开申请60件。")
    saved = await h.sim.say(POLICY, "/done")
    confirmed = await h.sim.press(POLICY, "内容无误", saved[0])
    assert texts(confirmed) == "已确认：内容不变就不再询问。"
    submitted = await h.sim.press(POLICY, "提交")
    assert texts(submitted).startswith("已提交")  # not asked again
    notice = h.api.messages_to(COORDINATOR)[-1].text
    assert "中的 60件 与表格不符" in notice
    status = texts(await h.sim.say(COORDINATOR, "/status"))
    assert "中的 60件 与表格不符" in status and "（部门已确认）" in status
    caption = next(m for m in await h.sim.say(COORDINATOR, "/assemble") if m.document is not None).text
    assert "⚠️ 依申请公开工作情况：“全年共收到政府信息公开申请60件。”中的 60件 与表格不符" in caption


async def test_a_figure_far_from_last_years_is_confirmed_with_one_button(harness):
    h = harness
    async with h.bot.runtime.unit("last year") as unit:
        last = new_cycle(
            "gov-disclosure-2021",
            2025,
            DEADLINE - timedelta(days=365),
            None,
            "Asia/Shanghai",
            h.clock.now() - timedelta(days=400),
        )
        unit.store.put_cycle(last)
        unit.store.save_answers("2025", {"t2.licensing.decisions": 20}, "import", h.clock.now())
    await h.sim.say(APPROVAL, "/fill")
    for text in ("1 0 6", "3 2 21"):
        await h.sim.say(APPROVAL, text)
    saved = await h.sim.say(APPROVAL, "137")
    assert saved[0].text.startswith("✓ 已记录：行政许可 · 本年处理决定数量 = 137件")
    assert "⚠️ 行政许可 · 本年处理决定数量：137 是上年（20）的 6.8 倍，请核实" in saved[0].text
    assert "【二、主动公开政府信息情况】第 4/6 项" in saved[1].text  # and the next question
    await h.sim.press(APPROVAL, "数字无误", saved[0])
    stale = await h.sim.press(APPROVAL, "数字无误", saved[0])
    assert texts(stale).startswith("这个按钮已过期。")
    for text in ("4", "0", "12.5"):
        await h.sim.say(APPROVAL, text)
    submitted = await h.sim.press(APPROVAL, "提交")
    assert texts(submitted).startswith("已提交")


async def test_an_approve_button_from_an_earlier_submission_expires(harness):
    h = harness
    await fill_section(h, HR, "hr", "problems")
    await h.sim.say(HR, "/fill")
    await h.sim.press(HR, "2. 五、存在的主要问题及改进情况")
    await h.sim.press(HR, "提交")
    first_notice = h.api.messages_to(COORDINATOR)[-1]
    status = texts(await h.sim.say(COORDINATOR, "/status"))
    number = next(
        line.split("]")[0].strip(" [") for line in status.splitlines() if "五、存在的主要问题" in line
    )
    await h.sim.say(COORDINATOR, f"/return {number} 请补充整改结果")
    await h.sim.press(HR, "修改", h.api.messages_to(HR)[-1])
    await h.sim.press(HR, "修改")
    await h.sim.press(HR, "1. 存在的主要问题及改进情况")
    await h.sim.say(HR, "（一）问题：解读不够及时。（二）改进：下一步建立解读与文件同步起草机制，加强培训。")
    await h.sim.say(HR, "/done")
    await h.sim.say(HR, "/submit")
    second_notice = h.api.messages_to(COORDINATOR)[-1]
    stale = texts(await h.sim.press(COORDINATOR, "通过", first_notice))
    assert stale.startswith("这个按钮已过期。")
    assert h.store.get_section_state("2026", "problems").state == SUBMITTED
    fresh = texts(await h.sim.press(COORDINATOR, "通过", second_notice))
    assert fresh == "已通过“五、存在的主要问题及改进情况”。"
