"""One contract suite, run against the durable store and its in-memory twin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage import memory_store, open_store
from storage.records import APPROVED, NOT_STARTED, RETURNED, SUBMITTED, Contact, Cycle, Department, Invite

NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "disk"])
def store(request, tmp_path):
    instance = memory_store() if request.param == "memory" else open_store(tmp_path / "db")
    yield instance
    instance.close()


def test_organisation_profile_round_trips(store):
    assert store.get_organisation() == {}
    store.set_organisation({"organisation": "江滨市科学技术局", "phone": "0591-1"})
    store.set_organisation({"organisation": "江滨市科学技术局"})
    assert store.get_organisation() == {"organisation": "江滨市科学技术局"}


def test_departments_keep_their_order_and_sections(store):
    store.put_department(Department("office", "办公室", ("intro", "overview")))
    store.put_department(Department("policy", "政策法规科", ("requests",), head_user_id=7))
    store.put_department(Department("office", "办公室", ("intro",)))
    assert [d.id for d in store.list_departments()] == ["office", "policy"]
    assert store.get_department("office").sections == ("intro",)
    assert store.get_department("policy").head_user_id == 7
    assert store.get_department("nope") is None


def test_contacts_by_department_and_role(store):
    store.put_contact(Contact(1, "contact", "张三", "office", bound_at=NOW))
    store.put_contact(Contact(2, "contact", "李四", "policy"))
    store.put_contact(Contact(3, "coordinator", "王五"))
    assert store.get_contact(1).bound_at == NOW
    assert [c.user_id for c in store.list_contacts(department_id="office")] == [1]
    assert [c.user_id for c in store.list_contacts(role="coordinator")] == [3]
    assert store.remove_contact(2) is True
    assert store.remove_contact(2) is False
    assert store.get_contact(2) is None


def test_invites_are_single_use_and_expire(store):
    store.put_invite(Invite("abc", "contact", "office", NOW, NOW + timedelta(days=1)))
    store.put_invite(Invite("old", "contact", "office", NOW, NOW + timedelta(minutes=1)))
    assert store.consume_invite("old", 5, NOW + timedelta(minutes=2)) is None
    used = store.consume_invite("abc", 5, NOW)
    assert used.used_by == 5 and used.used_at == NOW
    assert store.consume_invite("abc", 6, NOW) is None
    assert store.consume_invite("missing", 6, NOW) is None


def test_cycles_one_per_year(store):
    store.put_cycle(Cycle(2026, "gov-disclosure-2021", NOW, NOW + timedelta(days=10), reminder_plan=("d-3",)))
    store.put_cycle(Cycle(2025, "gov-disclosure-2021", NOW, NOW))
    store.put_cycle(Cycle(2026, "gov-disclosure-2021", NOW, NOW + timedelta(days=12), opened=True))
    assert [c.year for c in store.list_cycles()] == [2025, 2026]
    cycle = store.get_cycle(2026)
    assert cycle.opened and cycle.deadline == NOW + timedelta(days=12) and cycle.reminder_plan == ()
    assert store.get_cycle(1999) is None


def test_answers_keep_every_version(store):
    store.save_answer(2026, "t3.new.natural", 40, "user:1", NOW, raw="40件")
    store.save_answers(2026, {"t3.new.natural": 41, "t3.new.legal": 2}, "user:2", NOW + timedelta(hours=1))
    store.save_answer(2025, "t3.new.natural", 7, "user:1", NOW)
    current = store.current_answers(2026)
    assert current["t3.new.natural"].value == 41 and current["t3.new.natural"].version == 2
    assert current["t3.new.natural"].by == "user:2"
    history = store.answer_history(2026, "t3.new.natural")
    assert [(v.value, v.by, v.raw) for v in history] == [(40, "user:1", "40件"), (41, "user:2", None)]
    assert store.count_answer_versions(2026) == 3
    assert store.current_answers(2025)["t3.new.natural"].value == 7


def test_deleting_an_answer_keeps_its_history(store):
    store.save_answer(2026, "problems.text", "第一稿", "user:1", NOW)
    store.delete_answer(2026, "problems.text", "user:1", NOW)
    assert "problems.text" not in store.current_answers(2026)
    assert [v.value for v in store.answer_history(2026, "problems.text")] == ["第一稿", None]


def test_history_spans_chunks(store):
    for index in range(1203):
        store.save_answer(2026, f"f{index % 7}", index, "user:1", NOW)
    assert store.count_answer_versions(2026) == 1203
    assert store.current_answers(2026)["f0"].value == 1197
    assert len(store.answer_history(2026, "f0")) == 172


def test_section_states_record_transitions(store):
    assert store.get_section_state(2026, "requests").state == NOT_STARTED
    store.set_section_state(2026, "requests", SUBMITTED, "user:1", NOW)
    store.set_section_state(2026, "requests", RETURNED, "coordinator:9", NOW, comment="表三第二行有误")
    state = store.set_section_state(2026, "requests", APPROVED, "coordinator:9", NOW)
    assert state.state == APPROVED
    assert [step["state"] for step in store.get_section_state(2026, "requests").history] == [
        SUBMITTED,
        RETURNED,
        APPROVED,
    ]
    assert store.get_section_state(2026, "requests").history[1]["comment"] == "表三第二行有误"
    assert set(store.list_section_states(2026)) == {"requests"}
    with pytest.raises(ValueError):
        store.set_section_state(2026, "requests", "lost", "x", NOW)


def test_reminders_are_logged_once_per_slot(store):
    assert store.record_reminder(2026, "office", "d-3", NOW, {"missing": 3}) is True
    assert store.record_reminder(2026, "office", "d-3", NOW) is False
    assert store.record_reminder(2026, "policy", "d-3", NOW) is True
    assert store.reminder_sent(2026, "office", "d-3")
    assert not store.reminder_sent(2026, "office", "d-1")
    assert [e.department_id for e in store.list_reminders(2026)] == ["office", "policy"]
    assert store.list_reminders(2026, "office")[0].detail == {"missing": 3}


def test_user_state_and_settings(store):
    assert store.get_user_state(1) == {}
    store.set_user_state(1, {"section": "requests", "row": 3})
    assert store.get_user_state(1) == {"section": "requests", "row": 3}
    store.set_setting("jobs", ["a"])
    assert store.get_setting("jobs") == ["a"]
    assert store.get_setting("other", 5) == 5
