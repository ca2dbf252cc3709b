"""SIGKILL at every step of handling an answer: each answer is applied exactly once, nothing is lost,
no reply is sent twice. The bot is the real `reportbot run` process; Telegram is the local server.
"""

from __future__ import annotations

import pytest

from tests.bot.process import BotProcess, wait_for

USER = 13  # the contact of 行政审批科, who fills table 二 row by row
ROW1, ROW2, SINGLE = "1 0 6", "0 0 4", "30"


def acks(bot: BotProcess, label: str) -> list[str]:
    return [m.text for m in bot.messages(USER) if m.text.startswith("✓") and label in m.text.split("\n")[0]]


def kill_when(bot: BotProcess, method: str, when: str, matches, drop: bool = False):
    """Kill the bot the first time the server sees ``method`` at ``when`` with ``matches(params, result)``."""
    fired = []

    def hook(name, params, phase, result):
        if not fired and name == method and phase == when and matches(params, result):
            fired.append(True)
            bot.kill()
            return "drop" if drop else None
        return None

    bot.api.hooks.append(hook)
    return fired


@pytest.fixture
def bot(tmp_path):
    process = BotProcess(tmp_path)
    process.start()
    process.api.user(USER, "孙审批")
    process.api.send_text(USER, f"/start {process.code('approval')}")
    assert wait_for(lambda: any("欢迎" in m.text for m in process.messages(USER)))
    process.api.send_text(USER, "/fill")
    assert wait_for(lambda: any("第 1/6 项" in m.text for m in process.messages(USER)))
    yield process
    process.close()


def acked(text: str):
    return lambda params, result: (
        str(params.get("text", "")).startswith("✓") and text in str(params.get("text"))
    )


KILL_POINTS = {
    # The update was fetched (Telegram answered getUpdates with it) and the bot dies at once.
    "before handling": ("getUpdates", "answered", lambda p, r: any("message" in u for u in r or []), False),
    # The answer is committed with its reply in the outbox; the reply never reached Telegram.
    "after saving": ("sendMessage", "received", acked("规章"), True),
    # Telegram has the reply; the bot never saw Telegram's answer.
    "after replying": ("sendMessage", "done", acked("规章"), False),
    # All done; the bot dies as it asks for the next batch, which would have confirmed this one.
    "before the next poll": ("getUpdates", "received", lambda p, r: int(p.get("offset") or 0) > 0, True),
}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_an_answer_is_applied_exactly_once_whenever_the_bot_dies(bot, point):
    method, when, matches, drop = KILL_POINTS[point]
    if point == "before the next poll":
        # The poll that follows the one bringing the answer: it would confirm the batch.
        before = bot.api.calls["getUpdates"]
        matches = (lambda n: lambda p, r: bot.api.calls["getUpdates"] > n)(before)
    fired = kill_when(bot, method, when, matches, drop)
    bot.api.send_text(USER, ROW1)
    assert wait_for(lambda: fired), "the kill point was never reached"
    bot.wait_dead()
    bot.api.hooks.clear()

    bot.start()  # after a crash: Telegram redelivers what was not confirmed, the outbox resumes
    assert wait_for(lambda: acks(bot, "规章")), "the answer was never acknowledged"
    bot.api.send_text(USER, ROW2)
    assert wait_for(lambda: acks(bot, "行政规范性文件"))
    bot.api.send_text(USER, SINGLE)
    assert wait_for(lambda: acks(bot, "行政许可"))
    assert bot.stop() == 0

    assert len(acks(bot, "规章")) == 1, [m.text for m in bot.messages(USER)]
    assert len(acks(bot, "行政规范性文件")) == 1 and len(acks(bot, "行政许可")) == 1
    store = bot.store()
    try:
        assert [v.value for v in store.answer_history("2026", "t2.rules.issued")] == [1]
        assert [v.value for v in store.answer_history("2026", "t2.rules.in_force")] == [6]
        assert [v.value for v in store.answer_history("2026", "t2.normative.in_force")] == [4]
        assert [v.value for v in store.answer_history("2026", "t2.licensing.decisions")] == [30]
        assert store.pending_deliveries() == []
    finally:
        store.close()
    prompts = [m.text for m in bot.messages(USER) if "第 2/6 项" in m.text]
    assert len(prompts) == 1  # the next question was asked once, with the acknowledgement


