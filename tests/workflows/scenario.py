"""A report world built directly from the domain, as ``bot.services`` builds it, without any channel.

The example organisation's five departments (examples/2021/organisation.yaml), the 2021 template, the
2025 report's cycle opening on a Wednesday morning in January 2026 (a month the bundled
holiday calendar covers) with a hand-moved clock, and helpers to put people in it,
talk to the bot as one of them and store answers from examples/2021/answers.yaml. Nothing here sends
anything anywhere: what the domain says is read from the ``Outcome`` it returns, what it keeps from the
store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from storage import memory_store
from storage.contract import Store
from storage.dict_store import DictStore
from storage.records import CONTACT, COORDINATOR, Contact, Cycle, Department
from workflows.clock import ManualClock
from workflows.conversation import Conversation
from workflows.cycles import new_cycle
from workflows.files import read_answers_file, read_profile
from workflows.loader import load_template
from workflows.model import Template
from workflows.replies import Action, Outcome, Reply
from workflows.session import ReportSession
from workflows.units import Unit
from workflows.workdays import WorkCalendar

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "2021"
ZONE = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 1, 7, 9, 0, tzinfo=ZONE)  # a Wednesday, after the New Year holiday
DEADLINE = datetime(2026, 1, 21, 18, 0, tzinfo=ZONE)  # a Wednesday, two weeks (10 working days) on
YEAR = 2025
TEMPLATE_ID = "gov-disclosure-2021"

# Both implementations of the storage contract: what the domain does must not depend on which one.
STORES: dict[str, Callable[[], Store]] = {"tinydb": memory_store, "dict": DictStore}

_template_cache: dict[str, Template] = {}
_calendar_cache: list[WorkCalendar] = []


def template() -> Template:
    """The bundled 2021 template (loaded once per test process)."""
    if TEMPLATE_ID not in _template_cache:
        _template_cache[TEMPLATE_ID] = load_template(TEMPLATE_ID)
    return _template_cache[TEMPLATE_ID]


def calendar() -> WorkCalendar:
    """The bundled working-day calendar (loaded once per test process)."""
    if not _calendar_cache:
        _calendar_cache.append(WorkCalendar.load())
    return _calendar_cache[0]


def departments() -> list[Department]:
    """The example organisation's departments, as the configuration would give them."""
    profile = read_profile(EXAMPLES / "organisation.yaml")
    return [Department(d["id"], d["name"], tuple(d["sections"])) for d in profile.departments]


def example_answers() -> dict[str, Any]:
    """A complete, consistent set of 2021 answers, by field id."""
    return read_answers_file(EXAMPLES / "answers.yaml")


def previous_answers() -> dict[str, Any]:
    """Last year's figures that come with the example."""
    return read_answers_file(EXAMPLES / "previous.yaml")


@dataclass
class World:
    """A store with the example organisation and one open cycle, a clock, and the people in it."""

    store: Store
    clock: ManualClock
    cycle: Cycle
    previous: dict[str, Any] | None = None
    people: dict[int, Contact] = field(default_factory=dict)

    @property
    def template(self) -> Template:
        """The cycle's template."""
        return template()

    def now(self) -> datetime:
        """The hand-moved clock's moment."""
        return self.clock.now()

    def session(self, cycle: Cycle | None = None) -> ReportSession:
        """A fresh view of the cycle (as each request gets one)."""
        return ReportSession(self.store, self.template, cycle or self.cycle, self.previous, calendar())

    # People --------------------------------------------------------------------------------------
    def join(
        self,
        user_id: int,
        name: str,
        department: str | None = None,
        lang: str = "zh",
        role: str | None = None,
    ) -> Contact:
        """Bind a person directly (as a redeemed invitation does): a contact, a head or a coordinator."""
        role = role or (CONTACT if department else COORDINATOR)
        contact = Contact(user_id, role, name, department, lang, user_id, bound_at=self.now())
        self.store.put_contact(contact)
        self.people[user_id] = contact
        return contact

    def contact(self, user_id: int) -> Contact:
        """A person as stored now (their language may have changed)."""
        found = self.store.get_contact(user_id)
        assert found is not None, user_id
        return found

    def talk(self, user_id: int) -> Conversation:
        """The person's conversation about the cycle, as a handler builds it for one update."""
        return Conversation(self.session(), self.contact(user_id), self.now())

    # Answers -------------------------------------------------------------------------------------
    def unit(self, section_id: str) -> Unit:
        """A section's unit (it must be assigned)."""
        found = self.session().unit(section_id)
        assert found is not None, section_id
        return found

    def fill(self, section_ids: Iterable[str], by: str = "user:0", values: dict[str, Any] | None = None):
        """Store the example answers of the given sections straight into the store."""
        answers = values if values is not None else example_answers()
        session = self.session()
        wanted = {fid for sid in section_ids for fid in session.unit(sid).field_ids}
        given = {fid: value for fid, value in answers.items() if fid in wanted}
        stored = {fid: str(v) if not isinstance(v, int | str) else v for fid, v in given.items()}
        self.store.save_answers(self.cycle.id, stored, by, self.now())
        return stored

    def answers(self) -> dict[str, Any]:
        """The current value of every answered field."""
        return {fid: v.value for fid, v in self.store.current_answers(self.cycle.id).items()}

    def state(self, section_id: str) -> str:
        """A section's stored review state."""
        return self.store.get_section_state(self.cycle.id, section_id).state

    def later(self, **delta: float) -> datetime:
        """Move the clock on."""
        return self.clock.advance(timedelta(**delta))


def build_world(
    store: Store,
    start: datetime = START,
    deadline: datetime = DEADLINE,
    opens: datetime | None = None,
    previous: dict[str, Any] | None = None,
) -> World:
    """The example organisation in ``store`` with the 2025 report's cycle open (unless ``opens`` is later)."""
    clock = ManualClock(start)
    for department in departments():
        store.put_department(department)
    cycle = new_cycle(TEMPLATE_ID, YEAR, deadline, opens, "Asia/Shanghai", start)
    store.put_cycle(cycle)
    return World(store, clock, cycle, previous)


# Reading outcomes --------------------------------------------------------------------------------------
def texts(outcome: Outcome) -> list[str]:
    """The texts of the replies to the person who acted."""
    return [reply.text for reply in outcome.replies]


def only_text(outcome: Outcome) -> str:
    """The text of the one reply (fails if there are several or none)."""
    assert len(outcome.replies) == 1, texts(outcome)
    return outcome.replies[0].text


def buttons(reply: Reply | Outcome) -> list[tuple[str, Action]]:
    """Every button of a reply (of an outcome's last reply), row after row: (label, action)."""
    if isinstance(reply, Outcome):
        reply = reply.replies[-1]
    return [(b.label, b.action) for row in reply.buttons for b in row]


def labels(reply: Reply | Outcome) -> list[str]:
    """The labels of every button of a reply (of an outcome's last reply)."""
    return [label for label, _ in buttons(reply)]


def action(reply: Reply | Outcome, label: str) -> Action:
    """The action of the button with this label."""
    found = [a for text, a in buttons(reply) if text == label]
    assert len(found) == 1, (label, labels(reply))
    return found[0]


def notified(outcome: Outcome) -> dict[int, list[str]]:
    """The messages for other people, by user id."""
    out: dict[int, list[str]] = {}
    for user_id, reply in outcome.notify:
        out.setdefault(user_id, []).append(reply.text)
    return out
