"""An edited message: it replaces the answer it gave, with history, or the person is told exactly why not."""

from __future__ import annotations

from storage.records import APPROVED, SUBMITTED
from tests.workflows.scenario import action, buttons, labels, only_text, texts
from workflows.edits import apply_edit

RULES = ("t2.rules.issued", "t2.rules.repealed", "t2.rules.in_force")


def answered_rules(world, user_id=201, message_id=10):
    """吴审批 answered 规章 with message 10 and moved on to 行政规范性文件."""
    world.join(user_id, "吴审批", "approval")
    world.talk(user_id).open("proactive")
    world.talk(user_id).text("1 0 6", message_id=message_id)
    return world


def test_an_edited_answer_replaces_it_with_history(world):
    answered_rules(world)
    world.later(minutes=7)
    outcome = apply_edit(world.talk(201), 10, "2 0 7")
    assert (
        only_text(outcome)
        == "已按修改后的消息更新。\n✓ 已记录：规章：本年制发件数 2、本年废止件数 0、现行有效件数 7"
    )
    assert buttons(outcome) == []
    history = world.store.answer_history(world.cycle.id, "t2.rules.in_force")
    assert [(v.value, v.raw, v.by, v.at) for v in history][-1] == (7, "2 0 7", "user:201", world.now())
    assert [v.value for v in history] == [6, 7]
    # The question being asked now is untouched.
    stored = world.store.get_conversation(world.cycle.id, 201)
    assert stored["fields"] == ["t2.normative.issued", "t2.normative.repealed", "t2.normative.in_force"]
    assert stored["answered"]["10"]["fields"] == list(RULES) and stored["answered"]["10"]["versions"] == [
        2,
        2,
        2,
    ]


def test_an_edit_may_be_edited_again(world):
    answered_rules(world)
    apply_edit(world.talk(201), 10, "2 0 7")
    apply_edit(world.talk(201), 10, "2 0 8")
    assert [v.value for v in world.store.answer_history(world.cycle.id, "t2.rules.in_force")] == [6, 7, 8]


def test_an_edit_that_does_not_read_is_not_applied(world):
    answered_rules(world)
    outcome = apply_edit(world.talk(201), 10, "2 0")
    assert texts(outcome) == [
        "修改未生效：规章：需要 3 个数（本年制发件数、本年废止件数、现行有效件数），收到 2 个。请重新发送整行数字。"
    ]
    assert world.answers()["t2.rules.in_force"] == 6


def test_an_edit_of_a_message_that_was_no_answer(world):
    answered_rules(world)
    assert texts(apply_edit(world.talk(201), 99, "5")) == [
        "这次修改不会改动任何内容：那条消息没有回答仍在进行的问题。请重新发送答案，或发送 /fill。"
    ]
    world.join(101, "Qian", "policy", lang="en")
    assert texts(apply_edit(world.talk(101), 10, "5")) == [
        "Your edit changes nothing: that message did not answer a question I can still find. "
        "Send the answer again, or open /fill."
    ]
    assert world.answers()["t2.rules.in_force"] == 6


def test_editing_the_message_that_answers_the_open_question_answers_it(world):
    answered_rules(world)
    world.talk(201).text("3 2", message_id=11)  # refused: two numbers for a row of three
    outcome = apply_edit(world.talk(201), 11, "3 2 21")
    assert only_text(outcome).startswith(
        "✓ 已记录：行政规范性文件：本年制发件数 3、本年废止件数 2、现行有效件数 21\n\n"
    )
    assert only_text(outcome).endswith("请填写：行政许可 · 本年处理决定数量（单位：件）")
    assert world.answers()["t2.normative.in_force"] == 21


def test_an_edit_after_a_colleague_changed_the_answer_is_refused(world):
    answered_rules(world)
    world.join(202, "郑许可", "approval")
    menu = world.talk(202).edit_menu("proactive")
    world.talk(202).edit(*action(menu, "1. 规章").args)
    world.talk(202).text("5 0 10")
    outcome = apply_edit(world.talk(201), 10, "2 0 7")
    assert texts(outcome) == [
        "修改未生效：此后郑许可已修改过该答案。如需再次修改，请发送 /fill 并点击“修改”。"
    ]
    assert world.answers()["t2.rules.in_force"] == 10


def test_an_edit_after_i_answered_again_is_refused(world):
    answered_rules(world)
    menu = world.talk(201).edit_menu("proactive")
    world.talk(201).edit(*action(menu, "1. 规章").args)
    world.talk(201).text("1 0 9", message_id=12)
    assert texts(apply_edit(world.talk(201), 10, "2 0 7")) == [
        "修改未生效：此后你已修改过该答案。如需再次修改，请发送 /fill 并点击“修改”。"
    ]
    assert world.answers()["t2.rules.in_force"] == 9


