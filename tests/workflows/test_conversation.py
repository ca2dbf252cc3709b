"""The department conversation at the service level: what a contact is asked, what is stored, what they read.

Each call builds a fresh ``Conversation`` as a handler does for one update; the person's position lives
only in the store between calls. Buttons are pressed by taking the ``Action`` of the button shown.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from storage.records import APPROVED, IN_PROGRESS, NOT_STARTED, SUBMITTED, Department
from tests.workflows.scenario import action, buttons, example_answers, labels, only_text, texts
from workflows.conversation import Conversation
from workflows.replies import Action

EXPIRED_ZH = "这个按钮已过期。"
RULES_PROMPT = (
    "【二、主动公开政府信息情况】第 1/6 项\n"
    "规章\n"
    "请按顺序输入 3 个数，用空格分隔：本年制发件数、本年废止件数、现行有效件数（单位：件）"
)
NORMATIVE_PROMPT = (
    "【二、主动公开政府信息情况】第 2/6 项\n"
    "行政规范性文件\n"
    "请按顺序输入 3 个数，用空格分隔：本年制发件数、本年废止件数、现行有效件数（单位：件）"
)
LICENSING_PROMPT = "【二、主动公开政府信息情况】第 3/6 项\n请填写：行政许可 · 本年处理决定数量（单位：件）"
RULES = ("t2.rules.issued", "t2.rules.repealed", "t2.rules.in_force")
NORMATIVE = ("t2.normative.issued", "t2.normative.repealed", "t2.normative.in_force")
APPEALS_ROW = "1 0 0 1 0 0 0 1 0 0 0 0"


def position(world, user_id):
    return world.store.get_conversation(world.cycle.id, user_id)


# Menu and opening ---------------------------------------------------------------------------------------
def test_menu_lists_the_departments_sections_with_their_states(world):
    world.join(101, "钱法规", "policy")
    world.fill(["overview.requests"])  # started by someone: shown as 填写中
    world.store.set_section_state(world.cycle.id, "appeals", SUBMITTED, "user:101", world.now())

    menu = world.talk(101).menu()

    assert only_text(menu) == (
        "你负责的 2025 年报告内容：\n"
        "1. 一、总体情况（二）依申请公开（填写中）\n"
        "2. 三、收到和处理政府信息公开申请情况（未开始）\n"
        "3. 四、政府信息公开行政复议、行政诉讼情况（已提交）\n"
        "请选择要填写或查看的部分。"
    )
    assert buttons(menu) == [
        ("1. 一、总体情况（二）依申请公开", Action("open", ("overview.requests",))),
        ("2. 三、收到和处理政府信息公开申请情况", Action("open", ("requests",))),
        ("3. 四、政府信息公开行政复议、行政诉讼情况", Action("open", ("appeals",))),
    ]
    assert position(world, 101) == {}  # a menu asks nothing: no position yet


def test_menu_in_english(world):
    world.join(101, "Qian", "policy", lang="en")
    menu = world.talk(101).menu()
    lines = only_text(menu).splitlines()
    assert lines[0] == "Your sections for the 2025 report:"
    assert lines[1] == "1. 一、总体情况（二）依申请公开（not started）"
    assert lines[-1] == "Choose one to fill in or review."


def test_a_department_with_one_section_goes_straight_to_its_first_question(world):
    world.join(201, "吴审批", "approval")
    outcome = world.talk(201).menu()
    assert only_text(outcome) == RULES_PROMPT
    assert buttons(outcome) == [("本行全部为 0", Action("zero", ("1",)))]
    assert position(world, 201)["unit"] == "proactive"
    assert position(world, 201)["fields"] == list(RULES)
    assert position(world, 201)["seen"] == dict.fromkeys(RULES, 0)


def test_menu_opens_the_only_section_still_to_do(world):
    world.join(101, "钱法规", "policy")
    for section in ("overview.requests", "requests"):
        world.store.set_section_state(world.cycle.id, section, SUBMITTED, "user:101", world.now())
    outcome = world.talk(101).menu()
    assert only_text(outcome).startswith("【四、政府信息公开行政复议、行政诉讼情况】第 1/1 项\n")
    assert position(world, 101)["unit"] == "appeals"


def test_a_department_without_sections_is_told_so(world):
    world.store.put_department(Department("archive", "档案室", ()))
    world.join(401, "冯档案", "archive")
    assert texts(world.talk(401).menu()) == ["本报告中没有你的部门负责的部分。"]


def test_opening_another_departments_section_is_refused(world):
    world.join(101, "钱法规", "policy")
    assert texts(world.talk(101).open("proactive")) == ["该部分不属于你的部门。发送 /fill 查看你负责的部分。"]
    assert position(world, 101) == {}


def test_an_approved_section_opens_as_its_summary_without_buttons(world):
    world.join(201, "吴审批", "approval")
    world.fill(["proactive"])
    world.store.set_section_state(world.cycle.id, "proactive", APPROVED, "user:1", world.now())
    outcome = world.talk(201).open("proactive")
    text = only_text(outcome)
    assert text.startswith("该部分已审核通过，不能再修改。\n【二、主动公开政府信息情况】状态：已通过\n")
    assert buttons(outcome) == []
    assert position(world, 201)["fields"] is None


def test_text_before_opening_anything_points_to_fill(world):
    world.join(101, "钱法规", "policy")
    assert texts(world.talk(101).text("40")) == ["发送 /fill 开始填写本部门负责的部分。"]
    assert world.answers() == {}


def test_a_message_while_no_question_is_open_asks_the_first_open_one(world):
    world.join(201, "吴审批", "approval")
    world.store.set_conversation(world.cycle.id, 201, {"unit": "proactive", "seq": 3})  # a summary was shown
    outcome = world.talk(201).text("1 0 6")
    assert only_text(outcome) == RULES_PROMPT
    assert world.answers() == {}  # not taken as an answer to a question nobody asked
    assert position(world, 201)["seq"] == 4


# Figures: rows and single values ------------------------------------------------------------------------
def test_a_row_is_stored_with_its_text_and_the_next_row_is_asked(world):
    world.join(201, "吴审批", "approval")
    world.talk(201).open("proactive")
    world.later(minutes=2)

    outcome = world.talk(201).text("1 0 6", message_id=31)

    assert only_text(outcome) == (
        "✓ 已记录：规章：本年制发件数 1、本年废止件数 0、现行有效件数 6\n\n" + NORMATIVE_PROMPT
    )
    stored = world.store.current_answers(world.cycle.id)
    assert {fid: stored[fid].value for fid in RULES} == {
        "t2.rules.issued": 1,
        "t2.rules.repealed": 0,
        "t2.rules.in_force": 6,
    }
    assert {(v.by, v.raw, v.version, v.at) for v in stored.values()} == {
        ("user:201", "1 0 6", 1, world.now())
    }
    state = world.store.get_section_state(world.cycle.id, "proactive")
    assert (state.state, state.by, state.updated_at) == (IN_PROGRESS, "user:201", world.now())
    remembered = position(world, 201)["answered"]["31"]
    assert remembered == {"section": "proactive", "fields": list(RULES), "versions": dict.fromkeys(RULES, 1)}
    assert position(world, 201)["fields"] == list(NORMATIVE)


def test_a_row_with_a_derived_total_says_what_was_computed(world):
    world.join(101, "钱法规", "policy")
    world.talk(101).open("requests")
    outcome = world.talk(101).text("40 5 1 0 2 1")
    first = only_text(outcome).split("\n\n")[0]
    assert first == (
        "✓ 已记录：一、本年新收政府信息公开申请数量：自然人 40、商业企业 5、科研机构 1、社会公益组织 0、"
        "法律服务机构 2、其他 1\n自动计算：一、本年新收政府信息公开申请数量 · 总计 49"
    )
    assert "t3.new.total" not in world.answers()  # computed, never stored


def test_a_row_with_too_few_numbers_is_refused_and_nothing_is_stored(world):
    world.join(201, "吴审批", "approval")
    world.talk(201).open("proactive")
    outcome = world.talk(201).text("1 6", message_id=5)
    assert only_text(outcome) == (
        "规章：需要 3 个数（本年制发件数、本年废止件数、现行有效件数），收到 2 个。请重新发送整行数字。"
    )
    assert buttons(outcome) == [("本行全部为 0", Action("zero", ("1",)))]
    assert world.answers() == {}
    assert world.state("proactive") == NOT_STARTED
    assert position(world, 201)["fields"] == list(RULES)  # still asked


def test_a_row_with_an_unreadable_number_names_the_column(world):
    world.join(201, "吴审批", "approval")
    world.talk(201).open("proactive")
    text = only_text(world.talk(201).text("1 x 6"))
    assert text.splitlines()[0] == "规章：未保存。"
    assert text.splitlines()[1].startswith("· 本年废止件数：“x”不是有效数字。")
    assert text.splitlines()[-1] == "请重新发送整行数字。"
    assert world.answers() == {}


def test_a_row_refusal_in_english(world):
    world.join(201, "Wu", "approval", lang="en")
    outcome = world.talk(201).open("proactive")
    assert only_text(outcome).splitlines()[0] == "【二、主动公开政府信息情况】 item 1 of 6"
    refused = world.talk(201).text("1 6")
    assert only_text(refused) == (
        "规章: expected 3 numbers (本年制发件数、本年废止件数、现行有效件数), got 2. Please send the whole row again."
    )
    assert labels(refused) == ["All 0"]


def test_all_zero_answers_exactly_the_row_it_was_shown_for(world):
    world.join(201, "吴审批", "approval")
    prompt = world.talk(201).open("proactive")
    zero = action(prompt, "本行全部为 0")

    outcome = world.talk(201).all_zero(*zero.args)

    assert texts(outcome)[0].startswith("✓ 已记录：规章：本年制发件数 0、本年废止件数 0、现行有效件数 0\n\n")
    assert world.answers() == dict.fromkeys(RULES, 0)
    # The same button again: that prompt is gone, so it does not zero the row now asked.
    again = world.talk(201).all_zero(*zero.args)
    assert texts(again) == [EXPIRED_ZH, NORMATIVE_PROMPT]
    assert set(world.answers()) == set(RULES)


def test_all_zero_on_a_single_value_prompt_is_expired(world):
    world.join(201, "吴审批", "approval")
    world.fill(["proactive"], values={fid: 0 for fid in (*RULES, *NORMATIVE)})
    prompt = world.talk(201).open("proactive")
    assert only_text(prompt) == LICENSING_PROMPT
    seq = str(position(world, 201)["seq"])
    assert texts(world.talk(201).all_zero(seq)) == [EXPIRED_ZH, LICENSING_PROMPT]
    assert "t2.licensing.decisions" not in world.answers()


def test_a_single_figure_may_carry_its_unit(world):
    world.join(201, "吴审批", "approval")
    world.fill(["proactive"], values={fid: 0 for fid in (*RULES, *NORMATIVE)})
    world.talk(201).open("proactive")
    outcome = world.talk(201).text("137件")
    assert only_text(outcome).startswith("✓ 已记录：行政许可 · 本年处理决定数量 = 137件\n\n")
    stored = world.store.current_answers(world.cycle.id)["t2.licensing.decisions"]
    assert (stored.value, stored.raw) == (137, "137件")


def test_a_single_figure_that_is_not_a_number_is_refused(world):
    world.join(201, "吴审批", "approval")
    world.fill(["proactive"], values={fid: 0 for fid in (*RULES, *NORMATIVE)})
    world.talk(201).open("proactive")
    text = only_text(world.talk(201).text("很多"))
    assert text.startswith("行政许可 · 本年处理决定数量：“很多”不是有效数字。")
    assert text.endswith("\n请重新发送。")
    assert "t2.licensing.decisions" not in world.answers()


def test_after_the_last_step_the_summary_is_shown_and_no_prompt_stays_open(world):
    world.join(301, "王人事", "hr")
    world.talk(301).open("overview.oversight")
    world.talk(301).text("将政务公开纳入年度绩效考核。")
    outcome = world.talk(301).done()
    text = only_text(outcome)
    assert text.startswith("✓ 已保存“监督保障情况”（14 字）。\n【一、总体情况（五）监督保障】状态：填写中\n")
    assert labels(outcome) == ["修改", "提交"]
    assert position(world, 301)["fields"] is None
    # A message now finds nothing to answer: it is told the section is complete.
    again = only_text(world.talk(301).text("再补充一句"))
    assert again.startswith("该部分已填写完毕。点击“修改”更改答案，或点击“提交”。\n")
    assert world.answers() == {"overview.oversight.text": "将政务公开纳入年度绩效考核。"}


# Narratives in parts --------------------------------------------------------------------------------------
def test_a_narrative_is_collected_in_parts_and_saved_on_done(world):
    world.join(101, "钱法规", "policy")
    prompt = world.talk(101).open("overview.requests")
    assert only_text(prompt).startswith(
        "【一、总体情况（二）依申请公开】第 1/1 项\n请撰写：依申请公开工作情况\n"
    )
    done = action(prompt, "完成")

    first = world.talk(101).text("全年新收申请49件，", message_id=11)
    assert only_text(first) == "已收到第 1 段（共 10 字）。可继续发送，写完后发送 /done 或点击“完成”。"
    assert buttons(first) == [("完成", done)]
    second = world.talk(101).text("已办结48件。", message_id=12)
    assert only_text(second) == "已收到第 2 段（共 17 字）。可继续发送，写完后发送 /done 或点击“完成”。"
    assert world.answers() == {}  # nothing is saved before done
    assert position(world, 101)["drafts"] == {
        "overview.requests.text": ["全年新收申请49件，", "已办结48件。"]
    }

    saved = world.talk(101).done(*done.args)

    assert only_text(saved).startswith("✓ 已保存“依申请公开工作情况”（19 字）。\n")
    assert world.answers() == {"overview.requests.text": "全年新收申请49件，\n\n已办结48件。"}
    assert position(world, 101)["drafts"] == {}
    assert position(world, 101)["answered"]["12"]["part"] == 1


def test_done_before_any_text_and_done_without_a_narrative(world):
    world.join(101, "钱法规", "policy")
    world.talk(101).open("overview.requests")
    assert texts(world.talk(101).done()) == [
        "还没有收到“依申请公开工作情况”的内容。请先发送文字，再发送 /done。"
    ]
    world.talk(101).open("appeals")
    assert texts(world.talk(101).done()) == ["当前没有正在撰写的文字。发送 /fill 继续。"]


def test_an_old_done_button_does_not_save_a_later_draft(world):
    world.join(101, "钱法规", "policy")
    old = action(world.talk(101).open("overview.requests"), "完成")
    world.talk(101).open("overview.requests")  # shown again: a new prompt
    world.talk(101).text("新的内容。")
    outcome = world.talk(101).done(*old.args)
    assert texts(outcome)[0] == EXPIRED_ZH
    assert world.answers() == {}
    assert position(world, 101)["drafts"] == {"overview.requests.text": ["新的内容。"]}


def test_an_empty_part_is_refused(world):
    world.join(101, "Qian", "policy", lang="en")
    world.talk(101).open("overview.requests")
    assert texts(world.talk(101).text("  \x07 ", message_id=4)) == [
        "That message had no text. Send the text, then /done."
    ]
    assert position(world, 101)["drafts"] == {}
    assert position(world, 101)["answered"] == {}


def test_a_round_amount_in_wan_yuan_is_kept(world):
    world.join(201, "吴审批", "approval")
    answers = {k: v for k, v in example_answers().items() if k != "t2.fees.amount"}
    world.fill(["proactive"], values=answers)
    assert only_text(world.talk(201).open("proactive")).startswith("【二、主动公开政府信息情况】第 6/6 项\n")

    outcome = world.talk(201).text("10")

    assert only_text(outcome).startswith("✓ 已记录：行政事业性收费 · 本年收费金额（单位：万元） = 10万元\n")
    assert world.session().figures.values.get("t2.fees.amount") == Decimal(10)
    assert labels(outcome) == ["修改", "提交"]  # the section is complete: its summary, not the question again


# Two colleagues on one section ----------------------------------------------------------------------------
def test_two_colleagues_are_given_different_rows(world):
    world.join(201, "吴审批", "approval")
    world.join(202, "郑许可", "approval")
    assert only_text(world.talk(201).open("proactive")) == RULES_PROMPT
    assert only_text(world.talk(202).open("proactive")) == NORMATIVE_PROMPT
    # 201 answers; the next open row after 规章 is 行政规范性文件, which 202 is on: 201 gets 行政许可.
    assert only_text(world.talk(201).text("1 0 6")).endswith(LICENSING_PROMPT)


def colleague_saved_first(world):
    """钱法规 and 孙复议 both open 四; 孙复议 saves; 钱法规's answer then clashes."""
    world.join(101, "钱法规", "policy")
    world.join(102, "孙复议", "policy")
    world.talk(101).open("appeals")
    world.talk(102).open("appeals")
    world.later(minutes=12)  # 09:12
    world.talk(102).text(APPEALS_ROW)
    world.later(minutes=3)
    return world.talk(101).text("2 0 0 1 0 0 0 1 0 0 0 0", message_id=77)


