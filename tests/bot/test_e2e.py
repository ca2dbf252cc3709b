"""End to end: the real Application over HTTP against the local Bot API server, the store on disk.

Played as the users would: contacts join with invitation links and fill their sections by typing and
pressing buttons; the coordinator follows progress, returns and approves, and assembles the report.
"""

from __future__ import annotations

import io
from datetime import timedelta

import docx
import pytest

from bot.offline.local_api import Limits
from bot.offline.local_api_methods import UNLIMITED
from storage.records import APPROVED, RETURNED, SUBMITTED
from tests.bot.harness import Harness
from tests.conftest import EXAMPLES
from workflows.files import read_answers_file
from workflows.numbers import format_number
from workflows.units import ROW, TEXT_STEP

COORDINATOR, OFFICE, POLICY, APPROVAL, IT, HR = 1, 11, 12, 13, 14, 15
ANSWERS = read_answers_file(EXAMPLES / "2021" / "answers.yaml")


@pytest.fixture
async def harness(tmp_path):
    h = Harness(tmp_path)
    await h.start()
    await h.open_cycle()
    yield h
    await h.stop()
    h.close()


def texts(messages):
    return "\n".join(m.text for m in messages)


def answer_for(step):
    """What a careful contact types for a step, from the example answers."""
    if step.kind == TEXT_STEP:
        return [ANSWERS[step.field_ids[0]], "/done"]
    if step.kind == ROW:
        return [" ".join(format_number(ANSWERS[fid]) for fid in step.field_ids)]
    value = ANSWERS[step.field_ids[0]]
    return [value if isinstance(value, str) else format_number(value)]


async def fill_section(h, user_id, department, section_id, answers=answer_for):
    """Open a department's section and answer every step as prompted; returns the last messages."""
    session = h.services.session(h.services.cycle())
    units = session.units_of(department)
    index = [u.section_id for u in units].index(section_id)
    reply = await h.sim.say(user_id, "/fill")
    if len(units) > 1:
        reply = await h.sim.press(user_id, f"{index + 1}. {units[index].title}"[:27], reply[-1])
    steps = session.steps(units[index])
    for step in steps:
        for text in answers(step):
            reply = await h.sim.say(user_id, text)
    return reply


async def join_everyone(h):
    await h.join(COORDINATOR, "王协调")
    for user_id, name, dept in [
        (OFFICE, "赵办公", "office"),
        (POLICY, "钱法规", "policy"),
        (APPROVAL, "孙审批", "approval"),
        (IT, "李信息", "it"),
        (HR, "周人事", "hr"),
    ]:
        await h.join(user_id, name, dept)


async def test_onboarding_good_used_and_expired_codes(harness):
    h = harness
    code = h.code("policy")
    h.api.user(POLICY, "钱法规")
    welcome = await h.sim.say(POLICY, f"/start {code}")
    assert "欢迎，钱法规！你是政策法规科的报告联系人" in texts(welcome)
    assert "/fill" in texts(welcome)
    assert h.store.get_contact(POLICY).department_id == "policy"
    assert [c["command"] for c in h.api.commands[f"chat:{POLICY}"]][:3] == ["fill", "done", "submit"]

    h.api.user(99, "陌生人")
    used = await h.sim.say(99, f"/start {code}")
    assert texts(used) == "该邀请已被使用。请向协调人索取新的邀请链接。"
    old = h.code("office", expires=timedelta(hours=1))
    h.clock.advance(timedelta(hours=2))
    expired = await h.sim.say(99, f"/start {old}")
    assert texts(expired) == "邀请已过期。请向协调人索取新的邀请链接。"
    forged = await h.sim.say(99, "/start " + code[:-3] + "abc")
    assert texts(forged) == "邀请码无效。请向协调人索取新的邀请链接。"
    assert h.store.get_contact(99) is None

    await h.join(COORDINATOR, "王协调")
    assert h.store.get_contact(COORDINATOR).role == "coordinator"
    assert "status" in [c["command"] for c in h.api.commands[f"chat:{COORDINATOR}"]]
    assert h.api.commands["default"][0]["command"] == "start"


async def test_a_stranger_gets_one_polite_refusal_for_everything(harness):
    h = harness
    await join_everyone(h)
    h.api.user(77, "Stranger", "en")
    for command in [
        "/start",
        "/help",
        "/fill",
        "/done",
        "/submit",
        "/status",
        "/missing",
        "/remind",
        "/approve 1",
        "/return 1 x",
        "/assemble",
        "/export",
        "/invite office",
        "/lang en",
        "hello",
        "40",
    ]:
        reply = await h.sim.say(77, command)
        assert len(reply) == 1 and reply[0].text.startswith("Sorry, this bot only serves"), command
        assert not reply[0].buttons
    # A contact cannot run coordinator commands, nor press a coordinator's button.
    for command in ["/status", "/approve 1", "/assemble", "/export"]:
        assert texts(await h.sim.say(OFFICE, command)) == "该命令仅限协调人使用。"
    assert not [m for m in h.api.sent if m.document is not None]


