"""Who has done what: department progress, /status, /missing, whom a reminder goes to, and the deadline line."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from storage.records import APPROVED, HEAD, IN_PROGRESS, NOT_STARTED, RETURNED, SUBMITTED, Department
from tests.workflows.scenario import ZONE, build_world, example_answers, only_text
from workflows.progress import (
    DepartmentProgress,
    broadcast_report,
    deadline_text,
    department_progress,
    headed_by,
    missing,
    remind_targets,
    status,
)


@pytest.fixture
def busy(world):
    """政策法规科 started 三 with a mistake at 12:00 (one contact blocked the bot), 行政审批科 submitted at 11:00,
    人事科's contact has no name, 办公室 and 信息中心 have nobody."""
    world.join(101, "钱法规", "policy")
    blocked = world.join(102, "孙复议", "policy")
    world.store.put_contact(replace(blocked, blocked=True))
    world.join(201, "吴审批", "approval")
    world.join(301, "", "hr")
    world.fill(["proactive"], by="user:201")
    world.later(hours=2)
    world.talk(201).submit("proactive")
    world.later(hours=1)
    world.fill(["requests"], values={**example_answers(), "t3.new.natural": 41}, by="user:101")
    return world


def test_department_progress(busy):
    progress = {p.department.id: p for p in department_progress(busy.session())}
    assert list(progress) == ["office", "policy", "approval", "it", "hr"]
    policy = progress["policy"]
    assert policy.states == [NOT_STARTED, IN_PROGRESS, NOT_STARTED]
    assert (policy.submitted, policy.state) == (0, IN_PROGRESS)
    assert [u.section_id for u in policy.owing] == ["overview.requests", "requests", "appeals"]
    assert policy.last_activity == datetime(2026, 1, 7, 12, 0, tzinfo=ZONE)
    assert [c.user_id for c in policy.contacts] == [101, 102]
    approval = progress["approval"]
    assert (approval.submitted, approval.state, approval.owing) == (1, SUBMITTED, [])
    assert approval.last_activity == datetime(2026, 1, 7, 11, 0, tzinfo=ZONE)
    assert progress["office"].last_activity is None
    assert progress["office"].contacts == []


@pytest.mark.parametrize(
    ("states", "overall"),
    [
        ([APPROVED, APPROVED], APPROVED),
        ([APPROVED, RETURNED], RETURNED),
        ([SUBMITTED, APPROVED], SUBMITTED),
        ([SUBMITTED, NOT_STARTED], IN_PROGRESS),
        ([NOT_STARTED, NOT_STARTED], NOT_STARTED),
        ([], NOT_STARTED),
    ],
)
def test_one_word_for_a_department(states, overall):
    progress = DepartmentProgress(Department("d", "科"), [None] * len(states), states, None, [])
    assert progress.state == overall


def test_departments_without_sections_are_left_out_and_revoked_contacts_do_not_count(world):
    world.store.put_department(Department("archive", "档案室", ()))
    gone = world.join(101, "钱法规", "policy")
    world.store.put_contact(replace(gone, revoked_at=world.now()))
    progress = {p.department.id: p for p in department_progress(world.session())}
    assert "archive" not in progress
    assert progress["policy"].contacts == []


STATUS_ZH = """2025 年报告 — 截止 1月21日，还剩 10 个工作日

办公室：已提交 0/2 · 未开始 · 最近 尚无动态
  [1] 一、总体情况 — 未开始
  [9] 六、其他需要报告的事项 — 未开始
  ⚠️ 尚无联系人加入

政策法规科：已提交 0/3 · 填写中 · 最近 1月7日 12:00
  [2] 一、总体情况（二）依申请公开 — 未开始
  [6] 三、收到和处理政府信息公开申请情况 — 填写中
      ❌ 申请数量勾稽关系（自然人）：新收与上年结转之和（自然人） 44 与 办理总计与结转下年之和（自然人） 43 不符（相差 1）
      ❌ 申请数量勾稽关系（总计）：新收与上年结转之和（总计） 54 与 办理总计与结转下年之和（总计） 53 不符（相差 1）
  [7] 四、政府信息公开行政复议、行政诉讼情况 — 未开始
  ⚠️ 孙复议 已屏蔽机器人，无法送达

行政审批科：已提交 1/1 · 已提交 · 最近 1月7日 11:00
  [5] 二、主动公开政府信息情况 — 已提交

信息中心：已提交 0/1 · 未开始 · 最近 尚无动态
  [3] 一、总体情况（四）政府信息公开平台建设 — 未开始
  ⚠️ 尚无联系人加入

人事科：已提交 0/2 · 未开始 · 最近 尚无动态
  [4] 一、总体情况（五）监督保障 — 未开始
  [8] 五、存在的主要问题及改进情况 — 未开始

通过：/approve 编号；退回：/return 编号 原因"""


