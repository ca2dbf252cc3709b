"""The texts of the prompts: one figure, one table row, or one narrative, with what is saved and last year's."""

from __future__ import annotations

from tests.workflows.scenario import build_world, buttons, example_answers
from workflows.prompts import derived_note, prompt, row_text, zero_button
from workflows.replies import Action

BRACES = "{新收申请}{办结申请}{上年结转}{结转下年}{予以公开}{部分公开}{不予公开}{行政复议}{行政诉讼}"


def test_a_narrative_prompt_with_the_hint_the_figures_and_the_layout(world):
    session = world.session()
    reply = prompt(session, session.unit("problems"), 0, 7, "zh")
    assert reply.text == "\n".join(
        [
            "【五、存在的主要问题及改进情况】第 1/1 项",
            "请撰写：存在的主要问题及改进情况",
            "上年度问题的改进情况，本年度存在的主要问题及改进措施。",
            "要引用表格中的数字，可写名称并加花括号：" + BRACES,
            "排版：以（一）开头的行是小标题，以 1. 开头的行保留编号，段首的 **文字** 加粗。",
            "可以分几条消息发送；写完后发送 /done 或点击“完成”。",
        ]
    )
    assert buttons(reply) == [("完成", Action("done", ("7",)))]


def test_a_narrative_prompt_shows_what_is_saved_and_the_draft_so_far(world):
    world.fill(["overview"], values={"overview.proactive.text": "全年主动公开政府信息215条。" * 10})
    session = world.session()
    lines = prompt(session, session.unit("overview"), 1, 5, "zh", ["一段", "两段"]).text.splitlines()
    assert lines[0] == "【一、总体情况】第 2/3 项"
    assert lines[3] == "当前已保存：" + ("全年主动公开政府信息215条。" * 10)[:79] + "…"
    assert lines[4:6] == ["现在发送的内容将替换它。", "已收到但尚未保存：2 段（共 4 字）。"]


def test_a_narrative_prompt_in_english(world):
    session = world.session()
    lines = prompt(session, session.unit("overview"), 2, 5, "en").text.splitlines()
    assert lines[:2] == ["【一、总体情况】 item 3 of 3", "Please write: 政府信息管理情况"]
    assert lines[-1] == "You may send it in several messages; when finished send /done or press Done."


def test_a_row_prompt_with_what_is_saved_and_last_year(world_with_last_year):
    world = world_with_last_year
    world.fill(["proactive"])
    session = world.session()
    reply = prompt(session, session.unit("proactive"), 0, 4, "zh")
    assert reply.text == (
        "【二、主动公开政府信息情况】第 1/6 项\n"
        "规章\n"
        "请按顺序输入 3 个数，用空格分隔：本年制发件数、本年废止件数、现行有效件数（单位：件）\n"
        "当前已保存：1 0 6\n"
        "上年：— — 5"
    )
    assert buttons(reply) == [("本行全部为 0", Action("zero", ("4",)))]


def test_a_single_value_prompt_in_english(world):
    session = world.session()
    reply = prompt(session, session.unit("proactive"), 2, 1, "en")
    assert (
        reply.text
        == "【二、主动公开政府信息情况】 item 3 of 6\nPlease enter: 行政许可 · 本年处理决定数量 (unit: 件)"
    )
    assert reply.buttons == ()


def test_a_single_value_prompt_with_what_is_saved_and_last_year(any_store):
    world = build_world(any_store, previous={"t2.licensing.decisions": 120})
    world.fill(["proactive"], values={"t2.licensing.decisions": 137})
    session = world.session()
    reply = prompt(session, session.unit("proactive"), 2, 1, "zh")
    assert reply.text == (
        "【二、主动公开政府信息情况】第 3/6 项\n请填写：行政许可 · 本年处理决定数量（单位：件）\n当前已保存：137\n上年：120"
    )


def test_the_unit_is_named_once(world):
    session = world.session()
    text = prompt(session, session.unit("proactive"), 5, 1, "zh").text
    assert text.count("单位：万元") == 1


def test_derived_note_names_the_totals_a_saved_row_feeds(world):
    session = world.session()
    first_row = session.steps(session.unit("requests"))[0]
    assert derived_note(session, first_row, "zh") == ""  # nothing saved: nothing computed
    world.fill(["requests"])
    session = world.session()
    assert derived_note(session, first_row, "zh") == "自动计算：一、本年新收政府信息公开申请数量 · 总计 49"
    assert derived_note(session, first_row, "en") == "Computed: 一、本年新收政府信息公开申请数量 · 总计 49"
    assert derived_note(session, session.steps(session.unit("proactive"))[0], "zh") == ""


def test_row_text_and_the_zero_button(world):
    session = world.session()
    step = session.steps(session.unit("proactive"))[0]
    answers = example_answers()
    assert row_text(step, answers) == "本年制发件数 1、本年废止件数 0、现行有效件数 6"
    assert zero_button(9, "en").label == "All 0"
    assert zero_button(9, "zh").action == Action("zero", ("9",))
