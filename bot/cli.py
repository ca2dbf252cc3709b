"""The ``reportbot`` command line: one entry point for the bot, the demo and the offline tools."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from bot.cli_group import QuietGroup, current_lang
from bot.commands import LANG, fail, in_range
from bot.commands import register as register_bot_commands
from bot.commands_cycle import register as register_cycle_commands
from bot.commands_sheet import register as register_sheet_command
from workflows.audit import check_answers
from workflows.catalogue import catalogue_document
from workflows.clock import Clock, SystemClock
from workflows.files import InputFileError, read_answers_file, read_profile
from workflows.i18n import LANGS, t, tn
from workflows.loader import TemplateError, bundled_templates, load_template
from workflows.model import ERROR, Field, Template
from workflows.validation import MSG_EMPTY, Finding

TEMPLATE = click.option(
    "--template",
    "template_ref",
    required=True,
    help="A bundled template id (see `reportbot templates`) or a template .yaml file.",
)
ANSWERS = click.option(
    "--answers",
    "answers_path",
    required=True,
    type=click.Path(path_type=Path),
    help="YAML or JSON (field id → value), or the .xlsx workbook of `reportbot sheet` or the bot.",
)


def friendly_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the errors a person can cause into one clear line and exit status 2, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (TemplateError, InputFileError) as exc:
            click.echo(f"reportbot: {exc.render(current_lang())}", err=True)
            sys.exit(2)
        except BrokenPipeError:
            raise  # the reader went away (`| head`): QuietGroup ends quietly
        except OSError as exc:
            click.echo(f"reportbot: {exc.filename or ''}: {exc.strerror}", err=True)
            sys.exit(2)

    return wrapper


def out_problem(path: Path, suffix: str, lang: str = "en") -> str | None:
    """Why a file with ``suffix`` cannot be written at ``path`` (None when it can), before any work."""
    if path.is_dir() or str(path).endswith(("/", os.sep)):
        return t(
            lang,
            "{path} is a folder: give a file name such as {example}",
            path=str(path),
            example=str(path / ("report" + suffix)),
        )
    if path.suffix.lower() != suffix:
        return t(lang, "{path}: the file name must end in {suffix}", path=str(path), suffix=suffix)
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # the nearest existing folder is where the missing ones will be made
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        return t(lang, "{path}: cannot write in {folder}", path=str(path), folder=str(folder))
    if path.exists() and not os.access(path, os.W_OK):
        return t(lang, "{path}: the file is not writable", path=str(path))
    return None


def clock_of(ctx: click.Context) -> Clock:
    """The clock given by the caller (``main(obj={"clock": …})``, for tests), else the machine's."""
    obj = ctx.find_root().obj
    return obj.get("clock", SystemClock()) if isinstance(obj, dict) else SystemClock()


@click.group(cls=QuietGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="reportbot")
@click.option(
    "--lang",
    type=click.Choice(LANGS),
    default=None,
    help="Language of every command's messages (default: from LC_ALL/LC_MESSAGES/LANG; Chinese unless "
    "English). A command's own --lang wins.",
)
def main(lang: str | None) -> None:
    """reportbot: collect a government annual report from departments over Telegram."""


@main.command()
@friendly_errors
def templates() -> None:
    """List the bundled report templates."""
    for template_id in bundled_templates():
        template = load_template(template_id)
        asked = len(template.asked_fields(has_previous=True))
        click.echo(
            f"{template.id}\t{template.name}\t({len(template.fields)} fields, {asked} asked, "
            f"{len(template.rules)} rules)"
        )


def field_record(template: Template, field_id: str) -> dict[str, Any]:
    """Describe one field as `reportbot fields` prints it."""
    field_ = template.fields[field_id]
    record: dict[str, Any] = {
        "id": field_.id,
        "section": field_.section_id,
        "section_heading": template.section(field_.section_id).title,
        "label": field_.label,
        "unit": field_.unit,
        "type": field_.type,
        "required": field_.required,
    }
    if field_.table_id:
        record.update(table=field_.table_id, row=field_.row, column=field_.column)
    if field_.min is not None:
        record["min"] = field_.min
    if field_.max is not None:
        record["max"] = field_.max
    if field_.derivation is not None:
        record["derived"] = True
        record["derivation"] = field_.derivation.name
        record["asked_without_previous_year"] = field_.derivation.needs_previous
    if field_.hint:
        record["hint"] = field_.hint
    return record


@main.command()
@click.option(
    "--template",
    "template_refs",
    multiple=True,
    help="A template id or file (repeat for several; default: every bundled template).",
)
@friendly_errors
def rules(template_refs: tuple[str, ...]) -> None:
    """Print the rule catalogue: every check, its id, severity and message (Markdown)."""
    refs = template_refs or tuple(bundled_templates())
    click.echo(catalogue_document([load_template(ref) for ref in refs]), nl=False)


@main.command()
@TEMPLATE
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True)
@friendly_errors
def fields(template_ref: str, fmt: str) -> None:
    """List every field of a template: id, section id, type and unit, required, label."""
    template = load_template(template_ref)
    records = [field_record(template, fid) for fid in template.fields]
    if fmt == "json":
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    for record in records:
        flags = "derived" if record.get("derived") else ("required" if record["required"] else "optional")
        unit = f" [{record['unit']}]" if record["unit"] else ""
        click.echo(f"{record['id']}\t{record['section']}\t{record['type']}{unit}\t{flags}\t{record['label']}")


