"""A database of reportbot 0.1 (one file per table, keyed by year) is migrated once, with a backup."""

from __future__ import annotations

import json
from pathlib import Path

from storage import open_store
from storage.records import COORDINATOR, FROM_CONFIG, FROM_INVITE, SUBMITTED

LAYOUT1 = {
    "organisation": {"1": {"organisation": "江滨市科学技术局"}},
    "departments": {
        "1": {"id": "office", "name": "办公室", "sections": ["overview"], "head_user_id": None},
        "2": {"id": "policy", "name": "政策法规科", "sections": ["requests"], "head_user_id": 7},
    },
    "contacts": {
        "1": {
            "user_id": 1,
            "role": "coordinator",
            "name": "",
            "department_id": None,
            "lang": "zh",
            "chat_id": 1,
            "blocked": False,
            "bound_at": None,
        },
        "2": {
            "user_id": 12,
            "role": "contact",
            "name": "钱法规",
            "department_id": "policy",
            "lang": "en",
            "chat_id": 12,
            "blocked": True,
            "bound_at": "2027-01-05T09:00:00+08:00",
        },
    },
    "invites": {
        "1": {
            "code": "cpolicy-x",
            "role": "contact",
            "department_id": "policy",
            "created_at": "2027-01-05T09:00:00+08:00",
            "expires_at": "2027-01-12T09:00:00+08:00",
            "used_by": 12,
            "used_at": "2027-01-05T09:00:00+08:00",
        }
    },
    "cycles": {
        "1": {
            "year": 2026,
            "template_id": "gov-disclosure-2021",
            "opens_at": "2027-01-06T09:00:00+08:00",
            "deadline": "2027-01-20T18:00:00+08:00",
            "timezone": "Asia/Shanghai",
            "reminder_plan": ["before:3", "overdue"],
            "opened": True,
            "closed": False,
        }
    },
    "history@2026@00000": {
        "1": {
            "field": "t3.new.natural",
            "value": 40,
            "by": "user:12",
            "at": "2027-01-06T10:00:00+08:00",
            "version": 1,
            "raw": "40 2",
        },
        "2": {
            "field": "t3.new.legal",
            "value": 2,
            "by": "user:12",
            "at": "2027-01-06T10:00:00+08:00",
            "version": 1,
            "raw": "40 2",
        },
        "3": {
            "field": "t3.new.natural",
            "value": 41,
            "by": "user:12",
            "at": "2027-01-06T11:00:00+08:00",
            "version": 2,
            "raw": None,
        },
    },
    "sections@2026": {
        "1": {
            "section_id": "requests",
            "state": "submitted",
            "updated_at": "2027-01-06T12:00:00+08:00",
            "by": "user:12",
            "comment": None,
            "history": [
                {"state": "in_progress", "by": "user:12", "at": "2027-01-06T10:00:00+08:00", "comment": None},
                {"state": "submitted", "by": "user:12", "at": "2027-01-06T12:00:00+08:00", "comment": None},
            ],
        }
    },
    "reminders@2026": {
        "1": {
            "department_id": "office",
            "slot": "open",
            "sent_at": "2027-01-06T09:00:00+08:00",
            "detail": {"kind": "open"},
        }
    },
    "user_state": {
        "1": {
            "user_id": 12,
            "state": {
                "year": 2026,
                "unit": "overview",
                "mode": "answer",
                "drafts": {"overview.text": ["第一段"]},
            },
        }
    },
    "settings": {"1": {"key": "schema", "value": 1}},
}


def write_layout1(folder: Path) -> None:
    folder.mkdir()
    for table, docs in LAYOUT1.items():
        name = table.replace(":", "%3A") + ".json"
        (folder / name).write_text(json.dumps(docs, ensure_ascii=False), encoding="utf-8")


def test_a_layout1_database_is_migrated_once_with_a_backup(tmp_path):
    folder = tmp_path / "db"
    write_layout1(folder)
    store = open_store(folder)
    assert store.get_organisation() == {"organisation": "江滨市科学技术局"}
    assert [d.id for d in store.list_departments()] == ["office", "policy"]
    coordinator, contact = store.get_contact(1), store.get_contact(12)
    assert coordinator.role == COORDINATOR and coordinator.granted_by == FROM_CONFIG
    assert contact.department_id == "policy" and contact.lang == "en" and contact.blocked
    assert contact.granted_by == FROM_INVITE
    assert store.get_invite("cpolicy-x").used_by == 12
    cycle = store.get_cycle("2026")
    assert cycle.year == 2026 and cycle.opened and cycle.reminder_plan == ("before:3", "overdue")
    history = store.answer_history("2026", "t3.new.natural")
    assert [(v.value, v.version, v.raw) for v in history] == [(40, 1, "40 2"), (41, 2, None)]
    assert store.current_answers("2026")["t3.new.legal"].value == 2
    state = store.get_section_state("2026", "requests")
    assert state.state == SUBMITTED and state.version == 2
    assert store.reminder_sent("2026", "office", "open")
    assert store.get_conversation("2026", 12)["drafts"] == {"overview.text": ["第一段"]}
    store.close()

    backups = list(folder.glob("backup-layout1-*"))
    assert len(backups) == 1 and len(list(backups[0].iterdir())) == len(LAYOUT1)
    assert not list(folder.glob("*.json"))

    store = open_store(folder)  # nothing is migrated twice
    assert store.count_answer_versions("2026") == 3
    store.close()


def test_a_migration_cut_short_after_its_commit_is_not_repeated(tmp_path):
    folder = tmp_path / "db"
    write_layout1(folder)
    store = open_store(folder)
    store.close()
    backup = next(folder.glob("backup-layout1-*"))
    for file in backup.iterdir():  # as if the process died before moving the old files away
        file.rename(folder / file.name)
    store = open_store(folder)
    assert store.count_answer_versions("2026") == 3
    store.close()