def test_a_clash_saves_nothing_and_says_who_saved_what_when(world):
    outcome = colleague_saved_first(world)
    text = only_text(outcome)
    assert text.startswith(
        "未保存：在你填写期间，孙复议已于 09:12 保存了“四、政府信息公开行政复议、行政诉讼情况”：行政复议·结果维持 1、"
    )
    assert "\n你填写的是：行政复议·结果维持 2、" in text
    assert labels(outcome) == ["用我的覆盖", "保留对方的"]
    assert world.answers()["t4.cases.review_upheld"] == 1
    assert world.store.current_answers(world.cycle.id)["t4.cases.review_upheld"].by == "user:102"
    stored = position(world, 101)
    assert stored["conflict"]["values"]["t4.cases.review_upheld"] == 2
    assert "77" not in stored["answered"]  # not an answer (yet): an edit of it must not apply


def test_keep_theirs_drops_my_answer(world):
    outcome = colleague_saved_first(world)
    keep = action(outcome, "保留对方的")
    kept = world.talk(101).resolve(keep.args[0], overwrite=False)
    assert only_text(kept).startswith("已保留现有内容：行政复议·结果维持 1、行政复议·结果纠正 0、")
    assert labels(kept) == ["修改", "提交"]  # the only step is answered: the summary follows
    assert [v.value for v in world.store.answer_history(world.cycle.id, "t4.cases.review_upheld")] == [1]
    assert position(world, 101)["conflict"] is None
    # The other button of the same message is spent too.
    overwrite = action(outcome, "用我的覆盖")
    assert texts(world.talk(101).resolve(overwrite.args[0], overwrite=True)) == [EXPIRED_ZH]
    assert world.answers()["t4.cases.review_upheld"] == 1


