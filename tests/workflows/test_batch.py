"""Several values at once, saved exactly as the chat saves typed answers."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from storage.records import APPROVED, CONTACT, IN_PROGRESS, NOT_STARTED, SUBMITTED, Contact, Department
from workflows.batch import check_values, save_values
from workflows.position import Position

NOW = datetime(2022, 1, 10, 9, 0, tzinfo=UTC)
POLICY = Contact(7, CONTACT, "钱法规", "policy", "zh", 7)
COLLEAGUE = Contact(8, CONTACT, "孙同事", "policy", "zh", 8)


@pytest.fixture
def session(policy_report):
    return policy_report(POLICY, COLLEAGUE)


def texts(result):
    return [p.text for p in result.problems]


def test_values_are_parsed_as_typed_and_saved_in_one_write_with_history(session):
    raw = {
        "t3.new.natural": "1,234",  # a thousands separator, as in chat
        "t3.new.business": "１２",  # full-width digits
        "t3.new.research": 3,  # a number from a spreadsheet cell
        "t3.new.welfare": 4.0,
        "t3.new.legal": "五",
        "t3.new.other": "",  # not given
        "t3.carried_in.natural": None,
        "overview.requests.text": "  全年共收到申请。\r\n",
    }
    result = save_values(session, POLICY, raw, NOW, "zh")
    assert result.problems == []
    assert result.saved == {
        "t3.new.natural": 1234,
        "t3.new.business": 12,
        "t3.new.research": 3,
        "t3.new.welfare": 4,
        "t3.new.legal": 5,
        "overview.requests.text": "全年共收到申请。",
    }
    answers = session.store.current_answers(session.cycle_id)
    assert answers["t3.new.natural"].value == 1234 and answers["t3.new.natural"].raw == "1,234"
    assert answers["t3.new.research"].raw == "3" and answers["t3.new.natural"].by == "user:7"
    assert "t3.new.other" not in answers
    assert session.store.count_answer_versions(session.cycle_id) == 6
    states = session.store.list_section_states(session.cycle_id)
    assert states["requests"].state == IN_PROGRESS and states["overview.requests"].state == IN_PROGRESS
    assert result.sections == ["overview.requests", "requests"]


def test_unchanged_values_are_not_saved_again(session):
    save_values(session, POLICY, {"t3.new.natural": "3"}, NOW, "zh")
    again = save_values(session.refreshed(), POLICY, {"t3.new.natural": "三", "t3.new.legal": 1}, NOW, "zh")
    assert again.saved == {"t3.new.legal": 1}
    assert len(session.store.answer_history(session.cycle_id, "t3.new.natural")) == 1


def test_every_bad_value_is_named_in_the_users_language_and_the_rest_is_saved(session):
    raw = {
        "t3.new.natural": "12,34",
        "t3.new.business": "-1",
        "t3.new.research": "1.5",
        "t3.new.welfare": "abc",
        "t3.new.legal": "7",
        "nowhere.field": "1",
    }
    result = save_values(session, POLICY, raw, NOW, "en")
    assert result.saved == {"t3.new.legal": 7}
    by_field = {p.field_id: p.text for p in result.problems}
    assert "not a thousands separator" in by_field["t3.new.natural"]
    assert "cannot be negative" in by_field["t3.new.business"]
    assert "whole number" in by_field["t3.new.research"]
    assert "“abc” is not a number" in by_field["t3.new.welfare"]
    assert by_field["nowhere.field"] == "“nowhere.field” is not a field of this report; it was ignored."
    zh = check_values(session, POLICY, {"t3.new.business": "-1"}, "zh")
    assert "不能为负数" in zh.problems[0].text


def test_only_the_departments_own_sections_change(session):
    result = save_values(session, POLICY, {"overview.text": "本机关……", "t3.new.natural": 1}, NOW, "zh")
    assert result.saved == {"t3.new.natural": 1}
    (problem,) = result.problems
    assert (problem.field_id, problem.section_id) == ("overview.text", "overview")
    assert "不是本科室负责的部分" in problem.text
    assert "overview.text" not in session.store.current_answers(session.cycle_id)


def test_submitted_and_approved_sections_do_not_change(session):
    store, cycle = session.store, session.cycle_id
    save_values(session, POLICY, {"t3.new.natural": 1, "t4.cases.review_upheld": 2}, NOW, "zh")
    store.set_section_state(cycle, "requests", SUBMITTED, "user:7", NOW)
    store.set_section_state(cycle, "appeals", APPROVED, "user:1", NOW)
    raw = {"t3.new.natural": 5, "t3.new.legal": 6, "t4.cases.review_upheld": 9, "t3.new.business": 1}
    result = save_values(session.refreshed(), POLICY, raw, NOW, "en")
    assert result.saved == {}
    assert [(p.field_id, p.section_id) for p in result.problems] == [(None, "requests"), (None, "appeals")]
    assert "is submitted and waiting for review" in result.problems[0].text
    assert result.problems[1].text == "This section is approved and can no longer be changed."
    assert store.current_answers(cycle)["t3.new.natural"].value == 1
    # Values equal to what is stored are no change, so a re-sent full file raises nothing.
    same = save_values(session.refreshed(), POLICY, {"t3.new.natural": 1}, NOW, "en")
    assert same.problems == [] and same.saved == {}


def test_a_returned_section_goes_back_in_progress(session):
    store, cycle = session.store, session.cycle_id
    store.set_section_state(cycle, "requests", "returned", "user:1", NOW)
    save_values(session.refreshed(), POLICY, {"t3.new.natural": 1}, NOW, "zh")
    assert store.get_section_state(cycle, "requests").state == IN_PROGRESS


def natural_column(template, **given):
    """Every asked figure of table 三's 自然人 column: 0, except those given."""
    ids = [f.id for f in template.fields.values() if f.table_id == "t3" and f.id.endswith(".natural")]
    return {fid: given.get(fid.split(".")[1], 0) for fid in ids if template.fields[fid].derivation is None}


