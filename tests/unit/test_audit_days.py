"""The Audit page's date range: calendar days in the viewer's zone, as UTC bounds."""

from datetime import UTC, date, datetime

from voc.access.audit import day_range


def test_a_day_range_covers_whole_days_in_utc() -> None:
    assert day_range(date(2026, 11, 2), date(2026, 11, 3)) == (
        datetime(2026, 11, 2, tzinfo=UTC),
        datetime(2026, 11, 4, tzinfo=UTC),
    )


def test_days_are_read_in_the_viewers_zone_and_a_reversed_range_is_turned_round() -> None:
    since, until = day_range(date(2026, 7, 2), date(2026, 7, 1), "Europe/Paris")  # UTC+2 in July
    assert since == datetime(2026, 6, 30, 22, tzinfo=UTC)
    assert until == datetime(2026, 7, 2, 22, tzinfo=UTC)
