"""Fixtures of the workflow tests: the example report world (tests/workflows/scenario.py) over each store."""

from __future__ import annotations

import pytest

from tests.workflows.scenario import STORES, World, build_world, previous_answers
from workflows.i18n import ACTIONS, action_words, use_action_words


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