def test_save_mine_instead_overwrites_with_history(world):
    outcome = colleague_saved_first(world)
    overwrite = action(outcome, "用我的覆盖")
    saved = world.talk(101).resolve(overwrite.args[0], overwrite=True)
    assert only_text(saved).startswith(
        "✓ 已记录：四、政府信息公开行政复议、行政诉讼情况：行政复议·结果维持 2、"
    )
    history = world.store.answer_history(world.cycle.id, "t4.cases.review_upheld")
    assert [(v.value, v.by) for v in history] == [(1, "user:102"), (2, "user:101")]
    assert history[-1].raw == "2 0 0 1 0 0 0 1 0 0 0 0"


def test_save_mine_after_the_colleague_changed_it_again_clashes_again(world):
    outcome = colleague_saved_first(world)
    overwrite = action(outcome, "用我的覆盖")
    menu = world.talk(102).edit_menu("appeals")
    world.talk(102).edit(*action(menu, labels(menu)[0]).args)
    world.later(minutes=5)  # 09:20
    world.talk(102).text("3 0 0 1 0 0 0 1 0 0 0 0")

    again = world.talk(101).resolve(overwrite.args[0], overwrite=True)

    assert only_text(again).startswith("未保存：在你填写期间，孙复议已于 09:20 保存了")
    assert "：行政复议·结果维持 3、" in only_text(again)
    assert world.answers()["t4.cases.review_upheld"] == 3
    # The new message's button works.
    world.talk(101).resolve(action(again, "用我的覆盖").args[0], overwrite=True)
    assert world.answers()["t4.cases.review_upheld"] == 2


