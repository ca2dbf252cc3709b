"""Linear arithmetic over field ids, as written in templates: ``a.b + a.c = last_year(a.d) - 2``.

Templates are data written by coordinators, so expressions are parsed by a small grammar here and
never handed to ``eval``. Only sums and differences of fields, last year's fields and numbers exist.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from workflows.problems import Problem

Number = int | Decimal

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<last>last_year\(\s*(?P<inner>[A-Za-z_][\w.]*)\s*\))"
    r"|(?P<name>[A-Za-z_][\w.]*)|(?P<op>[+\-])|(?P<cmp><=|>=|=))"
)


class ExpressionError(Problem):
    """A template expression that does not parse."""


@dataclass(frozen=True)
class Term:
    """One signed operand: a field of this year, a field of last year, or a constant."""

    sign: int
    field: str | None = None
    last_year: bool = False
    constant: Number = 0


@dataclass(frozen=True)
class Expression:
    """A signed sum of terms."""

    terms: tuple[Term, ...]

    def fields(self, last_year: bool = False) -> list[str]:
        """Return the field ids this expression reads (this year's, or last year's)."""
        return [t.field for t in self.terms if t.field is not None and t.last_year == last_year]

    def evaluate(self, current: Mapping[str, Number], previous: Mapping[str, Number]) -> Number | None:
        """Return the value, or None when any operand is unknown."""
        total: Number = 0
        for term in self.terms:
            if term.field is None:
                value = term.constant
            else:
                value = (previous if term.last_year else current).get(term.field)
                if value is None:
                    return None
            total = _add(total, value if term.sign > 0 else -value)
        return total


@dataclass(frozen=True)
class Comparison:
    """``left op right`` where op is ``=``, ``<=`` or ``>=``."""

    left: Expression
    op: str
    right: Expression

    def holds(self, left: Number, right: Number) -> bool:
        """Return whether the comparison holds for these two evaluated sides."""
        if self.op == "=":
            return left == right
        return left <= right if self.op == "<=" else left >= right


def _add(a: Number, b: Number) -> Number:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return Decimal(a) + Decimal(b)
    return a + b


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ExpressionError("cannot read {rest!r} in {text!r}", rest=text[pos:], text=text)
        kind = match.lastgroup if match.lastgroup != "inner" else "last"
        value = match.group("inner") if kind == "last" else match.group(kind)
        out.append((kind, value))
        pos = match.end()
    return out


def _expression(tokens: list[tuple[str, str]], source: str) -> Expression:
    if not tokens:
        raise ExpressionError("empty side in {source!r}", source=source)
    terms, sign, expect_operand = [], 1, True
    for kind, value in tokens:
        if expect_operand:
            if kind == "op":
                sign = -sign if value == "-" else sign
                continue
            if kind == "number":
                constant: Number = Decimal(value) if "." in value else int(value)
                terms.append(Term(sign, constant=constant))
            elif kind in ("name", "last"):
                terms.append(Term(sign, field=value, last_year=kind == "last"))
            else:
                raise ExpressionError("unexpected {value!r} in {source!r}", value=value, source=source)
            sign, expect_operand = 1, False
        elif kind == "op":
            sign, expect_operand = (-1 if value == "-" else 1), True
        else:
            raise ExpressionError(
                "expected + or - before {value!r} in {source!r}", value=value, source=source
            )
    if expect_operand:
        raise ExpressionError("{source!r} ends with an operator", source=source)
    return Expression(tuple(terms))


def parse_expression(text: str) -> Expression:
    """Parse a sum such as ``a + b - last_year(c)``."""
    return _expression(_tokens(text), text)


def parse_comparison(text: str) -> Comparison:
    """Parse ``left = right`` (or ``<=``, ``>=``)."""
    tokens = _tokens(text)
    positions = [i for i, (kind, _) in enumerate(tokens) if kind == "cmp"]
    if len(positions) != 1:
        raise ExpressionError("{text!r} needs exactly one of =, <=, >=", text=text)
    at = positions[0]
    return Comparison(_expression(tokens[:at], text), tokens[at][1], _expression(tokens[at + 1 :], text))
