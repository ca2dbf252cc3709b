"""The schedule end to end: a cycle across Spring Festival 2026, restarts, submissions, flood control.

The clock is moved by hand and ``tick`` is called as the job would call it; nothing sleeps for a schedule.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

import bot.scheduler as scheduler_module
from bot.courier import Pace
from bot.offline.local_api import Limits
from storage.records import Contact
from tests.bot.harness import ZONE, Harness
from tests.bot.test_e2e import APPROVAL, COORDINATOR, HR, IT, OFFICE, POLICY, fill_section, join_everyone

HEAD = 21


def at(day, hour=9, minute=0):
    return datetime(2026, 2, day, hour, minute, tzinfo=ZONE)


def with_office_head(h):
    h.settings.departments = [
        replace(d, head_user_id=HEAD) if d.id == "office" else d for d in h.settings.departments
    ]


@pytest.fixture
async def spring(tmp_path):
    h = Harness(tmp_path)
    h.clock.set(at(1, 12))
    with_office_head(h)
    await h.start()
    await join_everyone(h)
    h.api.user(HEAD, "吴主任")
    await h.sim.say(HEAD, f"/start {h.code('office')}")
    await h.open_cycle(year=2025, deadline=at(13, 18), opens=at(2, 10))
    yield h
    await h.stop()
    h.close()


async def tick(h):
    """The scheduler's job runs; wait until what it made due has been delivered."""
    result = await h.scheduler.tick()
    await h.sim.runtime.settled(result.cause)
    return result


def log_by_day(h):
    days: dict[int, list[tuple[str, str]]] = {}
    for entry in h.store.list_reminders("2025"):
        days.setdefault(entry.sent_at.astimezone(ZONE).day, []).append((entry.department_id, entry.slot))
    return days


async def test_a_whole_cycle_across_deadline_weekend_holiday_and_adjusted_saturday(spring):
    h = spring
    h.clock.set(at(2, 10))
    await tick(h)
    opening = h.api.messages_to(APPROVAL)[-1]
    assert opening.text.startswith("2025 年报告开始填报。行政审批科需要填写：\n· 二、主动公开政府信息情况")
    assert "截止 2月13日，还剩 9 个工作日" in opening.text
    assert opening.buttons[0][0]["text"] == "开始填写"
    assert h.store.get_cycle("2025").opened

    for day in range(3, 27):
        h.clock.set(at(day))
        if day == 11:  # 行政审批科 finishes between the first and second reminder
            await fill_section(h, APPROVAL, "approval", "proactive")
            await h.sim.press(APPROVAL, "提交")
        await tick(h)
        await tick(h)  # a second run at the same moment sends nothing more

    days = log_by_day(h)
    everyone = {"office", "policy", "approval", "it", "hr"}
    assert {d for d, _ in days[2]} == everyone
    assert {d for d, s in days[10]} == everyone and {s for _, s in days[10]} == {"before:3"}
    assert {d for d, _ in days[12]} == everyone - {"approval"}  # submitted: no further reminder
    assert {s for _, s in days[13]} == {"deadline"}
    assert set(days[14]) >= {("office", "overdue:2026-02-14"), ("_coordinators", "digest:2026-02-14")}
    assert not set(days) & set(range(15, 24))  # weekend and Spring Festival: silence
    assert ("office", "head:2026-02-24") in days[24]  # second overdue working day: the head is told
    assert not set(days) & {3, 4, 5, 6, 7, 8, 9, 11}
    digest = h.api.messages_to(COORDINATOR)[-1].text
    assert digest.startswith("每日汇总：4 个部门已逾期（截止 2月13日，已逾期 4 个工作日）")
    assert "· 办公室：已提交 0/2" in digest
    head = h.api.messages_to(HEAD)[-1].text
    assert (
        head.startswith("请关注：办公室的 2025 年报告内容已逾期 4 个工作日")
        and "联系人：赵办公、吴主任" in head
    )
    reminder = h.api.messages_to(POLICY)[-1].text
    assert reminder.startswith("提醒：2025 年报告中，政策法规科尚未提交以下部分：")
    assert "· 三、收到和处理政府信息公开申请情况（缺 144 项）" in reminder
    assert "已逾期 4 个工作日" in reminder  # as the head is told
    assert (
        len(h.api.messages_to(APPROVAL))
        == len([m for m in h.api.messages_to(APPROVAL) if "提醒" not in m.text]) + 1
    )


async def test_restarts_neither_repeat_nor_miss_reminders(spring):
    h = spring
    h.clock.set(at(10, 9, 5))
    await tick(h)
    first = h.store.list_reminders("2025")
    assert {e.slot for e in first} == {"open", "before:3"}  # opening was missed too: sent late, once

    await h.sim.stop()
    h.store.close()
    h.clock.set(at(12, 10))  # before:1 passed while down
    await h.start()
    slots = [e.slot for e in h.store.list_reminders("2025")]
    assert slots.count("before:1") == 5 and slots.count("before:3") == 5
    await h.sim.runtime.settled("tick:1")
    names = {job.name for job in h.bot.application.job_queue.jobs()}
    assert {
        "remind:2025:deadline",
        "remind:2025:overdue:2026-02-14",
        "remind:2025:digest:2026-02-14",
    } <= names

    await h.restart()  # again at once: nothing new
    assert len(h.store.list_reminders("2025")) == len(slots)

    await h.sim.stop()
    h.store.close()
    h.clock.set(at(24, 11))  # down over the deadline and the holiday
    await h.start()
    new = [(e.department_id, e.slot) for e in h.store.list_reminders("2025")][len(slots) :]
    assert ("office", "overdue:2026-02-24") in new and ("_coordinators", "digest:2026-02-24") in new
    assert not [s for _, s in new if s in ("deadline", "overdue:2026-02-14", "digest:2026-02-14")]


