"""A narrative written in parts: the draft lives in the person's position until it is saved."""

from __future__ import annotations

import pytest

from tests.workflows.scenario import buttons, only_text
from workflows.drafts import MAX_NARRATIVE, add_part, replace_part
from workflows.position import Position
from workflows.replies import Action

FIELD = "problems.text"


@pytest.fixture
def position():
    place = Position(unit="problems", fields=[FIELD])
    place.ask([FIELD], {FIELD: 3})  # the text has been saved three times before: version 3
    return place


def test_parts_accumulate_with_a_done_button_for_this_prompt(position):
    first = add_part(position, FIELD, "  第一段\r\n第二行 ", "zh")
    assert only_text(first) == "已收到第 1 段（共 7 字）。可继续发送，写完后发送 /done 或点击“完成”。"
    assert buttons(first) == [("完成", Action("done", ("1",)))]
    second = add_part(position, FIELD, "再一段", "en")
    assert only_text(second) == "Received part 2 (10 characters so far). Send more, or /done when finished."
    assert buttons(second) == [("Done", Action("done", ("1",)))]
    assert position.drafts == {FIELD: ["第一段\n第二行", "再一段"]}
    assert position.draft_base == {FIELD: 3}  # the version the draft started from, for clashes on done


def test_the_draft_base_is_taken_when_the_draft_begins(position):
    add_part(position, FIELD, "一", "zh")
    position.seen[FIELD] = 4  # asked again later: the draft still began at version 3
    add_part(position, FIELD, "二", "zh")
    assert position.draft_base == {FIELD: 3}


def test_an_empty_part_or_control_characters_only_are_refused(position):
    outcome = add_part(position, FIELD, " \x00\x1f \n", "zh")
    assert only_text(outcome) == "这条消息没有文字。请发送文字后再发送 /done。"
    assert buttons(outcome) == []
    assert position.drafts == {}
    assert position.draft_base == {}


def test_a_draft_may_hold_exactly_the_maximum(position):
    add_part(position, FIELD, "字" * (MAX_NARRATIVE - 1), "zh")
    add_part(position, FIELD, "好", "zh")
    assert sum(map(len, position.drafts[FIELD])) == MAX_NARRATIVE
    refused = add_part(position, FIELD, "多", "en")
    assert only_text(refused) == (
        "Too long: at most 20000 characters in one answer. This part was not added; send /done to save what you have."
    )
    assert len(position.drafts[FIELD]) == 2


def test_replace_part(position):
    add_part(position, FIELD, "第一段", "zh")
    add_part(position, FIELD, "第二段", "zh")
    outcome = replace_part(position, FIELD, 1, 3, "改过的第二段", "zh")
    assert (
        only_text(outcome)
        == "已用修改后的内容替换第 2 段（现共 9 字）。可继续发送，写完后发送 /done 或点击“完成”。"
    )
    assert buttons(outcome) == [("完成", Action("done", ("1",)))]
    assert position.drafts[FIELD] == ["第一段", "改过的第二段"]


def test_replace_part_of_a_draft_that_is_gone(position):
    assert replace_part(position, FIELD, 0, 3, "x", "zh") is None
    add_part(position, FIELD, "第一段", "zh")
    assert replace_part(position, FIELD, 1, 3, "x", "zh") is None
    assert replace_part(position, FIELD, -1, 3, "x", "zh") is None
    assert position.drafts[FIELD] == ["第一段"]


def test_an_old_message_never_changes_a_newer_draft_of_the_field(position):
    add_part(position, FIELD, "新的第一段", "zh")
    assert replace_part(position, FIELD, 0, 2, "旧消息改过", "zh") is None  # its draft began at version 2
    assert position.drafts[FIELD] == ["新的第一段"]


def test_a_part_replaced_while_another_question_is_asked_has_no_done_button(position):
    add_part(position, FIELD, "第一段", "zh")
    position.ask(["t2.fees.amount"], {})
    outcome = replace_part(position, FIELD, 0, 3, "改过的第一段", "zh")
    assert only_text(outcome).startswith("已用修改后的内容替换第 1 段") and buttons(outcome) == []


def test_replace_part_refuses_empty_text_and_overflow(position):
    add_part(position, FIELD, "第一段", "zh")
    add_part(position, FIELD, "字" * (MAX_NARRATIVE - 10), "zh")
    assert (
        only_text(replace_part(position, FIELD, 0, 3, "\x07", "zh"))
        == "这条消息没有文字。请发送文字后再发送 /done。"
    )
    too_long = replace_part(position, FIELD, 0, 3, "长" * 11, "zh")
    assert only_text(too_long) == "内容过长：每项最多 20000 字。本段未加入；发送 /done 保存已收到的内容。"
    assert position.drafts[FIELD][0] == "第一段"
