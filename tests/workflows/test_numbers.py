"""Number input that never guesses: what people type is read exactly, or refused with the reason."""

from decimal import Decimal

import cn2an
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.numbers import NumberProblem, format_number, parse_number, parse_numbers, split_row


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("163", "条", 163),
        ("１６３", "条", 163),
        ("1,482", "条", 1482),
        ("12,345,678", "件", 12345678),
        ("163条", "条", 163),
        ("163 件", "条", 163),
        (" 12.5万元 ", "万元", Decimal("12.5")),
        ("12.5万", "万元", Decimal("12.5")),
        ("125000元", "万元", Decimal("12.5")),
        ("1.2亿元", "万元", Decimal(12000)),
        ("1.2万", "件", 12000),
        ("3万件", "件", 30000),
        ("一百六十三", "条", 163),
        ("一千四百八十二条", "条", 1482),
        ("两千零五", "件", 2005),
        ("一万", "件", 10000),
        ("十二点五", "万元", Decimal("12.5")),
        ("无", "件", 0),
        ("零", "件", 0),
        ("-3", "件", -3),
        ("１２．５", "万元", Decimal("12.5")),
    ],
)
def test_numbers_as_people_type_them(text, unit, expected):
    assert parse_number(text, unit) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1 0", "number.several"),  # never 10
        ("-1 0 6", "number.several"),  # never -106
        ("120，340，560", "number.several"),  # never 120340560
        ("3、5", "number.several"),
        ("一百 二十", "number.several"),
        ("12,34", "number.separator"),  # not a thousands separator, not a decimal point
        ("1,2345", "number.separator"),
        ("一二三", "number.digit_string"),  # 123, or 1 2 3?
        ("abc", "number.unreadable"),
        ("12a", "number.unreadable"),
        ("1.2.3", "number.unreadable"),
        ("三条多", "number.unreadable"),
        ("{{ 7*7 }}", "number.unreadable"),
        ("12.5美元", "number.unreadable"),
        ("NaN", "number.unreadable"),
        ("Infinity", "number.unreadable"),
        ("1e5", "number.unreadable"),
        ("9" * 200, "number.unreadable"),
        ("  ", "number.empty"),
    ],
)
def test_anything_else_is_refused_with_its_reason(text, code):
    problem = parse_number(text, "件")
    assert isinstance(problem, NumberProblem) and problem.code == code


def test_a_refusal_quotes_what_was_typed():
    assert parse_number("1 0", "件") == NumberProblem("number.several", {"text": "1 0", "count": "2"})


def test_a_row_answer_splits_on_spaces_and_list_separators():
    assert parse_numbers("3 0 1，2、4") == [3, 0, 1, 2, 4]
    assert parse_numbers("1,482 7") == [1482, 7]
    assert parse_numbers("3,0,1") == [3, 0, 1]
    assert parse_numbers("３　０") == [3, 0]


def test_a_row_of_comma_joined_groups_that_fits_two_readings_is_not_guessed():
    assert split_row("100,200,300", 3).problem.code == "number.ambiguous_row"
    assert split_row("1,000", 2).problem.code == "number.ambiguous_row"
    assert split_row("1,000", 3).parts == ["1,000"]  # one reading only: one number (then the count is wrong)
    assert split_row("1,000 5 6", 3).parts == ["1,000", "5", "6"]


def test_figures_print_without_noise():
    assert format_number(163) == "163"
    assert format_number(Decimal("12.50")) == "12.5"
    assert format_number(Decimal("4068.208")) == "4068.208"
    assert format_number(Decimal("5.0")) == "5"
    assert format_number(None) == ""


# Properties ---------------------------------------------------------------------------------------
COUNTS = st.integers(min_value=0, max_value=10**9)


def typed_like_a_person(draw, n: int) -> str:
    """A way a Chinese user might type the count ``n``."""
    style = draw(st.sampled_from(["plain", "wide", "thousands", "unit", "spaced_unit", "numeral", "wan"]))
    if style == "wide":
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if style == "thousands":
        return f"{n:,}"
    if style == "unit":
        return f"{n}{draw(st.sampled_from(['件', '条', '个', '项']))}"
    if style == "spaced_unit":
        return f" {n} 件 "
    if style == "numeral":
        return cn2an.an2cn(n)
    if style == "wan" and n % 1000 == 0 and n >= 10000:
        return f"{format_number(Decimal(n) / 10000)}万"
    return str(n)


@given(st.data(), COUNTS)
def test_a_count_typed_any_usual_way_reads_back(data, n):
    text = typed_like_a_person(data.draw, n)
    assert parse_number(text, "件") == Decimal(n), text


@given(st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False, allow_infinity=False))
def test_an_amount_in_wan_yuan_reads_back_in_either_unit(amount):
    shown = format_number(amount)
    assert parse_number(shown, "万元") == amount
    assert parse_number(f"{shown}万元", "万元") == amount
    assert parse_number(f"{format_number(amount * 10000)}元", "万元") == amount


@given(COUNTS, COUNTS, st.sampled_from([" ", "  ", "，", "、", "；", "　"]))
def test_two_numbers_are_never_joined_into_one(a, b, separator):
    result = parse_number(f"{a}{separator}{b}", "件")
    assert isinstance(result, NumberProblem) and result.code == "number.several"


@settings(max_examples=500)
@given(st.text(max_size=60))
def test_no_input_ever_raises(text):
    for unit in ("件", "万元", "元", ""):
        assert isinstance(parse_number(text, unit), Decimal | NumberProblem)
    assert isinstance(split_row(text, 3).parts, list)
