"""Nobody misses a message: people who join late get what fell due before them, in the cycle's words."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.bot.harness import Harness
from tests.bot.test_e2e import COORDINATOR, OFFICE, POLICY, texts
from tests.bot.test_scheduler import HEAD, at, tick


@pytest.fixture
async def harness(tmp_path):
    h = Harness(tmp_path)
    h.clock.set(at(1, 12))
    await h.start()
    await h.join(COORDINATOR, "王协调")
    await h.join(OFFICE, "赵办公", "office")
    yield h
    await h.stop()
    h.close()


async def join(h, user_id, name, department):
    h.api.user(user_id, name)
    return await h.sim.say(user_id, f"/start {h.code(department)}")


async def test_a_contact_who_joins_after_the_opening_gets_it_then(harness):
    h = harness
    await h.open_cycle(year=2025, deadline=at(13, 18), opens=at(2, 10))
    h.clock.set(at(2, 10))
    await tick(h)  # the opening goes out; 政策法规科 has nobody yet
    assert [m.text for m in h.api.messages_to(OFFICE)][-1].startswith("2025 年报告开始填报。办公室需要填写")
    assert h.api.messages_to(POLICY) == []
    status = texts(await h.sim.say(COORDINATOR, "/status"))
    policy = status.split("政策法规科：")[1].split("\n\n")[0]
    assert policy.startswith("已提交 0/3 · 未开始") and policy.endswith("⚠️ 尚无联系人加入")

    h.clock.set(at(4, 15))
    welcome, opening = await join(h, POLICY, "钱法规", "policy")
    assert welcome.text.startswith("欢迎，钱法规！你是政策法规科的报告联系人。")
    assert opening.text.startswith(
        "2025 年报告开始填报。政策法规科需要填写：\n· 一、总体情况（二）依申请公开"
    )
    assert opening.text.endswith("截止 2月13日，还剩 7 个工作日")
    assert opening.buttons == [
        [{"callback_data": "fill|2025", "text": "开始填写"}],
        [{"callback_data": "sheet|2025", "text": "用 Excel 填写"}],
    ]

    h.clock.set(at(5, 9))
    await tick(h)  # nothing more for 政策法规科: its newcomer already has the opening
    assert len(h.api.messages_to(POLICY)) == 2


async def test_a_contact_who_joins_when_overdue_gets_the_reminder_with_working_days(harness):
    h = harness
    await h.open_cycle(year=2025, deadline=at(13, 18), opens=at(2, 10))
    h.clock.set(at(2, 10))
    await tick(h)
    h.clock.set(at(26, 10))  # Spring Festival in between: 4 working days late (24, 25, 26 and the 14th)
    _, reminder = await join(h, POLICY, "钱法规", "policy")
    assert reminder.text.startswith("提醒：2025 年报告中，政策法规科尚未提交以下部分：")
    assert reminder.text.endswith("截止 2月13日，已逾期 4 个工作日")


async def test_joining_before_a_cycle_opens_or_with_none_says_so(harness):
    h = harness
    [welcome] = await join(h, POLICY, "钱法规", "policy")
    assert "目前没有正在填报的报告；开始填报时你会收到消息。" in welcome.text
    await h.open_cycle(year=2025, deadline=at(13, 18), opens=at(7, 22))  # a Saturday night
    h.api.user(POLICY + 100, "孙法规")
    [welcome] = await join(h, POLICY + 100, "孙法规", "policy")
    assert "2025 年报告将于 2月9日 开始填报，届时你会收到消息。" in welcome.text  # the next working morning


async def test_coordinators_named_in_the_configuration_get_their_menu_at_start(tmp_path):
    h = Harness(tmp_path)
    h.settings.coordinators = [77]
    await h.start()
    try:
        await h.sim.runtime.settled("menus")
        assert "status" in [c["command"] for c in h.api.commands["chat:77"]]
    finally:
        await h.stop()
        h.close()


async def test_a_head_joins_by_invitation_sees_their_department_and_is_told_when_it_is_late(harness):
    h = harness
    invitation = texts(await h.sim.say(COORDINATOR, "/invite head policy"))
    code = invitation.rsplit("：", 1)[-1].strip()
    h.api.user(HEAD, "吴处长")
    welcome = texts(await h.sim.say(HEAD, f"/start {code}"))
    assert welcome.startswith("欢迎，吴处长！你是政策法规科的负责人")
    assert [c["command"] for c in h.api.commands[f"chat:{HEAD}"]] == ["status", "lang", "help"]
    assert texts(await h.sim.say(HEAD, "/fill")) == "该操作仅限部门联系人使用。"

    await h.open_cycle(year=2025, deadline=at(13, 18), opens=at(2, 10))
    h.clock.set(at(2, 10))
    await tick(h)
    status = texts(await h.sim.say(HEAD, "/status"))
    assert "政策法规科：已提交 0/3" in status and "办公室" not in status and "/approve" not in status

    for day in (14, 24, 25):  # the third overdue working day: heads are told (escalate_after 2 here)
        h.clock.set(at(day, 9, 5))
        await tick(h)
    notice = h.api.messages_to(HEAD)[-1].text
    assert notice.startswith("请关注：政策法规科的 2025 年报告内容已逾期")


async def test_configured_heads_need_no_invitation_and_lose_the_role_with_the_configuration(tmp_path):
    h = Harness(tmp_path)
    h.clock.set(at(2, 12))
    h.settings.departments = [
        replace(d, head_user_id=HEAD) if d.id == "policy" else d for d in h.settings.departments
    ]
    await h.start()
    try:
        await h.join(COORDINATOR, "王协调")
        await h.open_cycle(year=2025, deadline=at(13, 18), opens=at(2, 10))
        h.api.user(HEAD, "吴处长")
        assert "政策法规科：已提交 0/3" in texts(await h.sim.say(HEAD, "/status"))
        h.settings.departments = [replace(d, head_user_id=None) for d in h.settings.departments]
        await h.restart()
        assert texts(await h.sim.say(HEAD, "/status")).startswith("抱歉，本机器人仅供本单位")
    finally:
        await h.stop()
        h.close()
