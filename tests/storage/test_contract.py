"""One contract suite, run against the TinyDB store on disk and in memory, and the independent dict store."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from storage import StorageError, memory_store, open_store
from storage.dict_store import DictStore
from storage.errors import TransactionMisuse
from storage.records import (
    APPROVED,
    COORDINATOR,
    DUE,
    NOT_STARTED,
    RETURNED,
    SENT,
    SUBMITTED,
    ChatState,
    Contact,
    Cycle,
    Department,
    Invite,
)

NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


STORES = {
    "memory": lambda tmp_path: memory_store(),
    "disk": lambda tmp_path: open_store(tmp_path / "db"),
    "dict": lambda tmp_path: DictStore(),  # written from the contract alone: a second opinion on it
}


@pytest.fixture(params=sorted(STORES))
def store(request, tmp_path):
    instance = STORES[request.param](tmp_path)
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
    store.put_department(Department("office", "办公室", ("intro",), active=False))
    assert [d.id for d in store.list_departments()] == ["office", "policy"]
    assert store.get_department("office").sections == ("intro",)
    assert store.get_department("office").active is False
    assert store.get_department("policy").head_user_id == 7
    assert store.get_department("nope") is None


def test_contacts_by_department_and_role(store):
    store.put_contact(Contact(1, "contact", "张三", "office", bound_at=NOW))
    store.put_contact(Contact(2, "contact", "李四", "policy", bound_at=NOW + timedelta(1)))
    store.put_contact(Contact(3, COORDINATOR, "王五"))
    assert store.get_contact(1).bound_at == NOW
    assert [c.user_id for c in store.list_contacts(department_id="office")] == [1]
    assert [c.user_id for c in store.list_contacts(role=COORDINATOR)] == [3]
    store.put_contact(Contact(1, "contact", "张三", "policy", bound_at=NOW))  # moved to another department
    assert store.list_contacts(department_id="office") == []
    assert [c.user_id for c in store.list_contacts(department_id="policy")] == [1, 2]
    assert {c.user_id for c in store.list_contacts()} == {1, 2, 3}
    assert store.remove_contact(2) is True
    assert store.remove_contact(2) is False
    assert store.get_contact(2) is None
    assert [c.user_id for c in store.list_contacts(department_id="policy")] == [1]


def test_used_invitations_are_remembered(store):
    assert store.get_invite("abc") is None
    store.put_invite(Invite("abc", "contact", "office", NOW, NOW + timedelta(days=1), 5, NOW))
    assert store.get_invite("abc").used_by == 5


def test_cycles_by_id(store):
    store.put_cycle(Cycle("2026", 2026, "gov-disclosure-2021", NOW, NOW + timedelta(days=10)))
    store.put_cycle(Cycle("2026-Q1", 2026, "quarterly", NOW - timedelta(days=1), NOW, period="Q1"))
    store.put_cycle(Cycle("2026", 2026, "gov-disclosure-2021", NOW, NOW + timedelta(days=12), opened=True))
    assert [c.id for c in store.list_cycles()] == ["2026-Q1", "2026"]
    cycle = store.get_cycle("2026")
    assert cycle.opened and cycle.deadline == NOW + timedelta(days=12) and cycle.reminder_plan == ()
    assert store.get_cycle("2026-Q1").period == "Q1"
    assert store.get_cycle("1999") is None


def test_answers_keep_every_version(store):
    store.save_answer("2026", "t3.new.natural", 40, "user:1", NOW, raw="40件")
    store.save_answers("2026", {"t3.new.natural": 41, "t3.new.legal": 2}, "user:2", NOW + timedelta(hours=1))
    store.save_answer("2025", "t3.new.natural", 7, "user:1", NOW)
    current = store.current_answers("2026")
    assert current["t3.new.natural"].value == 41 and current["t3.new.natural"].version == 2
    assert current["t3.new.natural"].by == "user:2"
    history = store.answer_history("2026", "t3.new.natural")
    assert [(v.value, v.by, v.raw, v.version) for v in history] == [
        (40, "user:1", "40件", 1),
        (41, "user:2", None, 2),
    ]
    assert store.count_answer_versions("2026") == 3
    assert store.current_answers("2025")["t3.new.natural"].value == 7
    assert store.answer_versions("2026", ["t3.new.natural", "t3.new.legal", "nope"]) == {
        "t3.new.natural": 2,
        "t3.new.legal": 1,
        "nope": 0,
    }


def test_deleting_an_answer_keeps_its_history(store):
    store.save_answer("2026", "problems.text", "第一稿", "user:1", NOW)
    store.delete_answer("2026", "problems.text", "user:1", NOW)
    assert "problems.text" not in store.current_answers("2026")
    assert [v.value for v in store.answer_history("2026", "problems.text")] == ["第一稿", None]


def test_section_states_record_transitions(store):
    assert store.get_section_state("2026", "requests").state == NOT_STARTED
    store.set_section_state("2026", "requests", SUBMITTED, "user:1", NOW)
    store.set_section_state("2026", "requests", RETURNED, "user:9", NOW, comment="表三第二行有误")
    state = store.set_section_state("2026", "requests", APPROVED, "user:9", NOW)
    assert state.state == APPROVED and state.version == 3
    assert [step["state"] for step in store.get_section_state("2026", "requests").history] == [
        SUBMITTED,
        RETURNED,
        APPROVED,
    ]
    assert store.get_section_state("2026", "requests").history[1]["comment"] == "表三第二行有误"
    assert set(store.list_section_states("2026")) == {"requests"}
    with pytest.raises(ValueError):
        store.set_section_state("2026", "requests", "lost", "x", NOW)


def test_reminders_are_logged_once_per_slot(store):
    assert store.record_reminder("2026", "office", "before:3", NOW, {"missing": 3}) is True
    assert store.record_reminder("2026", "office", "before:3", NOW) is False
    assert store.record_reminder("2026", "policy", "before:3", NOW + timedelta(1)) is True
    assert store.reminder_sent("2026", "office", "before:3")
    assert not store.reminder_sent("2026", "office", "before:1")
    assert [e.department_id for e in store.list_reminders("2026")] == ["office", "policy"]
    assert store.list_reminders("2026", "office")[0].detail == {"missing": 3}


def test_conversations_are_per_person_and_cycle(store):
    assert store.get_conversation("2026", 1) == {}
    store.set_conversation("2026", 1, {"unit": "requests", "seq": 3})
    store.set_conversation("2026", 2, {"unit": "overview"})
    store.set_conversation("2026-Q1", 1, {"unit": "x"})
    assert store.get_conversation("2026", 1) == {"unit": "requests", "seq": 3}
    assert store.get_conversation("2026", 2) == {"unit": "overview"}
    assert store.get_conversation("2026-Q1", 1) == {"unit": "x"}


def test_chats_remember_the_last_update(store):
    assert store.get_chat(5) == ChatState(5)
    store.put_chat(ChatState(5, last_update_id=17, last_message_id=40, pending={"code": "c"}))
    assert store.get_chat(5).last_update_id == 17 and store.get_chat(5).pending == {"code": "c"}


def test_outbox_keeps_what_is_due_in_order(store):
    first = store.add_delivery(5, "text", {"text": "一"}, NOW, 0, cause="update:1")
    second = store.add_delivery(6, "text", {"text": "二"}, NOW, 2, group="g")
    third = store.add_delivery(5, "text", {"text": "三"}, NOW, 0)
    assert [d.id for d in store.pending_deliveries()] == [first.id, second.id, third.id]
    from dataclasses import replace

    store.put_delivery(replace(first, state=SENT, message_id=99, finished_at=NOW))
    assert [d.id for d in store.pending_deliveries()] == [second.id, third.id]
    assert [(d.id, d.state) for d in store.recent_deliveries(5)] == [(first.id, SENT), (third.id, DUE)]
    assert store.recent_deliveries(5)[0].message_id == 99


def test_outbox_forgets_old_finished_deliveries(store):
    from dataclasses import replace

    for n in range(40):
        delivery = store.add_delivery(5, "text", {"text": str(n)}, NOW, 0)
        store.put_delivery(replace(delivery, state=SENT))
    assert len(store.recent_deliveries(5)) == 30


def test_jobs_and_blobs(store):
    job = store.add_job("assemble", {"cycle": "2026"}, NOW, cause="update:3")
    assert [j.id for j in store.pending_jobs()] == [job.id]
    from dataclasses import replace

    store.put_job(replace(job, tally={"sent": 2}))
    assert store.get_job(job.id).tally == {"sent": 2}
    store.put_job(replace(job, state=SENT))
    assert store.pending_jobs() == [] and store.get_job(job.id) is None
    name = store.put_blob(b"\x00docx")
    assert store.get_blob(name) == b"\x00docx" and name in store.blob_names()
    store.delete_blob(name)
    assert name not in store.blob_names()


def test_settings(store):
    store.set_setting("jobs", ["a"])
    assert store.get_setting("jobs") == ["a"]
    assert store.get_setting("other", 5) == 5


def test_a_transaction_commits_all_or_nothing(store):
    store.save_answer("2026", "a", 1, "u", NOW)
    with pytest.raises(RuntimeError), store.transaction():
        store.save_answer("2026", "a", 2, "u", NOW)
        store.save_answer("2026", "new", 5, "u", NOW)
        assert set(store.current_answers("2026")) == {"a", "new"}  # new tables are listed at once
        store.put_contact(Contact(1, "contact", "张三", "office"))
        store.set_conversation("2026", 1, {"seq": 1})
        raise RuntimeError("the handler failed")
    assert set(store.current_answers("2026")) == {"a"}
    assert store.current_answers("2026")["a"].value == 1
    assert store.answer_versions("2026", ["a"]) == {"a": 1}
    assert store.get_contact(1) is None and store.list_contacts(department_id="office") == []
    assert store.get_conversation("2026", 1) == {}
    with store.transaction():
        store.save_answer("2026", "a", 3, "u", NOW)
        assert store.current_answers("2026")["a"].value == 3  # a transaction reads its own writes
    assert store.answer_history("2026", "a")[-1].version == 2


def test_a_value_json_cannot_hold_is_refused_and_forgotten(store):
    with pytest.raises(ValueError):
        store.save_answer("2026", "a", float("nan"), "u", NOW)
    with pytest.raises(TypeError):
        store.set_setting("x", object())
    assert store.current_answers("2026") == {}
    store.save_answer("2026", "a", 1, "u", NOW)  # and the store goes on working
    assert store.answer_versions("2026", ["a"]) == {"a": 1}


async def test_another_task_cannot_write_into_an_open_transaction(store):
    entered, release = asyncio.Event(), asyncio.Event()

    async def handler():
        with store.transaction():
            store.save_answer("2026", "a", 1, "u", NOW)
            entered.set()
            await release.wait()  # a handler awaiting inside its unit of work (it must not, but if it did)
            store.save_answer("2026", "b", 1, "u", NOW)

    task = asyncio.create_task(handler())
    await entered.wait()
    with pytest.raises(TransactionMisuse):
        store.save_answer("2026", "c", 1, "intruder", NOW)  # would commit or roll back with the handler's
    release.set()
    await task
    assert set(store.current_answers("2026")) == {"a", "b"}
    store.save_answer("2026", "c", 1, "u", NOW)  # once it is done, anyone writes again
    assert store.answer_versions("2026", ["c"]) == {"c": 1}


def test_a_nested_failure_caught_inside_still_rolls_back(store):
    with pytest.raises(StorageError), store.transaction():
        store.save_answer("2026", "a", 1, "u", NOW)
        try:
            with store.transaction():
                store.save_answer("2026", "b", 1, "u", NOW)
                raise KeyError("inner")
        except KeyError:
            pass
    assert store.current_answers("2026") == {}


def test_confirmed_warnings_are_kept_once(store):
    store.confirm_finding("2026", "plausibility.ratio|t2.licensing.decisions|value=2000", "user:1", NOW)
    store.confirm_finding("2026", "plausibility.ratio|t2.licensing.decisions|value=2000", "user:2", NOW)
    confirmed = store.confirmed_findings("2026")
    assert list(confirmed) == ["plausibility.ratio|t2.licensing.decisions|value=2000"]
    assert confirmed["plausibility.ratio|t2.licensing.decisions|value=2000"]["by"] == "user:1"
    assert store.confirmed_findings("2025") == {}


def test_values_are_handed_in_and_out_as_copies(store):
    # Found by the dict store's suite: the TinyDB store used to copy only the outer dict.
    given = {"unit": "requests", "path": ["a", "b"]}
    store.set_conversation("2026", 1, given)
    given["path"].append("changed by the caller")
    got = store.get_conversation("2026", 1)
    assert got == {"unit": "requests", "path": ["a", "b"]}
    got["path"].append("changed by the reader")
    assert store.get_conversation("2026", 1)["path"] == ["a", "b"]
    store.save_answer("2026", "rows", [[1, 2]], "u", NOW)
    store.current_answers("2026")["rows"].value[0].append(3)
    assert store.current_answers("2026")["rows"].value == [[1, 2]]
    store.set_setting("ids", {"7": [1]})
    store.get_setting("ids")["7"].append(2)
    assert store.get_setting("ids") == {"7": [1]}


def test_contacts_never_bound_come_first_then_in_the_order_bound(store):
    store.put_contact(Contact(5, "contact", "甲", "office", bound_at=NOW + timedelta(2)))
    store.put_contact(Contact(9, "contact", "乙", "office"))
    store.put_contact(Contact(2, "contact", "丙", "office", bound_at=NOW))
    store.put_contact(Contact(4, "contact", "丁", "office"))
    assert [c.user_id for c in store.list_contacts(department_id="office")] == [4, 9, 2, 5]


def test_clearing_a_field_never_answered_writes_nothing(store):
    store.delete_answer("2026", "never", "u", NOW)
    assert store.answer_versions("2026", ["never"]) == {"never": 0}
    assert store.count_answer_versions("2026") == 0


def test_a_kept_file_outlives_a_rollback(store):
    with pytest.raises(RuntimeError), store.transaction():
        name = store.put_blob(b"kept")
        raise RuntimeError("the handler failed")
    assert store.get_blob(name) == b"kept"


def test_a_contact_has_a_channel_and_an_address(store):
    store.put_contact(Contact(1, "contact", "张三", "office"))
    stored = store.get_contact(1)
    assert (stored.channel, stored.address) == ("telegram", 1)  # a private chat's address is the person
    store.put_contact(Contact(2, "contact", "李四", "office", address=-1001, channel="wecom"))
    assert (store.get_contact(2).channel, store.get_contact(2).address) == ("wecom", -1001)


def test_a_contact_stored_before_channels_reads_as_telegrams(tmp_path):
    from storage.tiny_people import _contact

    legacy = {"user_id": 5, "role": "contact", "name": "王五", "department_id": "office", "chat_id": 5}
    assert (_contact(legacy).channel, _contact(legacy).address) == ("telegram", 5)
