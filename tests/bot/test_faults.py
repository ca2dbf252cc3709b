"""Telegram unreachable, a full disk: what is due is delivered once things recover, nothing is invented."""

from __future__ import annotations

import asyncio
import resource
import sys
from datetime import timedelta

import pytest

from tests.bot.harness import Harness
from tests.bot.process import BotProcess, wait_for
from tests.bot.test_e2e import COORDINATOR, IT, OFFICE, POLICY, join_everyone

EVERYONE = (OFFICE, POLICY, IT)


async def test_a_502_window_during_the_opening_delays_it_but_loses_none(tmp_path):
    h = Harness(tmp_path)
    await h.start()
    try:
        await join_everyone(h)
        await h.open_cycle(opens=h.clock.now() + timedelta(hours=1))
        h.clock.advance(timedelta(hours=1))
        h.api.outage(1.5)  # Telegram behind a broken proxy for a while
        result = await h.scheduler.tick()
        await asyncio.sleep(0.5)
        assert not any("年报告开始填报" in m.text for u in EVERYONE for m in h.api.messages_to(u))
        assert h.api.calls["sendMessage"] > 5  # tried, and tried again
        await h.restart()  # even a restart in the middle of it loses nothing
        await h.sim.runtime.settled("tick:1")
        await h.sim.runtime.settled(result.cause, timeout=10)
        for _ in range(100):
            if all(any("年报告开始填报" in m.text for m in h.api.messages_to(u)) for u in EVERYONE):
                break
            await asyncio.sleep(0.05)
        for user_id in (*EVERYONE, COORDINATOR):
            openings = [m for m in h.api.messages_to(user_id) if "年报告开始填报" in m.text]
            assert len(openings) == (0 if user_id == COORDINATOR else 1), user_id
        for _ in range(100):  # the last message may have arrived a moment before it is recorded as sent
            if not h.store.pending_deliveries():
                break
            await asyncio.sleep(0.05)
        assert h.store.pending_deliveries() == []
    finally:
        await h.stop()
        h.close()


@pytest.mark.skipif(sys.platform != "linux", reason="sets another process's file-size limit (prlimit)")
def test_a_full_disk_refuses_the_answer_and_leaves_history_unchanged(tmp_path):
    bot = BotProcess(tmp_path)
    user = 13
    try:
        bot.start()
        bot.api.user(user, "孙审批")
        bot.api.send_text(user, f"/start {bot.code('approval')}")
        assert wait_for(lambda: bot.messages(user))
        bot.api.send_text(user, "/fill")
        assert wait_for(lambda: any("第 1/6 项" in m.text for m in bot.messages(user)))
        assert wait_for(lambda: not bot.api.calls.get("sendMessage") or len(bot.messages(user)) >= 2)
        journal = next((tmp_path / "db").glob("journal-*.log"))
        # The disk fills up: no file of the bot may grow any more.
        resource.prlimit(
            bot.process.pid, resource.RLIMIT_FSIZE, (journal.stat().st_size, resource.RLIM_INFINITY)
        )
        bot.api.send_text(user, "1 0 6")
        assert wait_for(
            lambda: any(m.text.startswith("未保存：服务器暂时无法保存") for m in bot.messages(user))
        )
        assert not [m for m in bot.messages(user) if m.text.startswith("✓")]
        resource.prlimit(
            bot.process.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY)
        )
        bot.api.send_text(user, "1 0 6")  # space again: the same answer is taken, once
        assert wait_for(lambda: any(m.text.startswith("✓ 已记录：规章") for m in bot.messages(user)))
        assert bot.stop() == 0
        store = bot.store()
        try:
            assert [(v.value, v.version) for v in store.answer_history("2026", "t2.rules.in_force")] == [
                (6, 1)
            ]
        finally:
            store.close()
        assert "Traceback" not in bot.output[-1]
    finally:
        bot.close()
