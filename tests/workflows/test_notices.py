"""What the schedule says: openings, reminders, the head's notice, the digest; newcomers caught up; choosing a report."""

from __future__ import annotations

from datetime import datetime

import pytest

from storage.records import SUBMITTED
from tests.workflows.scenario import TEMPLATE_ID, ZONE, buttons, calendar, only_text
from workflows.cycles import new_cycle
from workflows.notices import (
    catch_up,
    choose_cycle,
    digest,
    head_notice,
    joined_key,
    opening,
    opening_recipients,
    reminder,
    welcome_contact,
)
from workflows.progress import department_progress
from workflows.replies import Action

LATE = datetime(2026, 1, 26, 9, 0, tzinfo=ZONE)  # Monday: three working days after Wednesday's deadline
# 开始填写 on its own row; the form (where the channel can open it) and the workbook on the next.
FILL_ZH = [
    ("开始填写", Action("fill", ("2025",))),
    ("📝 在表单中填写", Action("form", ("2025",))),
    ("用 Excel 填写", Action("sheet", ("2025",))),
]
POLICY_OPENING = (
    "2025 年报告开始填报。政策法规科需要填写：\n"
    "· 一、总体情况（二）依申请公开\n"
    "· 三、收到和处理政府信息公开申请情况\n"
    "· 四、政府信息公开行政复议、行政诉讼情况\n"
    "截止 1月21日，还剩 10 个工作日"
)


def progress_of(world, department):
    session = world.session()
    return session, next(p for p in department_progress(session) if p.department.id == department)


def test_the_opening_lists_the_sections_and_has_a_button_for_this_report(world):
    session, policy = progress_of(world, "policy")
    reply = opening(session, world.cycle, policy, world.now(), "zh")
    assert reply.text == POLICY_OPENING
    assert buttons(reply) == FILL_ZH
    english = opening(session, world.cycle, policy, world.now(), "en")
    assert english.text.splitlines()[0] == "The 2025 report is open. 政策法规科 is asked for:"
    assert english.text.splitlines()[-1] == "deadline 21 Jan, 10 working day(s) left"
    assert buttons(english) == [
        ("Fill in", Action("fill", ("2025",))),
        ("📝 Fill in the form", Action("form", ("2025",))),
        ("Fill in with Excel", Action("sheet", ("2025",))),
    ]


def test_a_reminder_counts_what_each_owed_section_still_lacks(world):
    world.fill(["overview.requests", "appeals"])
    world.store.set_section_state(world.cycle.id, "appeals", SUBMITTED, "user:101", world.now())
    session, policy = progress_of(world, "policy")
    reply = reminder(session, world.cycle, policy, LATE, "zh")
    assert reply.text == (
        "提醒：2025 年报告中，政策法规科尚未提交以下部分：\n"
        "· 一、总体情况（二）依申请公开（缺 0 项）\n"
        "· 三、收到和处理政府信息公开申请情况（缺 144 项）\n"
        "截止 1月21日，已逾期 3 个工作日"
    )
    assert buttons(reply) == FILL_ZH


def test_the_heads_notice_names_the_lateness_the_gaps_and_the_contacts(world):
    world.join(101, "钱法规", "policy")
    world.join(102, "孙复议", "policy")
    session, policy = progress_of(world, "policy")
    reply = head_notice(session, world.cycle, policy, 3, LATE, "zh")
    assert reply.text == (
        "请关注：政策法规科的 2025 年报告内容已逾期 3 个工作日，尚未提交：\n"
        "· 一、总体情况（二）依申请公开（缺 1 项）\n"
        "· 三、收到和处理政府信息公开申请情况（缺 144 项）\n"
        "· 四、政府信息公开行政复议、行政诉讼情况（缺 12 项）\n"
        "联系人：钱法规、孙复议"
    )
    assert reply.buttons == ()
    session, office = progress_of(world, "office")
    english = head_notice(session, world.cycle, office, 3, LATE, "en").text
    assert (
        english.splitlines()[0]
        == "For your attention: 办公室 is 3 working days late with its part of the 2025 report:"
    )
    assert "Contacts" not in english  # nobody has joined 办公室


def test_the_digest_lists_the_overdue_departments(world):
    world.store.set_section_state(world.cycle.id, "overview.requests", SUBMITTED, "user:101", world.now())
    session = world.session()
    progress = {p.department.id: p for p in department_progress(session)}
    reply = digest(session, world.cycle, [progress["policy"], progress["office"]], 3, LATE, "zh")
    assert reply.text == (
        "每日汇总：2 个部门已逾期（截止 1月21日，已逾期 3 个工作日）。\n· 政策法规科：已提交 1/3\n· 办公室：已提交 0/2"
    )