def test_a_clash_with_myself_in_another_chat(world):
    world.join(101, "Qian", "policy", lang="en")
    world.talk(101).open("appeals")
    # The same person's answer stored meanwhile, from another device.
    row = dict.fromkeys(world.session().steps(world.unit("appeals"))[0].field_ids, 0)
    world.store.save_answers(world.cycle.id, {**row, "t4.cases.review_upheld": 4}, "user:101", world.now())
    text = only_text(world.talk(101).text(APPEALS_ROW))
    assert text.startswith(
        "Not saved: while you were answering, you (in another chat) saved “四、政府信息公开行政复议、行政诉讼情况” at 09:00: "
        "行政复议·结果维持 4、行政复议·结果纠正 0、"
    )
    assert "\nYours: 行政复议·结果维持 1、" in text


def test_a_narrative_saved_by_a_colleague_while_i_was_drafting_clashes_on_done(world):
    world.join(101, "钱法规", "policy")
    world.join(102, "孙复议", "policy")
    world.talk(101).open("overview.requests")
    world.talk(101).text("我的第一段。")
    world.talk(102).open("overview.requests")
    world.talk(102).text("同事写的。")
    world.talk(102).done()
    outcome = world.talk(101).done()
    assert only_text(outcome).startswith(
        "未保存：在你填写期间，孙复议已于 09:00 保存了“依申请公开工作情况”：5 字，“同事写的。”\n"
    )
    assert "\n你填写的是：6 字，“我的第一段。”" in only_text(outcome)
    assert world.answers() == {"overview.requests.text": "同事写的。"}


