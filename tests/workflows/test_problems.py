from workflows.loader import load_template
from workflows.model import TemplateError
from workflows.problems import Problem, rendered


def test_a_problem_is_worded_by_whoever_shows_it():
    problem = TemplateError("field id {id!r} is used twice", id="t1.a").at("mine.yaml")
    assert problem.render("zh") == "mine.yaml: 字段编号 't1.a' 重复使用"
    assert problem.render("en") == str(problem) == "mine.yaml: field id 't1.a' is used twice"


def test_locations_nest_outermost_first_and_other_errors_pass_through():
    problem = Problem("no such file").at("b").at("a")
    assert problem.render("en") == "a: b: no such file"
    assert rendered(KeyError("x"), "zh") == "'x'"


def test_a_broken_expression_in_a_template_is_located_in_its_file(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(
        "id: t\nname: t\ntitle: t\nsections:\n  - id: s\n    heading: 一、\n    blocks:\n"
        "      - fields: [{id: a}, {id: b}]\n      - table: {id: x, columns: [{key: v, label: v}],"
        " rows: [{key: r, label: r}]}\nrules:\n  - {check: 'a b = 1', message: m}\n",
        encoding="utf-8",
    )
    try:
        load_template(path)
    except TemplateError as exc:
        assert exc.render("zh") == "t.yaml: 'a b = 1' 中 'b' 前应有 + 或 -"
        assert exc.render("en") == "t.yaml: expected + or - before 'b' in 'a b = 1'"
    else:
        raise AssertionError("the template loaded")


def test_the_core_names_actions_as_the_channel_says():
    from workflows.i18n import action_words, t, use_action_words

    before = action_words()
    try:
        use_action_words({"fill": "the 填写 button"})
        assert t("en", "Send {cmd_fill} to start filling in your sections.").startswith(
            "Send the 填写 button"
        )
        use_action_words({})
        assert t("zh", "Send {cmd_fill} to start filling in your sections.").count("[fill]") == 1
    finally:
        use_action_words(before)
