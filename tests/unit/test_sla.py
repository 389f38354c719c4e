"""SLA clocks on a frozen clock: business hours, a weekend, a DST change, the three states."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from voc.inbox.sla import BusinessHours, SlaPolicy, SlaSettings, SlaState, clock_for, format_duration

LONDON = ZoneInfo("Europe/London")
OFFICE = BusinessHours(tz="Europe/London", days=(0, 1, 2, 3, 4), start=time(9), end=time(17))
OFFICE_POLICY = SlaPolicy(hours=OFFICE)


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def test_a_24_7_clock_counts_from_posting_time_with_the_default_targets() -> None:
    posted = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    for tier, hours in (("urgent", 1), ("high", 4), ("normal", 24)):
        assert clock_for(posted, tier, posted).due_at == posted + timedelta(hours=hours)


def test_the_three_states_on_track_due_soon_breached() -> None:
    posted = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert clock_for(posted, "high", posted + timedelta(hours=1)).state is SlaState.ON_TRACK
    due_soon = clock_for(posted, "high", posted + timedelta(hours=3, minutes=30))
    assert due_soon.state is SlaState.DUE_SOON and due_soon.left_text == "30 min"
    breached = clock_for(posted, "high", posted + timedelta(hours=5))
    assert breached.state is SlaState.BREACHED and breached.left_text == "-1 h 00 min"


def test_an_answer_stops_the_clock_met_or_missed() -> None:
    posted = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    later = posted + timedelta(days=2)
    assert clock_for(posted, "urgent", later, first_response_at=posted + timedelta(minutes=40)).state is SlaState.MET
    assert clock_for(posted, "urgent", later, first_response_at=posted + timedelta(minutes=90)).state is SlaState.MISSED


def test_business_hours_pause_the_clock_overnight() -> None:
    posted = london(2026, 11, 24, 16, 30)  # a Tuesday, half an hour before closing
    clock = clock_for(posted, "high", posted, OFFICE_POLICY)
    assert clock.due_at == london(2026, 11, 25, 12, 30)  # 30 min today, 3 h 30 tomorrow from 9:00


def test_a_post_before_opening_starts_counting_at_opening() -> None:
    posted = london(2026, 11, 24, 6, 0)
    assert clock_for(posted, "urgent", posted, OFFICE_POLICY).due_at == london(2026, 11, 24, 10, 0)


def test_a_friday_evening_post_waits_over_the_weekend() -> None:
    posted = london(2026, 11, 27, 16, 0)  # Friday
    clock = clock_for(posted, "high", posted, OFFICE_POLICY)
    assert clock.due_at == london(2026, 11, 30, 12, 0)  # Monday
    saturday = clock_for(posted, "high", london(2026, 11, 28, 12, 0), OFFICE_POLICY)
    assert saturday.state is SlaState.ON_TRACK and saturday.left == timedelta(hours=3)  # the weekend does not count


def test_business_hours_keep_their_wall_clock_across_the_dst_change() -> None:
    # Clocks go back on Sunday 25 October 2026 in London: 9:00 is 08:00 UTC before, 09:00 UTC after.
    posted = london(2026, 10, 23, 16, 0)  # Friday, BST
    clock = clock_for(posted, "high", posted, OFFICE_POLICY)
    assert clock.due_at == london(2026, 10, 26, 12, 0)
    assert clock.due_at.astimezone(UTC) == datetime(2026, 10, 26, 12, 0, tzinfo=UTC)  # GMT now


def test_a_24_7_team_in_a_dst_zone_counts_real_hours_through_the_change() -> None:
    policy = SlaPolicy(hours=BusinessHours(tz="Europe/London"))
    posted = datetime(2026, 10, 25, 0, 0, tzinfo=UTC)  # 01:00 BST, an hour before the change
    assert clock_for(posted, "high", posted, policy).due_at == posted + timedelta(hours=4)
    assert clock_for(posted, "normal", posted, policy).due_at == posted + timedelta(hours=24)


def test_teams_have_their_own_hours_and_channels_are_routed_to_them() -> None:
    settings = SlaSettings.from_json(
        {
            "teams": {
                "emea": {
                    "targets_minutes": {"urgent": 30},
                    "tz": "Europe/Berlin",
                    "days": [0, 1, 2, 3, 4],
                    "start": "08:00",
                    "end": "18:00",
                }
            },
            "routes": {"survey": "emea"},
        }
    )
    assert settings.policy_for("survey").target("urgent") == timedelta(minutes=30)
    assert settings.policy_for("survey").hours.tz == "Europe/Berlin"
    assert settings.policy_for("x").hours.always_open
    assert SlaSettings.from_json(settings.to_json()) == settings


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(Exception, match="Nowhere"):
        SlaSettings.from_json({"teams": {"x": {"tz": "Mars/Nowhere"}}})


def test_durations_read_like_a_person_wrote_them() -> None:
    assert format_duration(timedelta(minutes=65)) == "1 h 05 min"
    assert format_duration(timedelta(days=3, hours=4)) == "3 d 4 h"
    assert format_duration(timedelta(minutes=-12), signed=True) == "-12 min"
