"""Who may do what: the configuration decides, group chats get nothing, a role never changes unasked."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.bot.harness import everyone_joined
from tests.bot.test_e2e import COORDINATOR, HR, IT, OFFICE, POLICY, texts

GROUP = -100123
BOSS = 31  # a coordinator named in the configuration


@pytest.fixture
async def harness(tmp_path):
    async with everyone_joined(tmp_path, coordinators=[BOSS]) as h:
        yield h


async def test_coordinator_commands_answer_only_in_private_chats(harness):
    h = harness
    refused = await h.sim.say(COORDINATOR, "/export", group=GROUP)
    assert texts(refused) == "本机器人只在私聊中使用：请直接给它发消息。"
    assert await h.sim.say(COORDINATOR, "大家好", group=GROUP) == []  # talk in a group is not for the bot
    assert await h.sim.say(OFFICE, "/fill", group=GROUP) != []
    assert not [m for m in h.api.messages_to(GROUP) if m.document is not None]
    assert not [m for m in h.api.messages_to(GROUP) if "报告" in m.text and "私聊" not in m.text]


async def test_a_second_invitation_asks_before_changing_a_role(harness):
    h = harness
    code = h.code("office")
    asked = texts(await h.sim.say(POLICY, f"/start {code}"))
    assert asked == "你目前是政策法规科的联系人。这个邀请会让你改为办公室的联系人。要更改吗？"
    assert h.store.get_contact(POLICY).department_id == "policy"
    assert texts(await h.sim.press(POLICY, "保持不变")) == "没有任何更改。"
    assert h.store.get_invite(code) is None  # not spent: it can still be used
    await h.sim.say(POLICY, f"/start {code}")
    changed = texts(await h.sim.press(POLICY, "确认更改"))
    assert changed.startswith("欢迎，钱法规！你是办公室的报告联系人")
    assert h.store.get_contact(POLICY).department_id == "office"
    stale = await h.sim.press(POLICY, "确认更改", h.api.last_with_button(POLICY, "确认更改"))
    assert texts(stale) == "这个按钮已过期。"
    # A coordinator is not demoted by a contact invitation either, unless they say so.
    demote = texts(await h.sim.say(COORDINATOR, f"/start {h.code('hr')}"))
    assert demote.startswith("你目前是协调人。这个邀请会让你改为人事科的联系人。")
    # A coordinator named in the configuration cannot be moved by an invitation at all.
    h.api.user(BOSS, "李局长")
    configured = texts(await h.sim.say(BOSS, f"/start {h.code('hr')}"))
    assert configured == "你的身份由机器人的配置文件指定，不能通过邀请更改。"


async def test_the_configuration_grants_and_revokes_at_the_next_start(harness):
    h = harness
    h.api.user(BOSS, "李局长")
    assert "2026 年报告" in texts(await h.sim.say(BOSS, "/status"))
    await h.sim.say(IT, "/fill")
    await h.sim.say(IT, "门户网站改版，新增政策解读专栏。")  # a half-written text, then IT leaves the report

    h.settings.coordinators = []
    h.settings.departments = [
        replace(d, sections=(*d.sections, "overview.platforms")) if d.id == "office" else d
        for d in h.settings.departments
        if d.id != "it"
    ]
    await h.restart()  # the sections of a removed department go to another: the bot starts all the same

    assert texts(await h.sim.say(BOSS, "/export")).startswith("抱歉，本机器人仅供本单位报告联系人使用")
    assert not h.store.get_contact(BOSS).active and h.store.get_contact(BOSS).name == "李局长"
    assert texts(await h.sim.say(IT, "/fill")) == "你所在的部门已不再参与本报告，请联系协调人。"
    menu = texts(await h.sim.say(OFFICE, "/fill"))
    assert "一、总体情况（四）政府信息公开平台建设" in menu
    status = texts(await h.sim.say(COORDINATOR, "/status"))  # an invited coordinator keeps the role
    assert "信息中心" not in status and "办公室：已提交 0/3" in status
    assert h.store.get_department("it").active is False  # kept: the history still names it
    assert HR


async def test_the_data_folder_is_private(harness):
    folder = harness.settings.database
    assert oct(folder.stat().st_mode)[-3:] == "700"
    assert all(oct(p.stat().st_mode)[-3:] in ("600", "700") for p in folder.rglob("*"))