async def test_a_long_catch_up_commits_a_few_slots_at_a_time_and_each_once(spring, monkeypatch):
    h = spring
    monkeypatch.setattr(scheduler_module, "SLOTS_PER_UNIT", 2)  # so that 5 departments take several units
    h.clock.set(at(10, 9, 5))
    result = await tick(h)
    assert sorted(slot for _, _, slot in result.sent) == ["before:3"] * 5 + ["open"] * 5
    logged = [(e.department_id, e.slot) for e in h.store.list_reminders("2025")]
    assert len(logged) == len(set(logged)) == 10
    openings = [m for m in h.api.messages_to(OFFICE) if m.text.startswith("2025 年报告开始填报")]
    assert len(openings) == 1  # each slot's messages once, though they went out over several commits
    assert (await tick(h)).sent == []


async def test_whoever_waits_for_a_wake_sees_what_a_concurrent_tick_made_due(spring):
    h = spring
    h.clock.set(at(2, 10))  # the opening falls due
    async with h.bot.runtime.unit("X"):  # an update that opens or changes a cycle, as the job fires
        periodic = asyncio.create_task(h.scheduler.tick())
        await asyncio.sleep(0)
        h.scheduler.wake("X")
    await periodic  # it made the openings due, under its own cause
    await h.sim.runtime.settled("X")  # a wake's waiter …
    delivered = [m for m in h.api.messages_to(OFFICE) if m.text.startswith("2025 年报告开始填报")]
    assert len(delivered) == 1  # … finds the opening delivered, whichever tick made it due


async def test_an_opening_under_flood_control_loses_no_message(tmp_path):
    h = Harness(tmp_path, limits=Limits(per_chat=1, overall=10, retry_after=1), pace=Pace(retry_base=0.05))
    h.clock.set(at(1, 12))
    await h.start()
    try:
        async with h.bot.runtime.unit("test") as unit:
            for user_id in range(1000, 1060):
                unit.store.put_contact(
                    Contact(user_id, "contact", f"联系人{user_id}", "office", address=user_id)
                )
        await h.open_cycle(year=2025, deadline=at(13, 18), opens=at(2, 10))
        h.clock.set(at(2, 10))
        await tick(h)
        assert any(code == "429" for _, _, code in h.api.rejected)  # the server pushed back …
        assert all(len(h.api.messages_to(u)) == 1 for u in range(1000, 1060))  # … and everyone got it once
        assert h.store.pending_deliveries() == []
    finally:
        await h.stop()
        h.close()


async def test_coordinator_opens_a_cycle_from_telegram(tmp_path):
    h = Harness(tmp_path)
    await h.start()
    try:
        await join_everyone(h)
        created = await h.sim.say(COORDINATOR, "/cycle open 2026 2027-01-20")
        assert created[0].text == (
            "报告周期 2026：2027-01-06 09:00 开始，2027-01-20 18:00 截止（Asia/Shanghai），"
            "提醒 截止前 3 个工作日、截止前 1 个工作日、截止当天上午、逾期后每个工作日上午"
        )
        assert "2026 年报告开始填报" in h.api.messages_to(OFFICE)[-1].text
        listed = await h.sim.say(COORDINATOR, "/cycle")
        assert listed[0].text == "2026 · 进行中 · 2027-01-20 18:00"
        again = await h.sim.say(COORDINATOR, "/cycle open 2026 2027-01-25")
        assert again[0].text == "报告周期 2026 已存在"
        quarter = await h.sim.say(COORDINATOR, "/cycle open 2026-Q4 2027-01-15")
        assert quarter[0].text.startswith("报告周期 2026-Q4：")
        assert h.store.get_cycle("2026-Q4").period == "Q4"
        wrong = await h.sim.say(COORDINATOR, "/cycle open 2026-Q5 2027-01-15")
        assert wrong[0].text == "'2026-Q5' 不是报告期间，应如 2026 或 2026-Q4"
        assert (await h.sim.say(COORDINATOR, "/cycle close 2026-Q4"))[
            0
        ].text == "填报周期 2026-Q4 已结束，不再发送提醒。"
        assert "该命令仅限协调人使用" in (await h.sim.say(HR, "/cycle"))[0].text
        closed = await h.sim.say(COORDINATOR, "/cycle close 2026")
        assert closed[0].text == "填报周期 2026 已结束，不再发送提醒。"
        assert (await h.sim.say(COORDINATOR, "/cycle"))[0].text == (
            "2026 · 已结束 · 2027-01-20 18:00\n2026-Q4 · 已结束 · 2027-01-15 18:00"
        )
        h.clock.advance(timedelta(days=20))
        assert (await tick(h)).sent == []
        assert "目前没有正在填报的报告" in (await h.sim.say(OFFICE, "/fill"))[0].text
        assert IT and POLICY
    finally:
        await h.stop()
        h.close()
