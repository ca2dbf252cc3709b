"""Settings: a TOML file for the office's structure, the environment for secrets."""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config_schema import (
    TABLES,
    TOP_LEVEL,
    BotTable,
    ConfigError,
    DepartmentTable,
    RemindersTable,
    ReportTable,
    WebappTable,
    problem_line,
    unknown_key,
    validate_part,
)
from storage.records import Department
from workflows.cycles import CycleError, read_moment
from workflows.i18n import DEFAULT_LANG, t, tn
from workflows.loader import TemplateError, load_template
from workflows.model import Template
from workflows.onboarding import secret_problem
from workflows.units import OwnershipError, units_for

DEFAULT_API_URL = "https://api.telegram.org/bot"


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
    webapp: WebappTable | None = None  # the form in Telegram, when configured


def parse_moment(
    value: Any, zone: ZoneInfo, what: str, end_of_day: bool = False, lang: str = DEFAULT_LANG
) -> datetime:
    """Read a configured date or date-time in ``zone``; a ConfigError names the key ``what``."""
    try:
        return read_moment(value, zone, end_of_day)
    except CycleError as exc:
        raise ConfigError(problem_line(lang, what, exc.render(lang))) from None


def _unowned_sections(template: Template, departments: Sequence[Department]) -> list[str]:
    """The highest sections whose fields no department writes (each would stay empty in the report)."""
    owned = {section_id for d in departments for section_id in d.sections}
    covered = {field_id for unit in units_for(template, departments) for field_id in unit.field_ids}
    unowned: list[str] = []

    def visit(section: Any) -> None:
        fields = [f for s in section.walk() for f in s.own_field_ids()]
        if section.id not in owned and fields and not set(fields) & covered:
            unowned.append(section.id)  # wholly nobody's: name it, not each of its subsections
            return
        for child in section.children:
            visit(child)

    for section in template.sections:
        visit(section)
    return unowned


def _departments(
    raw: Any, root: Any, template: Template | None, problems: list[str], lang: str = DEFAULT_LANG
) -> list[Department]:
    def problem(text: str) -> None:
        problems.append(problem_line(lang, "departments", text))

    if not isinstance(raw, list):
        problem(t(lang, "write each department as a [[departments]] table with id, name, sections"))
        return []
    if not raw:
        problem(t(lang, "none configured: add a [[departments]] table for each department"))
        return []
    departments: list[Department] = []
    for index, entry in enumerate(raw):
        table = validate_part(DepartmentTable, entry, ("departments", index), root, problems, lang)
        if table is not None:
            departments.append(Department(table.id, table.name, tuple(table.sections), table.head_user_id))
    ids = [d.id for d in departments]
    for dept_id in sorted({i for i in ids if ids.count(i) > 1}):
        problem(t(lang, "two departments share the id {id}", id=repr(dept_id)))
    if template is None or len(departments) != len(raw):
        return departments
    try:
        units_for(template, departments)
    except OwnershipError as exc:
        problem(exc.render(lang))
        return departments
    for section_id in _unowned_sections(template, departments):
        heading = template.section(section_id).heading
        problem(
            t(
                lang,
                "no department writes section {section} ({heading}): add it to one's sections",
                section=repr(section_id),
                heading=heading,
            )
        )
    return departments


def _toml_problem(exc: tomllib.TOMLDecodeError, lang: str) -> str:
    """The parser's complaint with its position in the reader's language (its own words are English)."""
    where = re.search(r"\s*\(at line (\d+), column (\d+)\)$", str(exc))
    if where is None:
        return t(lang, "not valid TOML: {reason}", reason=str(exc))
    reason = str(exc)[: where.start()]
    line, column = where.groups()
    return t(
        lang,
        "not valid TOML at line {line}, column {column}: {reason}",
        line=line,
        column=column,
        reason=reason,
    )


