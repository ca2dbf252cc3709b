"""The department conversation at the service level: what a contact is asked, what is stored, what they read.

Each call builds a fresh ``Conversation`` as a handler does for one update; the person's position lives
only in the store between calls. Buttons are pressed by taking the ``Action`` of the button shown.
"""

from __future__ import annotations

from decimal import Decimal

from storage.records import APPROVED, IN_PROGRESS, NOT_STARTED, SUBMITTED, Department
from tests.workflows.conversation_texts import (
    EXPIRED_ZH,
    LICENSING_PROMPT,
    NORMATIVE,
    NORMATIVE_PROMPT,
    RULES,
    RULES_PROMPT,
    position,
)
from tests.workflows.scenario import action, buttons, example_answers, labels, only_text, texts
from workflows.replies import Action


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
    assert remembered == {"section": "proactive", "fields": list(RULES), "versions": [1, 1, 1]}
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
