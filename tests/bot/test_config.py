from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_the_annotated_example_loads():
    settings = load_settings(ROOT / "examples" / "reportbot.example.toml", env={"REPORTBOT_TOKEN": "1:abc"})
    assert settings.template.id == "gov-disclosure-2021"
    assert [d.id for d in settings.departments] == ["office", "policy", "approval", "it", "hr"]
    assert settings.cycle.year == 2026 and settings.cycle.deadline.hour == 18
    assert str(settings.cycle.deadline.tzinfo) == "Asia/Shanghai"
    assert settings.token == "1:abc" and settings.api_url == "https://api.telegram.org/bot"
    assert settings.database == ROOT / "examples" / "reportbot-data"


def test_environment_overrides_the_api_url():
    env = {"REPORTBOT_API_URL": "http://127.0.0.1:8081/bot"}
    assert (
        load_settings(ROOT / "examples" / "reportbot.example.toml", env=env).api_url
        == "http://127.0.0.1:8081/bot"
    )


def write(tmp_path, text):
    path = tmp_path / "reportbot.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[bot\n", "not valid TOML"),
        ("[bot]\ntimezone = 'Mars/Olympus'\n", "unknown time zone"),
        ("[report]\ntemplate = 'nope'\n", "no template 'nope'"),
        ("[[departments]]\nid = 'of-fice'\nname = 'x'\n", "letters and digits"),
        ("[[departments]]\nid = 'a'\nname = 'x'\nsections = ['nowhere']\n", "has no section 'nowhere'"),
        (
            "[[departments]]\nid='a'\nname='x'\nsections=['requests']\n[[departments]]\nid='b'\nname='y'\n"
            "sections=['requests']\n",
            "assigned to both a and b",
        ),
        ("[cycle]\nyear = 2026\n", "needs year and deadline"),
        ("[cycle]\nyear = 2026\ndeadline = 'soon'\n", "is not a date"),
    ],
)
def test_bad_configurations_are_one_clear_line(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(write(tmp_path, text), env={}, lang="en")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[bot\n", "TOML 格式有误（第 1 行第 5 列）"),
        ("[report]\ntemplate = 'nope'\n", "没有模板 'nope'"),
        (
            "[[departments]]\nid = 'a'\nname = 'x'\nsections = ['nowhere']\n",
            "模板 gov-disclosure-2021 中没有章节 'nowhere'",
        ),
        (
            "[[departments]]\nid='a'\nname='x'\nsections=['requests']\n[[departments]]\nid='b'\nname='y'\n"
            "sections=['requests']\n",
            "章节 'requests' 同时分配给了 a 和 b",
        ),
    ],
)
def test_configuration_problems_from_lower_layers_are_in_chinese_too(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(write(tmp_path, text), env={}, lang="zh")


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_settings(tmp_path / "none.toml", env={}, lang="en")


def example_with(tmp_path, *replacements):
    text = (ROOT / "examples" / "reportbot.example.toml").read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return write(tmp_path, text)


@pytest.mark.parametrize(
    ("replacement", "problem"),
    [
        (("[[departments]]", "[[departmets]]"), "departmets: unknown key; did you mean 'departments'?"),
        (("template = ", "templte = "), "report.templte: unknown key; did you mean 'template'?"),
        (
            ('name = "信息中心"', 'name = "信息中心"\nhead_user_id = "@boss"'),
            "departments[3] (it).head_user_id: '@boss' is not a numeric Telegram user id",
        ),
        (
            ("escalate_after = 3", 'escalate_after = "three"'),
            "reminders.escalate_after: expected a whole number, got 'three'",
        ),
        (("[bot]\n", 'bot = "x"\n[bott]\n'), "bot: expected a table [bot], got 'x'"),
        (
            ("# coordinators = [123456789]", 'coordinators = ["@chief"]'),
            "coordinators[0]: '@chief' is not a numeric Telegram user id",
        ),
        (
            ('sections = ["overview.platforms"]', "sections = []"),
            "departments[3] (it).sections: no sections: list the template sections",
        ),
        (
            ('sections = ["overview.oversight", "problems"]', 'sections = ["overview.oversight"]'),
            "departments: no department writes section 'problems'",
        ),
    ],
)
def test_each_problem_names_its_key(tmp_path, replacement, problem):
    with pytest.raises(ConfigError) as caught:
        load_settings(example_with(tmp_path, replacement), env={}, lang="en")
    assert [p for p in caught.value.problems if p.startswith(problem)], caught.value.problems


def test_every_problem_is_reported_at_once(tmp_path):
    path = example_with(
        tmp_path,
        ("template = ", "templte = "),
        ("escalate_after = 3", 'escalate_after = "three"'),
        ('name = "信息中心"', 'name = "信息中心"\nhead_user_id = "@boss"'),
        ("[organisation]", "[organization]"),
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={}, lang="en")
    assert len(caught.value.problems) == 4, caught.value.problems
    assert str(caught.value).startswith(f"{path}: 4 problems, nothing was started:\n  - ")
    assert "organization: unknown key; did you mean 'organisation'?" in str(caught.value)


def test_the_cli_lists_the_problems_without_a_traceback(tmp_path):
    import subprocess
    import sys

    path = example_with(
        tmp_path, ("template = ", "templte = "), ("escalate_after = 3", "escalate_after = 'x'")
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run", "--config", str(path)],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "REPORTBOT_TOKEN": "123:secret-token", "LANG": "en_US.UTF-8"},
        cwd=ROOT,
    )
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == f"reportbot: {path}: 2 problems, nothing was started:"
    assert lines[1:] == [
        "  - report.templte: unknown key; did you mean 'template'?",
        "  - reminders.escalate_after: expected a whole number, got 'x'",
    ]


WEBAPP_COMMENTED = '# [webapp]\n# listen_host = "127.0.0.1"\n# listen_port = 8080\n# public_url'
WEBAPP = '[webapp]\nlisten_host = "127.0.0.1"\nlisten_port = 8080\npublic_url'


def test_the_form_is_configured_by_its_webapp_table(tmp_path):
    assert load_settings(ROOT / "examples" / "reportbot.example.toml", env={}).webapp is None  # commented out
    webapp = load_settings(example_with(tmp_path, (WEBAPP_COMMENTED, WEBAPP)), env={}).webapp
    assert (webapp.listen_host, webapp.listen_port) == ("127.0.0.1", 8080)
    assert webapp.button_url == "https://reports.jiangbin.example.gov.cn/form/"
    bare = example_with(tmp_path, (WEBAPP_COMMENTED, WEBAPP), ("example.gov.cn/form/", "example.gov.cn/form"))
    assert load_settings(bare, env={}).webapp.button_url == "https://reports.jiangbin.example.gov.cn/form/"
    plain = example_with(tmp_path, (WEBAPP_COMMENTED, WEBAPP), ("https://reports", "http://reports"))
    assert load_settings(plain, env={}).webapp.button_url is None  # served, but Telegram would refuse it


@pytest.mark.parametrize(
    ("replacement", "problem"),
    [
        (("public_url = ", "public_ulr = "), "webapp.public_ulr: unknown key; did you mean 'public_url'?"),
        (("listen_port = 8080", "listen_port = 80800"), "webapp.listen_port: input should be less than"),
        (("listen_port = 8080", 'listen_port = "web"'), "webapp.listen_port: expected a whole number"),
        (
            ('public_url = "https://reports.jiangbin.example.gov.cn/form/"', 'public_url = "reports/form"'),
            "webapp.public_url: 'reports/form' is not an address such as https://",
        ),
    ],
)
def test_webapp_problems_name_their_key(tmp_path, replacement, problem):
    with pytest.raises(ConfigError) as caught:
        load_settings(example_with(tmp_path, (WEBAPP_COMMENTED, WEBAPP), replacement), env={}, lang="en")
    assert [p for p in caught.value.problems if p.startswith(problem)], caught.value.problems


def test_a_webapp_table_needs_its_public_url(tmp_path):
    with pytest.raises(ConfigError, match=r"webapp.public_url: missing \(\[webapp\] needs public_url\)"):
        load_settings(write(tmp_path, "[webapp]\nlisten_port = 8080\n"), env={}, lang="en")


def test_init_explains_the_webapp_table(tmp_path, template_2021):
    from bot.config import starter_config

    text = starter_config(template_2021)
    assert "# [webapp]" in text and "reverse proxy" in text
    for line in ("[webapp]\n", "listen_host = ", "listen_port = ", "public_url = "):
        text = text.replace(f"# {line}", line, 1)
    webapp = load_settings(write(tmp_path, text), env={}).webapp
    assert webapp.button_url == "https://reports.example.gov.cn/form/"