# Changing answers -------------------------------------------------------------------------------------------
def test_the_edit_menu_lists_every_step_two_by_two(world):
    world.join(201, "吴审批", "approval")
    menu = world.talk(201).edit_menu("proactive")
    assert only_text(menu) == "要修改“二、主动公开政府信息情况”中的哪一项？"
    rows = [[b.label for b in row] for row in menu.replies[0].buttons]
    assert rows == [
        ["1. 规章", "2. 行政规范性文件"],
        ["3. 行政许可 · 本年处理决定数量", "4. 行政处罚 · 本年处理决定数量"],
        ["5. 行政强制 · 本年处理决定数量", "6. 行政事业性收费 · 本年收费金额（…"],
    ]
    assert [b.action.args[:2] for row in menu.replies[0].buttons for b in row][2] == ("proactive", "2")


def test_editing_an_answer_asks_it_again_and_then_returns_to_what_is_open(world):
    world.join(201, "吴审批", "approval")
    world.fill(["proactive"], values={"t2.rules.issued": 1, "t2.rules.repealed": 0, "t2.rules.in_force": 6})
    menu = world.talk(201).edit_menu("proactive")
    prompt = world.talk(201).edit(*action(menu, "1. 规章").args)
    assert only_text(prompt) == RULES_PROMPT + "\n当前已保存：1 0 6"
    assert position(world, 201)["mode"] == "edit"

    outcome = world.talk(201).text("2 0 7")

    # After an edit the first open step (from the start) is asked: 行政规范性文件.
    assert (
        only_text(outcome)
        == "✓ 已记录：规章：本年制发件数 2、本年废止件数 0、现行有效件数 7\n\n" + NORMATIVE_PROMPT
    )
    assert [v.value for v in world.store.answer_history(world.cycle.id, "t2.rules.in_force")] == [6, 7]