def test_check_values_writes_nothing_but_sees_the_checks_afterwards(session, template_2021):
    raw = natural_column(template_2021, new=5, granted=9)
    result = check_values(session, POLICY, raw, "en")
    assert result.saved == raw
    assert session.store.count_answer_versions(session.cycle_id) == 0
    assert session.store.get_section_state(session.cycle_id, "requests").state == NOT_STARTED
    assert result.findings, "the identity of table 三 fails with these numbers"
    assert all("t3." in ",".join(f.subject) for f in result.findings)
    saved = save_values(session, POLICY, raw, NOW, "en")
    assert [f.key() for f in saved.findings] == [f.key() for f in result.findings]


def test_computed_totals_are_not_entered(session):
    result = check_values(session, POLICY, {"t3.total_processed.natural": 4, "t3.new.natural": 1}, "en")
    assert [p.field_id for p in result.problems] == ["t3.total_processed.natural"]
    assert "is computed from the other figures" in result.problems[0].text
    # A computed value given as it is computed is no problem (a form sends the whole row back).
    same = {f"t4.cases.review_{k}": 1 for k in ("upheld", "corrected", "other", "pending")}
    same["t4.cases.review_total"] = "4"
    assert check_values(session, POLICY, same, "en").problems == []


def test_a_field_a_colleague_changed_since_it_was_offered_is_not_overwritten(session):
    store, cycle = session.store, session.cycle_id
    seen = session.versions(["t3.new.natural", "t3.new.legal"])
    save_values(session, COLLEAGUE, {"t3.new.natural": 4}, NOW, "zh")
    result = save_values(
        session.refreshed(), POLICY, {"t3.new.natural": 5, "t3.new.legal": 1}, NOW, "zh", seen
    )
    assert result.saved == {"t3.new.legal": 1}
    assert result.problems[0].text.startswith("未保存：在你填写期间，孙同事已于 09:00 保存了")
    assert store.current_answers(cycle)["t3.new.natural"].value == 4


def test_the_contacts_own_later_answers_are_theirs_to_replace(session):
    seen = session.versions(["t3.new.natural"])
    save_values(session, POLICY, {"t3.new.natural": 4}, NOW, "zh", seen)  # a first upload of a file
    again = save_values(session.refreshed(), POLICY, {"t3.new.natural": 5}, NOW, "zh", seen)  # corrected
    assert again.saved == {"t3.new.natural": 5} and again.problems == []


def test_a_saved_narrative_replaces_the_chat_draft(session):
    store, cycle = session.store, session.cycle_id
    store.set_conversation(
        cycle, 7, Position(drafts={"problems.text": ["x"], "overview.requests.text": ["a"]}).dump()
    )
    save_values(session, POLICY, {"overview.requests.text": "全年共收到申请。"}, NOW, "zh")
    assert Position.load(store.get_conversation(cycle, 7)).drafts == {"problems.text": ["x"]}


def test_narratives_have_the_chats_limit(session):
    result = check_values(session, POLICY, {"overview.requests.text": "字" * 20001}, "zh")
    assert result.saved == {} and "最多 20000 个字" in result.problems[0].text


def test_decimal_fields_take_the_chats_units_and_places(session):
    session.store.put_department(Department("approval", "行政审批科", ("proactive",)))
    approval = Contact(9, CONTACT, "赵审批", "approval", "en", 9)
    result = check_values(session.refreshed(), approval, {"t2.fees.amount": "1,250元"}, "en")
    assert result.saved == {"t2.fees.amount": Decimal("0.125")}
    result = check_values(session.refreshed(), approval, {"t2.fees.amount": 0.123456}, "en")
    assert "at most 4 decimal places" in result.problems[0].text
