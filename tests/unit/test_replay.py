"""The demo feed: a week back-filled (generated days, the scenario's days, today), then live items."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from listeners.base import SourceError
from listeners.replay import GENERATED_DAYS, ReplayListener, load_scenario, scenario_start
from tests.conftest import FrozenClock


def write_scenario(path: Path, offsets: list[int], kind: str = "mention") -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for number, offset in enumerate(offsets):
            handle.write(
                json.dumps(
                    {
                        "id": f"s{number}",
                        "offset_minutes": offset,
                        "kind": kind,
                        "channel": "x",
                        "text": f"post {number}",
                        "brand": "Bluepeak" if number == 1 else "Northwind Mobile",
                        "author": "@a",
                        "author_followers": 10,
                    }
                )
                + "\n"
            )
    load_scenario.cache_clear()
    return path


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    return write_scenario(tmp_path / "scenario.jsonl", [0, 60, 1500, 2460, 4300])


def backfill(listener: ReplayListener) -> tuple[list, str]:
    cursor, stored = None, []
    while True:
        batch = listener.fetch(cursor)
        stored += batch.items
        cursor = batch.cursor
        if not batch.more:
            return stored, cursor


def test_the_scenario_lands_on_the_three_days_before_today_with_its_times_of_day(scenario: Path, clock) -> None:
    listener = ReplayListener("demo", "social", brand="Northwind Mobile", path=scenario, clock=clock)
    stored, _ = backfill(listener)
    by_id = {item.external_id: item for item in stored}
    today = clock.now.replace(hour=0, minute=0)
    assert by_id["s0"].posted_at == today - timedelta(days=3)
    assert by_id["s3"].posted_at == today - timedelta(days=2) + timedelta(minutes=2460 - 1440)
    assert [by_id["s0"].is_competitor, by_id["s1"].is_competitor] == [False, True]


def test_the_backfill_is_a_week_up_to_now_in_time_order_per_phase(scenario: Path, clock) -> None:
    listener = ReplayListener("demo", "social", brand="Northwind Mobile", path=scenario, clock=clock)
    stored, _ = backfill(listener)
    generated = [item for item in stored if item.external_id.startswith("g-")]
    start = scenario_start(clock.now) - timedelta(days=GENERATED_DAYS)
    assert min(item.posted_at for item in stored) >= start
    assert max(item.posted_at for item in stored) <= clock.now
    days = {item.posted_at.date() for item in generated}
    assert len(days) == GENERATED_DAYS + 1  # four ordinary days and today so far
    assert len(generated) > 4 * 80


def test_live_items_are_new_and_stamped_when_they_happen(scenario: Path, clock) -> None:
    listener = ReplayListener("demo", "social", brand="Northwind Mobile", path=scenario, clock=clock)
    stored, cursor = backfill(listener)
    before = clock.now
    clock.advance(hours=6)
    batch = listener.fetch(cursor)
    assert batch.items and not batch.more
    assert all(before <= item.posted_at <= clock.now for item in batch.items)
    texts = [item.text for item in stored] + [item.text for item in batch.items]
    assert len(set(texts)) == len(texts)
    clock.advance(seconds=1)
    assert listener.fetch(batch.cursor).items == []  # an empty second: nothing due, nothing invented


def test_a_restart_from_the_cursor_neither_repeats_nor_skips(scenario: Path, clock) -> None:
    first = ReplayListener("demo", "social", brand="N", path=scenario, clock=clock)
    _, cursor = backfill(first)
    clock.advance(hours=3)
    one_go = first.fetch(cursor).items
    clock.advance(hours=-1)
    restarted = ReplayListener("demo", "social", brand="N", path=scenario, clock=clock)
    part = restarted.fetch(cursor)
    clock.advance(hours=1)
    rest = ReplayListener("demo", "social", brand="N", path=scenario, clock=clock).fetch(part.cursor)
    assert [i.text for i in part.items + rest.items] == [i.text for i in one_go]


def test_a_cursor_of_the_old_looping_feed_goes_live_without_a_second_history(scenario: Path, clock) -> None:
    old = json.dumps({"anchor": clock.now.isoformat(), "index": 3, "loop": 2, "live_start": clock.now.isoformat()})
    listener = ReplayListener("demo", "social", brand="N", path=scenario, clock=clock)
    batch = listener.fetch(old)
    assert batch.items == [] and not batch.more
    clock.advance(hours=2)
    assert all(item.posted_at > clock.now - timedelta(hours=2) for item in listener.fetch(batch.cursor).items)


def test_survey_and_social_parts_split_the_scenario(tmp_path: Path) -> None:
    path = write_scenario(tmp_path / "s.jsonl", [0, 1, 2], kind="survey")
    clock = FrozenClock(datetime(2026, 11, 25, 0, 0, tzinfo=UTC))  # midnight: today holds nothing generated yet
    social, _ = backfill(ReplayListener("a", "social", brand="N", path=path, clock=clock))
    survey, _ = backfill(ReplayListener("b", "survey", brand="N", path=path, clock=clock))
    assert not [i for i in social if i.external_id.startswith("s")]
    assert [i.external_id for i in survey if i.external_id.startswith("s")] == ["s0", "s1", "s2"]
    assert {i.kind.value for i in survey} == {"survey"} and {i.kind.value for i in social} == {"mention"}
    assert not {i.text for i in social} & {i.text for i in survey}


def test_a_broken_scenario_line_names_its_line_number(tmp_path: Path, clock) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text('{"id": "a", "offset_minutes": 0, "text": "x"}\n{not json\n', encoding="utf-8")
    load_scenario.cache_clear()
    with pytest.raises(SourceError, match="line 2"):
        ReplayListener("demo", "social", brand="N", path=path, clock=clock)


def test_the_demo_scenario_replays_a_thread_with_the_post_it_answers(clock) -> None:
    """The shipped scenario holds a reply (s0120 answers s0112): the workspace has a thread to show."""
    load_scenario.cache_clear()
    stored, _ = backfill(ReplayListener("demo", "social", brand="Northwind Mobile", clock=clock))
    by_id = {item.external_id: item for item in stored}
    assert (by_id["s0120"].in_reply_to, by_id["s0120"].conversation_id) == ("s0112", "s0112")
    assert (by_id["s0112"].in_reply_to, by_id["s0112"].conversation_id) == (None, "s0112")
