"""China's working-day calendar: weekends, public holidays and adjusted working days (调休).

The years it covers come from the ``chinesecalendar`` library; a data file (``templates/calendar/cn.yaml``
and the coordinator's own) adds or overrides days, so a year the library does not know yet can be
filled in as soon as the State Council publishes its holiday arrangement.
"""

from __future__ import annotations

import functools
import importlib.resources
import logging
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path

import chinese_calendar
import yaml

from workflows.problems import Problem

log = logging.getLogger(__name__)
BUNDLED = Path(str(importlib.resources.files("templates") / "calendar" / "cn.yaml"))
MORNING = time(9, 0)


class CalendarError(Problem):
    """A calendar data file that cannot be read."""


def _dates(values: Iterable, source: Path, key: str) -> set[date]:
    out = set()
    for value in values or []:
        if isinstance(value, date):
            out.add(value)
        else:
            try:
                out.add(date.fromisoformat(str(value)))
            except ValueError:
                raise CalendarError("{value!r} is not a date like 2027-01-01", value=value).at(
                    str(source), key
                ) from None
    return out


class WorkCalendar:
    """Answers "is this a working day?" for mainland China, with local additions."""

    def __init__(
        self, holidays: Iterable[date] = (), workdays: Iterable[date] = (), known_years: Iterable[int] = ()
    ) -> None:
        self.holidays = set(holidays)
        self.workdays = set(workdays)
        self.known_years = set(known_years)
        self._warned: set[int] = set()
        self._days: dict[date, bool] = {}

    @classmethod
    def load(cls, *files: Path | None) -> WorkCalendar:
        """The library's calendar plus the bundled data file plus any further files, later ones winning."""
        holidays: set[date] = set()
        workdays: set[date] = set()
        years: set[int] = set()
        for file in (BUNDLED, *files):
            if file is None:
                continue
            try:
                data = yaml.safe_load(Path(file).read_text(encoding="utf-8")) or {}
            except FileNotFoundError:
                raise CalendarError("no such calendar file").at(str(file)) from None
            except yaml.YAMLError:
                raise CalendarError("not valid YAML").at(str(file)) from None
            new_holidays = _dates(data.get("holidays"), Path(file), "holidays")
            new_workdays = _dates(data.get("workdays"), Path(file), "workdays")
            holidays = (holidays - new_workdays) | new_holidays
            workdays = (workdays - new_holidays) | new_workdays
            years |= {int(y) for y in data.get("complete_years") or []}
        return cls(holidays, workdays, years)

    @classmethod
    def default(cls) -> WorkCalendar:
        """The bundled calendar, loaded once (for views built without a configured one)."""
        return _default()

    def is_workday(self, day: date) -> bool:
        """Whether people work on ``day`` (adjusted Saturdays count, public holidays do not)."""
        # Deadlines are counted day by day in every prompt and reminder; the answer for a day never changes.
        known = self._days.get(day)
        if known is None:
            known = self._days[day] = self._is_workday(day)
        return known

    def _is_workday(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        if day.year not in self.known_years:
            try:
                return chinese_calendar.is_workday(day)
            except NotImplementedError:
                if day.year not in self._warned:
                    self._warned.add(day.year)
                    log.warning(
                        "no holiday data for %s: counting weekdays only; add the year to the calendar "
                        "file (see README)",
                        day.year,
                    )
        return day.weekday() < 5

    def next_workday(self, day: date) -> date:
        """``day`` itself if it is a working day, else the next one."""
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def previous_workday(self, day: date) -> date:
        """``day`` itself if it is a working day, else the one before."""
        while not self.is_workday(day):
            day -= timedelta(days=1)
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """How many working days come after ``start``, up to and including ``end``."""
        count, day = 0, start + timedelta(days=1)
        while day <= end:
            count += self.is_workday(day)
            day += timedelta(days=1)
        return count

    def workdays_before(self, day: date, count: int) -> date:
        """The working day ``count`` working days before ``day``."""
        for _ in range(count):
            day = self.previous_workday(day - timedelta(days=1))
        return day

    def morning(self, day: date, zone: tzinfo) -> datetime:
        """09:00 on ``day`` in ``zone``."""
        return datetime.combine(day, MORNING, tzinfo=zone)

    def working_time(self, moment: datetime, zone: tzinfo) -> datetime:
        """Move a moment out of nights, weekends and holidays: to the next working morning if needed."""
        local = moment.astimezone(zone)
        if self.is_workday(local.date()) and time(9, 0) <= local.time() <= time(18, 0):
            return local
        day = local.date() if local.time() < MORNING else local.date() + timedelta(days=1)
        return self.morning(self.next_workday(day), zone)


@functools.cache
def _default() -> WorkCalendar:
    return WorkCalendar.load()
