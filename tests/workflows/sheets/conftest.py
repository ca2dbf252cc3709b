"""A report cycle in a memory store, and a contact who fills the workbook as an office would (openpyxl)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage import memory_store
from storage.records import CONTACT, Contact, Department
from tests.conftest import EXAMPLES
from workflows.cycles import new_cycle
from workflows.files import read_answers_file, read_profile
from workflows.session import ReportSession
from workflows.sheets.make import department_sheet

NOW = datetime(2022, 1, 10, 9, 0, tzinfo=UTC)
POLICY = Contact(12, CONTACT, "钱法规", "policy", "zh", 12)


@pytest.fixture
def session(template_2021):
    store = memory_store()
    for entry in read_profile(EXAMPLES / "2021" / "organisation.yaml").departments:
        store.put_department(Department(entry["id"], entry["name"], tuple(entry["sections"])))
    store.put_contact(POLICY)
    store.put_contact(Contact(11, CONTACT, "赵办公", "office", "en", 11))
    cycle = new_cycle(template_2021.id, 2021, NOW + timedelta(days=30), None, "Asia/Shanghai", NOW)
    store.put_cycle(cycle)
    previous = read_answers_file(EXAMPLES / "2021" / "previous.yaml")
    return ReportSession(store, template_2021, cycle, previous)


@pytest.fixture
def policy_sheet(session):
    return department_sheet(session, "policy", NOW, "zh")
