"""Read numbers as people type them, never guessing: 「163」「１６３」「1,482」「12.5万元」「一百六十三」.

A single-number answer holds exactly one number. Digits separated by spaces (「1 0」), several numbers
(「3，5」) and commas that are not an exact thousands separator (「12,34」) are refused with the reason,
never joined into a number nobody typed. Thousands separators count only in their exact form
(``1,234``, ``12,345,678``); a full-width comma 「，」 or 「、」 always separates numbers. ``万`` and
``亿`` multiply where the field's unit allows it (a count of 1.2万 is 12000; in a 万元 field 「12.5万」
is 12.5 万元). Chinese numerals with place values are read (一百二十三, 两千零五); a bare digit sequence
such as 「一二三」 is refused, since it might be three numbers. Nothing here raises on any input.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import cn2an

# Counting units people append to a figure; any of them is accepted after a count.
COUNT_UNITS = ("条", "件", "个", "项", "次", "人", "份", "家", "篇", "期", "场", "起", "宗", "批", "人次")
ZERO_WORDS = {"无", "没有", "零", "暂无", "空", "none", "nil"}
MAX_LENGTH = 40  # longer than any number a person types
LIST_SEPARATORS = "，、；;／/|｜"  # never part of one number
_DIGITS = re.compile(r"^([+-]?)(\d+(?:\.\d+)?)$")
_THOUSANDS = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+)(\.\d+)?$")
_NUMERAL = re.compile(r"^[负]?[零〇一二两三四五六七八九十百千万亿点壹贰叁肆伍陆柒捌玖拾佰仟廿]+$")
_PLACE = re.compile(r"[十百千万亿拾佰仟廿点]")
_NUMERIC_CHAR = re.compile(r"[\d零〇一二两三四五六七八九十百千壹贰叁肆伍陆柒捌玖拾佰仟]")


@dataclass(frozen=True)
class NumberProblem:
    """Why a text is not one number: a message code and what to show with it."""

    code: str  # number.empty, number.unreadable, number.several, number.separator, number.digit_string
    params: dict[str, str] = field(default_factory=dict)


def fold(text: str) -> str:
    """Full-width digits and letters to ASCII; the full-width comma stays a Chinese comma."""
    folded = "".join("，" if char == "，" else unicodedata.normalize("NFKC", char) for char in text)
    return folded.replace("\u3000", " ").strip()


def _unit_factor(body: str, unit: str) -> tuple[str, Decimal]:
    """Remove a trailing unit; return the text left and the factor that converts it to ``unit``."""
    if unit == "万元":
        for suffix, factor in (
            ("万元", 1),
            ("亿元", 10000),
            ("元", Decimal("0.0001")),
            ("万", 1),
            ("亿", 10000),
        ):
            if body.endswith(suffix):
                return body[: -len(suffix)].rstrip(), Decimal(factor)
        return body, Decimal(1)
    if unit == "元":
        for suffix, factor in (("万元", 10000), ("亿元", 10**8), ("元", 1)):
            if body.endswith(suffix):
                return body[: -len(suffix)].rstrip(), Decimal(factor)
    for counter in sorted({unit, *COUNT_UNITS} - {""}, key=len, reverse=True):
        if body.endswith(counter):
            body = body[: -len(counter)].rstrip()
            break
    # 万 and 亿 multiply a count (1.2万件 = 12000), but only after digits: 「一万」 is a numeral.
    for suffix, factor in (("万", 10**4), ("亿", 10**8)):
        if body.endswith(suffix) and body[:-1][-1:].isdigit():
            return body[:-1].rstrip(), Decimal(factor)
    return body, Decimal(1)


def parse_number(text: str, unit: str = "") -> Decimal | NumberProblem:
    """Parse one typed number for a field measured in ``unit``; a problem (never an exception) otherwise."""
    try:
        return _parse(text, unit)
    except Exception:  # a bug here must never reach a person as a traceback
        return NumberProblem("number.unreadable", {"text": str(text)[:MAX_LENGTH]})


def _parse(text: str, unit: str) -> Decimal | NumberProblem:
    shown = str(text).strip()
    if len(shown) > MAX_LENGTH:
        return NumberProblem("number.unreadable", {"text": shown[:MAX_LENGTH] + "…"})
    raw = fold(shown)
    if not raw:
        return NumberProblem("number.empty")
    if raw.lower() in ZERO_WORDS:
        return Decimal(0)
    several = _count_numbers(raw)
    if several > 1:
        return NumberProblem("number.several", {"text": shown, "count": str(several)})
    body, factor = _unit_factor(raw, unit)
    body = body.replace(" ", "")
    value = _digits(body)
    if isinstance(value, NumberProblem):
        value = _numeral(body, shown) if _NUMERAL.match(body) else value
    if isinstance(value, NumberProblem):
        if value.code == "number.unreadable":
            return NumberProblem("number.unreadable", {"text": shown})
        return replace_text(value, shown)
    return value * factor


def replace_text(problem: NumberProblem, text: str) -> NumberProblem:
    """The same problem, quoting what the person typed."""
    return NumberProblem(problem.code, {**problem.params, "text": text})


def _count_numbers(text: str) -> int:
    """How many separate numbers a text holds (digit groups split by spaces or list separators)."""
    parts = re.split(f"[\\s{re.escape(LIST_SEPARATORS)}]+", text)
    return sum(1 for part in parts if _NUMERIC_CHAR.search(part))


def _digits(body: str) -> Decimal | NumberProblem:
    match = _DIGITS.match(body)
    if match is None:
        thousands = _THOUSANDS.match(body)
        if thousands is None:
            if "," in body and re.fullmatch(r"[+-]?[\d,.]+", body):
                return NumberProblem("number.separator")
            return NumberProblem("number.unreadable")
        sign, whole, decimals = thousands.groups()
        match = _DIGITS.match(sign + whole.replace(",", "") + (decimals or ""))
    try:
        value = Decimal(match.group(2))
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        return NumberProblem("number.unreadable")
    return -value if match.group(1) == "-" else value


def _numeral(body: str, shown: str) -> Decimal | NumberProblem:
    digits_only = body.lstrip("负")
    if len(digits_only) > 1 and not _PLACE.search(digits_only):
        return NumberProblem("number.digit_string", {"text": shown})  # 「一二三」: 123, or 1 2 3?
    try:
        value = cn2an.cn2an(body, "normal")
    except (ValueError, KeyError, IndexError, TypeError):
        return NumberProblem("number.unreadable")
    return Decimal(str(value))


@dataclass(frozen=True)
class RowSplit:
    """A row answer cut into the texts of its numbers, or why it cannot be cut without guessing."""

    parts: list[str]
    problem: NumberProblem | None = None


def split_row(text: str, expected: int | None = None) -> RowSplit:
    """Cut a row answer such as 「3 0 1 0」, 「3，0，1，0」 or 「1,482 7」 into its numbers' texts.

    An exact thousands number (「1,482」) is one number; other ASCII commas separate numbers. A text of
    comma-joined groups alone (「100,200,300」) may be one number or several: when both readings fit,
    the person is asked to use spaces instead of being guessed at."""
    folded = fold(str(text))
    tokens = [t for t in re.split(f"[\\s{re.escape(LIST_SEPARATORS)}]+", folded) if t]
    if len(tokens) == 1 and _THOUSANDS.match(tokens[0]) and expected is not None:
        listed = [p for p in tokens[0].split(",") if p]
        if len(listed) == expected and expected != 1:
            return RowSplit(
                [], NumberProblem("number.ambiguous_row", {"text": str(text).strip(), "count": str(expected)})
            )
    parts: list[str] = []
    for token in tokens:
        if "," in token and not _THOUSANDS.match(token):
            parts.extend(p for p in token.split(",") if p)
        else:
            parts.append(token)
    return RowSplit(parts)


def parse_numbers(text: str, unit: str = "") -> list[Decimal | NumberProblem]:
    """Parse every number of a row answer."""
    return [parse_number(part, unit) for part in split_row(text).parts]


def format_number(value: Decimal | int | float | None) -> str:
    """Print a figure as the report prints it: integers plainly, decimals without trailing zeros."""
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")