def test_an_edit_button_for_a_step_that_is_not_there_is_expired(world):
    world.join(201, "吴审批", "approval")
    assert texts(world.talk(201).edit("proactive", "1", "00000000")) == [EXPIRED_ZH]
    assert texts(world.talk(201).edit("proactive", "99", "00000000")) == [EXPIRED_ZH]
    assert texts(world.talk(201).edit_menu("requests")) == [
        "该部分不属于你的部门。发送 /fill 查看你负责的部分。"
    ]
    assert position(world, 201) == {}


def test_approved_sections_cannot_be_changed(world):
    world.join(201, "吴审批", "approval")
    world.fill(["proactive"])
    menu = world.talk(201).edit_menu("proactive")
    world.talk(201).open("proactive")
    world.store.set_section_state(world.cycle.id, "proactive", APPROVED, "user:1", world.now())
    note = "该部分已审核通过，不能再修改。\n"
    assert only_text(world.talk(201).edit_menu("proactive")).startswith(note)
    assert only_text(world.talk(201).edit(*action(menu, "1. 规章").args)).startswith(note)
    before = world.answers()
    assert only_text(world.talk(201).text("9 9 9")).startswith(note)
    assert world.answers() == before


def test_changing_a_submitted_section_reopens_it(world):
    world.join(201, "吴审批", "approval")
    world.fill(["proactive"])
    world.store.set_section_state(world.cycle.id, "proactive", SUBMITTED, "user:201", world.now())
    menu = world.talk(201).edit_menu("proactive")
    world.talk(201).edit(*action(menu, "1. 规章").args)
    outcome = world.talk(201).text("1 0 6")
    assert only_text(outcome).startswith(
        "✓ 已记录：规章：本年制发件数 1、本年废止件数 0、现行有效件数 6\n该部分在提交后被修改，改完后请重新提交。\n"
    )
    assert world.state("proactive") == IN_PROGRESS


