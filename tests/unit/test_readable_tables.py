"""`ui.widgets.readable`: tables as people read them, and when an alert's customer began to wait."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

from ui.widgets import MISSING, detail_words, human_label, local_time, readable
from voc.access.audit import action_label
from voc.alerts.service import waiting_since


def test_missing_cells_read_as_a_dash_and_times_in_the_viewers_zone() -> None:
    frame = pd.DataFrame(
        {
            "acknowledged_by": ["ana", None],
            "minutes_to_ack": [12.0, float("nan")],
            "created_at": pd.to_datetime(["2020-03-01 09:05", None], utc=True),
            "tags": [["refund", "cancel"], []],
            "ok": [True, False],
            "details": [{"items_kept": 3}, None],
        }
    )

    shown = readable(frame, tz="Europe/Paris", labels={"created_at": "Raised", "acknowledged_by": "By"})

    assert list(shown.columns) == ["Raised", "By"]  # only the named columns, in the labels' order
    assert list(shown["Raised"]) == ["1 Mar 2020 10:05", MISSING]
    assert list(shown["By"]) == ["ana", MISSING]
    every = readable(frame, tz="UTC")
    assert list(every.columns) == ["Acknowledged by", "Minutes to ack", "Created at", "Tags", "Ok", "Details"]
    assert list(every["Minutes to ack"]) == ["12", MISSING]
    assert list(every["Tags"]) == ["refund, cancel", MISSING]
    assert list(every["Ok"]) == ["Yes", "No"]
    assert list(every["Details"]) == ["items kept: 3", MISSING]


def test_this_years_times_leave_the_year_out() -> None:
    now = datetime.now(UTC)
    assert str(now.year) not in local_time(now, "UTC")
    assert local_time(None, "UTC") == MISSING


def test_keys_become_labels() -> None:
    assert human_label("waiting_on_customer") == "Waiting on customer"
    assert action_label("setting.themes.starter_set") == "Setting · themes · starter set"
    assert action_label("note") == "Note"
    assert detail_words('{"items_kept": 3, "action": null, "changes": [1, 2]}', "UTC") == (
        "items kept: 3; action: —; changes: 1, 2"
    )
    assert detail_words("", "UTC") == MISSING


def test_an_alert_about_an_older_post_waits_since_the_post() -> None:
    raised = datetime(2026, 12, 6, 12, tzinfo=UTC)
    assert waiting_since(raised, raised - timedelta(days=2)) == raised - timedelta(days=2)
    assert waiting_since(raised, None) == raised
    assert waiting_since(raised, raised + timedelta(minutes=1)) == raised  # a clock a little ahead