async def test_two_departments_fill_at_once_and_the_coordinator_follows(harness):
    h = harness
    await join_everyone(h)
    approval = h.store.get_department("approval")
    it = h.store.get_department("it")
    # Interleave two departments, step by step.
    session = h.services.session(h.services.cycle())
    t2_steps = session.steps(session.units_of(approval.id)[0])
    it_steps = session.steps(session.units_of(it.id)[0])
    await h.sim.say(APPROVAL, "/fill")
    await h.sim.say(IT, "/fill")
    for index, step in enumerate(t2_steps):
        for text in answer_for(step):
            reply = await h.sim.say(APPROVAL, text)
        if index < len(it_steps):
            for text in answer_for(it_steps[index]):
                await h.sim.say(IT, text)
    assert "【二、主动公开政府信息情况】状态：填写中" in texts(reply)
    assert "· 行政事业性收费 · 本年收费金额（单位：万元）：12.5" in texts(reply)
    submitted = await h.sim.press(APPROVAL, "提交")
    assert "已提交“二、主动公开政府信息情况”" in texts(submitted)
    notice = h.api.messages_to(COORDINATOR)[-1]
    assert notice.text.startswith("行政审批科提交了“二、主动公开政府信息情况”")
    await h.sim.press(IT, "提交")

    status = texts(await h.sim.say(COORDINATOR, "/status"))
    assert "2026 年报告 — 截止 1月20日，还剩 10 个工作日" in status
    assert "行政审批科：已提交 1/1 · 已提交" in status
    assert "信息中心：已提交 1/1 · 已提交" in status
    assert "办公室：已提交 0/2 · 未开始 · 最近 尚无动态" in status
    missing = texts(await h.sim.say(COORDINATOR, "/missing"))
    assert "· 办公室（赵办公）" in missing and "行政审批科" not in missing

    approved = await h.sim.press(COORDINATOR, "通过", notice)
    assert texts(approved) == "已通过“二、主动公开政府信息情况”。"
    assert h.api.messages_to(APPROVAL)[-1].text == "“二、主动公开政府信息情况”已审核通过，谢谢！"
    assert h.store.get_section_state("2026", "proactive").state == APPROVED
    locked = await h.sim.say(APPROVAL, "/fill")
    assert "该部分已审核通过，不能再修改" in texts(locked)


async def test_a_wrong_number_and_a_broken_identity_are_corrected(harness):
    h = harness
    await join_everyone(h)

    def with_mistake(step):
        if step.field_ids and step.field_ids[0] == "t3.carried_out.natural":
            return ["5 0 0 0 1 0"]  # should be 4: the flow identity breaks
        return answer_for(step)

    await h.sim.say(POLICY, "/fill")
    await h.sim.press(POLICY, "2. 三、收到和处理政府信息公开申请情况")
    wrong = await h.sim.say(POLICY, "40 5 1 0 2")
    assert "需要 6 个数（自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他），收到 5 个" in texts(
        wrong
    )
    wrong = await h.sim.say(POLICY, "40 5 1 0 2 很多")
    assert "· 其他：“很多”不是有效数字" in texts(wrong)
    negative = await h.sim.say(POLICY, "40 5 1 0 -2 1")
    assert "· 法律服务机构：不能为负数（收到的是 -2）" in texts(negative)
    accepted = await h.sim.say(POLICY, "４０ 5 1 0 2 一")
    assert "✓ 已记录：一、本年新收政府信息公开申请数量：自然人 40" in texts(accepted)
    assert "一、本年新收政府信息公开申请数量 · 总计 49" in texts(accepted)  # derived, shown, not asked

    session = h.services.session(h.services.cycle())
    steps = session.steps(session.unit("requests"))
    for step in steps[1:]:
        for text in with_mistake(step):
            await h.sim.say(POLICY, text)
    refused = await h.sim.press(POLICY, "提交")
    text = texts(refused)
    assert "未提交：以下数字不一致。" in text
    assert (
        "❌ 申请数量勾稽关系（自然人）：新收与上年结转之和（自然人） 43 与 办理总计与结转下年之和（自然人） 44 不符（相差 1）"
        in text
    )
    assert h.store.get_section_state("2026", "requests").state != SUBMITTED

    await h.sim.press(POLICY, "修改")
    last = len(steps)
    edit = await h.sim.press(POLICY, f"{last}. 四、结转下年度继续办理")
    assert "四、结转下年度继续办理" in texts(edit)
    fixed = await h.sim.say(POLICY, "4 0 0 0 1 0")
    assert "❌" not in texts(fixed)
    done = await h.sim.press(POLICY, "提交")
    assert "已提交" in texts(done)
    assert h.store.get_section_state("2026", "requests").state == SUBMITTED
    history = h.store.answer_history("2026", "t3.carried_out.natural")
    assert [v.value for v in history] == [5, 4]