def load_settings(
    path: str | Path | None, env: Mapping[str, str] | None = None, lang: str = DEFAULT_LANG
) -> Settings:
    """Read the TOML configuration and the environment (REPORTBOT_TOKEN, …); problems are in ``lang``."""
    env = os.environ if env is None else env
    if path is None:
        path = env.get("REPORTBOT_CONFIG", "reportbot.toml")
    source = Path(path)
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            problem_line(
                lang,
                str(source),
                t(
                    lang,
                    "no such configuration file (`reportbot init` writes one; see "
                    "examples/reportbot.example.toml)",
                ),
            )
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(problem_line(lang, str(source), _toml_problem(exc, lang))) from None
    base = source.resolve().parent
    problems: list[str] = []
    for key in data:
        if key not in TOP_LEVEL:
            problems.append(problem_line(lang, key, unknown_key(key, TOP_LEVEL, lang)))
    tables = {
        name: validate_part(model, data[name], (name,), data, problems, lang) if name in data else None
        for name, model in TABLES.items()
    }
    bot = tables["bot"] or BotTable()
    report = tables["report"] or ReportTable()
    reminders = tables["reminders"] or RemindersTable()
    coordinators = validate_part(
        list[int], data.get("coordinators", []), ("coordinators",), data, problems, lang
    )
    organisation = data.get("organisation", {})
    if not isinstance(organisation, dict):
        expected = t(
            lang, "expected a table [{table}], got {value}", table="organisation", value=repr(organisation)
        )
        problems.append(problem_line(lang, "organisation", expected))
        organisation = {}
    zone = ZoneInfo("Asia/Shanghai")
    try:
        zone = ZoneInfo(bot.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        unknown = t(lang, "unknown time zone {zone} (such as Asia/Shanghai)", zone=repr(bot.timezone))
        problems.append(problem_line(lang, "bot.timezone", unknown))
    template_ref = report.template
    if template_ref.endswith(".yaml"):
        template_ref = str(base / template_ref)
    template = None
    try:
        template = load_template(template_ref)
    except TemplateError as exc:
        problems.append(problem_line(lang, "report.template", exc.render(lang)))
    departments = _departments(data.get("departments", []), data, template, problems, lang)
    cycle = None
    if (raw := tables["cycle"]) is not None:
        try:
            cycle = CycleSettings(
                raw.year,
                parse_moment(raw.deadline, zone, "cycle.deadline", True, lang),
                parse_moment(raw.opens, zone, "cycle.opens", lang=lang) if raw.opens is not None else None,
            )
        except ConfigError as exc:
            problems.append(str(exc))
    secret = env.get("REPORTBOT_SECRET") or None
    if secret is not None and (problem := secret_problem(secret)) is not None:
        problems.append(
            t(
                lang,
                "REPORTBOT_SECRET is too weak ({reason}). Unset it to let reportbot keep a random one in the "
                "database folder, or set 32+ random characters: python3 -c 'import secrets; "
                "print(secrets.token_urlsafe(32))'",
                reason=problem.render(lang),
            )
        )
    if problems:
        raise ConfigError(_summary(source, problems, lang), problems)
    assert template is not None  # a template that failed to load is a problem above
    previous = report.previous_figures
    return Settings(
        template_ref=template_ref,
        template=template,
        database=base / bot.database,
        timezone=zone,
        departments=departments,
        organisation=dict(organisation),
        api_url=env.get("REPORTBOT_API_URL") or bot.api_url or DEFAULT_API_URL,
        file_url=env.get("REPORTBOT_FILE_URL") or bot.file_url,
        username=env.get("REPORTBOT_USERNAME") or bot.username,
        token=env.get("REPORTBOT_TOKEN") or None,
        secret=secret,
        language=bot.language,
        previous_figures=base / previous if previous else None,
        cycle=cycle,
        reminders=reminders.model_dump(),
        calendar_file=base / bot.calendar_file if bot.calendar_file else None,
        coordinators=list(coordinators or []),
        webapp=tables["webapp"],
    )


def _summary(source: Path, problems: Sequence[str], lang: str = DEFAULT_LANG) -> str:
    """One line for one problem; a heading and a short list for several."""
    if len(problems) == 1:
        return problem_line(lang, str(source), problems[0])
    heading = tn(
        lang,
        "{path}: {count} problem, nothing was started:",
        "{path}: {count} problems, nothing was started:",
        len(problems),
        path=str(source),
    )
    return heading + "\n" + "\n".join(f"  - {p}" for p in problems)


ORGANISATION_KEYS = {
    "organisation": ("某某市某某局", "the full name, as on the report's title"),
    "short_name": ("某某局", "the short name used in the text"),
    "we": ("我局", "how the report says 'we'"),
    "website_name": ("某某市某某局门户网站", "the website that publishes the report"),
    "website": ("https://www.example.gov.cn", ""),
    "phone": ("0000-00000000", "the disclosure office's phone"),
    "address": ("某某市某某路1号", ""),
    "postcode": ("000000", ""),
    "email": ("gk@example.gov.cn", ""),
}


def starter_config(template: Template, username: str = "my_office_report_bot") -> str:
    """An annotated reportbot.toml for a new office: every key explained, one department writes all."""
    sections = list(template.walk_sections())
    top = [s.id for s in template.sections]
    indented = {s.id: "  " * (s.level - 1) + s.id for s in sections}
    width = max(map(len, indented.values())) + 2
    listing = "\n".join(f"#   {indented[s.id]:<{width}}{s.title}" for s in sections)
    organisation = "\n".join(
        f'{key} = "{value}"' + (f"  # {why}" if why else "")
        for key, (value, why) in ORGANISATION_KEYS.items()
    )
    return f'''# reportbot configuration, written by `reportbot init`. Edit it, then `reportbot run` checks it
# (every problem is listed at once). Secrets never go here; they come from the environment:
#   REPORTBOT_TOKEN    the bot token from @BotFather (required for `reportbot run` and `reportbot invite`)
#   REPORTBOT_SECRET   optional: signs invitation codes (32+ random characters); by default a random
#                      secret is made at the first start and kept in the database folder
#   REPORTBOT_API_URL  optional: a self-hosted Bot API server, e.g. http://127.0.0.1:8081/bot

# Coordinators may be listed by numeric Telegram user id, or invited: reportbot invite --coordinator
# coordinators = [123456789]

[bot]
username = "{username}"  # the bot's @username (without @), for invitation links
database = "reportbot-data"  # a folder; relative paths are relative to this file
timezone = "Asia/Shanghai"  # times in messages and deadlines are in this zone
language = "zh"  # "zh" or "en": the default language for people (each can /lang en)
# calendar_file = "holidays.yaml"  # adds holidays and adjusted working days (see README)

[report]
template = "{template.id}"  # {template.name}; or the path of your own template .yaml
# previous_figures = "last-year-figures.yaml"  # last year's figures, the first year you use reportbot

[reminders]
escalate_after = 3  # overdue working days before the department head is told

# The organisation profile: fills the boilerplate of the report.
[organisation]
{organisation}

# Departments and the template sections each writes. Every section with something to fill in needs a
# department; a section's subsections go with it unless given to another department. The sections of
# {template.id}:
{listing}
# head_user_id (optional): the numeric Telegram user id of the department head, told when it is overdue.
[[departments]]
id = "office"  # 1-24 letters and digits: it goes into invitation codes
name = "办公室"
sections = {json.dumps(top, ensure_ascii=False)}

# [[departments]]
# id = "policy"
# name = "政策法规科"
# sections = ["requests", "appeals"]  # remove them from the office's sections above
# head_user_id = 123456789

# Optional: the form in Telegram (a Mini App) that shows a department's tables with live checks. The bot
# serves it on listen_host:listen_port; an HTTPS reverse proxy (nginx, caddy) makes it reachable at
# public_url, which the 「在表单中填写」 button opens (see the README). Without it, people fill in by chat.
# [webapp]
# listen_host = "127.0.0.1"
# listen_port = 8080
# public_url = "https://reports.example.gov.cn/form/"

# Optional: a cycle created at start-up if it does not exist yet (or use `reportbot cycle open`).
# [cycle]
# year = 2026
# opens = 2027-01-04T09:00:00
# deadline = 2027-01-20
'''
