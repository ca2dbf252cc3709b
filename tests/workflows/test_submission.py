"""A section as a whole: its summary, and submitting it (gaps, disagreeing figures, warnings, notices)."""

from __future__ import annotations

from dataclasses import replace

from storage.records import APPROVED, SUBMITTED
from tests.workflows.scenario import action, buttons, example_answers, labels, notified, only_text, texts
from workflows.replies import Action
from workflows.submission import submit, summary

TITLE = "二、主动公开政府信息情况"
PROACTIVE_LINES = [
    "· 规章：1 0 6",
    "· 行政规范性文件：3 2 21",
    "· 行政许可 · 本年处理决定数量：137",
    "· 行政处罚 · 本年处理决定数量：4",
    "· 行政强制 · 本年处理决定数量：0",
    "· 行政事业性收费 · 本年收费金额（单位：万元）：12.5",
]


def submit_now(world, user_id, section_id, confirmed=False):
    session = world.session()
    contact = world.contact(user_id)
    units = session.units_of(contact.department_id)
    return submit(session, contact, units, section_id, world.now(), confirmed)


def summary_of(world, department, section_id, lang="zh"):
    session = world.session()
    return summary(session, session.units_of(department), section_id, lang)


# Summary ----------------------------------------------------------------------------------------------
def test_the_summary_lists_every_answer_with_change_and_submit(world):
    world.fill(["proactive"])
    outcome = summary_of(world, "approval", "proactive")
    assert only_text(outcome) == "\n".join([f"【{TITLE}】状态：填写中", *PROACTIVE_LINES])
    stamp = world.session().content_stamp(world.unit("proactive"))
    assert buttons(outcome) == [
        ("修改", Action("editmenu", ("proactive",))),
        ("提交", Action("submit", ("proactive", stamp))),
    ]


def test_the_summary_marks_computed_totals_gaps_and_shortens_narratives(world):
    world.fill(["overview.requests"])
    answers = example_answers()
    world.store.save_answers(
        world.cycle.id,
        {fid: answers[fid] for fid in ("t3.new.natural", "t3.new.business", "t3.new.research")},
        "user:101",
        world.now(),
    )
    lines = only_text(summary_of(world, "policy", "requests", "en")).splitlines()
    assert lines[0] == "【三、收到和处理政府信息公开申请情况】 status: in progress"
    assert lines[1] == "· 一、本年新收政府信息公开申请数量：40 5 1 — — —"  # no total of a partial row
    assert lines[2] == "· 二、上年结转政府信息公开申请数量：— — — — — —"
    narrative = only_text(summary_of(world, "policy", "overview.requests"))
    assert narrative == (
        "【一、总体情况（二）依申请公开】状态：填写中\n"
        "· 依申请公开工作情况：全年新收政府信息公开申请49件，上年结转4件，已办结48件，结转下年度继续办理…"
    )


def test_the_summary_of_an_approved_section_has_no_buttons(world):
    world.fill(["proactive"])
    world.store.set_section_state(world.cycle.id, "proactive", APPROVED, "user:1", world.now())
    outcome = summary(world.session(), world.session().units_of("approval"), "proactive", "zh", note="备注")
    assert only_text(outcome).splitlines()[:2] == ["备注", f"【{TITLE}】状态：已通过"]
    assert buttons(outcome) == []


def test_the_summary_shows_failing_checks(world):
    answers = {**example_answers(), "t3.new.natural": 41}
    world.fill(["requests"], values=answers)
    lines = only_text(summary_of(world, "policy", "requests")).splitlines()
    assert lines[-2:] == [
        "❌ 申请数量勾稽关系（自然人）：新收与上年结转之和（自然人） 44 与 办理总计与结转下年之和（自然人） 43 不符（相差 1）",
        "❌ 申请数量勾稽关系（总计）：新收与上年结转之和（总计） 54 与 办理总计与结转下年之和（总计） 53 不符（相差 1）",
    ]


def test_a_section_of_another_department_has_no_summary(world):
    assert texts(summary_of(world, "policy", "proactive")) == [
        "该部分不属于你的部门。发送 /fill 查看你负责的部分。"
    ]


# Submitting -------------------------------------------------------------------------------------------
def test_missing_answers_block_a_submission_and_name_the_first_five(world):
    world.join(101, "钱法规", "policy")
    outcome = submit_now(world, 101, "requests")
    assert only_text(outcome) == (
        "未提交：还有 144 项未填写：一、本年新收政府信息公开申请数量 · 自然人、一、本年新收政府信息公开申请数量 · 商业企业、"
        "一、本年新收政府信息公开申请数量 · 科研机构、一、本年新收政府信息公开申请数量 · 社会公益组织、"
        "一、本年新收政府信息公开申请数量 · 法律服务机构…"
    )
    assert buttons(outcome) == [("继续填写", Action("open", ("requests",)))]
    assert world.state("requests") == "not_started"


def test_a_few_missing_answers_are_all_named(world):
    world.join(201, "Wu", "approval", lang="en")
    answers = {k: v for k, v in example_answers().items() if not k.startswith("t2.rules.")}
    world.fill(["proactive"], values=answers)
    assert texts(submit_now(world, 201, "proactive")) == [
        "Not submitted: 3 answers are still missing: 规章 · 本年制发件数、规章 · 本年废止件数、规章 · 现行有效件数"
    ]


def test_figures_that_disagree_block_a_submission(world):
    world.join(101, "Qian", "policy", lang="en")
    world.fill(["requests"], values={**example_answers(), "t3.new.natural": 41})
    outcome = submit_now(world, 101, "requests")
    assert only_text(outcome) == (
        "Not submitted: these figures disagree.\n"
        "❌ request flow (自然人): 新收与上年结转之和（自然人） 44 does not match 办理总计与结转下年之和（自然人） 43 (difference 1)\n"
        "❌ request flow (总计): 新收与上年结转之和（总计） 54 does not match 办理总计与结转下年之和（总计） 53 (difference 1)\n"
        "Correct them and submit again."
    )
    assert buttons(outcome) == [("Change", Action("editmenu", ("requests",)))]
    assert world.state("requests") == "not_started"


