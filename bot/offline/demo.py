"""`reportbot demo`: a whole reporting cycle, offline, in well under a minute.

The real bot (the Application `reportbot run` builds) runs against an embedded local Bot API server;
scripted contacts answer over HTTP, one of them late, one with a figure that does not add up, one whose
section the coordinator returns. A hand-moved clock makes the cycle's days pass in seconds, and the
scheduler's ticks send the opening, the reminders and the coordinator's digest as they fall due.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from bot.app import ReportBot
from bot.config import Settings
from bot.courier import Pace
from bot.offline import examples_folder
from bot.offline.demo_stage import Stage
from bot.offline.local_api import LocalBotApi
from bot.offline.local_api_methods import UNLIMITED
from bot.offline.simulation import Simulation
from storage import open_store
from storage.records import Department
from workflows.clock import ManualClock
from workflows.cycles import new_cycle
from workflows.files import read_answers_file, read_profile
from workflows.loader import load_template
from workflows.services import Services
from workflows.workdays import WorkCalendar

EXAMPLES = examples_folder()
ZONE = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Script:
    """Who does what in the demo of one template."""

    template: str
    folder: str
    year: int
    opens: date  # a Monday
    late: str  # the department that needs reminders
    mistake: tuple[str, str, str, object]  # department, section, field, wrong value
    returned: tuple[str, str, str]  # department, section, the coordinator's comment
    first: tuple[str, ...] = ()  # departments that must answer before the others (figures others check)
    slip: tuple[str, str] | None = (
        None  # the late department's narrative: field, a figure the tables contradict
    )
    sheet: str | None = None  # the department that fills its tables in the workbook (Excel/WPS)


SCRIPTS = {
    "gov-disclosure-2021": Script(
        "gov-disclosure-2021",
        "2021",
        2026,
        date(2027, 1, 4),
        late="office",
        mistake=("policy", "requests", "t3.carried_out.natural", 5),
        returned=("hr", "problems", "请补充上年度问题的整改结果"),
        sheet="approval",
        slip=(
            "overview.management.text",
            "严格执行公开属性源头认定和发布前保密审查制度，完成行政规范性文件清理，废止3件。",
        ),
    ),
    "gov-disclosure-2018": Script(
        "gov-disclosure-2018",
        "2018",
        2018,
        date(2019, 1, 7),
        late="office",
        mistake=("info", "proactive", "categories.news", 64),
        returned=("planning", "problems", "请把改进措施写得更具体一些"),
        first=("planning",),
        sheet="planning",
        slip=(
            "overview.text",
            "2018年，我局认真贯彻落实《中华人民共和国政府信息公开条例》，全年主动公开政府信息136条。",
        ),
    ),
}


def example_settings(folder: str, template: str, database: Path, api: LocalBotApi) -> Settings:
    """Settings for an example organisation (examples/<folder>), pointed at a local Bot API server."""
    profile = read_profile(EXAMPLES / folder / "organisation.yaml")
    departments = [Department(d["id"], d["name"], tuple(d["sections"])) for d in profile.departments]
    return Settings(
        template_ref=template,
        template=load_template(template),
        database=database,
        timezone=ZONE,
        departments=departments,
        organisation=profile.values,
        api_url=api.base_url,
        file_url=api.file_url,
        username=api.username,
        token=api.token,
    )


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A local moment of the demo."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


async def play(script: Script, out: Path, echo=click.echo) -> dict[str, Path]:
    """Run the whole cycle and write the report, the database and a summary into ``out``."""
    if not EXAMPLES.is_dir():
        raise click.ClickException(f"the demo's examples are missing: no folder {EXAMPLES}")
    out.mkdir(parents=True, exist_ok=True)
    database = out / "reportbot-data"
    shutil.rmtree(database, ignore_errors=True)
    api = LocalBotApi(limits=UNLIMITED)  # the demo is about the report, not about flood control
    api.start()
    settings = example_settings(script.folder, script.template, database, api)
    previous_file = EXAMPLES / script.folder / "previous.yaml"
    previous = read_answers_file(previous_file) if previous_file.exists() else None
    clock = ManualClock(at(script.opens, 8, 30))
    store = open_store(database)
    services = Services(settings, store, clock, previous_fallback=previous)
    services.sync_from_settings()
    calendar = WorkCalendar.load()
    bot = ReportBot(services, api.token, calendar, 2, Pace(per_second=0, per_chat_seconds=0), poll_timeout=1)
    simulation = Simulation(api, bot)
    await simulation.start()
    stage = Stage(
        api,
        simulation,
        services,
        bot.scheduler,
        clock,
        read_answers_file(EXAMPLES / script.folder / "answers.yaml"),
        echo,
    )
    try:
        await _timeline(stage, script, calendar)
        report = stage.final_report
        paths = {"report": out / report.filename, "database": database, "summary": out / "summary.md"}
        paths["report"].write_bytes(report.document)
        paths["summary"].write_text(stage.summary(script.year), encoding="utf-8")
    finally:
        await simulation.stop()
        store.close()
        api.stop()
    return paths


async def _timeline(stage: Stage, script: Script, calendar: WorkCalendar) -> None:
    day0 = script.opens
    deadline = at(day0 + timedelta(days=11), 18)  # the Friday of the second week
    stage.day(at(day0, 8, 30), "各部门联系人通过邀请链接加入")
    await stage.join_everyone()
    async with stage.sim.runtime.unit("demo") as unit:
        unit.store.put_cycle(
            new_cycle(stage.template.id, script.year, deadline, at(day0, 9), ZONE.key, stage.clock.now())
        )
    stage.day(at(day0, 9), "开始填报：每个部门收到自己负责的部分和截止时间")
    await stage.tick(at(day0, 9))

    stage.day(at(day0, 10), "多数部门及时填写")
    others = [
        d.id for d in stage.departments if d.id not in (script.late, script.mistake[0], script.returned[0])
    ]
    ordered = [*script.first, *[d for d in others if d not in script.first]]
    for dept in ordered:
        await stage.fill_department(dept, by_sheet=dept == script.sheet)
    returned_dept, returned_section, comment = script.returned
    if returned_dept not in ordered:
        await stage.fill_department(returned_dept, by_sheet=returned_dept == script.sheet)

    stage.day(at(day0 + timedelta(days=1), 10), "填错的数字被当场指出并改正")
    dept, section, field_id, wrong = script.mistake
    await stage.fill_department(dept, mistake=(field_id, wrong))
    await stage.correct(dept, section, field_id)

    stage.day(at(day0 + timedelta(days=2), 15), "协调人审核：退回一个部分，修改后重新提交")
    await stage.coordinator("/status")
    await stage.return_section(returned_section, comment)
    await stage.revise(returned_dept, returned_section)
    await stage.approve_all()

    day = day0 + timedelta(days=3)
    while at(day, 9) <= deadline + timedelta(days=4):
        if calendar.is_workday(day):
            stage.day(at(day, 9), "")
            await stage.tick(at(day, 9))
            if at(day, 9) > deadline:
                break
        day += timedelta(days=1)

    stage.day(at(day, 10), "逾期部门收到提醒后补交（一处与表格不符的数字当场被指出）")
    await stage.fill_department(script.late, slip=script.slip)
    await stage.coordinator("/missing")
    await stage.approve_all()
    await stage.assemble()
