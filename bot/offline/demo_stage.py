"""The demo's cast at work: people typing and pressing buttons, the clock moving, a readable log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.callbacks import decode, encode
from bot.offline.excel import typed
from bot.offline.local_api import LocalBotApi, Sent
from bot.offline.simulation import Simulation
from bot.scheduler import Scheduler
from storage.records import CONTACT, COORDINATOR, SUBMITTED
from workflows.clock import ManualClock
from workflows.numbers import format_number
from workflows.onboarding import issue
from workflows.progress import department_progress
from workflows.replies import Action
from workflows.services import Services
from workflows.sheets.read import read_sheet
from workflows.units import ROW, TEXT_STEP, Step
from workflows.wording import excerpt

COORDINATOR_ID = 1
NAMES = ["赵敏", "钱坤", "孙莉", "李卫", "周洁", "吴涛", "郑航", "王芳"]
WEEKDAYS = "一二三四五六日"


class Stage:
    """Plays every person of the demo and narrates what happens."""

    def __init__(
        self,
        api: LocalBotApi,
        sim: Simulation,
        services: Services,
        scheduler: Scheduler,
        clock: ManualClock,
        answers: dict,
        echo: Callable[[str], None],
    ) -> None:
        self.api, self.sim, self.services, self.scheduler, self.clock = api, sim, services, scheduler, clock
        self.store = services.store
        self.template = services.settings.template
        self.departments = services.store.list_departments()
        self.answers = answers
        self.echo = echo
        self.people = {d.id: (100 + i, NAMES[i % len(NAMES)]) for i, d in enumerate(self.departments)}
        self.events: list[str] = []
        self.checks: list[str] = []
        self.final_report: Sent | None = None

    # Narration ---------------------------------------------------------------------------------------
    def _stamp(self) -> str:
        now = self.clock.now().astimezone(self.services.settings.timezone)
        return f"{now.month}月{now.day}日 {now:%H:%M}"

    def day(self, moment: datetime, title: str) -> None:
        """Move the clock and print a day header with the progress bar."""
        self.clock.set(moment)
        local = moment.astimezone(self.services.settings.timezone)
        cycle = self.services.cycle()
        bar = ""
        if cycle is not None:
            progress = department_progress(self.services.session(cycle))
            done = sum(1 for p in progress if not p.owing)
            bar = f"  进度 [{'█' * done}{'░' * (len(progress) - done)}] {done}/{len(progress)} 个部门已提交"
        self.echo(f"\n── {local.month}月{local.day}日 星期{WEEKDAYS[local.weekday()]} {local:%H:%M} ──{bar}")
        if title:
            self.echo(f"   {title}")

    def _show(self, who: str, text: str, replies: list[Sent]) -> None:
        self.echo(f"   {who} ▸ {excerpt(text, 48)}")
        for reply in replies[-1:]:
            first = reply.text.split("\n")[0] if reply.text else f"📎 {reply.filename}"
            self.echo(f"      机器人 ◂ {excerpt(first, 60)}")

    def _name(self, dept: str) -> str:
        department = next(d for d in self.departments if d.id == dept)
        return f"{self.people[dept][1]}（{department.name}）"

    # People ------------------------------------------------------------------------------------------
    async def join_everyone(self) -> None:
        """Each department's contact and the coordinator open their invitation links."""
        self.api.user(COORDINATOR_ID, "王协调")
        code = issue(self.services.key, COORDINATOR, None, self.clock.now()).code
        self._show("王协调（协调人）", "/start …", await self.sim.say(COORDINATOR_ID, f"/start {code}"))
        for dept, (user_id, name) in self.people.items():
            self.api.user(user_id, name)
            code = issue(self.services.key, CONTACT, dept, self.clock.now()).code
            self._show(self._name(dept), "/start …", await self.sim.say(user_id, f"/start {code}"))

    def _button(self, dept: str, name: str, *args: str) -> tuple[str, Sent]:
        """The newest button in this person's chat whose action is ``name`` with ``args``: label, message."""
        for message in reversed(self.api.messages_to(self.people[dept][0])):
            for row in message.buttons:
                for button in row:
                    action = decode(button["callback_data"])
                    if action.name == name and action.args[: len(args)] == args:
                        return button["text"], message
        raise LookupError((name, args))

    async def say(self, dept: str, text: str) -> list[Sent]:
        """A department's contact types something (people take a little time to type)."""
        self.clock.advance(timedelta(seconds=40))
        replies = await self.sim.say(self.people[dept][0], text)
        self._show(self._name(dept), text, replies)
        return replies

    async def press(self, dept: str, label: str, message: Sent | None = None) -> list[Sent]:
        """A department's contact presses a button."""
        self.clock.advance(timedelta(seconds=10))
        replies = await self.sim.press(self.people[dept][0], label, message)
        self._show(self._name(dept), f"[{label}]", replies)
        return replies

    async def coordinator(self, text: str) -> list[Sent]:
        """The coordinator types a command."""
        replies = await self.sim.say(COORDINATOR_ID, text)
        self._show("王协调（协调人）", text, replies)
        return replies

    def _typed(self, step: Step, mistake: tuple[str, object] | None) -> list[str]:
        values = {fid: self.answers.get(fid) for fid in step.field_ids}
        if mistake and mistake[0] in values:
            values[mistake[0]] = mistake[1]
        if step.kind == TEXT_STEP:
            return [str(values[step.field_ids[0]]), "/done"]
        shown = [v if isinstance(v, str) else format_number(v) for v in values.values()]
        return [" ".join(shown)] if step.kind == ROW else shown

    async def fill_department(
        self,
        dept: str,
        mistake: tuple[str, object] | None = None,
        slip: tuple[str, str] | None = None,
        by_sheet: bool = False,
    ) -> None:
        """Answer every section of a department as prompted (or all at once in the workbook), then submit
        each.

        ``slip``: a narrative first written with a figure that contradicts the tables, then corrected."""
        if by_sheet:
            await self.fill_by_sheet(dept)
        session = self.services.session(self.services.cycle())
        units = session.units_of(dept)
        for unit in units:
            menu = await self.say(dept, "/fill")
            # /fill lists the sections, or goes straight to the only one still to do.
            choices = {b["callback_data"]: b["text"] for row in menu[-1].buttons for b in row}
            wanted = encode(Action.of("open", unit.section_id))
            if wanted in choices:
                await self.press(dept, choices[wanted])
            for step in [] if by_sheet else session.steps(unit):
                if not any(session.template.fields[fid].required for fid in step.field_ids):
                    continue  # optional parts (the lead under 一、总体情况) are not asked in turn
                if slip and step.field_ids == (slip[0],):
                    await self._slip(dept, slip[1])
                for text in self._typed(step, mistake):
                    await self.say(dept, text)
            submitted = await self.press(dept, "提交")
            refused = [m.text for m in submitted if m.text.startswith("未提交")]
            if refused:
                self.checks.append(
                    f"{self._stamp()} {self._name(dept)} 提交“{unit.title}”被拦下：\n" + refused[0]
                )
                for line in refused[0].splitlines()[1:-1]:
                    self.echo(f"      {line}")
            else:
                self.events.append(f"{self._stamp()} {self._name(dept)} 提交“{unit.title}”")

    async def fill_by_sheet(self, dept: str) -> None:
        """「用 Excel 填写」: the workbook the bot sends, filled as an office does (here with openpyxl), and
        sent back in one message."""
        menu = await self.say(dept, "/fill")
        sent = await self.press(dept, "用 Excel 填写", menu[-1])
        document = next(m for m in sent if m.document is not None)
        session = self.services.session(self.services.cycle())
        values = {
            cell.ref: self.answers[fid]
            for fid, cell in read_sheet(document.document, self.template).cells.items()
            # totals are the workbook's formulas
            if self.answers.get(fid) is not None and session.figures.asked(self.template.fields[fid])
        }
        self.clock.advance(timedelta(minutes=25))  # the figures are copied from the office's own tables
        replies = await self.sim.send_document(
            self.people[dept][0], document.filename, typed(document.document, values)
        )
        self._show(self._name(dept), f"📎 {document.filename}（已在 Excel 中填好）", replies)
        self.events.append(f"{self._stamp()} {self._name(dept)} 用 Excel 表格填写，一次发回 {len(values)} 项")

    async def _slip(self, dept: str, wrong: str) -> None:
        """Write a narrative whose figure the tables contradict, read the warning, answer again."""
        await self.say(dept, wrong)
        saved = await self.say(dept, "/done")
        warning = next(line for m in saved for line in m.text.splitlines() if line.startswith("⚠️"))
        self.echo(f"      {warning}")
        self.checks.append(
            f"{self._stamp()} {self._name(dept)} 的文字与表格不符，当场提示后改正：\n{warning}"
        )
        await self.press(dept, "重新填写", saved[0])

    async def correct(self, dept: str, section_id: str, field_id: str) -> None:
        """Fix the wrong figure through 修改, then submit again."""
        session = self.services.session(self.services.cycle())
        units = session.units_of(dept)
        index = [u.section_id for u in units].index(section_id)
        steps = session.steps(units[index])
        number = next(i for i, s in enumerate(steps) if field_id in s.field_ids)
        await self.press(dept, *self._button(dept, "editmenu", section_id))
        await self.press(dept, *self._button(dept, "edit", section_id, str(number)))
        for text in self._typed(steps[number], None):
            await self.say(dept, text)
        await self.press(dept, *self._button(dept, "submit", section_id))
        self.events.append(f"{self._stamp()} {self._name(dept)} 改正后提交“{units[index].title}”")

    async def return_section(self, section_id: str, comment: str) -> None:
        """The coordinator returns a section with a reason."""
        session = self.services.session(self.services.cycle())
        number = [u.section_id for u in session.units].index(section_id) + 1
        await self.coordinator(f"/return {number} {comment}")
        self.events.append(f"{self._stamp()} 协调人退回“{session.units[number - 1].title}”：{comment}")

    async def revise(self, dept: str, section_id: str) -> None:
        """The department rewrites the returned narrative and submits it again."""
        user_id = self.people[dept][0]
        told = self.api.messages_to(user_id)[-1]
        await self.press(dept, "修改", told)
        await self.press(dept, "修改")
        session = self.services.session(self.services.cycle())
        units = session.units_of(dept)
        index = [u.section_id for u in units].index(section_id)
        steps = session.steps(units[index])
        await self.press(dept, *self._button(dept, "edit", section_id, "0"))
        addition = "（补充）上年度问题均已整改到位，整改情况已在门户网站公开。"
        text = f"{self.answers.get(steps[0].field_ids[0], '')}\n\n{addition}"
        await self.say(dept, text)
        await self.say(dept, "/done")
        await self.say(dept, "/submit")
        self.events.append(f"{self._stamp()} {self._name(dept)} 修改后重新提交“{units[index].title}”")

    async def approve_all(self) -> None:
        """The coordinator approves every submitted section."""
        session = self.services.session(self.services.cycle())
        for number, unit in enumerate(session.units, start=1):
            if session.state(unit).state == SUBMITTED:
                await self.coordinator(f"/approve {number}")
                self.events.append(f"{self._stamp()} 协调人通过“{unit.title}”")

    async def tick(self, moment: datetime) -> None:
        """The scheduler's job runs at ``moment``."""
        self.clock.set(moment)
        result = await self.scheduler.tick()
        await self.sim.runtime.settled(result.cause)
        for _, dept, slot in result.sent:
            who = (
                "协调人（每日汇总）"
                if dept == "_coordinators"
                else next(d.name for d in self.departments if d.id == dept)
            )
            kind = {"open": "开始填报通知", "digest": "逾期汇总", "head": "督办通知"}.get(
                slot.split(":")[0], "提醒"
            )
            self.echo(f"   ⏰ {kind} → {who}（{slot}）")

    async def assemble(self) -> None:
        """The coordinator assembles the finished report."""
        replies = await self.coordinator("/assemble")
        self.final_report = next(m for m in replies if m.document is not None)

    def summary(self, year: int) -> str:
        """A short account: who answered when, reminders sent, checks that fired."""
        lines = [f"# reportbot 演示：{year} 年报告", "", "## 提交与审核", ""]
        lines += [f"- {event}" for event in self.events]
        lines += ["", "## 自动提醒", ""]
        names = {d.id: d.name for d in self.departments} | {"_coordinators": "协调人（每日汇总）"}
        for entry in self.store.list_reminders(str(year)):
            when = entry.sent_at.astimezone(self.services.settings.timezone)
            lines.append(
                f"- {when.month}月{when.day}日 {when:%H:%M} {names.get(entry.department_id)}：{entry.slot}"
            )
        lines += ["", "## 触发的检查", ""]
        lines += [f"- {check}" for check in self.checks] or ["- 无"]
        return "\n".join(lines) + "\n"
