"""Export periods on the team's wall clock (time zones, DST), formula neutralising, formats, schedule."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from voc.exports import ExportSchedule, PeriodError, date_range, iso_week, last_complete_week, neutralise, parse_formats
from voc.exports.safety import spreadsheet_text


def test_an_iso_week_runs_monday_to_sunday_in_the_team_zone() -> None:
    week = iso_week("2026-W47", "America/New_York")
    assert (week.first, week.last) == (date(2026, 11, 16), date(2026, 11, 22))
    assert week.start == datetime(2026, 11, 16, 5, tzinfo=UTC)  # midnight EST
    assert week.end == datetime(2026, 11, 23, 5, tzinfo=UTC)
    assert iso_week("2026-W47", "Asia/Tokyo").start == datetime(2026, 11, 15, 15, tzinfo=UTC)
    assert week.label == "2026-W47" and week.previous().label == "2026-W46"


@pytest.mark.parametrize(
    ("week", "tz", "hours"),
    [("2026-W13", "Europe/Berlin", 167), ("2026-W43", "Europe/Berlin", 169), ("2026-W10", "America/New_York", 167),
     ("2026-W44", "America/New_York", 169), ("2026-W44", "UTC", 168)],
)  # fmt: skip
def test_a_week_with_a_dst_change_is_an_hour_shorter_or_longer(week: str, tz: str, hours: int) -> None:
    period = iso_week(week, tz)
    assert period.end - period.start == timedelta(hours=hours)
    assert period.end == period.__class__(period.first + timedelta(days=7), period.last + timedelta(days=7), tz).start


def test_consecutive_weeks_leave_no_gap_and_no_overlap_across_dst() -> None:
    weeks = [iso_week(f"2026-W{n}", "Europe/Berlin") for n in range(40, 48)]
    assert all(a.end == b.start for a, b in zip(weeks, weeks[1:], strict=False))


def test_last_complete_week_is_the_one_before_the_local_monday() -> None:
    sunday_night_utc = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)  # already Monday in Berlin
    assert last_complete_week(sunday_night_utc, "Europe/Berlin").label == "2026-W47"
    assert last_complete_week(sunday_night_utc, "UTC").label == "2026-W46"


def test_a_date_range_includes_both_days_and_refuses_nonsense() -> None:
    period = date_range("2026-11-01", "2026-11-14", "Europe/Berlin")
    assert period.days == 14 and period.label == "2026-11-01 to 2026-11-14" and period.slug == "2026-11-01_2026-11-14"
    assert period.previous().last == date(2026, 10, 31)
    assert date_range("2026-11-16", "2026-11-22").label == "2026-W47"  # a whole ISO week is named as one
    for bad in (lambda: date_range("2026-11-14", "2026-11-01"), lambda: iso_week("2026-47"),
                lambda: iso_week("2026-W54"), lambda: iso_week("2026-W47", "Mars/Olympus")):  # fmt: skip
        with pytest.raises(PeriodError):
            bad()


@pytest.mark.parametrize("text", ["=1+1", "+44 123", "-2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_text_a_spreadsheet_would_run_is_neutralised(text: str) -> None:
    assert neutralise(text) == "'" + text
    assert spreadsheet_text(text) == "'" + text


def test_numbers_and_ordinary_text_are_left_alone() -> None:
    assert neutralise(-2) == -2 and neutralise(-0.5) == -0.5 and neutralise(None) is None
    assert neutralise("my bill = wrong") == "my bill = wrong"
    assert spreadsheet_text("a\x00b\x1fc") == "abc"
    assert spreadsheet_text("\x01=cmd") == "'=cmd"  # stripping a control character cannot unmask a formula
    assert len(spreadsheet_text("x" * 40_000)) == 32_767


def test_formats_are_parsed_from_what_people_type() -> None:
    assert [str(f) for f in parse_formats(["csv,XLSX"])] == ["xlsx", "csv"]
    assert len(parse_formats(["all"])) == 4
    with pytest.raises(ValueError, match="unknown export format"):
        parse_formats(["pdf"])


def test_the_schedule_is_due_after_its_local_time_on_its_weekday() -> None:
    schedule = ExportSchedule(weekday=0, at=time(7, 0), tz="Europe/Berlin")
    monday = datetime(2026, 11, 23, 12, tzinfo=UTC)
    assert schedule.due_at(monday) == datetime(2026, 11, 23, 6, tzinfo=UTC)
    assert schedule.due_at(datetime(2026, 11, 27, tzinfo=UTC)) == datetime(2026, 11, 23, 6, tzinfo=UTC)
    assert ExportSchedule.from_json(schedule.to_json()) == schedule
    with pytest.raises(PeriodError):
        ExportSchedule.from_json({"tz": "Nowhere/Land"})
