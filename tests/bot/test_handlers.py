"""The Telegram handlers in process: updates fed to ``Application.process_update``, replies read from the outbox.

The Application is built as ``reportbot run`` builds it (``ReportBot`` → ``build_application``: the same
handlers, in the same order, with the services in ``bot_data``), but nothing is started: no polling, no
courier, no scheduler. Handlers never talk to Telegram; what they answer is put in the store's outbox
inside the update's unit of work, which a helper opens the way ``bot.polling.Poller.handle`` does.

PTB refuses ``process_update`` before ``Application.initialize()``, and initialising asks the Bot API
who the bot is (getMe). The only network object is the ``HTTPXRequest`` that ``bot.app`` builds; it is
replaced by an offline ``BaseRequest`` (PTB's own seam for custom networking) that answers getMe and
fails the test on any other call. So nothing here opens a socket.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.messages import ANSWER, COMMANDS, TEXT
from storage.records import CONTACT, COORDINATOR, FROM_CONFIG, REPLY
from tests.bot.in_process import (
    COORDINATOR_ID,
    EXPIRED,
    REFUSAL,
    button_data,
    joined,
    kinds,
    texts,
)
from workflows.conversation import Conversation


# Joining ------------------------------------------------------------------------------------------------
async def test_start_with_an_invitation_binds_the_contact_and_brings_them_up_to_date(office):
    deliveries = await office.say(101, "钱法规", f"/start {office.code('policy')}")

    contact = office.store.get_contact(101)
    assert (contact.role, contact.department_id, contact.name, contact.lang, contact.address) == (
        CONTACT,
        "policy",
        "钱法规",
        "zh",
        101,
    )
    assert kinds(deliveries) == [COMMANDS, TEXT, TEXT]
    assert {d.chat_id for d in deliveries} == {101}
    assert [name for name, _ in deliveries[0].payload["commands"]] == [
        "fill",
        "done",
        "submit",
        "lang",
        "help",
    ]
    welcome, opening = texts(deliveries)
    assert welcome.startswith("欢迎，钱法规！你是政策法规科的报告联系人。\n\n可用命令：\n/fill — ")
    assert opening.startswith("2025 年报告开始填报。政策法规科需要填写：\n· 一、总体情况（二）依申请公开\n")
    assert button_data(deliveries) == [
        ("开始填写", "fill|2025"),
        ("用 Excel 填写", "sheet|2025"),
    ]  # no form: no [webapp]
    assert [d.priority for d in deliveries[1:]] == [REPLY, REPLY]
    # Committed with the update: the outbox holds them for the courier, and the newcomer is in the log.
    assert [d.id for d in office.store.pending_deliveries()] == [d.id for d in deliveries]
    assert [r.slot for r in office.store.list_reminders("2025", "policy")] == ["joined:101"]


async def test_start_with_an_expired_invitation_binds_nobody(office):
    code = office.code("policy", expires=timedelta(hours=1))
    office.clock.advance(timedelta(hours=2))
    deliveries = await office.say(101, "钱法规", f"/start {code}", language="en")
    assert texts(deliveries) == ["This invitation has expired. Please ask the coordinator for a new one."]
    assert office.store.get_contact(101) is None


async def test_a_used_invitation_cannot_bind_someone_else(office):
    code = office.code("policy")
    await office.say(101, "钱法规", f"/start {code}")
    deliveries = await office.say(102, "孙复议", f"/start {code}")
    assert texts(deliveries) == ["该邀请已被使用。请向协调人索取新的邀请链接。"]
    assert office.store.get_contact(102) is None


async def test_a_stranger_is_refused_politely_and_nothing_is_stored(office):
    assert texts(await office.say(555, "路人", "/start")) == [REFUSAL]
    assert texts(await office.say(555, "路人", "你好")) == [REFUSAL]
    assert texts(await office.say(555, "Stranger", "/fill", language="en")) == [
        "Sorry, this bot only serves the report contacts of this office. If you should have access, "
        "ask the coordinator for an invitation link."
    ]
    pressed = await office.press(555, "路人", "open|requests")
    assert kinds(pressed) == [ANSWER, TEXT]
    assert texts(pressed) == [REFUSAL]
    assert office.store.get_contact(555) is None
    assert office.store.get_conversation("2025", 555) == {}


async def test_a_group_chat_is_told_to_write_privately(office):
    await joined(office)
    deliveries = await office.say(101, "钱法规", "/fill", chat_type="group")
    assert texts(deliveries) == ["本机器人只在私聊中使用：请直接给它发消息。"]
    assert deliveries[0].chat_id == -100
    assert await office.say(101, "钱法规", "闲聊", chat_type="group") == []  # talk in a group is not for us


# Filling in ---------------------------------------------------------------------------------------------
async def test_fill_shows_the_sections_as_buttons(office):
    await joined(office)
    deliveries = await office.say(101, "钱法规", "/fill")
    (menu,) = texts(deliveries)
    assert menu.splitlines()[0] == "你负责的 2025 年报告内容："
    assert button_data(deliveries) == [
        ("1. 一、总体情况（二）依申请公开", "open|overview.requests"),
        ("2. 三、收到和处理政府信息公开申请情况", "open|requests"),
        ("3. 四、政府信息公开行政复议、行政诉讼情况", "open|appeals"),
        ("用 Excel 填写", "sheet"),
    ]


async def test_a_button_opens_a_section_and_a_text_answers_it(office):
    await joined(office, 201, "吴审批", "approval")
    pressed = await office.press(201, "吴审批", "fill|2025")  # the opening's 开始填写
    assert kinds(pressed) == [ANSWER, TEXT]
    assert pressed[0].payload["query_id"].startswith("q")
    assert texts(pressed)[0].startswith("【二、主动公开政府信息情况】第 1/6 项\n规章\n")
    zero = button_data(pressed)
    assert [label for label, _ in zero] == ["本行全部为 0"]

    answered = await office.say(201, "吴审批", "1 0 6", message_id=2042)

    (reply,) = texts(answered)
    assert reply.startswith(
        "✓ 已记录：规章：本年制发件数 1、本年废止件数 0、现行有效件数 6\n\n【二、主动公开政府信息情况】第 2/6 项"
    )
    stored = office.store.current_answers("2025")
    assert {fid: v.value for fid, v in stored.items()} == {
        "t2.rules.issued": 1,
        "t2.rules.repealed": 0,
        "t2.rules.in_force": 6,
    }
    assert {v.by for v in stored.values()} == {"user:201"}
    assert "2042" in office.store.get_conversation("2025", 201)["answered"]
    chat = office.store.get_chat(201)
    assert answered[0].cause == f"update:{chat.last_update_id}"  # recorded in the update's own commit
    assert chat.last_message_id == 2042


async def test_an_expired_button_is_refused_and_the_current_question_shown_again(office):
    await joined(office, 201, "吴审批", "approval")
    first = await office.press(201, "吴审批", "open|proactive")
    (_, old_zero) = button_data(first)[0]
    await office.say(201, "吴审批", "1 0 6")

    stale = await office.press(201, "吴审批", old_zero)

    assert kinds(stale) == [ANSWER, TEXT, TEXT]
    assert texts(stale)[0] == EXPIRED
    assert texts(stale)[1].startswith("【二、主动公开政府信息情况】第 2/6 项\n行政规范性文件\n")
    assert set(office.store.current_answers("2025")) == {
        "t2.rules.issued",
        "t2.rules.repealed",
        "t2.rules.in_force",
    }


async def test_a_valid_all_zero_button_answers_its_row(office):
    await joined(office, 201, "吴审批", "approval")
    (_, zero) = button_data(await office.press(201, "吴审批", "open|proactive"))[0]
    pressed = await office.press(201, "吴审批", zero)
    assert texts(pressed)[0].startswith("✓ 已记录：规章：本年制发件数 0、本年废止件数 0、现行有效件数 0\n\n")
    assert {v.value for v in office.store.current_answers("2025").values()} == {0}


@pytest.mark.parametrize("data", ["bogus|x", "edit|proactive", "", "open"])
async def test_a_button_nobody_handles_is_expired(office, data):
    await joined(office, 201, "吴审批", "approval")
    pressed = await office.press(201, "吴审批", data)
    assert kinds(pressed) == [ANSWER, TEXT]
    assert texts(pressed) == [EXPIRED]


async def test_an_edited_answer_is_applied(office):
    await joined(office, 201, "吴审批", "approval")
    await office.press(201, "吴审批", "open|proactive")
    await office.say(201, "吴审批", "1 0 6", message_id=42)
    deliveries = await office.edit(201, "吴审批", 42, "2 0 7")
    assert texts(deliveries) == [
        "已按修改后的消息更新。\n✓ 已记录：规章：本年制发件数 2、本年废止件数 0、现行有效件数 7"
    ]
    assert office.store.current_answers("2025")["t2.rules.in_force"].value == 7


async def test_lang_switches_the_persons_language_and_menu(office):
    await joined(office)
    deliveries = await office.say(101, "钱法规", "/lang en")
    assert kinds(deliveries) == [COMMANDS, TEXT]
    assert texts(deliveries) == ["Language set to English."]
    assert deliveries[0].payload["commands"][0] == ["fill", "Fill in your sections"]
    assert office.store.get_contact(101).lang == "en"
    (menu,) = texts(await office.say(101, "钱法规", "/fill"))
    assert menu.splitlines()[0] == "Your sections for the 2025 report:"


# Roles ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "command", ["/missing", "/approve 5", "/return 5 数字不对", "/remind", "/assemble", "/invite policy"]
)
async def test_coordinator_commands_are_refused_to_a_contact(office, command):
    await joined(office)
    before = office.store.list_section_states("2025")
    deliveries = await office.say(101, "钱法规", command)
    assert texts(deliveries) == ["该命令仅限协调人使用。"]
    assert office.store.list_section_states("2025") == before
    assert office.store.pending_jobs() == []


async def test_a_contact_without_a_department_to_head_is_refused_status(office):
    await joined(office)
    assert texts(await office.say(101, "钱法规", "/status")) == ["该命令仅限协调人使用。"]


async def test_contact_commands_are_refused_to_a_coordinator(office):
    coordinator = office.store.get_contact(COORDINATOR_ID)
    assert (coordinator.role, coordinator.granted_by) == (COORDINATOR, FROM_CONFIG)
    assert texts(await office.say(COORDINATOR_ID, "周协调", "/fill")) == ["该操作仅限部门联系人使用。"]
    pressed = await office.press(COORDINATOR_ID, "周协调", "open|requests")
    assert kinds(pressed) == [ANSWER, TEXT]
    assert texts(pressed) == ["该操作仅限部门联系人使用。"]
    assert office.store.get_conversation("2025", COORDINATOR_ID) == {}


async def test_a_coordinator_gets_status_and_their_name_is_kept(office):
    deliveries = await office.say(COORDINATOR_ID, "周协调", "/status")
    (status,) = texts(deliveries)
    assert status.splitlines()[0] == "2025 年报告 — 截止 1月21日，还剩 10 个工作日"
    assert status.splitlines()[-1] == "通过：/approve 编号；退回：/return 编号 原因"
    assert office.store.get_contact(COORDINATOR_ID).name == "周协调"  # learnt from the first message


async def test_a_coordinator_approves_with_the_button_of_the_submission_notice(office):
    await joined(office, 201, "吴审批", "approval")
    await office.say(COORDINATOR_ID, "周协调", "/help")
    for fid, value in {
        "t2.rules.issued": 1,
        "t2.rules.repealed": 0,
        "t2.rules.in_force": 6,
        "t2.normative.issued": 3,
        "t2.normative.repealed": 2,
        "t2.normative.in_force": 21,
        "t2.licensing.decisions": 137,
        "t2.penalty.decisions": 4,
        "t2.coercion.decisions": 0,
        "t2.fees.amount": "12.5",
    }.items():
        office.store.save_answer("2025", fid, value, "user:201", office.clock.now())
    summary = await office.press(201, "吴审批", "open|proactive")
    submit = dict(button_data(summary))["提交"]
    submitted = await office.press(201, "吴审批", submit)
    assert texts(submitted)[0] == "已提交“二、主动公开政府信息情况”。协调人审核后会通知你。"
    notice = [d for d in submitted if d.chat_id == COORDINATOR_ID]
    assert [d.payload["text"] for d in notice] == ["行政审批科提交了“二、主动公开政府信息情况”。"]
    ((label, approve),) = [(b["label"], b["data"]) for row in notice[0].payload["buttons"] for b in row]
    assert (label, approve) == ("通过", "approve|proactive|1")

    approved = await office.press(COORDINATOR_ID, "周协调", approve)

    assert texts(approved) == [
        "已通过“二、主动公开政府信息情况”。",
        "“二、主动公开政府信息情况”已审核通过，谢谢！",
    ]
    assert [d.chat_id for d in approved if d.kind == TEXT] == [COORDINATOR_ID, 201]
    assert office.store.get_section_state("2025", "proactive").state == "approved"
    again = await office.press(COORDINATOR_ID, "周协调", approve)
    assert texts(again)[0].startswith(EXPIRED)


async def test_a_revoked_contact_is_a_stranger_again(office):
    contact = await joined(office)
    office.store.put_contact(replace(contact, revoked_at=office.clock.now()))
    assert texts(await office.say(101, "钱法规", "/fill")) == [REFUSAL]


async def test_a_contact_of_another_channel_is_a_stranger_here(office):
    contact = await joined(office)
    assert contact.channel == "telegram"  # joined through this bot
    office.store.put_contact(replace(contact, channel="wecom"))  # the same number, another channel's person
    assert texts(await office.say(101, "钱法规", "/fill")) == [REFUSAL]


async def test_a_contact_is_told_when_no_report_is_open(office):
    await joined(office)
    cycle = office.store.get_cycle("2025")
    office.store.put_cycle(replace(cycle, closed=True))
    assert texts(await office.say(101, "钱法规", "/fill")) == [
        "目前没有正在填报的报告。下一次填报开始时会通知你。"
    ]


async def test_a_failing_handler_leaves_no_trace(office, monkeypatch):
    await joined(office)
    pending = [d.id for d in office.store.pending_deliveries()]

    def half_done(talk):
        talk.store.set_conversation("2025", 101, {"unit": "requests"})
        talk.store.add_delivery(101, TEXT, {"text": "half", "buttons": []}, office.clock.now(), REPLY)
        raise RuntimeError("boom")

    monkeypatch.setattr(Conversation, "menu", half_done)
    handled = office.store.get_chat(101).last_update_id
    with pytest.raises(RuntimeError, match="boom"):
        await office.say(101, "钱法规", "/fill")
    assert office.store.get_chat(101).last_update_id == handled
    assert office.store.get_conversation("2025", 101) == {}
    assert [d.id for d in office.store.pending_deliveries()] == pending
