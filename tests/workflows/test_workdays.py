from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from workflows.workdays import CalendarError, WorkCalendar

ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def calendar():
    return WorkCalendar.load()


def test_spring_festival_2026_from_the_library(calendar):
    assert not calendar.is_workday(date(2026, 2, 16))  # 春节
    assert not calendar.is_workday(date(2026, 2, 15))  # Sunday inside the holiday
    assert calendar.is_workday(date(2026, 2, 14))  # an adjusted working Saturday (调休)
    assert calendar.is_workday(date(2026, 2, 28))


def test_counting_working_days_skips_the_holiday_and_counts_the_adjusted_saturday(calendar):
    assert calendar.workdays_before(date(2026, 2, 25), 1) == date(2026, 2, 24)
    assert calendar.workdays_before(date(2026, 2, 25), 2) == date(2026, 2, 14)
    assert calendar.next_workday(date(2026, 2, 15)) == date(2026, 2, 24)


def test_nights_and_holidays_move_to_the_next_working_morning(calendar):
    assert calendar.working_time(datetime(2026, 2, 13, 22, 30, tzinfo=ZONE), ZONE) == datetime(
        2026, 2, 14, 9, 0, tzinfo=ZONE
    )
    assert calendar.working_time(datetime(2026, 2, 16, 10, 0, tzinfo=ZONE), ZONE) == datetime(
        2026, 2, 24, 9, 0, tzinfo=ZONE
    )
    assert calendar.working_time(datetime(2026, 2, 24, 7, 0, tzinfo=ZONE), ZONE) == datetime(
        2026, 2, 24, 9, 0, tzinfo=ZONE
    )
    noon = datetime(2026, 3, 3, 12, 0, tzinfo=ZONE)
    assert calendar.working_time(noon, ZONE) == noon


def test_a_year_the_library_does_not_know_comes_from_the_data_file(calendar, tmp_path):
    assert not calendar.is_workday(date(2027, 1, 1))  # bundled: 元旦 is fixed by law
    extra = tmp_path / "2027.yaml"
    extra.write_text(
        "holidays: [2027-02-08]\nworkdays: [2027-02-20]\ncomplete_years: [2027]\n", encoding="utf-8"
    )
    own = WorkCalendar.load(extra)
    assert not own.is_workday(date(2027, 2, 8))
    assert own.is_workday(date(2027, 2, 20))  # a Saturday made a working day
    assert not own.is_workday(date(2027, 1, 1))


def test_a_broken_calendar_file_is_explained(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("holidays: [someday]\n", encoding="utf-8")
    with pytest.raises(CalendarError, match="is not a date"):
        WorkCalendar.load(bad)
    with pytest.raises(CalendarError, match="no such calendar file"):
        WorkCalendar.load(tmp_path / "missing.yaml")
