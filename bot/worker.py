"""Long work in the background: assembling the report, exporting the figures, reporting on a broadcast,
reading a workbook a contact sent back (fetched from Telegram outside any unit of work).

The handler that asks for it answers at once and records a job in its unit of work; the worker does the
work (the document is built in a thread, from figures computed beforehand) and puts the result in the
outbox, finishing the job in the same unit. Jobs left unfinished by a crash are done at the next start.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import replace

from telegram.error import TelegramError

from bot.courier import Courier
from bot.runtime import Runtime, Unit
from storage.records import DUE, FAILED, NOTICE, REPLY, SENT, Cycle, Delivery, Job
from workflows.i18n import t
from workflows.progress import broadcast_report
from workflows.replies import Reply
from workflows.reports import assemble_current, figures_json, figures_xlsx
from workflows.sheets.read import SheetRefused, SheetUpload, read_sheet
from workflows.sheets.upload import receive_sheet

MSG_NOT_FETCHED = "The file could not be fetched from Telegram. Please send it again."

log = logging.getLogger(__name__)
ASSEMBLE, EXPORT, BROADCAST, SHEET = "assemble", "export", "broadcast", "sheet"


def group_of(job: Job) -> str:
    """The outbox group of a broadcast job's messages."""
    return f"job:{job.id}"


class Worker:
    """Runs jobs one after another, beside the handling of updates."""

    def __init__(self, runtime: Runtime, courier: Courier) -> None:
        self.runtime = runtime
        self.courier = courier
        self._queue: asyncio.Queue[Job] = asyncio.Queue()
        runtime.on_commit.append(lambda unit: self.add(unit.jobs))
        courier.on_finished.append(self._delivery_finished)

    def add(self, jobs: list[Job]) -> None:
        """Take newly committed jobs (or, at start-up, every pending one)."""
        for job in jobs:
            if job.kind in (ASSEMBLE, EXPORT, SHEET):
                self._queue.put_nowait(job)
            elif job.kind == BROADCAST and self.courier.groups[group_of(job)] <= 0:
                self._queue.put_nowait(job)  # its messages all went out before a restart: report now

    async def run(self) -> None:
        """Do jobs until cancelled."""
        while True:
            job = await self._queue.get()
            try:
                await self._run(job)
            except Exception:
                log.exception("job %s (%s) failed", job.id, job.kind)
                await self._give_up(job)

    async def _run(self, job: Job) -> None:
        services = self.runtime.services
        if job.kind == BROADCAST:
            async with self.runtime.unit(job.cause or "") as unit:
                current = unit.store.get_job(job.id)
                if current is not None:
                    self._finish_broadcast(unit, current)
            return
        cycle = services.store.get_cycle(job.params["cycle"])
        chat, lang = job.params["chat"], job.params["lang"]
        if job.kind == SHEET:
            await self._sheet(job, cycle)
            return
        session = services.session(cycle)
        if job.kind == ASSEMBLE:
            session.findings, session.departments  # noqa: B018 - computed here, read by the thread
            report = await asyncio.to_thread(
                assemble_current,
                session,
                services.organisation(),
                services.now(),
                services.settings.timezone,
                lang,
            )
            replies = [Reply(report.caption, document=report.document, filename=report.filename)]
        else:
            xlsx = await asyncio.to_thread(figures_xlsx, session)
            replies = [
                Reply(
                    t(lang, "All figures of {year}", year=session.year),
                    document=xlsx,
                    filename=f"figures-{cycle.id}.xlsx",
                ),
                Reply("JSON", document=figures_json(session), filename=f"figures-{cycle.id}.json"),
            ]
        async with self.runtime.unit(job.cause or "") as unit:
            for reply in replies:
                unit.reply(chat, reply, REPLY)
            self._done(unit, job)

    async def _sheet(self, job: Job, cycle: Cycle) -> None:
        """A returned workbook: fetched and read outside any unit of work, then saved in one."""
        services = self.runtime.services
        try:
            received = await self.courier.bot.get_file(job.params["file_id"])
            data = bytes(await received.download_as_bytearray())
            upload: SheetUpload | SheetRefused = await asyncio.to_thread(
                read_sheet, data, services.template_for(cycle)
            )
        except SheetRefused as refused:
            upload = refused
        except TelegramError as exc:
            log.warning("workbook of job %s not fetched: %s", job.id, exc.__class__.__name__)
            upload = SheetRefused(MSG_NOT_FETCHED)  # the channel's own failure, in its words
        async with self.runtime.unit(job.cause or "") as unit:
            contact = unit.store.get_contact(job.params["user"])
            unit.send(job.params["chat"], receive_sheet(services.session(cycle), contact, upload, unit.now))
            self._done(unit, job)

    async def _give_up(self, job: Job) -> None:
        async with self.runtime.unit(job.cause or "") as unit:
            lang = job.params.get("lang", "zh")
            text = t(lang, "Sorry, something went wrong. Your saved answers are safe; please try again.")
            unit.reply(job.params["chat"], Reply(text), REPLY)
            self._done(unit, job)

    @staticmethod
    def _done(unit: Unit, job: Job) -> None:
        unit.store.put_job(replace(job, state=SENT))
        unit.settled.append(job.cause or "")

    def _delivery_finished(self, unit: Unit, delivery: Delivery, left: int) -> None:
        """Count a broadcast's message; when the last one is done, tell whoever asked for it."""
        if not (delivery.group or "").startswith("job:"):
            return
        job = unit.store.get_job(int(delivery.group.split(":")[1]))
        if job is None:
            return
        tally = Counter(job.tally)
        contact = unit.store.get_contact(delivery.chat_id)
        outcome = "sent" if delivery.state == SENT else ("blocked" if contact and contact.blocked else FAILED)
        tally[outcome] += 1
        job = replace(job, tally=dict(tally))
        if left > 0:
            unit.store.put_job(job)
        else:
            self._finish_broadcast(unit, job)

    def _finish_broadcast(self, unit: Unit, job: Job) -> None:
        if job.state != DUE:
            return
        lang = job.params.get("lang", "zh")
        text = broadcast_report(
            lang, job.params.get("what", "remind"), job.tally, job.params.get("names", [])
        )
        unit.reply(job.params["chat"], Reply(text), NOTICE)
        self._done(unit, job)