# Warnings -----------------------------------------------------------------------------------------------
def test_a_saved_figure_that_raises_warnings_asks_to_confirm_them(world_with_last_year):
    world = world_with_last_year
    world.join(201, "吴审批", "approval")
    world.fill(["proactive"], values=dict(zip(RULES, (1, 0, 6), strict=True)))
    prompt = world.talk(201).open("proactive")
    assert only_text(prompt) == NORMATIVE_PROMPT + "\n上年：— — 20"

    outcome = world.talk(201).text("3 2 200")

    warning, following = texts(outcome)
    assert warning == (
        "✓ 已记录：行政规范性文件：本年制发件数 3、本年废止件数 2、现行有效件数 200\n"
        "⚠️ 现行有效件数衔接（行政规范性文件）：现行有效件数 200 与 上年现行有效件数加本年制发减本年废止 21 不符（相差 179）\n"
        "⚠️ 行政规范性文件 · 现行有效件数：200 是上年（20）的 10 倍，请核实\n"
        "请核实；如无误请确认。"
    )
    assert following == LICENSING_PROMPT
    assert [label for label, _ in buttons(outcome.replies[0])] == ["数字无误", "重新填写"]
    confirm = action(outcome.replies[0], "数字无误")
    assert confirm.args[:2] == ("proactive", "1")
    assert world.answers()["t2.normative.in_force"] == 200  # a warning never stops the answer being saved

    world.later(minutes=1)
    confirmed = world.talk(201).confirm_warnings(*confirm.args)

    assert texts(confirmed) == ["已确认：内容不变就不再询问。"]
    stored = world.store.confirmed_findings(world.cycle.id)
    assert sorted(key.split("|")[0] for key in stored) == ["plausibility.ratio", "t2.stock"]
    assert {(v["by"], v["at"]) for v in stored.values()} == {("user:201", world.now())}
    assert texts(world.talk(201).confirm_warnings(*confirm.args))[0] == EXPIRED_ZH  # nothing left to confirm


