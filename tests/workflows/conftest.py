"""Fixtures of the workflow tests: the example report world (tests/workflows/scenario.py) over each store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage import memory_store
from storage.records import Contact, Department
from tests.workflows.scenario import STORES, World, build_world, previous_answers
from workflows.cycles import new_cycle
from workflows.i18n import ACTIONS, action_words, use_action_words
from workflows.session import ReportSession

OPENED = datetime(2022, 1, 10, 9, 0, tzinfo=UTC)  # the report of 2021, opened as 2022 begins


@pytest.fixture(autouse=True)
def a_chat_channel():
    """The core's wording as a chat channel names its actions (「/fill」), whatever this process loaded
    before; put back afterwards."""
    before = action_words()
    use_action_words({name: f"/{name}" for name in ACTIONS})
    yield
    use_action_words(before)


@pytest.fixture(params=sorted(STORES))
def any_store(request):
    """Each implementation of the storage contract in turn (TinyDB in memory, plain dicts)."""
    store = STORES[request.param]()
    yield store
    store.close()


@pytest.fixture
def world(any_store) -> World:
    """The example organisation with the 2025 report open since Wednesday 7 January 2026, 09:00."""
    return build_world(any_store)


@pytest.fixture
def world_with_last_year(any_store) -> World:
    """The same, with last year's figures of examples/2021/previous.yaml to compare with."""
    return build_world(any_store, previous=previous_answers())


@pytest.fixture
def policy_report(template_2021):
    """Build the 2021 report with 政策法规科 and 办公室, opened 10 January 2022, for the contacts given."""

    def build(*contacts: Contact, previous: dict | None = None) -> ReportSession:
        store = memory_store()
        store.put_department(Department("policy", "政策法规科", ("overview.requests", "requests", "appeals")))
        store.put_department(Department("office", "办公室", ("intro", "overview", "other")))
        for contact in contacts:
            store.put_contact(contact)
        cycle = new_cycle(template_2021.id, 2021, OPENED + timedelta(days=30), None, "Asia/Shanghai", OPENED)
        store.put_cycle(cycle)
        return ReportSession(store, template_2021, cycle, previous)

    return build