async def test_a_restart_mid_section_resumes_where_each_person_was(harness):
    h = harness
    await join_everyone(h)
    await h.sim.say(OFFICE, "/fill")
    menu = await h.sim.press(OFFICE, "1. 一、总体情况")
    assert "请撰写：主动公开工作情况" in texts(menu)
    await h.sim.say(OFFICE, "第一段：全年主动公开政府信息215条。")
    await h.sim.say(OFFICE, "第二段：政策解读14篇。")
    await h.sim.say(APPROVAL, "/fill")
    await h.sim.say(APPROVAL, "1 0 6")

    await h.restart()  # the process goes away; everything acknowledged is on disk

    resumed = await h.sim.say(OFFICE, "第三段：回应关切3次。")
    assert "已收到第 3 段" in texts(resumed)
    finished = await h.sim.say(OFFICE, "/done")
    assert "✓ 已保存“主动公开工作情况”" in texts(finished)
    assert "请撰写：政府信息管理情况" in texts(finished)
    stored = h.store.current_answers("2026")["overview.proactive.text"].value
    assert stored == "第一段：全年主动公开政府信息215条。\n\n第二段：政策解读14篇。\n\n第三段：回应关切3次。"
    continued = await h.sim.say(APPROVAL, "/fill")
    assert "行政规范性文件" in texts(continued) and "第 2/6 项" in texts(continued)


async def test_return_for_revision_and_resubmission(harness):
    h = harness
    await join_everyone(h)
    await fill_section(h, HR, "hr", "problems")
    await h.sim.say(HR, "/fill")
    await h.sim.press(HR, "2. 五、存在的主要问题及改进情况")
    await h.sim.press(HR, "提交")
    assert h.store.get_section_state("2026", "problems").state == SUBMITTED

    status = texts(await h.sim.say(COORDINATOR, "/status"))
    number = next(
        line.split("]")[0].strip(" [") for line in status.splitlines() if "五、存在的主要问题" in line
    )
    returned = await h.sim.say(COORDINATOR, f"/return {number} 请补充上年度问题的整改结果")
    assert texts(returned) == "已将“五、存在的主要问题及改进情况”退回负责部门。"
    told = h.api.messages_to(HR)[-1]
    assert told.text == "“五、存在的主要问题及改进情况”被退回修改：请补充上年度问题的整改结果"
    assert h.store.get_section_state("2026", "problems").state == RETURNED

    revise = await h.sim.press(HR, "修改", told)
    assert "状态：已退回" in texts(revise)
    await h.sim.press(HR, "修改")
    prompt = await h.sim.press(HR, "1. 存在的主要问题及改进情况")
    assert "现在发送的内容将替换它" in texts(prompt)
    await h.sim.say(
        HR,
        "（一）上年度问题已全部整改：增加了图解和视频解读。（二）存在的问题是解读的及时性不够，下一步将加强与起草部门的衔接。",
    )
    saved = await h.sim.say(HR, "/done")
    assert "该部分在提交后被修改，改完后请重新提交" in texts(saved)
    resubmitted = await h.sim.say(HR, "/submit")
    assert "已提交" in texts(resubmitted)
    states = [step["state"] for step in h.store.get_section_state("2026", "problems").history]
    assert states == ["in_progress", "submitted", "returned", "in_progress", "submitted"]