def test_an_edit_in_a_submitted_or_approved_section_is_refused(world):
    answered_rules(world)
    world.store.set_section_state(world.cycle.id, "proactive", SUBMITTED, "user:201", world.now())
    assert texts(apply_edit(world.talk(201), 10, "2 0 7")) == [
        "修改未生效：本部分已提交。如需修改，请发送 /fill 并点击“修改”。"
    ]
    world.store.set_section_state(world.cycle.id, "proactive", APPROVED, "user:1", world.now())
    assert texts(apply_edit(world.talk(201), 10, "2 0 7")) == ["修改未生效：该部分已审核通过，不能再修改。"]
    assert world.answers()["t2.rules.in_force"] == 6


def test_an_edit_that_raises_warnings_asks_to_confirm_them(world_with_last_year):
    world = world_with_last_year
    answered_rules(world)
    outcome = apply_edit(world.talk(201), 10, "1 0 60")
    text = only_text(outcome)
    assert text.startswith(
        "已按修改后的消息更新。\n✓ 已记录：规章：本年制发件数 1、本年废止件数 0、现行有效件数 60\n⚠️ "
    )
    assert text.endswith("\n请核实；如无误请确认。")
    assert labels(outcome) == ["数字无误", "重新填写"]
    assert action(outcome, "数字无误").args[:2] == ("proactive", "0")


def test_an_edit_of_a_draft_part_replaces_that_part(world):
    world.join(101, "Qian", "policy", lang="en")
    world.talk(101).open("overview.requests")
    world.talk(101).text("第一段。", message_id=20)
    world.talk(101).text("第二段。", message_id=21)
    outcome = apply_edit(world.talk(101), 20, "改过的第一段。")
    assert only_text(outcome) == (
        "Your edit replaced part 1: the draft now has 11 characters. Send more, or /done when finished."
    )
    assert labels(outcome) == ["Done"]
    drafts = world.store.get_conversation(world.cycle.id, 101)["drafts"]
    assert drafts == {"overview.requests.text": ["改过的第一段。", "第二段。"]}
    assert world.answers() == {}
    world.talk(101).done()
    assert world.answers() == {"overview.requests.text": "改过的第一段。\n\n第二段。"}


def test_an_edit_of_a_part_of_a_saved_text_is_refused(world):
    world.join(101, "钱法规", "policy")
    world.talk(101).open("overview.requests")
    world.talk(101).text("第一段。", message_id=20)
    world.talk(101).done()
    assert texts(apply_edit(world.talk(101), 20, "改过")) == [
        "修改未生效：那条消息所属的文字已不在撰写中（已保存或已放弃）。如需修改，请发送 /fill 并点击“修改”。"
    ]
    assert world.answers() == {"overview.requests.text": "第一段。"}


def test_an_old_part_never_overwrites_a_newer_draft_of_the_same_text(world):
    world.join(101, "钱法规", "policy")
    world.talk(101).open("overview.requests")
    world.talk(101).text("第一段。", message_id=20)
    world.talk(101).done()
    menu = world.talk(101).edit_menu("overview.requests")
    world.talk(101).edit(*action(menu, "1. 依申请公开工作情况").args)
    world.talk(101).text("重写的第一段。", message_id=30)
    refused = texts(apply_edit(world.talk(101), 20, "旧消息改过"))
    assert refused[0].startswith("修改未生效：那条消息所属的文字已不在撰写中")
    drafts = world.store.get_conversation(world.cycle.id, 101)["drafts"]
    assert drafts == {"overview.requests.text": ["重写的第一段。"]}


def test_a_refusal_names_who_changed_the_cell_of_a_row(world):
    answered_rules(world)
    world.join(202, "郑许可", "approval")
    world.store.save_answers(world.cycle.id, {"t2.rules.repealed": 1}, "user:202", world.now())  # the form
    assert texts(apply_edit(world.talk(201), 10, "2 0 7")) == [
        "修改未生效：此后郑许可已修改过该答案。如需再次修改，请发送 /fill 并点击“修改”。"
    ]


def test_an_edit_that_empties_a_part_is_refused(world):
    world.join(101, "钱法规", "policy")
    world.talk(101).open("overview.requests")
    world.talk(101).text("第一段。", message_id=20)
    assert texts(apply_edit(world.talk(101), 20, "   ")) == ["这条消息没有文字。请发送文字后再发送 /done。"]
    assert world.store.get_conversation(world.cycle.id, 101)["drafts"] == {
        "overview.requests.text": ["第一段。"]
    }
