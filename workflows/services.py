"""The application services every channel and the schedule share: the store, the office's settings, the
clock, and what people work on (cycles, sessions), kept in step with the configuration."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from storage import kept_secret
from storage.contract import Store
from storage.records import COORDINATOR, FROM_CONFIG, HEAD, Contact, Cycle, Department
from workflows.clock import Clock
from workflows.cycles import active_cycle, new_cycle, open_cycles
from workflows.files import read_answers_file
from workflows.loader import load_template
from workflows.model import Template
from workflows.onboarding import signing_key
from workflows.session import ReportSession
from workflows.workdays import WorkCalendar

log = logging.getLogger(__name__)


class OfficeSettings(Protocol):
    """What the services read of an office's configuration (a channel's settings carry more)."""

    template: Template
    template_ref: str
    secret: str | None
    database: Path
    previous_figures: Path | None
    organisation: dict[str, Any]
    language: str
    timezone: ZoneInfo
    departments: list[Department]
    coordinators: list[int]
    cycle: Any  # the configured first cycle (year, deadline, opens), if any


@dataclass
class Services:
    """The store, the settings and the clock, plus the few things derived from them."""

    settings: OfficeSettings
    store: Store
    clock: Clock
    previous_fallback: dict[str, Any] | None = None
    key: bytes = field(default=b"")
    calendar: WorkCalendar | None = None  # set by the bot from the configured calendar

    def __post_init__(self) -> None:
        if not self.key:
            secret = self.settings.secret or kept_secret(self.settings.database)
            self.key = signing_key(secret)
        if self.previous_fallback is None and self.settings.previous_figures:
            self.previous_fallback = read_answers_file(self.settings.previous_figures)

    def now(self) -> datetime:
        """The current moment, from the injected clock."""
        return self.clock.now()

    def cycle(self) -> Cycle | None:
        """The cycle people are working on now (the newest open one), if any."""
        return active_cycle(self.store.list_cycles(), self.now())

    def open_cycles(self) -> list[Cycle]:
        """Every cycle open now, the newest first."""
        return open_cycles(self.store.list_cycles(), self.now())

    def cycles_for(self, contact: Contact) -> list[Cycle]:
        """The open cycles in which the contact's department has sections, the newest first.

        Of one series (same template and period) only the newest counts: last year's report left open
        does not make anyone choose between it and this year's."""
        newest: dict[tuple[str, str], Cycle] = {}
        for cycle in self.open_cycles():
            newest.setdefault((cycle.template_id, cycle.period), cycle)
        if len(newest) <= 1:  # nothing to choose between (the usual case): no need to look at sections
            return list(newest.values())
        return [c for c in newest.values() if self.session(c).units_of(contact.department_id or "")]

    def cycle_for(self, contact: Contact, wanted: str | None = None) -> tuple[Cycle | None, list[Cycle]]:
        """The cycle a contact is working on: the one asked for (and then remembered), the one chosen
        before, or the only one open for their department. Else (None, the open ones to choose from)."""
        cycles = self.cycles_for(contact)
        by_id = {c.id: c for c in cycles}
        chat = self.store.get_chat(contact.address)
        if wanted in by_id and chat.cycle_id != wanted:
            self.store.put_chat(replace(chat, cycle_id=wanted))
            return by_id[wanted], cycles
        if chat.cycle_id in by_id:
            return by_id[chat.cycle_id], cycles
        if len(cycles) == 1:
            return cycles[0], cycles
        return None, cycles

    def template_for(self, cycle: Cycle) -> Template:
        """The template a cycle was opened with."""
        if cycle.template_id in (self.settings.template.id, self.settings.template_ref):
            return self.settings.template
        return _template(cycle.template_id)

    def session(self, cycle: Cycle) -> ReportSession:
        """A fresh view of one cycle's report."""
        return ReportSession(
            self.store, self.template_for(cycle), cycle, self.previous_fallback, self.calendar
        )

    def organisation(self) -> dict[str, Any]:
        """The organisation profile used in the document."""
        return self.store.get_organisation() or dict(self.settings.organisation)

    def mark_blocked(self, chat_id: int, blocked: bool = True) -> None:
        """Record that a contact blocked (or unblocked) the bot."""
        contact = self.store.get_contact(chat_id)
        if contact is not None and contact.blocked != blocked:
            self.store.put_contact(replace(contact, blocked=blocked))

    def sync_from_settings(self) -> list[str]:
        """Make the store agree with the configuration, which is the source of truth for roles.

        Departments not configured any more are kept (history names them) but take no part;
        coordinators the configuration named and no longer does lose the role; configured ones gain it.
        Returns what changed, one line each, for the start-up log."""
        settings, store, now = self.settings, self.store, self.now()
        changes = []
        with store.transaction():
            if settings.organisation:
                store.set_organisation(settings.organisation)
            configured = {d.id for d in settings.departments}
            for department in settings.departments:
                if store.get_department(department.id) != department:
                    store.put_department(department)
            for stored in store.list_departments():
                if stored.id not in configured and stored.active:
                    store.put_department(replace(stored, active=False))
                    changes.append(f"department {stored.id} removed from the configuration")
            coordinators = set(settings.coordinators)
            heads = {d.head_user_id: d.id for d in settings.departments if d.head_user_id}
            for contact in store.list_contacts():
                changes += self._sync_contact(contact, coordinators, heads, now)
            for user_id, department_id in heads.items():
                if store.get_contact(user_id) is None and user_id not in coordinators:
                    store.put_contact(
                        Contact(
                            user_id,
                            HEAD,
                            "",
                            department_id,
                            settings.language,
                            user_id,
                            granted_by=FROM_CONFIG,
                        )
                    )
                    changes.append(f"head {user_id} of {department_id} added from the configuration")
            for user_id in coordinators:
                contact = store.get_contact(user_id)
                if contact is not None and contact.role == COORDINATOR and contact.active:
                    if contact.granted_by != FROM_CONFIG:  # listed now: the configuration owns the role
                        store.put_contact(replace(contact, granted_by=FROM_CONFIG))
                else:
                    name = contact.name if contact else ""
                    lang = contact.lang if contact else settings.language
                    store.put_contact(
                        Contact(user_id, COORDINATOR, name, None, lang, user_id, granted_by=FROM_CONFIG)
                    )
                    changes.append(f"coordinator {user_id} added from the configuration")
            if settings.cycle and store.get_cycle(str(settings.cycle.year)) is None:
                store.put_cycle(
                    new_cycle(
                        settings.template.id,
                        settings.cycle.year,
                        settings.cycle.deadline,
                        settings.cycle.opens,
                        settings.timezone.key,
                        now,
                    )
                )
        for line in changes:
            log.info("%s", line)
        return changes

    def _sync_contact(
        self, contact: Contact, coordinators: set[int], heads: dict[int, str], now: datetime
    ) -> list[str]:
        # Contacts of a department that left the configuration keep their record; the guard refuses
        # them for as long as the department is absent (and serves them again if it comes back).
        if contact.granted_by != FROM_CONFIG or not contact.active:
            return []
        if contact.role == COORDINATOR and contact.user_id not in coordinators:
            self.store.put_contact(replace(contact, revoked_at=now))
            return [f"coordinator {contact.user_id} removed from the configuration: rights revoked"]
        if contact.role == HEAD and heads.get(contact.user_id) != contact.department_id:
            if contact.user_id in heads:  # moved to another department's head
                self.store.put_contact(replace(contact, department_id=heads[contact.user_id]))
                return [f"head {contact.user_id} now heads {heads[contact.user_id]}"]
            self.store.put_contact(replace(contact, revoked_at=now))
            return [f"head {contact.user_id} removed from the configuration: rights revoked"]
        return []


@functools.cache
def _template(template_id: str) -> Template:
    return load_template(template_id)
