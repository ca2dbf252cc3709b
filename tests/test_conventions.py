"""The project's own rules: layers, catalogs, docstrings. Cheap to check, easy to break unnoticed."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from tests.i18n_extract import messages
from workflows.i18n import catalog_ids, gettext

ROOT = Path(__file__).resolve().parents[1]


def modules(package):
    return sorted((ROOT / package).rglob("*.py"))


def imported(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0]


def test_layers():
    for path in modules("storage"):
        assert not {"telegram", "bot", "workflows"} & set(imported(path)), path
    for path in modules("workflows"):
        assert not {"telegram", "tinydb", "bot"} & set(imported(path)), path
    for path in modules("bot"):
        assert "tinydb" not in set(imported(path)), path
    # The dict store is a second opinion on the contract only while it shares no code with TinyDB's.
    for name in ("dict_store", "errors", "records", "contract"):
        assert "tinydb" not in set(imported(ROOT / "storage" / f"{name}.py")), name
    assert not re.search(r"from storage\.(tiny|journal)", (ROOT / "storage" / "dict_store.py").read_text())


# What only a chat app says: its slash commands, its links, its name, its button payloads.
CHANNEL_WORDS = re.compile(
    r"(?<![\w./{])/(fill|done|submit|status|missing|remind|approve|return|assemble|export|invite|cycle|lang|help"
    r"|start)\b|t\.me/|telegram|callback|chat_id",
    re.IGNORECASE,
)


def test_the_core_speaks_no_channel():
    """workflows/ refers to actions by name ({cmd_fill}); each channel says how its people do them."""
    found = []
    for path in modules("workflows"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and CHANNEL_WORDS.search(node.value)
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value[:60]!r}")
    assert not found, "channel words in the core:\n" + "\n".join(found)
    used = {m for m in messages() if not m.startswith("<")}
    worded = [m for m in used if CHANNEL_WORDS.search(gettext("zh", m)) and m in core_messages()]
    assert not worded, worded


def core_messages() -> set[str]:
    """The messages whose source is in workflows/ (bot/ may name its own commands)."""
    texts = set()
    for path in modules("workflows"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                texts.add(node.value)
    return texts


def public_definitions(tree):
    for node in tree.body:
        if isinstance(
            node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
        ) and not node.name.startswith("_"):
            yield node
            if isinstance(node, ast.ClassDef):
                yield from (
                    item
                    for item in node.body
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                    and not item.name.startswith("_")
                )


def test_public_functions_have_docstrings():
    undocumented = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"
        for package in ("storage", "workflows", "bot")
        for path in modules(package)
        for node in public_definitions(ast.parse(path.read_text(encoding="utf-8")))
        if not ast.get_docstring(node)
    ]
    assert undocumented == []


def test_every_message_is_in_both_catalogs():
    used = messages()
    assert len(used) > 100, "the extractor found too few messages: it is out of date"
    assert not [m for m in used if m.startswith("<cannot check")], "pass t() a literal or a module constant"
    for lang in ("zh", "en"):
        missing = used - catalog_ids(lang)
        assert not missing, f"missing from the {lang} catalog: {sorted(missing)}"


def test_catalog_placeholders_match_the_source():
    for lang in ("zh", "en"):
        for message in catalog_ids(lang):
            placeholders = set(re.findall(r"\{(\w+)\}", message))
            assert placeholders == set(re.findall(r"\{(\w+)\}", gettext(lang, message))), (lang, message)


def test_ruff_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", str(ROOT)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_posix_only_modules():
    # Windows offices run check, assemble and run: locking goes through filelock, never fcntl.
    posix_only = {"fcntl", "pwd", "grp", "termios", "resource"}
    for package in ("storage", "workflows", "bot"):
        for path in modules(package):
            assert not posix_only & set(imported(path)), path
