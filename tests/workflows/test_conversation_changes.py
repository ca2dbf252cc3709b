"""The department conversation at the service level, when answers change: colleagues on one section,
edits from the summary, warnings to confirm, submitting (the first answers are in test_conversation.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from storage.records import APPROVED, IN_PROGRESS, NOT_STARTED, SUBMITTED
from tests.workflows.conversation_texts import (
    APPEALS_ROW,
    EXPIRED_ZH,
    LICENSING_PROMPT,
    NORMATIVE_PROMPT,
    RULES,
    RULES_PROMPT,
    position,
)
from tests.workflows.scenario import action, buttons, labels, only_text, texts
from workflows.conversation import Conversation


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
