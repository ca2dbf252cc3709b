from decimal import Decimal

import pytest

from workflows.numbers import NumberProblem, format_number, parse_number, parse_numbers


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("163", "条", 163),
        ("１６３", "条", 163),
        ("1,482", "条", 1482),
        ("1，482", "条", 1482),
        ("163条", "条", 163),
        ("163 件", "条", 163),
        (" 12.5万元 ", "万元", Decimal("12.5")),
        ("12.5万", "万元", Decimal("12.5")),
        ("125000元", "万元", Decimal("12.5")),
        ("一百六十三", "条", 163),
        ("一千四百八十二条", "条", 1482),
        ("十二点五", "万元", Decimal("12.5")),
        ("无", "件", 0),
        ("零", "件", 0),
        ("-3", "件", -3),
    ],
)
def test_numbers_as_people_type_them(text, unit, expected):
    assert parse_number(text, unit) == Decimal(expected)


@pytest.mark.parametrize("text", ["abc", "12a", "1.2.3", "三条多", "{{ 7*7 }}", "12.5美元"])
def test_anything_else_is_refused(text):
    assert isinstance(parse_number(text, "条"), NumberProblem)


def test_empty_input_is_its_own_problem():
    assert parse_number("  ", "条") == NumberProblem("number.empty", {})


def test_a_row_answer_splits_on_spaces_commas_and_ideographic_commas():
    assert parse_numbers("3 0 1，2、4") == [3, 0, 1, 2, 4]
    assert parse_numbers("1,482 7") == [1482, 7]
    assert parse_numbers("３　０") == [3, 0]


def test_figures_print_without_noise():
    assert format_number(163) == "163"
    assert format_number(Decimal("12.50")) == "12.5"
    assert format_number(Decimal("4068.208")) == "4068.208"
    assert format_number(Decimal("5.0")) == "5"
    assert format_number(None) == ""
