"""The outbox (messages due to chats until the channel accepts them), background jobs and kept files."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from storage.records import DUE, Delivery, Job
from storage.tiny_base import TinyBase, iso, moment, writes

KEEP_FINISHED = 30  # finished deliveries kept per chat: enough to recognise our own recent messages


class OutboxTables(TinyBase):
    """One outbox table per chat, one jobs table; files beside the database."""

    def __init__(self, db, blobs) -> None:
        super().__init__(db)
        self._blobs = blobs

    # Deliveries -----------------------------------------------------------------------------------
    @writes
    def add_delivery(
        self,
        chat_id: int,
        kind: str,
        payload: dict[str, Any],
        at: datetime,
        priority: int,
        cause: str | None = None,
        group: str | None = None,
    ) -> Delivery:
        """Record a message as due to a chat."""
        delivery = Delivery(self._next("delivery"), chat_id, kind, payload, at, at, priority, cause, group)
        self.put_delivery(delivery)
        return delivery

    @writes
    def put_delivery(self, delivery: Delivery) -> None:
        """Replace a delivery; finished ones beyond the newest few of the chat are forgotten."""
        name = f"outbox@{delivery.chat_id}"
        doc = dict(vars(delivery))  # _put copies it: asdict's deep copy would be a second one
        doc.update(
            created_at=iso(delivery.created_at),
            due_at=iso(delivery.due_at),
            finished_at=iso(delivery.finished_at),
        )
        del doc["id"], doc["chat_id"]
        self._put(name, doc, delivery.id)
        if delivery.state != DUE:
            finished = sorted(i for i, d in self._docs(name).items() if d["state"] != DUE)
            if len(finished) > KEEP_FINISHED:
                self._table(name).remove(doc_ids=finished[: len(finished) - KEEP_FINISHED])

    def pending_deliveries(self) -> list[Delivery]:
        """Every delivery still due, in the order they were made due."""
        pending = [
            _delivery(int(name.rsplit("@", 1)[1]), doc_id, doc)
            for name in self._family("outbox")
            for doc_id, doc in self._docs(name).items()
            if doc["state"] == DUE
        ]
        return sorted(pending, key=lambda d: d.id)

    def recent_deliveries(self, chat_id: int) -> list[Delivery]:
        """A chat's deliveries, the finished ones of late included, oldest first."""
        docs = self._docs(f"outbox@{chat_id}")
        return [_delivery(chat_id, doc_id, docs[doc_id]) for doc_id in sorted(docs)]

    # Jobs -----------------------------------------------------------------------------------------
    @writes
    def add_job(self, kind: str, params: dict[str, Any], at: datetime, cause: str | None = None) -> Job:
        """Record long work to do."""
        job = Job(self._next("job"), kind, dict(params), at, cause)
        self.put_job(job)
        return job

    @writes
    def put_job(self, job: Job) -> None:
        """Replace a job; a finished one is forgotten."""
        if job.state != DUE:
            if self._get("jobs", job.id) is not None:
                self._table("jobs").remove(doc_ids=[job.id])
            return
        doc = asdict(job)
        doc["created_at"] = iso(job.created_at)
        del doc["id"]
        self._put("jobs", doc, job.id)

    def get_job(self, job_id: int) -> Job | None:
        """Return one job still to do, or None."""
        doc = self._get("jobs", job_id)
        return _job(job_id, doc) if doc else None

    def pending_jobs(self) -> list[Job]:
        """Every job not yet done, oldest first."""
        docs = self._docs("jobs")
        return [_job(job_id, docs[job_id]) for job_id in sorted(docs)]

    # Files ----------------------------------------------------------------------------------------
    def put_blob(self, data: bytes) -> str:
        """Keep a file's bytes (durably, before any record names them); returns its name."""
        with self.transaction():
            name = f"{self._next('blob'):08d}"
        self._blobs.put(name, data)
        return name

    def get_blob(self, name: str) -> bytes:
        """Return a kept file's bytes."""
        return self._blobs.get(name)

    def delete_blob(self, name: str) -> None:
        """Forget a kept file."""
        self._blobs.delete(name)

    def blob_names(self) -> set[str]:
        """The names of every kept file."""
        return self._blobs.names()


def _delivery(chat_id: int, delivery_id: int, doc: dict[str, Any]) -> Delivery:
    fields = dict(doc)
    fields.update(
        created_at=moment(doc["created_at"]),
        due_at=moment(doc["due_at"]),
        finished_at=moment(doc.get("finished_at")),
    )
    return Delivery(id=delivery_id, chat_id=chat_id, **fields)


def _job(job_id: int, doc: dict[str, Any]) -> Job:
    fields = dict(doc)
    fields["created_at"] = moment(doc["created_at"])
    return Job(id=job_id, **fields)
