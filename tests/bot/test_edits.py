"""Editing a sent message counts: it replaces the answer it gave, or the person is told why not."""

from __future__ import annotations

import pytest

from storage.records import SUBMITTED
from tests.bot.harness import Harness
from tests.bot.test_e2e import APPROVAL, HR, POLICY, answer_for, join_everyone, texts


@pytest.fixture
async def h(tmp_path):
    harness = Harness(tmp_path)
    await harness.start()
    await harness.open_cycle()
    await join_everyone(harness)
    yield harness
    await harness.stop()
    harness.close()


def approval_steps(h):
    session = h.services.session(h.services.cycle())
    return session.steps(session.units_of("approval")[0])


def history(h, field_id):
    return [v.value for v in h.store.answer_history("2026", field_id)]


async def test_an_edited_answer_replaces_it_with_history_and_the_questions_go_on(h):
    first, second = approval_steps(h)[:2]
    await h.sim.say(APPROVAL, "/fill")
    await h.sim.say(APPROVAL, "1 0 6")
    answered = h.api.last_typed(APPROVAL)
    asked = texts(await h.sim.say(APPROVAL, "/fill"))  # the next question is open meanwhile
    assert "第 2/6 项" in asked

    reply = texts(await h.sim.edit(APPROVAL, "2 0 6", answered))
    assert reply.startswith("已按修改后的消息更新。\n✓ 已记录：")
    assert history(h, first.field_ids[0]) == [1, 2]
    stored = h.store.get_conversation("2026", APPROVAL)
    assert stored["fields"] == list(second.field_ids)  # still asked the second question
    again = texts(await h.sim.edit(APPROVAL, "3 0 6", answered))  # a second edit of the same message
    assert "已按修改后的消息更新" in again and history(h, first.field_ids[0]) == [1, 2, 3]


async def test_an_edit_that_does_not_parse_changes_nothing_and_says_why(h):
    first = approval_steps(h)[0]
    await h.sim.say(APPROVAL, "/fill")
    await h.sim.say(APPROVAL, "1 0 6")
    answered = h.api.last_typed(APPROVAL)
    await h.sim.say(APPROVAL, "0 0 0")
    reply = texts(await h.sim.edit(APPROVAL, "1 0", answered))
    assert reply.startswith("修改未生效：") and "收到 2 个" in reply
    assert history(h, first.field_ids[0]) == [1]


async def test_editing_a_refused_answer_to_the_open_question_answers_it(h):
    first = approval_steps(h)[0]
    await h.sim.say(APPROVAL, "/fill")
    refused = texts(await h.sim.say(APPROVAL, "1 0"))
    assert "收到 2 个" in refused
    reply = texts(await h.sim.edit(APPROVAL, "1 0 6"))
    assert "✓ 已记录" in reply and "第 2/6 项" in reply
    assert history(h, first.field_ids[0]) == [1]


async def test_no_edit_after_submission_or_over_a_colleagues_change(h):
    steps = approval_steps(h)
    await h.sim.say(APPROVAL, "/fill")
    await h.sim.say(APPROVAL, "1 0 6")
    first_answer = h.api.last_typed(APPROVAL)
    for step in steps[1:]:
        for text in answer_for(step):
            await h.sim.say(APPROVAL, text)
    last_answer = h.api.last_typed(APPROVAL)

    # Someone (here: the same person, from the 修改 menu) changes the first row after it was answered.
    await h.sim.press(APPROVAL, "修改")
    await h.sim.press(APPROVAL, "1. " + steps[0].label[:24])
    await h.sim.say(APPROVAL, "5 0 6")
    reply = texts(await h.sim.edit(APPROVAL, "2 0 6", first_answer))
    assert reply.startswith("修改未生效：此后你已修改过该答案。")
    assert history(h, steps[0].field_ids[0]) == [1, 5]

    section = h.services.session(h.services.cycle()).units_of("approval")[0].section_id
    await h.sim.press(APPROVAL, "提交")
    assert h.store.get_section_state("2026", section).state == SUBMITTED
    reply = texts(await h.sim.edit(APPROVAL, "9 9 9", last_answer))
    assert reply == "修改未生效：本部分已提交。如需修改，请发送 /fill 并点击“修改”。"


async def test_a_narrative_part_can_be_corrected_until_it_is_saved(h):
    await h.sim.say(HR, "/fill")
    await h.sim.press(HR, "1. 一、总体情况（五）监督保障")
    await h.sim.say(HR, "第一段：组织领到。")
    typo = h.api.last_typed(HR)
    await h.sim.say(HR, "第二段：培训考核。")
    fixed = texts(await h.sim.edit(HR, "第一段：组织领导。", typo))
    assert fixed.startswith("已用修改后的内容替换第 1 段（现共 18 字）")
    await h.sim.say(HR, "/done")
    stored = h.store.current_answers("2026")["overview.oversight.text"].value
    assert stored == "第一段：组织领导。\n\n第二段：培训考核。"
    late = texts(await h.sim.edit(HR, "第一段：组织领导有力。", typo))
    assert late.startswith("修改未生效：那条消息所属的文字已不在撰写中（已保存或已放弃）。")
    assert h.store.current_answers("2026")["overview.oversight.text"].value == stored


async def test_editing_a_command_or_a_message_that_answered_nothing_changes_nothing(h):
    await h.sim.say(POLICY, "/fill")
    assert texts(await h.sim.edit(POLICY, "/fill please")) == "修改未生效：命令只有作为新消息发送才会执行。"
    reply = texts(await h.sim.edit(POLICY, "40"))  # the /fill message, edited into a figure
    assert reply.startswith("这次修改不会改动任何内容")
    assert h.store.current_answers("2026") == {}


async def test_an_edit_into_a_command_is_not_run_and_not_saved(h):
    await h.sim.say(HR, "/fill")
    await h.sim.press(HR, "1. 一、总体情况（五）监督保障")
    await h.sim.say(HR, "第一段：组织领导。")
    reply = texts(await h.sim.edit(HR, "/done"))
    assert reply == "修改未生效：命令只有作为新消息发送才会执行。"
    drafts = h.store.get_conversation("2026", HR)["drafts"]
    assert drafts == {"overview.oversight.text": ["第一段：组织领导。"]}