# Newcomers ---------------------------------------------------------------------------------------------
def test_catch_up_is_the_opening_while_nothing_is_submitted_and_time_is_left(world):
    session, policy = progress_of(world, "policy")
    assert catch_up(session, policy, world.now(), "zh").text == POLICY_OPENING


def test_catch_up_is_a_reminder_once_late_or_once_something_is_in(world):
    session, policy = progress_of(world, "policy")
    late = catch_up(session, policy, LATE, "zh")
    assert late.text.startswith("提醒：2025 年报告中，政策法规科尚未提交以下部分：\n")
    assert late.text.endswith("\n截止 1月21日，已逾期 3 个工作日")
    world.store.set_section_state(world.cycle.id, "appeals", SUBMITTED, "user:101", world.now())
    session, policy = progress_of(world, "policy")
    partial = catch_up(session, policy, world.now(), "zh")
    assert partial.text.startswith("提醒：")
    assert "四、政府信息公开行政复议" not in partial.text


def test_catch_up_when_everything_is_in(world):
    world.store.set_section_state(world.cycle.id, "proactive", SUBMITTED, "user:201", world.now())
    session, approval = progress_of(world, "approval")
    reply = catch_up(session, approval, world.now(), "en")
    assert reply.text == "行政审批科 has submitted all its sections of the 2025 report."
    assert reply.buttons == ()


def test_a_newcomer_gets_the_message_they_missed_and_is_left_out_of_the_opening(world):
    world.join(101, "钱法规", "policy")
    newcomer = world.join(102, "孙复议", "policy")
    session = world.session()
    replies = welcome_contact(
        102,
        "孙复议",
        world.store.get_department("policy"),
        [session],
        [world.cycle],
        calendar(),
        world.now(),
        "zh",
    )
    assert [r.text for r in replies] == ["欢迎，孙复议！你是政策法规科的报告联系人。", POLICY_OPENING]
    assert buttons(replies[1]) == FILL_ZH
    (entry,) = world.store.list_reminders(world.cycle.id, "policy")
    assert (entry.slot, entry.sent_at) == (joined_key(102), world.now())
    assert joined_key(102) == "joined:102"
    # The department's opening, when it goes out, is for the others only.
    session, policy = progress_of(world, "policy")
    assert [c.user_id for c in opening_recipients(session, policy)] == [101]
    assert newcomer in policy.contacts


def test_a_blocked_contact_gets_no_opening(world):
    from dataclasses import replace

    blocked = world.join(101, "钱法规", "policy")
    world.store.put_contact(replace(blocked, blocked=True))
    session, policy = progress_of(world, "policy")
    assert opening_recipients(session, policy) == []


def test_a_newcomer_before_any_report_opens_is_told_when_the_next_opens(world):
    upcoming = new_cycle(
        TEMPLATE_ID,
        2026,
        datetime(2026, 7, 20, 18, 0, tzinfo=ZONE),
        datetime(2026, 7, 4, 10, 0, tzinfo=ZONE),  # a Saturday: it goes out on Monday morning
        "Asia/Shanghai",
        world.now(),
        period="H1",
    )
    replies = welcome_contact(
        103,
        "新人",
        world.store.get_department("it"),
        [],
        [world.cycle, upcoming],
        calendar(),
        world.now(),
        "zh",
    )
    assert [r.text for r in replies] == [
        "欢迎，新人！你是信息中心的报告联系人。\n2026 年报告将于 7月6日 开始填报，届时你会收到消息。"
    ]
    assert world.store.list_reminders(world.cycle.id) == []


def test_a_newcomer_with_no_report_planned(world):
    replies = welcome_contact(
        103, "New", world.store.get_department("it"), [], [], calendar(), world.now(), "en"
    )
    assert [r.text for r in replies] == [
        "Welcome, New. You answer for 信息中心.\nNo report is open at the moment; you will get a message when one opens."
    ]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_choose_cycle_offers_each_open_report(world, lang):
    other = new_cycle(
        TEMPLATE_ID,
        2026,
        datetime(2026, 4, 20, 18, 0, tzinfo=ZONE),
        None,
        "Asia/Shanghai",
        world.now(),
        period="Q1",
    )
    names = {
        "2025": "政府信息公开工作年度报告",
        "2026-Q1": "一个名字很长很长很长很长很长很长很长很长很长很长很长很长的季度报告",
    }
    outcome = choose_cycle([world.cycle, other], names, lang)
    expected = {
        "zh": "你所在部门有多个正在填报的报告，要填写哪一个？",
        "en": "Several reports are open for your department. Which one?",
    }
    assert only_text(outcome) == expected[lang]
    assert buttons(outcome) == [
        ("2025 · 政府信息公开工作年度报告", Action("fill", ("2025",))),
        (("2026-Q1 · " + names["2026-Q1"])[:40], Action("fill", ("2026-Q1",))),
    ]
    assert len(buttons(outcome)[1][0]) == 40
