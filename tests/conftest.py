"""Shared fixtures: the bundled templates and example files."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflows.files import read_answers_file
from workflows.loader import load_template

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.fixture(autouse=True)
def english_command_line(monkeypatch):
    """Pin the command line's language (it follows LC_ALL/LC_MESSAGES/LANG) to English, whatever the
    machine's locale; tests of Chinese say so with --lang zh or their own LANG."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")


@pytest.fixture(scope="session")
def template_2018():
    return load_template("gov-disclosure-2018")


@pytest.fixture(scope="session")
def template_2021():
    return load_template("gov-disclosure-2021")


@pytest.fixture
def answers_2018():
    return read_answers_file(EXAMPLES / "2018" / "answers.yaml")


@pytest.fixture
def previous_2018():
    return read_answers_file(EXAMPLES / "2018" / "previous.yaml")


@pytest.fixture
def answers_2021():
    return read_answers_file(EXAMPLES / "2021" / "answers.yaml")


@pytest.fixture
def previous_2021():
    return read_answers_file(EXAMPLES / "2021" / "previous.yaml")
