from decimal import Decimal

from workflows.model import Field
from workflows.validation import coerce, to_stored

COUNT = Field("t3.new.natural", "一、本年新收政府信息公开申请数量 · 自然人", unit="件", min=0)
MONEY = Field(
    "t2.fees.amount", "行政事业性收费 · 本年收费金额（单位：万元）", type="decimal", unit="万元", min=0
)
SHORT = Field("name", "联系人", type="text", max_length=5)
STORY = Field("problems.text", "存在的主要问题", type="narrative")


def test_counts_accept_typed_forms():
    assert coerce(COUNT, "４０件") == (40, None)
    assert coerce(COUNT, 40) == (40, None)
    assert coerce(COUNT, "四十") == (40, None)


def test_decimals_keep_exact_values():
    assert coerce(MONEY, "12.5万元") == (Decimal("12.5"), None)
    assert coerce(MONEY, 4068.208) == (Decimal("4068.208"), None)
    assert to_stored(Decimal("12.5")) == "12.5"


def test_each_problem_says_what_is_expected_in_both_languages():
    value, problem = coerce(COUNT, "很多")
    assert value is None
    assert problem.render("zh") == (
        "一、本年新收政府信息公开申请数量 · 自然人：“很多”不是有效数字。请输入数字，如 163、1,482 或 12.5"
        "（可带单位，如“件”；也可写“一百六十三”）"
    )
    assert "is not a number" in problem.render("en")
    assert coerce(COUNT, "2.5")[1].render("zh").endswith("应为整数，收到的是 2.5")
    assert coerce(COUNT, "-1")[1].render("zh").endswith("不能为负数（收到的是 -1）")
    assert coerce(COUNT, "-1")[1].render("en").endswith("cannot be negative (got -1)")
    assert coerce(COUNT, "")[1].render("zh").endswith("请填写数值")
    assert coerce(COUNT, True)[1] is not None


def test_bounds():
    bounded = Field("x", "比例", type="decimal", min=0, max=100)
    assert "超过上限 100" in coerce(bounded, "101")[1].render("zh")
    above_one = Field("y", "人数", min=1)
    assert "小于下限 1" in coerce(above_one, "0")[1].render("zh")


def test_text_is_cleaned_and_limited():
    assert coerce(SHORT, " 张三\x00 ") == ("张三", None)
    assert "最多 5 个字" in coerce(SHORT, "一二三四五六")[1].render("zh")
    assert coerce(STORY, "第一段\r\n\r\n第二段") == ("第一段\n\n第二段", None)
    assert coerce(STORY, "{{ 7*7 }} <b>&") == ("{{ 7*7 }} <b>&", None)


def test_a_single_number_prompt_refuses_several_numbers_and_says_how_to_write_one():
    assert coerce(COUNT, "1 0")[1].render("zh") == (
        "一、本年新收政府信息公开申请数量 · 自然人：“1 0”中有 2 个数。请只填一个数，例如 10"
    )
    assert (
        coerce(MONEY, "120，340，560")[1]
        .render("zh")
        .endswith("“120，340，560”中有 3 个数。请只填一个数，例如 10")
    )
    assert "不是千位分隔符" in coerce(COUNT, "12,34")[1].render("zh")


def test_figures_from_files_that_are_not_figures():
    for hostile in (float("nan"), float("inf"), -float("inf"), [1, 2], {"a": 1}):
        value, problem = coerce(COUNT, hostile)
        assert value is None and problem.fields == ("t3.new.natural",), hostile
        assert "\n" not in problem.render("zh")
    huge = coerce(COUNT, 10**400)[1].render("zh")
    assert huge.startswith("一、本年新收政府信息公开申请数量 · 自然人：") and huge.endswith(
        "超过上限 1000000000000000"
    )
    assert len(huge) < 120


def test_amounts_have_at_most_four_decimal_places():
    money = Field("t2.fees.amount", "收费金额", type="decimal", unit="万元", min=0, decimals=4)
    assert coerce(money, "12.3456") == (Decimal("12.3456"), None)
    assert "最多 4 位小数" in coerce(money, "12.34567")[1].render("zh")