def test_a_narrative_that_says_nothing_blocks_a_submission(world):
    world.join(301, "王人事", "hr")
    world.fill(["problems"], values={"problems.text": "无。"})
    outcome = submit_now(world, 301, "problems")
    assert only_text(outcome) == (
        "未提交：请先改正以下问题。\n"
        "❌ 存在的主要问题及改进情况：不能只写“无”或寥寥数语（现 1 字），请写明存在的主要问题及改进情况\n"
        "请修改后重新提交。"
    )
    assert labels(outcome) == ["修改"]


def warned(world):
    """行政审批科's 二 with 现行有效 200 where last year's was 20: two warnings."""
    world.join(201, "吴审批", "approval")
    world.fill(["proactive"], values={**example_answers(), "t2.normative.in_force": 200}, by="user:201")
    return world


WARNINGS_ZH = [
    "⚠️ 现行有效件数衔接（行政规范性文件）：现行有效件数 200 与 上年现行有效件数加本年制发减本年废止 21 不符（相差 179）",
    "⚠️ 行政规范性文件 · 现行有效件数：200 是上年（20）的 10 倍，请核实",
]


def test_warnings_are_confirmed_before_a_submission(world_with_last_year):
    world = warned(world_with_last_year)
    outcome = submit_now(world, 201, "proactive")
    assert only_text(outcome) == "\n".join(["请确认：", *WARNINGS_ZH, "如确认数字无误，可直接提交。"])
    stamp = world.session().content_stamp(world.unit("proactive"))
    assert buttons(outcome) == [
        ("确认提交", Action("confirm", ("proactive", stamp))),
        ("修改", Action("editmenu", ("proactive",))),
    ]
    assert world.state("proactive") == "not_started"
    assert world.store.confirmed_findings(world.cycle.id) == {}


def test_submitting_anyway_confirms_the_warnings_and_tells_every_active_coordinator(world_with_last_year):
    world = warned(world_with_last_year)
    world.join(1, "周协调")
    world.join(2, "Coord", lang="en")
    gone = world.join(3, "前任协调人")
    world.store.put_contact(replace(gone, revoked_at=world.now()))
    world.later(minutes=30)

    outcome = submit_now(world, 201, "proactive", confirmed=True)

    assert texts(outcome) == [f"已提交“{TITLE}”。协调人审核后会通知你。"]
    messages = notified(outcome)
    assert sorted(messages) == [1, 2]
    assert messages[1] == ["\n".join([f"行政审批科提交了“{TITLE}”。", *WARNINGS_ZH])]
    assert messages[2][0].startswith(
        f"行政审批科 submitted “{TITLE}”.\n⚠️ documents in force (行政规范性文件): "
    )
    assert [labels(reply) for _, reply in outcome.notify] == [["通过"], ["Approve"]]
    assert action(dict(outcome.notify)[1], "通过") == Action("approve", ("proactive", "1"))
    state = world.store.get_section_state(world.cycle.id, "proactive")
    assert (state.state, state.by, state.updated_at) == (SUBMITTED, "user:201", world.now())
    confirmed = world.store.confirmed_findings(world.cycle.id)
    assert len(confirmed) == 2
    assert {(v["by"], v["at"]) for v in confirmed.values()} == {("user:201", world.now())}


def test_warnings_confirmed_before_are_not_asked_again(world_with_last_year):
    world = warned(world_with_last_year)
    session = world.session()
    for finding in session.unit_findings(world.unit("proactive")):
        world.store.confirm_finding(world.cycle.id, finding.key(), "user:202", world.now())
    outcome = submit_now(world, 201, "proactive")
    assert texts(outcome) == [f"已提交“{TITLE}”。协调人审核后会通知你。"]
    assert world.state("proactive") == SUBMITTED
    assert {v["by"] for v in world.store.confirmed_findings(world.cycle.id).values()} == {"user:202"}


def test_a_section_already_submitted_or_approved_is_not_submitted_again(world):
    world.join(201, "吴审批", "approval")
    world.join(1, "周协调")
    world.fill(["proactive"])
    first = submit_now(world, 201, "proactive")
    assert sorted(notified(first)) == [1]
    again = submit_now(world, 201, "proactive")
    assert texts(again) == [f"“{TITLE}”已提交，正在等待审核。"]
    assert again.notify == []
    world.store.set_section_state(world.cycle.id, "proactive", APPROVED, "user:1", world.now())
    assert texts(submit_now(world, 201, "proactive")) == ["该部分已审核通过，不能再修改。"]
    assert len(world.store.get_section_state(world.cycle.id, "proactive").history) == 2


def test_a_returned_section_can_be_submitted_again(world):
    world.join(201, "吴审批", "approval")
    world.fill(["proactive"])
    for state in (SUBMITTED, "returned"):
        world.store.set_section_state(world.cycle.id, "proactive", state, "user:1", world.now())
    outcome = submit_now(world, 201, "proactive")
    assert texts(outcome) == [f"已提交“{TITLE}”。协调人审核后会通知你。"]
    assert world.state("proactive") == SUBMITTED


def test_submitting_another_departments_section_is_refused(world):
    world.join(201, "吴审批", "approval")
    world.fill(["requests"])
    assert texts(submit_now(world, 201, "requests")) == [
        "该部分不属于你的部门。发送 /fill 查看你负责的部分。"
    ]
    assert world.state("requests") == "not_started"
