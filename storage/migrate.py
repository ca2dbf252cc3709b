"""Bring a database written by an earlier reportbot to the current layout, keeping a backup of the old one.

Layout 1 (reportbot 0.1) kept one JSON file per table, keyed everything by report year and put all
conversation state, contacts and reminders in single tables. It is read once, written into the current
store in one transaction (with a marker, so a crash can never migrate twice), and its files are then
moved into ``backup-layout1-<time>/`` inside the database folder.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from storage.files import fsync_directory, private_folder
from storage.records import (
    COORDINATOR,
    FROM_CONFIG,
    FROM_INVITE,
    Contact,
    Cycle,
    Department,
    Invite,
)

log = logging.getLogger(__name__)
MARKER = "migrated_from_layout1"
LAYOUT1_TABLES = ("organisation", "departments", "contacts", "invites", "cycles", "user_state", "settings")


def layout1_files(directory: Path) -> list[Path]:
    """The files of a layout-1 database in ``directory`` (none for a current one)."""
    files = []
    for file in directory.glob("*.json"):
        name = unquote(file.stem)
        if name in LAYOUT1_TABLES or name.startswith(("history@", "sections@", "reminders@")):
            files.append(file)
    return sorted(files)


def migrate_layout1(store, directory: Path) -> bool:
    """Migrate a layout-1 database found in ``directory`` into ``store``; True if anything was done."""
    files = layout1_files(directory)
    if not files:
        return False
    if store.get_setting(MARKER) is None:
        tables = {unquote(f.stem): json.loads(f.read_text(encoding="utf-8")) for f in files}
        stamp = datetime.now(UTC).isoformat()
        with store.transaction():
            _copy(store, tables)
            store.set_setting(MARKER, stamp)
        log.info("migrated a layout-1 database (%d tables) in %s", len(tables), directory)
    backup = directory / f"backup-layout1-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    private_folder(backup)
    for file in files:
        os.replace(file, backup / file.name)
    fsync_directory(backup)
    fsync_directory(directory)
    log.info("the old files are kept in %s", backup)
    return True


def _docs(table: dict[str, Any]) -> list[dict[str, Any]]:
    return [table[key] for key in sorted(table, key=int)]


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _copy(store, tables: dict[str, dict[str, Any]]) -> None:
    for doc in _docs(tables.get("organisation", {}))[:1]:
        store.set_organisation(doc)
    for doc in _docs(tables.get("departments", {})):
        store.put_department(
            Department(doc["id"], doc["name"], tuple(doc.get("sections", ())), doc.get("head_user_id"))
        )
    for doc in _docs(tables.get("contacts", {})):
        bound = _when(doc.get("bound_at"))
        # Layout 1 created configured coordinators without a binding time; invited people had one.
        granted = FROM_CONFIG if doc["role"] == COORDINATOR and bound is None else FROM_INVITE
        store.put_contact(
            Contact(
                doc["user_id"],
                doc["role"],
                doc.get("name", ""),
                doc.get("department_id"),
                doc.get("lang", "zh"),
                doc.get("chat_id"),
                doc.get("blocked", False),
                bound,
                granted,
            )
        )
    for doc in _docs(tables.get("invites", {})):
        if doc.get("used_by") is not None:
            store.put_invite(
                Invite(
                    doc["code"],
                    doc["role"],
                    doc.get("department_id"),
                    _when(doc["created_at"]),
                    _when(doc["expires_at"]),
                    doc["used_by"],
                    _when(doc.get("used_at")),
                )
            )
    for doc in _docs(tables.get("cycles", {})):
        store.put_cycle(
            Cycle(
                str(doc["year"]),
                doc["year"],
                doc["template_id"],
                _when(doc["opens_at"]),
                _when(doc["deadline"]),
                doc.get("timezone", "Asia/Shanghai"),
                tuple(doc.get("reminder_plan", ())),
                doc.get("opened", False),
                doc.get("closed", False),
            )
        )
    for name in sorted(n for n in tables if n.startswith("history@")):
        cycle_id = name.split("@")[1]
        for doc in _docs(tables[name]):
            store.save_answers(
                cycle_id,
                {doc["field"]: doc["value"]},
                doc["by"],
                _when(doc["at"]),
                {doc["field"]: doc["raw"]} if doc.get("raw") else None,
            )
    for name in sorted(n for n in tables if n.startswith("sections@")):
        cycle_id = name.split("@")[1]
        for doc in _docs(tables[name]):
            for step in doc.get("history", []):
                store.set_section_state(
                    cycle_id,
                    doc["section_id"],
                    step["state"],
                    step["by"],
                    _when(step["at"]),
                    step.get("comment"),
                )
    for name in sorted(n for n in tables if n.startswith("reminders@")):
        cycle_id = name.split("@")[1]
        for doc in _docs(tables[name]):
            store.record_reminder(
                cycle_id, doc["department_id"], doc["slot"], _when(doc["sent_at"]), doc.get("detail")
            )
    for doc in _docs(tables.get("user_state", {})):
        state = dict(doc.get("state", {}))
        if "year" in state:
            # Keep the open section and the half-written texts; the position is recomputed.
            store.set_conversation(
                str(state["year"]),
                doc["user_id"],
                {"unit": state.get("unit"), "drafts": state.get("drafts") or {}},
            )
    for doc in _docs(tables.get("settings", {})):
        store.set_setting(doc["key"], doc["value"])
