"""The demo feed: replays the bundled scenario so a fresh install looks alive, offline.

Most of the scenario is back-filled at start with timestamps shifted so its last back-filled item
is "now"; the rest then arrives live at `speed` scenario minutes per real second, and the scenario
loops with fresh ids. Two sources share the file: `social` (mentions) and `survey` (comments).
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

SCENARIO_PATH = Path(__file__).resolve().parent / "demo" / "scenario.jsonl"
PAGE_SIZE = 200
PARTS = {"social": ItemKind.MENTION, "survey": ItemKind.SURVEY}


def utcnow() -> datetime:
    return datetime.now(UTC)


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


class ReplayListener:
    """Replays one part ("social" or "survey") of the scenario."""

    def __init__(
        self,
        name: str,
        part: str,
        *,
        brand: str,
        speed: float = 2.0,
        backfill_share: float = 0.8,
        path: Path = SCENARIO_PATH,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if part not in PARTS:
            raise ValueError(f"unknown replay part {part!r}; expected one of {', '.join(PARTS)}")
        self.name = name
        self.brand = brand
        self.speed = speed
        self.clock = clock
        everything = load_scenario(path)
        cut = min(max(int(len(everything) * backfill_share), 1), len(everything)) - 1
        self.backfill_until = everything[cut].offset_minutes
        self.entries = [e for e in everything if e.fields.get("kind", "mention") == PARTS[part]]

    def fetch(self, cursor: str | None) -> Batch:
        now = self.clock()
        state = json.loads(cursor) if cursor else self._start(now)
        anchor = datetime.fromisoformat(state["anchor"])
        live_start = datetime.fromisoformat(state["live_start"])
        index, loop = int(state["index"]), int(state["loop"])
        if loop == 0 and index < len(self.entries) and self.entries[index].offset_minutes <= self.backfill_until:
            # Back-fill: history with its own shifted timestamps, a page at a time.
            page: list[RawItem] = []
            while (
                index < len(self.entries)
                and self.entries[index].offset_minutes <= self.backfill_until
                and len(page) < PAGE_SIZE
            ):
                entry = self.entries[index]
                page.append(self._raw(entry, loop, anchor + timedelta(minutes=entry.offset_minutes)))
                index += 1
            more = index < len(self.entries) and self.entries[index].offset_minutes <= self.backfill_until
            return Batch(page, self._cursor(state, index=index), more=more)

        scenario_now = state["live_offset"] + (now - live_start).total_seconds() * self.speed
        page = []
        while (
            index < len(self.entries) and self.entries[index].offset_minutes <= scenario_now and len(page) < PAGE_SIZE
        ):
            page.append(self._raw(self.entries[index], loop, now))
            index += 1
        if index >= len(self.entries):
            # Loop with fresh ids so the feed never runs dry.
            return Batch(page, self._cursor(state, index=0, loop=loop + 1, live_start=now, live_offset=0))
        return Batch(page, self._cursor(state, index=index))

    def _start(self, now: datetime) -> dict[str, Any]:
        anchor = now - timedelta(minutes=self.backfill_until)
        return {
            "anchor": anchor.isoformat(),
            "index": 0,
            "loop": 0,
            "live_start": now.isoformat(),
            "live_offset": self.backfill_until,
        }

    @staticmethod
    def _cursor(state: dict[str, Any], **changes: Any) -> str:
        merged = {**state, **changes}
        if isinstance(merged["live_start"], datetime):
            merged["live_start"] = merged["live_start"].isoformat()
        return json.dumps(merged, sort_keys=True)

    def _raw(self, entry: ScenarioEntry, loop: int, posted_at: datetime) -> RawItem:
        f = entry.fields
        brand = f.get("brand") or self.brand
        external_id = str(f["id"]) if loop == 0 else f"{f['id']}-r{loop}"
        return RawItem(
            external_id=external_id,
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
            response_id=(f.get("response_id") if loop == 0 else f"{f.get('response_id')}-r{loop}")
            if f.get("response_id")
            else None,
            respondent=f.get("respondent"),
            nps=f.get("nps"),
            csat=f.get("csat"),
        )
