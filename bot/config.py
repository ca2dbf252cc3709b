"""Settings: a TOML file for the office's structure, the environment for secrets."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storage.records import Department
from workflows.loader import TemplateError, load_template
from workflows.model import Template
from workflows.onboarding import secret_problem
from workflows.units import OwnershipError, units_for

DEFAULT_API_URL = "https://api.telegram.org/bot"
_DEPARTMENT_ID = re.compile(r"^[A-Za-z0-9]{1,24}$")


class ConfigError(ValueError):
    """A configuration that cannot be used, said in one line."""


@dataclass
class CycleSettings:
    """A cycle declared in the configuration."""

    year: int
    deadline: datetime
    opens: datetime | None = None


@dataclass
class Settings:
    """Everything reportbot needs to run, read once at start-up."""

    template_ref: str
    template: Template
    database: Path
    timezone: ZoneInfo
    departments: list[Department]
    organisation: dict[str, Any] = field(default_factory=dict)
    api_url: str = DEFAULT_API_URL
    file_url: str | None = None
    username: str | None = None
    token: str | None = None
    secret: str | None = None
    language: str = "zh"
    previous_figures: Path | None = None
    cycle: CycleSettings | None = None
    reminders: dict[str, Any] = field(default_factory=dict)
    calendar_file: Path | None = None
    coordinators: list[int] = field(default_factory=list)


def parse_moment(value: Any, zone: ZoneInfo, what: str, end_of_day: bool = False) -> datetime:
    """Read a date or date-time (a bare date means 09:00, or 18:00 for deadlines) in ``zone``."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(18, 0) if end_of_day else time(9, 0))
    elif isinstance(value, str):
        try:
            if len(value.strip()) == 10:  # a bare date: the morning, or the evening for a deadline
                return parse_moment(date.fromisoformat(value.strip()), zone, what, end_of_day)
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ConfigError(
                f"{what}: {value!r} is not a date such as 2027-01-20 or 2027-01-20T18:00"
            ) from None
    else:
        raise ConfigError(f"{what}: expected a date, got {value!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _departments(raw: Any, template: Template) -> list[Department]:
    if not isinstance(raw, list):
        raise ConfigError("[[departments]] must be a list of tables with id, name and sections")
    departments = []
    for entry in raw:
        dept_id = str(entry.get("id", ""))
        if not _DEPARTMENT_ID.match(dept_id):
            raise ConfigError(
                f"department id {dept_id!r}: use 1–24 letters and digits (it goes into invite codes)"
            )
        if not entry.get("name"):
            raise ConfigError(f"department {dept_id}: a name is needed")
        head = entry.get("head_user_id")
        departments.append(
            Department(
                dept_id,
                str(entry["name"]),
                tuple(entry.get("sections") or ()),
                int(head) if head is not None else None,
            )
        )
    if len({d.id for d in departments}) != len(departments):
        raise ConfigError("two departments share an id")
    try:
        units_for(template, departments)
    except OwnershipError as exc:
        raise ConfigError(str(exc)) from None
    return departments


def load_settings(path: str | Path | None, env: Mapping[str, str] | None = None) -> Settings:
    """Read the TOML configuration and the environment (REPORTBOT_TOKEN, REPORTBOT_API_URL, …)."""
    env = os.environ if env is None else env
    if path is None:
        path = env.get("REPORTBOT_CONFIG", "reportbot.toml")
    source = Path(path)
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{source}: no such configuration file (see reportbot.example.toml)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    base = source.resolve().parent
    bot, report = data.get("bot", {}), data.get("report", {})
    try:
        zone = ZoneInfo(str(bot.get("timezone", "Asia/Shanghai")))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{source}: unknown time zone {bot.get('timezone')!r}") from None
    template_ref = str(report.get("template", "gov-disclosure-2021"))
    if template_ref.endswith(".yaml"):
        template_ref = str(base / template_ref)
    try:
        template = load_template(template_ref)
    except TemplateError as exc:
        raise ConfigError(str(exc)) from None
    cycle = None
    if "cycle" in data:
        raw = data["cycle"]
        if "year" not in raw or "deadline" not in raw:
            raise ConfigError(f"{source}: [cycle] needs year and deadline")
        cycle = CycleSettings(
            int(raw["year"]),
            parse_moment(raw["deadline"], zone, "cycle.deadline", True),
            parse_moment(raw["opens"], zone, "cycle.opens") if "opens" in raw else None,
        )
    previous = report.get("previous_figures")
    secret = env.get("REPORTBOT_SECRET") or None
    if secret is not None and (problem := secret_problem(secret)) is not None:
        raise ConfigError(
            f"REPORTBOT_SECRET is too weak ({problem}). Unset it to let reportbot keep a random one in the "
            "database folder, or set 32+ random characters: python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'"
        )
    return Settings(
        template_ref=template_ref,
        template=template,
        database=base / str(bot.get("database", "reportbot-data")),
        timezone=zone,
        departments=_departments(data.get("departments", []), template),
        organisation=dict(data.get("organisation", {})),
        api_url=env.get("REPORTBOT_API_URL") or str(bot.get("api_url", DEFAULT_API_URL)),
        file_url=env.get("REPORTBOT_FILE_URL") or bot.get("file_url"),
        username=env.get("REPORTBOT_USERNAME") or bot.get("username"),
        token=env.get("REPORTBOT_TOKEN") or None,
        secret=secret,
        language=str(bot.get("language", "zh")),
        previous_figures=base / previous if previous else None,
        cycle=cycle,
        reminders=dict(data.get("reminders", {})),
        calendar_file=base / str(bot["calendar_file"]) if bot.get("calendar_file") else None,
        coordinators=[int(u) for u in data.get("coordinators", [])],
    )