def test_status_for_a_coordinator(busy):
    outcome = status(busy.session(), busy.cycle, busy.now(), "zh")
    assert only_text(outcome) == STATUS_ZH
    assert outcome.replies[0].buttons == ()


def test_status_for_a_head_shows_only_their_department_in_english(busy):
    text = only_text(status(busy.session(), busy.cycle, busy.now(), "en", only={"policy"}))
    assert text.splitlines() == [
        "2025 report — deadline 21 Jan, 10 working day(s) left",
        "",
        "政策法规科: 0/3 submitted · in progress · last activity 07 Jan 12:00",
        "  [2] 一、总体情况（二）依申请公开 — not started",
        "  [6] 三、收到和处理政府信息公开申请情况 — in progress",
        "      ❌ request flow (自然人): 新收与上年结转之和（自然人） 44 does not match 办理总计与结转下年之和（自然人） 43 (difference 1)",
        "      ❌ request flow (总计): 新收与上年结转之和（总计） 54 does not match 办理总计与结转下年之和（总计） 53 (difference 1)",
        "  [7] 四、政府信息公开行政复议、行政诉讼情况 — not started",
        "  ⚠️ 孙复议 has blocked the bot",
    ]


def test_status_after_the_deadline_flags_who_is_overdue_and_what_was_confirmed(world_with_last_year):
    world = world_with_last_year
    world.join(201, "吴审批", "approval")
    world.fill(["proactive"], values={**example_answers(), "t2.normative.in_force": 200})
    for finding in world.session().unit_findings(world.unit("proactive")):
        world.store.confirm_finding(world.cycle.id, finding.key(), "user:201", world.now())
    late = datetime(2026, 1, 23, 10, 0, tzinfo=ZONE)  # Friday: two working days after Wednesday's deadline
    lines = only_text(status(world.session(), world.cycle, late, "zh")).splitlines()
    assert lines[0] == "2025 年报告 — 截止 1月21日，已逾期 2 个工作日"
    assert "行政审批科：已提交 0/1 · 填写中 · 最近 1月7日 09:00 · 已逾期" in lines
    assert "      ⚠️ 行政规范性文件 · 现行有效件数：200 是上年（20）的 10 倍，请核实（部门已确认）" in lines


def test_missing_names_the_contacts_and_counts_the_gaps(busy):
    text = only_text(missing(busy.session(), busy.cycle, busy.now(), "zh"))
    assert text == (
        "尚未提交（截止 1月21日，还剩 10 个工作日）：\n"
        "· 办公室（尚无联系人）\n"
        "    一、总体情况 — 未开始，缺 2 项\n"
        "    六、其他需要报告的事项 — 未开始，缺 1 项\n"
        "· 政策法规科（钱法规、孙复议）\n"
        "    一、总体情况（二）依申请公开 — 未开始，缺 1 项\n"
        "    三、收到和处理政府信息公开申请情况 — 填写中，缺 0 项\n"
        "    四、政府信息公开行政复议、行政诉讼情况 — 未开始，缺 12 项\n"
        "· 信息中心（尚无联系人）\n"
        "    一、总体情况（四）政府信息公开平台建设 — 未开始，缺 1 项\n"
        "· 人事科（301）\n"
        "    一、总体情况（五）监督保障 — 未开始，缺 1 项\n"
        "    五、存在的主要问题及改进情况 — 未开始，缺 1 项"
    )


def test_missing_when_everything_is_in(world):
    for unit in world.session().units:
        world.store.set_section_state(world.cycle.id, unit.section_id, SUBMITTED, "user:1", world.now())
    assert (
        only_text(missing(world.session(), world.cycle, world.now(), "en"))
        == "Every section has been submitted."
    )


