"""Reading what a person typed for a step, and wording answers, clashes and warnings."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.workflows.scenario import buttons, labels, only_text
from workflows.answer_texts import clash, parse_answer, saved_text, shown, warnings_reply, warnings_stamp, who
from workflows.replies import Action


@pytest.fixture
def steps(world):
    session = world.session()
    return session.template.fields, session.steps(session.unit("proactive"))


@pytest.mark.parametrize(
    "text",
    ["1 0 6", "1，0，6", "1、0、6", "一 零 六", "1 0 6件", " 1\n0\t6 "],
)
def test_a_row_in_the_ways_people_type_it(steps, text):
    fields, all_steps = steps
    values, raw, problem = parse_answer(fields, all_steps[0], text, "zh", 3)
    assert problem is None
    assert values == {"t2.rules.issued": 1, "t2.rules.repealed": 0, "t2.rules.in_force": 6}
    assert raw == dict.fromkeys(values, text)


def test_an_ambiguous_row_asks_for_spaces(steps):
    fields, all_steps = steps
    values, raw, problem = parse_answer(fields, all_steps[0], "100,200,300", "zh", 3)
    assert (values, raw) == ({}, {})
    assert (
        only_text(problem)
        == "“100,200,300”可以理解为一个数，也可以理解为 3 个数。请用空格分隔各数，例如 100 200 300。"
    )
    assert buttons(problem) == [("本行全部为 0", Action("zero", ("3",)))]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("1 0 -6", "· 现行有效件数：不能为负数（收到的是 -6）"),
        ("1.5 0 6", "· 本年制发件数：应为整数，收到的是 1.5"),
    ],
)
def test_each_bad_number_of_a_row_is_named_by_its_column(steps, text, line):
    fields, all_steps = steps
    _, _, problem = parse_answer(fields, all_steps[0], text, "zh", 3)
    assert only_text(problem) == f"规章：未保存。\n{line}\n请重新发送整行数字。"
    assert buttons(problem) == []


def test_a_single_decimal_and_its_refusal_in_english(steps):
    fields, all_steps = steps
    values, raw, problem = parse_answer(fields, all_steps[5], "12.5万元", "en", 1)
    assert (values, raw, problem) == (
        {"t2.fees.amount": Decimal("12.5")},
        {"t2.fees.amount": "12.5万元"},
        None,
    )
    _, _, refused = parse_answer(fields, all_steps[5], "12.34567", "en", 1)
    assert only_text(refused) == (
        "行政事业性收费 · 本年收费金额（单位：万元）: at most 4 decimal places, got 12.34567\nPlease send it again."
    )


def test_shown(world, steps):
    _, all_steps = steps
    assert shown(
        all_steps[0], {"t2.rules.issued": 1, "t2.rules.repealed": 0, "t2.rules.in_force": 6}, "zh"
    ) == ("本年制发件数 1、本年废止件数 0、现行有效件数 6")
    assert shown(all_steps[2], {}, "zh") == "—"
    assert shown(all_steps[5], {"t2.fees.amount": Decimal("12.50")}, "zh") == "12.5"
    narrative = world.session().steps(world.unit("problems"))[0]
    text = "（一）上年度问题的改进情况。针对政策解读形式单一的问题，本年度增加图解、视频等解读形式。"
    assert (
        shown(narrative, {"problems.text": text}, "zh")
        == f"{len(text)} 字，“（一）上年度问题的改进情况。针对政策解读形式单一的问题，本…”"
    )  # 30 characters
    assert shown(narrative, {}, "en") == "0 characters, “”"


def test_who(world):
    world.join(102, "孙复议", "policy")
    world.join(103, "", "policy")
    store = world.store
    assert who(store, "user:102", "user:101", "zh") == "孙复议"
    assert who(store, "user:101", "user:101", "zh") == "你（在另一会话中）"
    assert who(store, "user:103", "user:101", "en") == "a colleague"  # no name known
    assert who(store, "user:999", "user:101", "zh") == "另一位联系人"  # gone since
    assert who(store, "import", "user:101", "zh") == "另一位联系人"


def test_clash_offers_mine_or_theirs(steps):
    _, all_steps = steps
    outcome = clash(all_steps[0], "本年制发件数 1", "本年制发件数 2", "Sun", "10:12", 8, "en")
    assert only_text(outcome) == (
        "Not saved: while you were answering, Sun saved “规章” at 10:12: 本年制发件数 1\nYours: 本年制发件数 2"
    )
    assert buttons(outcome) == [
        ("Save mine instead", Action("overwrite", ("8",))),
        ("Keep theirs", Action("keep", ("8",))),
    ]


def test_warnings_reply_and_its_stamp(world_with_last_year):
    world = world_with_last_year
    world.fill(
        ["proactive"],
        values={"t2.normative.issued": 3, "t2.normative.repealed": 2, "t2.normative.in_force": 200},
    )
    session = world.session()
    step = session.steps(session.unit("proactive"))[1]
    warnings = session.open_warnings(step)
    reply = warnings_reply("✓ 已记录", warnings, "proactive", 1, step, "zh")
    assert reply.text.splitlines()[0] == "✓ 已记录"
    assert reply.text.splitlines()[-1] == "请核实；如无误请确认。"
    assert [line[:2] for line in reply.text.splitlines()[1:-1]] == ["⚠️", "⚠️"]
    assert buttons(reply)[0] == ("数字无误", Action("okwarn", ("proactive", "1", warnings_stamp(warnings))))
    assert warnings_stamp(list(reversed(warnings))) == warnings_stamp(warnings)  # order does not matter
    assert warnings_stamp(warnings[:1]) != warnings_stamp(warnings)
    narrative = session.steps(session.unit("problems"))[0]
    assert labels(warnings_reply("", warnings, "problems", 0, narrative, "en")) == [
        "The text is right",
        "Answer again",
    ]


def test_saved_text(world, steps):
    fields, all_steps = steps
    narrative = world.session().steps(world.unit("problems"))[0]
    assert saved_text(narrative, {"problems.text": "改进了。"}, fields, "en") == (
        "✓ Saved “存在的主要问题及改进情况” (4 characters)."
    )
    assert saved_text(all_steps[2], {"t2.licensing.decisions": 137}, fields, "zh") == (
        "✓ 已记录：行政许可 · 本年处理决定数量 = 137件"
    )
    values = {"t2.rules.issued": 1, "t2.rules.repealed": 0, "t2.rules.in_force": 6}
    assert saved_text(all_steps[0], values, fields, "en") == (
        "✓ Saved: 规章: 本年制发件数 1、本年废止件数 0、现行有效件数 6"
    )