async def test_assemble_sends_a_draft_until_complete_then_the_report(harness):
    h = harness
    await join_everyone(h)
    draft = await h.sim.say(COORDINATOR, "/assemble")
    assert draft[-1].document is not None and draft[-1].filename == "report-2026-draft.docx"
    assert "草稿：尚有" in draft[-1].text
    document = docx.Document(io.BytesIO(draft[-1].document))
    assert "草稿" in document.sections[0].header.paragraphs[0].text
    body = "\n".join(p.text for p in document.paragraphs)
    assert "【待填写：政策法规科 · 三、收到和处理政府信息公开申请情况（表中" in body

    for user_id, dept, section in [
        (OFFICE, "office", "overview"),
        (OFFICE, "office", "other"),
        (POLICY, "policy", "overview.requests"),
        (POLICY, "policy", "requests"),
        (POLICY, "policy", "appeals"),
        (APPROVAL, "approval", "proactive"),
        (IT, "it", "overview.platforms"),
        (HR, "hr", "overview.oversight"),
        (HR, "hr", "problems"),
    ]:
        await fill_section(h, user_id, dept, section)
    final = await h.sim.say(COORDINATOR, "/assemble")
    assert final[-1].filename == "report-2026.docx" and final[-1].text == "报告已完整，数字一致。"
    file_id = f"doc{COORDINATOR}_{final[-1].message_id}"
    received = await h.bot.application.bot.get_file(file_id)  # as a client downloads it
    document = docx.Document(io.BytesIO(bytes(await received.download_as_bytearray())))
    assert not document.sections[0].header.paragraphs[0].text
    rows = [[c.text for c in row.cells] for row in document.tables[1].rows]
    assert rows[3][3:] == ["40", "5", "1", "0", "2", "1", "49"]
    assert document.paragraphs[0].text == "江滨市科学技术局\n2026年政府信息公开工作年度报告"  # two lines

    exported = await h.sim.say(COORDINATOR, "/export")
    assert exported[0].text == "正在导出全部数据，文件稍后发送。"
    assert [m.filename for m in exported[1:]] == ["figures-2026.xlsx", "figures-2026.json"]
    assert b'"t3.new.total"' in exported[2].document


async def test_language_switch_and_help_per_role(harness):
    h = harness
    await join_everyone(h)
    switched = await h.sim.say(OFFICE, "/lang en")
    assert texts(switched) == "Language set to English."
    assert "/fill — Fill in your sections" in texts(await h.sim.say(OFFICE, "/help"))
    assert "Your sections for the 2026 report:" in texts(await h.sim.say(OFFICE, "/fill"))
    coordinator_help = texts(await h.sim.say(COORDINATOR, "/help"))
    assert "/assemble — 生成报告 Word 文档" in coordinator_help and "/fill" not in coordinator_help
    assert h.api.commands[f"chat:{OFFICE}"][0]["description"] == "Fill in your sections"


async def test_telegram_faults_do_not_stop_the_bot(tmp_path):
    h = Harness(tmp_path)
    await h.start()
    await h.open_cycle()
    try:
        await join_everyone(h)
        # /export sends two files at once: the second trips the per-chat flood limit (HTTP 429) and
        # is delivered after the retry_after the server asked for.
        h.api.limits = Limits(per_chat=1, overall=30, retry_after=1)
        exported = await h.sim.say(COORDINATOR, "/export")
        assert [m.filename for m in exported[1:]] == ["figures-2026.xlsx", "figures-2026.json"]
        assert ("sendDocument", COORDINATOR, "429") in h.api.rejected
        h.api.limits = UNLIMITED
        # A contact who blocked the bot is recorded, shown in /status, and cleared when they write again.
        h.api.blocked.add(IT)
        reminded = await h.sim.say(COORDINATOR, "/remind")
        assert "正在提醒" in texts(reminded)
        assert "1 人已屏蔽机器人" in texts(reminded)
        assert h.store.get_contact(IT).blocked
        status = texts(await h.sim.say(COORDINATOR, "/status"))
        assert "⚠️ 李信息 已屏蔽机器人，无法送达" in status
        h.api.blocked.discard(IT)
        await h.sim.say(IT, "/help")
        assert not h.store.get_contact(IT).blocked
    finally:
        await h.stop()
        h.close()


async def test_a_half_written_text_survives_switching_sections(harness):
    h = harness
    await join_everyone(h)
    await h.sim.say(HR, "/fill")
    await h.sim.press(HR, "1. 一、总体情况（五）监督保障")
    await h.sim.say(HR, "第一段：组织领导。")
    await h.sim.say(HR, "/fill")
    other = await h.sim.press(HR, "2. 五、存在的主要问题及改进情况")
    assert "请撰写：存在的主要问题及改进情况" in texts(other)
    await h.sim.say(HR, "/fill")
    back = await h.sim.press(HR, "1. 一、总体情况（五）监督保障")
    assert "已收到但尚未保存：1 段（共 9 字）" in texts(back)
    await h.sim.say(HR, "第二段：培训考核。")
    await h.sim.say(HR, "/done")
    assert (
        h.store.current_answers("2026")["overview.oversight.text"].value
        == "第一段：组织领导。\n\n第二段：培训考核。"
    )
