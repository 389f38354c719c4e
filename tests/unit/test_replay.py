"""The demo feed: history back-filled with shifted timestamps, then live, then looping."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from listeners.base import SourceError
from listeners.replay import ReplayListener, load_scenario


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
    return write_scenario(tmp_path / "scenario.jsonl", [0, 60, 120, 180, 240])


def test_history_is_backfilled_with_the_last_item_at_now(scenario: Path, clock) -> None:
    listener = ReplayListener(
        "demo", "social", brand="Northwind Mobile", backfill_share=0.6, path=scenario, clock=clock
    )
    batch = listener.fetch(None)
    assert [item.external_id for item in batch.items] == ["s0", "s1", "s2"]
    assert batch.items[-1].posted_at == clock.now
    assert batch.items[0].posted_at == clock.now - timedelta(minutes=120)
    assert not batch.more


def test_competitor_posts_are_tagged(scenario: Path, clock) -> None:
    listener = ReplayListener("demo", "social", brand="Northwind Mobile", path=scenario, clock=clock)
    items = listener.fetch(None).items
    assert [item.is_competitor for item in items[:2]] == [False, True]


def test_the_rest_arrives_live_at_the_configured_speed(scenario: Path, clock) -> None:
    listener = ReplayListener("demo", "social", brand="N", speed=2.0, backfill_share=0.6, path=scenario, clock=clock)
    cursor = listener.fetch(None).cursor
    clock.advance(seconds=10)  # 20 scenario minutes: nothing due yet
    batch = listener.fetch(cursor)
    assert batch.items == []
    clock.advance(seconds=20)  # 60 scenario minutes since going live: s3 is due
    batch = listener.fetch(batch.cursor)
    assert [item.external_id for item in batch.items] == ["s3"]
    assert batch.items[0].posted_at == clock.now


def test_the_scenario_loops_with_fresh_ids(scenario: Path, clock) -> None:
    listener = ReplayListener("demo", "social", brand="N", speed=100.0, backfill_share=0.6, path=scenario, clock=clock)
    cursor = listener.fetch(None).cursor
    clock.advance(seconds=10)
    cursor = listener.fetch(cursor).cursor  # s3, s4 and the end of loop 0
    clock.advance(seconds=10)
    batch = listener.fetch(cursor)
    assert [item.external_id for item in batch.items][:2] == ["s0-r1", "s1-r1"]


def test_a_long_history_is_backfilled_a_page_at_a_time(tmp_path: Path, clock) -> None:
    path = write_scenario(tmp_path / "big.jsonl", list(range(500)))
    listener = ReplayListener("demo", "social", brand="N", backfill_share=1.0, path=path, clock=clock)
    first = listener.fetch(None)
    second = listener.fetch(first.cursor)
    assert (len(first.items), first.more) == (200, True)
    assert second.items[0].external_id == "s200"


def test_survey_and_social_parts_split_the_scenario(tmp_path: Path, clock) -> None:
    path = write_scenario(tmp_path / "s.jsonl", [0, 1, 2], kind="survey")
    social = ReplayListener("a", "social", brand="N", backfill_share=1.0, path=path, clock=clock)
    survey = ReplayListener("b", "survey", brand="N", backfill_share=1.0, path=path, clock=clock)
    assert social.fetch(None).items == []
    assert len(survey.fetch(None).items) == 3


def test_a_broken_scenario_line_names_its_line_number(tmp_path: Path, clock) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text('{"id": "a", "offset_minutes": 0, "text": "x"}\n{not json\n', encoding="utf-8")
    load_scenario.cache_clear()
    with pytest.raises(SourceError, match="line 2"):
        ReplayListener("demo", "social", brand="N", path=path, clock=clock)
