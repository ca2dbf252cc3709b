"""Find every user-facing source string: the first string argument of ``t(…)``/``gettext(…)`` calls,
module constants passed to them, and the tables of texts translated by lookup (commands, states)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRANSLATED_TABLES = {
    "CONTACT_COMMANDS",
    "COORDINATOR_COMMANDS",
    "_STATES",
    "REFUSALS",
    "STATES",
    "PAGE_TEXTS",
    "FORM_REFUSALS",
}


def _strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _assignments(tree: ast.Module):
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            yield node.targets[0].id, node.value


def _table_texts(value: ast.AST) -> list[str]:
    if isinstance(value, ast.Dict):  # {key: "english"}
        return [v.value for v in value.values if isinstance(v, ast.Constant)]
    # ("state", …) or [("command", "description"), …]
    return [elt.value if isinstance(elt, ast.Constant) else elt.elts[1].value for elt in value.elts]


def _argument_texts(arg: ast.AST, constants: dict[str, str]) -> list[str]:
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return [arg.value]
    if isinstance(arg, ast.Name | ast.Attribute):
        name = arg.id if isinstance(arg, ast.Name) else arg.attr
        if name in constants:
            return [constants[name]]
    if isinstance(arg, ast.IfExp):
        return _strings(arg.body) + _strings(arg.orelse)
    if ast.unparse(arg).endswith(".message") or isinstance(arg, ast.Name | ast.Subscript | ast.Call):
        return []  # a Finding's MSG_ constant, or a lookup in a translated table: collected elsewhere
    return [f"<cannot check {ast.unparse(arg)}>"]


def _problem_classes(trees: list[ast.Module]) -> set[str]:
    """Problem and every class that derives from it (their first argument is a catalog message)."""
    bases = {
        node.name: {ast.unparse(base).split(".")[-1] for base in node.bases}
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
    }
    found = {"Problem"}
    while grown := {name for name, of in bases.items() if of & found} - found:
        found |= grown
    return found


def messages() -> set[str]:
    """Every English source string that must have a Chinese translation."""
    paths = [p for package in ("workflows", "bot") for p in sorted((ROOT / package).rglob("*.py"))]
    trees = [ast.parse(p.read_text(encoding="utf-8")) for p in paths]
    constants = {
        name: value.value
        for tree in trees
        for name, value in _assignments(tree)
        if isinstance(value, ast.Constant) and isinstance(value.value, str)
    }
    found = {text for name, text in constants.items() if name.startswith("MSG_")}
    problems = _problem_classes(trees)
    for tree in trees:
        for name, value in _assignments(tree):
            if name in TRANSLATED_TABLES:
                found.update(_table_texts(value))
        for node in ast.walk(tree):
            is_t = (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("t", "gettext")
            )
            if is_t and len(node.args) >= 2:
                found.update(_argument_texts(node.args[1], constants))
            if isinstance(node, ast.Call) and node.args and ast.unparse(node.func).split(".")[-1] in problems:
                found.update(_argument_texts(node.args[0], constants))
            is_tn = isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "tn"
            if is_tn and len(node.args) >= 3:  # both the singular and the plural source must be translated
                found.update(
                    _argument_texts(node.args[1], constants) + _argument_texts(node.args[2], constants)
                )
    return found
