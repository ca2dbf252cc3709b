"""The configuration file's schema, and its problems said the way a person can fix them: every one at
once, each with its key path and, for a misspelt key, the key that was probably meant."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError
from pydantic import Field as PydanticField

from workflows.i18n import DEFAULT_LANG, t


class ConfigError(ValueError):
    """A configuration that cannot be used: one line, or a short list with every problem found."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        self.problems = list(problems) or [message]
        super().__init__(message)


class _Table(BaseModel):
    # An unknown key is a typo until proven otherwise: `templte =` must not silently use the default.
    model_config = ConfigDict(extra="forbid")


class BotTable(_Table):
    """The [bot] table."""

    username: str | None = None
    api_url: str | None = None
    file_url: str | None = None
    database: str = "reportbot-data"
    timezone: str = "Asia/Shanghai"
    language: Literal["zh", "en"] = "zh"
    calendar_file: str | None = None


class ReportTable(_Table):
    """The [report] table."""

    template: str = "gov-disclosure-2021"
    previous_figures: str | None = None


class RemindersTable(_Table):
    """The [reminders] table."""

    escalate_after: int = PydanticField(3, ge=0, le=60)


class DepartmentTable(_Table):
    """One [[departments]] table."""

    id: str = PydanticField(pattern=r"^[A-Za-z0-9]{1,24}$")
    name: str = PydanticField(min_length=1)
    sections: list[str] = PydanticField(min_length=1)
    head_user_id: int | None = PydanticField(None, gt=0)


class CycleTable(_Table):
    """The [cycle] table (dates are read by ``parse_moment``, which knows the time zone)."""

    year: int = PydanticField(ge=2000, le=2100)
    deadline: date | datetime | str
    opens: date | datetime | str | None = None


class WebappTable(_Table):
    """The [webapp] table: the form in Telegram (a Mini App), served by the bot behind an HTTPS proxy."""

    listen_host: str = "127.0.0.1"
    listen_port: int = PydanticField(8080, ge=0, le=65535)
    public_url: str = PydanticField(pattern=r"^https?://[^\s?#]+$")

    @property
    def button_url(self) -> str | None:
        """The address the form button opens; None unless HTTPS (Telegram opens Mini Apps over HTTPS only).

        It ends in ``/``: the page loads its script and calls the API by relative paths, so a proxy may
        map it to any path."""
        if not self.public_url.startswith("https://"):
            return None
        return self.public_url if self.public_url.endswith("/") else self.public_url + "/"


TABLES: dict[str, type[_Table]] = {
    "bot": BotTable,
    "report": ReportTable,
    "reminders": RemindersTable,
    "cycle": CycleTable,
    "webapp": WebappTable,
}
TOP_LEVEL = (*TABLES, "departments", "organisation", "coordinators")


def unknown_key(key: str, known: Sequence[str], lang: str) -> str:
    """'unknown key; did you mean …?' (or the keys there are, when none is close)."""
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return t(lang, "unknown key; did you mean {key}?", key=repr(close[0]))
    return t(lang, "unknown key (known keys: {keys})", keys=", ".join(known))


def problem_line(lang: str, key: str, problem: str) -> str:
    """A problem prefixed with its key path ("report.templte: unknown key…")."""
    return t(lang, "{key}: {problem}", key=key, problem=problem)


def _explain(
    error: Mapping[str, Any], known: Sequence[str], required: Sequence[str] = (), lang: str = DEFAULT_LANG
) -> str:
    """One pydantic error in the words (and language) of someone editing a TOML file."""
    kind, loc, value = error["type"], error["loc"], repr(error.get("input"))
    last = loc[-1] if loc else ""
    if kind == "extra_forbidden":
        return unknown_key(str(last), known, lang)
    if kind == "missing":
        if required:
            return t(lang, "missing ([{table}] needs {keys})", table=str(loc[0]), keys=" and ".join(required))
        return t(lang, "missing")
    if last in ("head_user_id", "coordinators") or (len(loc) >= 2 and loc[-2] == "coordinators"):
        return t(
            lang,
            "{value} is not a numeric Telegram user id such as 123456789 (ask the person to send /start to "
            "@userinfobot)",
            value=value,
        )
    if kind == "model_type" or kind == "dict_type":
        return t(lang, "expected a table [{table}], got {value}", table=".".join(map(str, loc)), value=value)
    if kind == "list_type":
        return t(lang, 'expected a list such as ["a", "b"], got {value}', value=value)
    if kind == "too_short" and last == "sections":
        return t(
            lang, "no sections: list the template sections this department writes (see `reportbot fields`)"
        )
    if kind == "string_pattern_mismatch" and last == "public_url":
        return t(lang, "{value} is not an address such as https://reports.example.gov.cn/form/", value=value)
    if kind == "string_pattern_mismatch" and last == "id":
        return t(lang, "{value}: use 1–24 letters and digits (it goes into invite codes)", value=value)
    if kind.startswith("int_"):
        return t(lang, "expected a whole number, got {value}", value=value)
    if kind.startswith("string_"):
        return t(lang, "expected text in quotes, got {value}", value=value)
    # pydantic's own wording (English) for the rarer cases, inside the user's language
    return t(lang, "{reason}, got {value}", reason=error["msg"].lower(), value=value)


def _path(loc: Sequence[Any], raw: Any) -> str:
    """departments[1] (policy).head_user_id: the key path, with the department id when there is one."""
    parts: list[str] = []
    node = raw
    for item in loc:
        if isinstance(item, int):
            label = f"[{item}]"
            node = node[item] if isinstance(node, list) and item < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                label += f" ({node['id']})"
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts)


def validate_part(
    model: Any, raw: Any, loc: tuple[Any, ...], root: Any, problems: list[str], lang: str = DEFAULT_LANG
) -> Any:
    """Validate one part of the file, adding every problem (with its key path) to ``problems``."""
    try:
        return TypeAdapter(model).validate_python(raw)
    except ValidationError as exc:
        for error in exc.errors():
            full = (*loc, *error["loc"])
            fields = model.model_fields if isinstance(model, type) and issubclass(model, BaseModel) else {}
            required = [name for name, spec in fields.items() if spec.is_required()]
            explained = _explain({**error, "loc": full}, list(fields), required, lang)
            problems.append(problem_line(lang, _path(full, root), explained))
        return None