def answers_and_cells(path: Path, template: Template, lang: str) -> tuple[dict[str, Any], dict[str, str]]:
    """An answers file's values and, for a workbook, each field's cell (「表三!D7」)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from workflows.sheets.offline import workbook_answers  # openpyxl only when a workbook is read

        return workbook_answers(path, template, lang)
    return read_answers_file(path), {}


def _report(result: Any, lang: str, cells: dict[str, str] | None = None) -> None:
    for finding in result.errors:
        where = (cells or {}).get(finding.fields[0]) if len(finding.fields) == 1 else None
        message = finding.render(lang)
        if where:
            message = t(lang, "{cell}: {problem}", cell=where, problem=message)
        click.echo(t(lang, "error: {message}", message=message))
    for finding in result.warnings:
        click.echo(t(lang, "warning: {message}", message=finding.render(lang)))


@main.command()
@TEMPLATE
@ANSWERS
@click.option(
    "--previous",
    "previous_path",
    type=click.Path(path_type=Path),
    help="Last year's figures (for cumulative values and year-over-year checks).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--allow-gaps", is_flag=True, help="Exit 0 even when required fields are still empty.")
@LANG
@friendly_errors
def check(
    template_ref: str, answers_path: Path, previous_path: Path | None, fmt: str, allow_gaps: bool, lang: str
) -> None:
    """Every error, warning and gap in a set of answers. Exit 0 if clean, 1 on errors or gaps, 2 on misuse."""
    template = load_template(template_ref)
    previous = read_answers_file(previous_path) if previous_path else None
    answers, cells = answers_and_cells(answers_path, template, lang)
    result = check_answers(template, answers, previous)
    missing = [missing_finding(f) for f in result.figures.missing()]
    if fmt == "json":
        document = {
            "errors": [finding_record(f, lang) for f in result.errors],
            "warnings": [finding_record(f, lang) for f in result.warnings],
            "missing": [finding_record(f, lang) for f in missing],
        }
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        _report(result, lang, cells)
        if missing:
            click.echo(
                tn(
                    lang,
                    "{count} required field is still empty, first: {first}",
                    "{count} required fields are still empty, first: {first}",
                    len(missing),
                    first=missing[0].params["label"],
                )
            )
        errors = tn(lang, "{count} error", "{count} errors", len(result.errors))
        warnings = tn(lang, "{count} warning", "{count} warnings", len(result.warnings))
        click.echo(t(lang, "{errors}, {warnings}", errors=errors, warnings=warnings))
    sys.exit(1 if result.errors or (missing and not allow_gaps) else 0)


def finding_record(finding: Finding, lang: str) -> dict[str, Any]:
    """One finding as `reportbot check --format json` prints it."""
    return {
        "rule": finding.rule_id or "field.invalid",
        "severity": finding.severity,
        "fields": list(finding.fields),
        "message": finding.render(lang),
    }


def missing_finding(field_: Field) -> Finding:
    """A required field still empty, as a finding."""
    return Finding(ERROR, MSG_EMPTY, {"label": field_.label}, (field_.id,), "field.missing")


@main.command(name="assemble")
@TEMPLATE
@ANSWERS
@click.option("--out", "out_path", required=True, type=click.Path(path_type=Path), help="The .docx to write.")
@click.option("--previous", "previous_path", type=click.Path(path_type=Path))
@click.option(
    "--org",
    "org_path",
    type=click.Path(path_type=Path),
    help="Organisation profile: name, website, phone, address, departments and their sections.",
)
@click.option(
    "--year",
    type=int,
    callback=in_range(2000, 2100),
    help="Report year (default: the profile's, else last year).",
)
@click.option(
    "--timezone",
    "zone_name",
    default="Asia/Shanghai",
    show_default=True,
    help="The office's time zone: the date of the document and of the written line.",
)
@click.option(
    "--draft", is_flag=True, help="Write the document even if incomplete or inconsistent, marked 草稿."
)
@LANG
@friendly_errors
def assemble_command(
    template_ref: str,
    answers_path: Path,
    out_path: Path,
    previous_path: Path | None,
    org_path: Path | None,
    year: int | None,
    zone_name: str,
    draft: bool,
    lang: str,
) -> None:
    """Assemble the Word document; refuses (exit 1) on errors or gaps unless --draft."""
    from workflows.assembly.document import assemble, format_date  # python-docx: loaded only to assemble

    if (problem := out_problem(out_path, ".docx", lang)) is not None:
        fail(f"--out {problem}")
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        fail(
            "--timezone: " + t(lang, "unknown time zone {zone} (such as Asia/Shanghai)", zone=repr(zone_name))
        )
    # The office's date, not the machine's: a server in UTC is still on yesterday until 08:00 in Beijing.
    today = clock_of(click.get_current_context()).now().astimezone(zone).date()
    template = load_template(template_ref)
    profile = read_profile(org_path)
    previous = read_answers_file(previous_path) if previous_path else None
    result = check_answers(template, read_answers_file(answers_path, template, lang), previous)
    report_year = year or profile.year or today.year - 1
    assembly = assemble(
        template,
        result.figures,
        profile.values,
        report_year,
        profile.report_date or today,
        profile.owners,
        draft=draft,
    )
    _report(result, lang)
    for gap in assembly.gaps:
        click.echo(
            t(
                lang,
                "missing: {placeholder} {fields}",
                placeholder=gap.placeholder(),
                fields="、".join(gap.missing),
            )
        )
    if (result.errors or assembly.gaps) and not draft:
        click.echo(t(lang, "not written: fix the errors and gaps above, or pass --draft"), err=True)
        sys.exit(1)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    assembly.save(out_path)
    click.echo(t(lang, "written: {path} ({date})", path=str(out_path), date=format_date(today)))


register_bot_commands(main)
register_cycle_commands(main)
register_sheet_command(main, friendly_errors, TEMPLATE, out_problem, clock_of)

if __name__ == "__main__":  # pragma: no cover
    main()
