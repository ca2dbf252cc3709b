"""Services built once at start-up and shared by every handler and job (kept in ``bot_data``)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot.config import Settings
from storage.contract import Store
from storage.records import Contact, Cycle
from workflows.clock import Clock
from workflows.cycles import active_cycle, new_cycle
from workflows.files import read_answers_file
from workflows.onboarding import signing_key
from workflows.session import ReportSession


@dataclass
class Services:
    """The store, the settings and the clock, plus the few things derived from them."""

    settings: Settings
    store: Store
    clock: Clock
    previous_fallback: dict[str, Any] | None = None
    key: bytes = field(default=b"")

    def __post_init__(self) -> None:
        if not self.key and self.settings.signing_secret:
            self.key = signing_key(self.settings.signing_secret)
        if self.previous_fallback is None and self.settings.previous_figures:
            self.previous_fallback = read_answers_file(self.settings.previous_figures)

    def now(self) -> datetime:
        """The current moment, from the injected clock."""
        return self.clock.now()

    def cycle(self) -> Cycle | None:
        """The cycle people are working on now, if any."""
        return active_cycle(self.store.list_cycles(), self.now())

    def session(self, cycle: Cycle) -> ReportSession:
        """A fresh view of one cycle's report."""
        return ReportSession(self.store, self.settings.template, cycle.year, self.previous_fallback)

    def organisation(self) -> dict[str, Any]:
        """The organisation profile used in the document."""
        return self.store.get_organisation() or dict(self.settings.organisation)

    def mark_blocked(self, chat_id: int, blocked: bool = True) -> None:
        """Record that a contact blocked (or unblocked) the bot."""
        contact = self.store.get_contact(chat_id)
        if contact is not None and contact.blocked != blocked:
            self.store.put_contact(replace(contact, blocked=blocked))

    def sync_from_settings(self) -> None:
        """Copy the configured organisation, departments, coordinators and cycle into the store."""
        settings = self.settings
        if settings.organisation:
            self.store.set_organisation(settings.organisation)
        for department in settings.departments:
            stored = self.store.get_department(department.id)
            if stored != department:
                self.store.put_department(department)
        for user_id in settings.coordinators:
            if self.store.get_contact(user_id) is None:
                self.store.put_contact(
                    Contact(user_id, "coordinator", lang=settings.language, chat_id=user_id)
                )
        if settings.cycle and self.store.get_cycle(settings.cycle.year) is None:
            self.store.put_cycle(
                new_cycle(
                    settings.template.id,
                    settings.cycle.year,
                    settings.cycle.deadline,
                    settings.cycle.opens,
                    settings.timezone.key,
                    self.now(),
                )
            )