def test_a_confirmation_for_a_step_that_is_not_there_is_expired(world):
    world.join(201, "吴审批", "approval")
    assert texts(world.talk(201).confirm_warnings("proactive", "17", "00000000")) == [EXPIRED_ZH]
    assert texts(world.talk(201).confirm_warnings("requests", "0", "00000000")) == [EXPIRED_ZH]
    assert world.store.confirmed_findings(world.cycle.id) == {}


def test_answer_again_under_warnings_asks_the_same_row(world_with_last_year):
    world = world_with_last_year
    world.join(201, "Wu", "approval", lang="en")
    world.fill(["proactive"], values=dict(zip(RULES, (1, 0, 6), strict=True)))
    world.talk(201).open("proactive")
    outcome = world.talk(201).text("3 2 200")
    assert outcome.replies[0].text.splitlines()[-1] == "Please check; confirm if it is right."
    again = action(outcome.replies[0], "Answer again")
    prompt = world.talk(201).edit(*again.args)
    assert only_text(prompt).splitlines()[:2] == [
        "【二、主动公开政府信息情况】 item 2 of 6",
        "行政规范性文件",
    ]
    assert world.talk(201).text("3 2 21").replies[0].text.startswith("✓ Saved: 行政规范性文件: ")
    assert world.store.confirmed_findings(world.cycle.id) == {}


# Submitting through the conversation ------------------------------------------------------------------
def test_submit_leaves_the_prompt_and_a_stale_submit_button_shows_the_summary_again(world):
    world.join(201, "吴审批", "approval")
    world.fill(["proactive"])
    summary = world.talk(201).open("proactive")
    submit = action(summary, "提交")
    world.store.save_answer(world.cycle.id, "t2.penalty.decisions", 5, "user:202", world.now())

    stale = world.talk(201).submit(*submit.args)

    assert texts(stale)[0] == EXPIRED_ZH
    assert "· 行政处罚 · 本年处理决定数量：5" in texts(stale)[1]
    assert world.state("proactive") == NOT_STARTED  # answers came straight from the store: nothing moved it

    fresh = action(stale, "提交")
    done = world.talk(201).submit(*fresh.args)
    assert texts(done) == ["已提交“二、主动公开政府信息情况”。协调人审核后会通知你。"]
    assert world.state("proactive") == SUBMITTED
    assert position(world, 201)["fields"] is None
    assert world.talk(201).current_section() == "proactive"


def test_current_section_is_none_before_anything_is_opened(world):
    world.join(101, "钱法规", "policy")
    talk = world.talk(101)
    assert talk.current_section() is None
    assert talk.unit_of("proactive") is None
    assert [u.section_id for u in talk.units] == ["overview.requests", "requests", "appeals"]


def test_a_revoked_colleague_does_not_hold_a_row(world):
    world.join(201, "吴审批", "approval")
    gone = world.join(202, "郑许可", "approval")
    world.talk(202).open("proactive")
    world.store.put_contact(replace(gone, revoked_at=world.now()))
    assert only_text(world.talk(201).open("proactive")) == RULES_PROMPT


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_conversation_speaks_the_contacts_language(world, lang):
    world.join(201, "吴审批", "approval", lang=lang)
    talk = world.talk(201)
    assert isinstance(talk, Conversation) and talk.lang == lang
    zero = labels(talk.open("proactive"))
    assert zero == (["本行全部为 0"] if lang == "zh" else ["All 0"])
    assert world.state("proactive") == NOT_STARTED  # opening stores no answer and no state
