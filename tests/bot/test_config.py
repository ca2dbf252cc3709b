from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_the_annotated_example_loads():
    settings = load_settings(ROOT / "reportbot.example.toml", env={"REPORTBOT_TOKEN": "1:abc"})
    assert settings.template.id == "gov-disclosure-2021"
    assert [d.id for d in settings.departments] == ["office", "policy", "approval", "it", "hr"]
    assert settings.cycle.year == 2026 and settings.cycle.deadline.hour == 18
    assert str(settings.cycle.deadline.tzinfo) == "Asia/Shanghai"
    assert settings.token == "1:abc" and settings.api_url == "https://api.telegram.org/bot"
    assert settings.database == ROOT / "reportbot-data"


def test_environment_overrides_the_api_url():
    env = {"REPORTBOT_API_URL": "http://127.0.0.1:8081/bot"}
    assert load_settings(ROOT / "reportbot.example.toml", env=env).api_url == "http://127.0.0.1:8081/bot"


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
        load_settings(write(tmp_path, text), env={})


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_settings(tmp_path / "none.toml", env={})