def test_remind_targets_every_reachable_contact_of_an_owing_department(busy):
    messages, reminded, unreachable = remind_targets(busy.session(), busy.cycle, busy.now())
    assert [contact.user_id for contact, _ in messages] == [101, 301]  # 孙复议 blocked the bot
    assert reminded == ["政策法规科", "人事科"]
    assert unreachable == ["办公室", "信息中心"]
    text = messages[0][1].text
    assert text == (
        "提醒：2025 年报告中，政策法规科尚未提交以下部分：\n"
        "· 一、总体情况（二）依申请公开（缺 1 项）\n"
        "· 三、收到和处理政府信息公开申请情况（缺 0 项）\n"
        "· 四、政府信息公开行政复议、行政诉讼情况（缺 12 项）\n"
        "截止 1月21日，还剩 10 个工作日"
    )


def test_remind_one_department_by_id_or_name(busy):
    by_name = remind_targets(busy.session(), busy.cycle, busy.now(), "政策法规科")
    by_id = remind_targets(busy.session(), busy.cycle, busy.now(), "policy")
    assert [c.user_id for c, _ in by_name[0]] == [c.user_id for c, _ in by_id[0]] == [101]
    assert by_name[1:] == by_id[1:] == (["政策法规科"], [])
    assert remind_targets(busy.session(), busy.cycle, busy.now(), "approval") == ([], [], [])


def test_a_reminder_speaks_each_contacts_language(busy):
    english = busy.join(302, "Wang", "hr", lang="en")
    messages, _, _ = remind_targets(busy.session(), busy.cycle, busy.now(), "hr")
    by_user = {c.user_id: reply for c, reply in messages}
    assert (
        by_user[english.user_id].text.splitlines()[0] == "Reminder: the 2025 report still needs from 人事科:"
    )
    assert by_user[301].text.splitlines()[0] == "提醒：2025 年报告中，人事科尚未提交以下部分："


@pytest.mark.parametrize(
    ("moment", "zh", "en"),
    [
        ((2026, 1, 7, 9), "截止 1月21日，还剩 10 个工作日", "deadline 21 Jan, 10 working day(s) left"),
        ((2026, 1, 20, 17), "截止 1月21日，还剩 1 个工作日", "deadline 21 Jan, 1 working day(s) left"),
        ((2026, 1, 21, 9), "今天截止（1月21日）", "deadline today (21 Jan)"),
        (
            (2026, 1, 21, 19),
            "截止 1月21日，已逾期 1 个工作日",
            "deadline 21 Jan, overdue by 1 working day(s)",
        ),
        ((2026, 1, 26, 9), "截止 1月21日，已逾期 3 个工作日", "deadline 21 Jan, overdue by 3 working day(s)"),
    ],
)
def test_deadline_text_counts_working_days(world, moment, zh, en):
    now = datetime(*moment, tzinfo=ZONE)
    session = world.session()
    assert (deadline_text(session, now, "zh"), deadline_text(session, now, "en")) == (zh, en)


def test_a_deadline_on_a_sunday_seen_on_the_friday_before(any_store):
    world = build_world(any_store, deadline=datetime(2026, 1, 25, 18, 0, tzinfo=ZONE))
    friday = datetime(2026, 1, 23, 10, 0, tzinfo=ZONE)
    assert deadline_text(world.session(), friday, "zh") == "截止 1月25日，之前已无工作日"
    assert deadline_text(world.session(), friday, "en") == "deadline 25 Jan, no working day left before it"


def test_headed_by(world):
    head = world.join(290, "科长", "policy", role=HEAD)
    assert [d.id for d in headed_by(head, world.session().departments)] == ["policy"]
    world.store.put_department(replace(world.store.get_department("it"), head_user_id=1))
    coordinator = world.join(1, "周协调")
    assert [d.id for d in headed_by(coordinator, world.session().departments)] == ["it"]
    assert headed_by(world.join(101, "钱法规", "policy"), world.session().departments) == []


def test_broadcast_report():
    assert broadcast_report("zh", "remind", {"sent": 3, "blocked": 1}, ["办公室", "人事科"]) == (
        "提醒已送达 3 位联系人（办公室、人事科）；1 人已屏蔽机器人；0 条未能送达。"
    )
    assert broadcast_report("en", "remind", {}, []) == (
        "Reminders delivered to 0 contacts (—); 0 have blocked the bot; 0 could not be delivered."
    )