def test_a_narrative_written_in_parts_survives_kills_between_parts(tmp_path):
    bot = BotProcess(tmp_path)
    try:
        bot.start()
        office = 11
        bot.api.user(office, "赵办公")
        bot.api.send_text(office, f"/start {bot.code('office')}")
        assert wait_for(lambda: bot.messages(office))
        bot.api.send_text(office, "/fill")
        assert wait_for(
            lambda: any(
                b["text"].startswith("1.") for m in bot.messages(office) for row in m.buttons for b in row
            )
        )
        bot.api.press(
            office,
            next(
                b["text"]
                for m in bot.messages(office)
                for row in m.buttons
                for b in row
                if b["text"].startswith("1.")
            ),
        )
        assert wait_for(lambda: any("请撰写" in m.text for m in bot.messages(office)))
        parts = ["第一段：全年主动公开政府信息215条。", "第二段：政策解读14篇。", "第三段：回应关切3次。"]
        for number, part in enumerate(parts, start=1):
            fired = kill_when(
                bot,
                "sendMessage",
                "received",
                lambda p, r, n=number: f"已收到第 {n} 段" in str(p.get("text")),
                drop=True,
            )
            bot.api.send_text(office, part)
            assert wait_for(lambda fired=fired: fired)
            bot.wait_dead()
            bot.api.hooks.clear()
            bot.start()
            assert wait_for(lambda n=number: any(f"已收到第 {n} 段" in m.text for m in bot.messages(office)))
        bot.api.send_text(office, "/done")
        assert wait_for(
            lambda: any(m.text.startswith("✓ 已保存“主动公开工作情况”") for m in bot.messages(office))
        )
        assert bot.stop() == 0
        store = bot.store()
        try:
            assert store.current_answers("2026")["overview.proactive.text"].value == "\n\n".join(parts)
        finally:
            store.close()
        received = [m.text for m in bot.messages(office) if m.text.startswith("已收到第")]
        assert len(received) == 3  # each part acknowledged once, none lost
    finally:
        bot.close()


EDITED = "已按修改后的消息更新"
EDIT_KILL_POINTS = {
    "before handling": (
        "getUpdates",
        "answered",
        lambda p, r: any("edited_message" in u for u in r or []),
        False,
    ),
    "after saving": ("sendMessage", "received", lambda p, r: EDITED in str(p.get("text")), True),
    "after replying": ("sendMessage", "done", lambda p, r: EDITED in str(p.get("text")), False),
}


@pytest.mark.parametrize("point", list(EDIT_KILL_POINTS))
def test_an_edited_answer_is_applied_exactly_once_whenever_the_bot_dies(bot, point):
    bot.api.send_text(USER, ROW1)
    assert wait_for(lambda: acks(bot, "规章"))
    answered = bot.api.last_typed(USER)
    method, when, matches, drop = EDIT_KILL_POINTS[point]
    fired = kill_when(bot, method, when, matches, drop)
    bot.api.edit_text(USER, "2 0 6", answered)
    assert wait_for(lambda: fired), "the kill point was never reached"
    bot.wait_dead()
    bot.api.hooks.clear()

    bot.start()  # the edit is redelivered or its reply resumed; it is applied once either way
    assert wait_for(lambda: any(EDITED in m.text for m in bot.messages(USER))), "the edit was never answered"
    assert bot.stop() == 0
    assert len([m for m in bot.messages(USER) if EDITED in m.text]) == 1
    store = bot.store()
    try:
        assert [v.value for v in store.answer_history("2026", "t2.rules.issued")] == [1, 2]
        # The edited row is one answer again, each of its cells a version once (as the row was retyped).
        assert [v.raw for v in store.answer_history("2026", "t2.rules.in_force")] == [ROW1, "2 0 6"]
        assert store.pending_deliveries() == []
    finally:
        store.close()
