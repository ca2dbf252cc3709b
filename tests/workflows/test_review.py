"""The coordinator's review: naming a section, approving it, returning it with a reason, and who is told."""

from __future__ import annotations

from dataclasses import replace

import pytest

from storage.records import APPROVED, HEAD, RETURNED, SUBMITTED
from tests.workflows.scenario import action, buttons, labels, notified, only_text, texts
from workflows.replies import Action
from workflows.review import approve, find_unit, return_section

TITLE = "二、主动公开政府信息情况"


@pytest.fixture
def submitted(world):
    """行政审批科 (two contacts, one gone, a head) submitted 二 at 09:00; two coordinators."""
    world.join(201, "吴审批", "approval")
    world.join(202, "Zheng", "approval", lang="en")
    gone = world.join(203, "离职者", "approval")
    world.store.put_contact(replace(gone, revoked_at=world.now()))
    world.join(290, "审批科长", "approval", role=HEAD)
    world.join(1, "周协调")
    world.join(2, "Coord", lang="en")
    world.fill(["proactive"])
    outcome = world.talk(201).submit("proactive")
    assert world.state("proactive") == SUBMITTED
    world.later(hours=1)
    return world, outcome


@pytest.mark.parametrize(
    ("ref", "section"),
    [
        ("5", "proactive"),  # its number in /status
        ("proactive", "proactive"),
        ("二、主动", "proactive"),  # the start of its title
        ("行政复议", "appeals"),  # a part of its title, when only one has it
        (" 9 ", "other"),
        ("一、", None),  # four titles start so: ambiguous
        ("10", None),
        ("0", None),
        ("", None),
        ("nothing", None),
    ],
)
def test_find_unit(world, ref, section):
    found = find_unit(world.session(), ref)
    assert (found.section_id if found else None) == section


def test_approving_tells_the_departments_active_contacts_in_their_language(submitted):
    world, _ = submitted
    outcome = approve(world.session(), world.contact(1), "5", world.now())
    assert texts(outcome) == [f"已通过“{TITLE}”。"]
    assert notified(outcome) == {
        201: [f"“{TITLE}”已审核通过，谢谢！"],
        202: [f"“{TITLE}” has been approved. Thank you!"],
    }
    state = world.store.get_section_state(world.cycle.id, "proactive")
    assert (state.state, state.by, state.updated_at) == (APPROVED, "user:1", world.now())
    assert [step["state"] for step in state.history] == [SUBMITTED, APPROVED]


def test_approving_twice_or_before_submission_is_refused(submitted):
    world, _ = submitted
    approve(world.session(), world.contact(1), "proactive", world.now())
    again = approve(world.session(), world.contact(2), "proactive", world.now())
    assert texts(again) == [f"“{TITLE}” is already approved."]
    assert notified(again) == {}
    early = approve(world.session(), world.contact(1), "requests", world.now())
    assert texts(early) == ["“三、收到和处理政府信息公开申请情况”尚未提交，不能审核通过。"]
    assert world.state("requests") == "not_started"
    assert len(world.store.get_section_state(world.cycle.id, "proactive").history) == 2


def test_the_approve_button_holds_for_the_submission_it_was_sent_for(submitted):
    world, outcome = submitted
    (coordinator_notice,) = [reply for user, reply in outcome.notify if user == 1]
    assert coordinator_notice.text == f"行政审批科提交了“{TITLE}”。"
    button = action(coordinator_notice, "通过")
    assert button == Action("approve", ("proactive", "1"))
    # Returned and submitted again since: the old notice's button has expired.
    return_section(world.session(), world.contact(2), "proactive", "请核实", world.now())
    world.talk(201).submit("proactive")
    stale = approve(world.session(), world.contact(1), *button.args[:1], world.now(), button.args[1])
    assert (
        only_text(stale)
        == "这个按钮已过期。\n“二、主动公开政府信息情况”在该通知之后已有变化，请查看 /status。"
    )
    assert world.state("proactive") == SUBMITTED
    fresh = approve(world.session(), world.contact(1), "proactive", world.now(), "3")
    assert texts(fresh) == [f"已通过“{TITLE}”。"]


def test_returning_needs_a_reason(submitted):
    world, _ = submitted
    outcome = return_section(world.session(), world.contact(1), "5", "   ", world.now())
    assert texts(outcome) == ["请说明退回原因：/return proactive 原因"]
    assert world.state("proactive") == SUBMITTED


def test_returning_tells_the_department_why_with_a_button_to_revise(submitted):
    world, _ = submitted
    outcome = return_section(world.session(), world.contact(1), "二、主动", " 规章数字需核实 ", world.now())
    assert texts(outcome) == [f"已将“{TITLE}”退回负责部门。"]
    assert notified(outcome) == {
        201: [f"“{TITLE}”被退回修改：规章数字需核实"],
        202: [f"“{TITLE}” was returned for revision: 规章数字需核实"],
    }
    by_user = dict(outcome.notify)
    assert buttons(by_user[201]) == [("修改", Action("open", ("proactive",)))]
    assert labels(by_user[202]) == ["Revise"]
    state = world.store.get_section_state(world.cycle.id, "proactive")
    assert (state.state, state.comment, state.by) == (RETURNED, "规章数字需核实", "user:1")
    assert state.history[-1]["comment"] == "规章数字需核实"


def test_an_approved_section_may_be_returned_but_not_an_unsubmitted_one(submitted):
    world, _ = submitted
    approve(world.session(), world.contact(1), "5", world.now())
    outcome = return_section(world.session(), world.contact(2), "5", "one more look", world.now())
    assert texts(outcome) == [f"Returned “{TITLE}” to its department."]
    assert world.state("proactive") == RETURNED
    refused = return_section(world.session(), world.contact(2), "6", "why", world.now())
    assert texts(refused) == [
        "“三、收到和处理政府信息公开申请情况” has not been submitted yet, so it cannot be returned."
    ]


def test_unknown_sections(world):
    coordinator = world.join(2, "Coord", lang="en")
    assert texts(approve(world.session(), coordinator, "zzz", world.now())) == [
        "No section “zzz”. Use the number or id shown by /status."
    ]
    chinese = world.join(1, "周协调")
    assert texts(return_section(world.session(), chinese, "一、", "x", world.now())) == [
        "没有找到“一、”。请使用 /status 中显示的编号。"
    ]
