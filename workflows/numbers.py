"""Read numbers the way people type them: 「163」「１６３」「1,482」「163条」「12.5万元」「一百六十三」."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import cn2an

# Counting units people append to a figure; any of them is accepted after a count.
COUNT_UNITS = ("条", "件", "个", "项", "次", "人", "份", "家", "篇", "期", "场", "起", "宗", "批")
ZERO_WORDS = {"无", "没有", "零", "暂无", "空", "none", "nil"}
_NUMBER = re.compile(r"^([+-]?)(\d+(?:\.\d+)?)$")
_CHINESE_NUMERAL = re.compile(r"^[零〇一二两三四五六七八九十百千万亿点负壹贰叁肆伍陆柒捌玖拾佰仟]+$")


@dataclass(frozen=True)
class NumberProblem:
    """Why a text is not a number: a message code and what to show with it."""

    code: str
    params: dict[str, str]


def normalise(text: str) -> str:
    """Fold full-width characters, drop spaces and thousands separators."""
    folded = unicodedata.normalize("NFKC", text).strip()
    folded = re.sub(r"\s+", "", folded)
    return re.sub(r"(?<=\d)[,，'’](?=\d{3}(?:\D|$))", "", folded)


def _strip_unit(text: str, unit: str) -> tuple[str, Decimal]:
    """Remove a trailing unit; return the text left and the factor that converts to ``unit``."""
    if unit and text.endswith(unit):
        return text[: -len(unit)], Decimal(1)
    if unit == "万元":
        if text.endswith("元"):
            return text[:-1], Decimal("0.0001")
        if text.endswith("万"):
            return text[:-1], Decimal(1)
    if unit == "元" and text.endswith("万元"):
        return text[:-2], Decimal(10000)
    for counter in COUNT_UNITS:
        if text.endswith(counter):
            return text[: -len(counter)], Decimal(1)
    return text, Decimal(1)


def parse_number(text: str, unit: str = "") -> Decimal | NumberProblem:
    """Parse one typed number for a field measured in ``unit``."""
    raw = normalise(text)
    if not raw:
        return NumberProblem("number.empty", {})
    if raw.lower() in ZERO_WORDS:
        return Decimal(0)
    body, factor = _strip_unit(raw, unit)
    match = _NUMBER.match(body)
    if match:
        try:
            value = Decimal(match.group(2))
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
            return NumberProblem("number.unreadable", {"text": text.strip()})
        return (-value if match.group(1) == "-" else value) * factor
    if _CHINESE_NUMERAL.match(body):
        try:
            return Decimal(str(cn2an.cn2an(body, "smart"))) * factor
        except (ValueError, KeyError):
            pass
    return NumberProblem("number.unreadable", {"text": text.strip()})


def split_row(text: str) -> list[str]:
    """Split a row answer such as 「3 0 1 0」, 「3，0，1，0」 or 「1,482 7」 into its numbers' texts."""
    folded = unicodedata.normalize("NFKC", text).strip()
    folded = re.sub(r"(?<=\d),(?=\d{3}(?:\D|$))", "", folded)  # 1,482 is one number, 3,0,1 three
    return [part for part in re.split(r"[\s,;、/|]+", folded) if part]


def parse_numbers(text: str, unit: str = "") -> list[Decimal | NumberProblem]:
    """Parse every number of a row answer."""
    return [parse_number(part, unit) for part in split_row(text)]


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
