"""The demo feed: a week of history for a mobile network, then new items as they happen, offline.

At install the feed back-fills a week that reads like one: four ordinary days written by the
generator (listeners/demo/generator.py), the three hand-written scenario days with the outage
(listeners/demo/scenario.jsonl, placed on the three days before today, times of day kept), then
today up to now. Afterwards it stays alive with new items at the same daily rhythm, each with new
wording, author and time, posted when they happen: nothing is replayed, so no text is stored twice
and no hour is inflated. Two sources share the feed: `social` (mentions) and `survey` (comments).
No Streamlit import here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from listeners.base import Batch, ErrorKind, ItemKind, RawItem, SourceError
from listeners.demo.generator import Generator
from voc.clock import utcnow

SCENARIO_PATH = Path(__file__).resolve().parent / "demo" / "scenario.jsonl"
PAGE_SIZE = 200
PARTS = {"social": ItemKind.MENTION, "survey": ItemKind.SURVEY}
GENERATED_DAYS = 4  # ordinary days before the scenario's three: a week with today
SCENARIO_DAYS = 3
CURSOR_VERSION = 2


@dataclass(frozen=True)
class ScenarioEntry:
    offset_minutes: int
    fields: dict[str, Any]


@lru_cache(maxsize=4)
def load_scenario(path: Path = SCENARIO_PATH) -> tuple[ScenarioEntry, ...]:
    """The scenario's entries in time order; a broken line names its line number."""
    entries = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                fields = json.loads(line)
                entries.append(ScenarioEntry(int(fields["offset_minutes"]), fields))
            except (ValueError, KeyError) as exc:
                raise SourceError(ErrorKind.BAD_DATA, f"{path.name} line {number}: {exc}") from exc
    return tuple(sorted(entries, key=lambda entry: entry.offset_minutes))


def scenario_start(now: datetime) -> datetime:
    """Where the scenario's minute 0 lands: midnight UTC three days before today's."""
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=SCENARIO_DAYS)


class ReplayListener:
    """One part ("social" or "survey") of the demo feed.

    The cursor carries the phase (`before`: generated days before the scenario; `scenario`: the
    hand-written days; `live`: generated from then on), how far it has got, and the generator's
    counters, so a restart neither repeats nor skips an item.
    """

    def __init__(
        self,
        name: str,
        part: str,
        *,
        brand: str,
        path: Path = SCENARIO_PATH,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if part not in PARTS:
            raise ValueError(f"unknown replay part {part!r}; expected one of {', '.join(PARTS)}")
        self.name = name
        self.part = part
        self.brand = brand
        self.clock = clock
        self.entries = [e for e in load_scenario(path) if e.fields.get("kind", "mention") == PARTS[part]]

    def fetch(self, cursor: str | None) -> Batch:
        now = self.clock()
        state = self._state(cursor, now)
        generator = Generator(self.part, state["counters"])
        anchor = datetime.fromisoformat(state["anchor"])
        until = datetime.fromisoformat(state["until"])
        page: list[RawItem] = []
        if state["phase"] == "before":
            # Whole days at a time: a page ends on a day boundary, so the counters stay in step.
            day_end = min(until + timedelta(days=1), anchor)
            page = [self._raw_generated(entry) for entry in generator.between(until, day_end)]
            state.update(until=day_end.isoformat(), counters=generator.counters)
            if day_end >= anchor:
                state.update(phase="scenario", index=0)
            return Batch(page, self._cursor(state), more=True)
        if state["phase"] == "scenario":
            index = int(state["index"])
            while index < len(self.entries) and len(page) < PAGE_SIZE:
                entry = self.entries[index]
                page.append(self._raw(entry.fields, anchor + timedelta(minutes=entry.offset_minutes)))
                index += 1
            scenario_end = anchor + timedelta(days=SCENARIO_DAYS)
            if index >= len(self.entries):
                state.update(phase="live", until=scenario_end.isoformat())
            else:
                state.update(index=index)
            return Batch(page, self._cursor(state), more=True)
        # Live: what the generator planned between the last poll and now, stamped with its own time.
        page = [self._raw_generated(entry) for entry in generator.between(until, now)]
        state.update(until=max(until, now).isoformat(), counters=generator.counters)
        return Batch(page, self._cursor(state))

    def _state(self, cursor: str | None, now: datetime) -> dict[str, Any]:
        state = json.loads(cursor) if cursor else None
        if state is not None and state.get("v") == CURSOR_VERSION:
            return dict(state)
        anchor = scenario_start(now)
        if state is not None:
            # A cursor from the old looping replay: its history is stored already, so go live from now.
            return {
                "v": CURSOR_VERSION,
                "anchor": anchor.isoformat(),
                "phase": "live",
                "until": now.isoformat(),
                "counters": {},
            }
        start = anchor - timedelta(days=GENERATED_DAYS)
        return {
            "v": CURSOR_VERSION,
            "anchor": anchor.isoformat(),
            "phase": "before",
            "until": start.isoformat(),
            "counters": {},
        }

    @staticmethod
    def _cursor(state: dict[str, Any]) -> str:
        return json.dumps(state, sort_keys=True, ensure_ascii=False)

    def _raw_generated(self, entry: dict[str, Any]) -> RawItem:
        return self._raw(entry, entry["posted_at"])

    def _raw(self, f: dict[str, Any], posted_at: datetime) -> RawItem:
        brand = f.get("brand") or self.brand
        return RawItem(
            external_id=str(f["id"]),
            text=str(f.get("text", "")),
            posted_at=posted_at,
            kind=ItemKind(f.get("kind", "mention")),
            channel=str(f.get("channel", "x")),
            author=f.get("author"),
            author_reach=f.get("author_followers"),
            link=f.get("link"),
            brand=brand,
            is_competitor=brand != self.brand,
            survey=f.get("survey"),
            response_id=f.get("response_id"),
            respondent=f.get("respondent"),
            nps=f.get("nps"),
            csat=f.get("csat"),
            in_reply_to=f.get("in_reply_to"),  # a thread of the scenario, by its ids
            conversation_id=f.get("conversation_id"),
        )
