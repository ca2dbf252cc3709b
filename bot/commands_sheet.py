"""`reportbot sheet`: the workbook for filling the tables in Excel or WPS, made offline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from bot.commands import LANG, fail, in_range
from storage.records import Department
from workflows.clock import Clock
from workflows.files import read_answers_file, read_profile
from workflows.i18n import t
from workflows.loader import load_template
from workflows.sheets.make import template_sheet
from workflows.units import OwnershipError, units_for


def register(
    main: click.Group,
    friendly_errors: Callable[..., Any],
    template_option: Callable[..., Any],
    out_problem: Callable[[Path, str, str], str | None],
    clock_of: Callable[[click.Context], Clock],
) -> None:
    """Add ``sheet`` to the command line (with the CLI's own error handling and checks)."""

    @main.command()
    @template_option
    @click.option(
        "--out", "out_path", required=True, type=click.Path(path_type=Path), help="The .xlsx to write."
    )
    @click.option("--department", "department_id", help="Only this department's sections (needs --org).")
    @click.option(
        "--org",
        "org_path",
        type=click.Path(path_type=Path),
        help="Organisation profile: its departments and the sections each writes.",
    )
    @click.option("--answers", "answers_path", type=click.Path(path_type=Path), help="Answers to pre-fill.")
    @click.option("--previous", "previous_path", type=click.Path(path_type=Path), help="Last year's figures.")
    @click.option("--year", type=int, callback=in_range(2000, 2100), help="Report year (default: last year).")
    @LANG
    @friendly_errors
    def sheet(
        template_ref: str,
        out_path: Path,
        department_id: str | None,
        org_path: Path | None,
        answers_path: Path | None,
        previous_path: Path | None,
        year: int | None,
        lang: str,
    ) -> None:
        """Write the .xlsx workbook to fill in the tables (every section, or one department's)."""
        if (problem := out_problem(out_path, ".xlsx", lang)) is not None:
            fail(f"--out {problem}")
        if department_id and org_path is None:
            fail(
                t(
                    lang,
                    "--department needs --org: the profile that says which sections each department writes",
                )
            )
        template = load_template(template_ref)
        profile = read_profile(org_path)
        now = clock_of(click.get_current_context()).now()
        department = None
        if department_id:
            departments = [
                Department(str(d.get("id", "")), str(d["name"]), tuple(d.get("sections") or ()))
                for d in profile.departments
            ]
            if department_id not in {d.id for d in departments}:
                configured = ", ".join(d.id for d in departments if d.id) or "—"
                fail(
                    t(
                        lang,
                        "no department {department} (configured: {configured})",
                        department=department_id,
                        configured=configured,
                    )
                )
            try:
                units = units_for(template, departments)
            except OwnershipError as exc:
                fail(exc.render(lang))
            name = next(d.name for d in departments if d.id == department_id)
            fields = [fid for unit in units if unit.department_id == department_id for fid in unit.field_ids]
            department = (department_id, name, fields)
        made = template_sheet(
            template,
            year or profile.year or now.year - 1,
            now,
            lang,
            read_answers_file(answers_path) if answers_path else None,
            read_answers_file(previous_path) if previous_path else None,
            department,
        )
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_bytes(made.data)
        click.echo(t(lang, "written: {path}", path=str(out_path)))
