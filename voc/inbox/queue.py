"""The care queue: one list of everything that needs a person, in priority order, with its clock.

Social mentions and survey comments land here when they are negative, very unhappy, a question,
or an urgent request (urgent words in the item's language); neutral chatter only when asked for.
Competitors' posts and collapsed duplicates stay out (a duplicate adds to its original's count).
Priority and the SLA clock are computed as of `now`, so the order moves as clocks run down.
Domain: no Streamlit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Final

import pandas as pd
import sqlalchemy as sa

from voc.inbox.priority import VIP_SETTINGS_KEY, VipList, prioritise
from voc.inbox.sla import SETTINGS_KEY as SLA_KEY
from voc.inbox.sla import SlaSettings, format_duration
from voc.store.facade import Store
from voc.store.schema import items
from voc.surveys.recovery import urgent_words_in

LOOKBACK: Final = timedelta(days=30)
_QUESTION = re.compile(r"[?？¿]")
QUEUE_COLUMNS: Final = (
    "id", "priority", "sla_state", "sla_left", "due_at", "posted_at", "source_latency", "needs", "priority_reasons",
    "triage_status", "assignee", "tags", "text", "duplicate_count", "sentiment_reasons", "channel", "language",
    "author", "author_reach", "link", "source", "sentiment_score", "nps", "csat", "tier", "first_response_at", "resolved_at",
    "sentiment_label", "sentiment_confidence", "scorer", "duplicate_of",
)  # fmt: skip


def needs_for(row: dict[str, Any]) -> list[str]:
    """Why an item needs a person (empty: it is chatter)."""
    needs = []
    if row.get("very_unhappy"):
        needs.append("very unhappy")
    if row.get("sentiment_label") == "negative":
        needs.append("negative")
    text = str(row.get("text") or "")
    if _QUESTION.search(text):
        needs.append("question")
    if (row.get("sentiment_label") != "positive" or row.get("very_unhappy")) and urgent_words_in(
        text, row.get("language")
    ):
        needs.append("urgent request")
    return needs


def load_sla(store: Store) -> SlaSettings:
    return SlaSettings.from_json(store.get_setting(SLA_KEY))


def load_vip(store: Store) -> VipList:
    return VipList.from_json(store.get_setting(VIP_SETTINGS_KEY))


def care_queue(
    store: Store,
    *,
    now: datetime,
    statuses: Sequence[str] = ("new", "assigned", "waiting_on_customer"),
    channel: str | None = None,
    language: str | None = None,
    include_neutral: bool = False,
    limit: int = 500,
) -> pd.DataFrame:
    """The items needing a response, highest priority first (see QUEUE_COLUMNS)."""
    query = sa.select(items).where(
        items.c.triage_status.in_(list(statuses)),
        items.c.is_competitor.is_(False),
        items.c.duplicate_of.is_(None),
        items.c.posted_at >= now - LOOKBACK,
    )
    if channel:
        query = query.where(items.c.channel == channel)
    if language:
        query = query.where(items.c.language == language)
    with store.read() as connection:
        rows = [
            dict(r) for r in connection.execute(query.order_by(items.c.posted_at.desc()).limit(limit * 4)).mappings()
        ]
    frame = _annotated(
        store,
        rows,
        now=now,
        keep=lambda row, needs: bool(needs) or (include_neutral and row["sentiment_label"] == "neutral"),
    )
    return frame.head(limit).reset_index(drop=True)


def annotate(store: Store, item_ids: Sequence[int], *, now: datetime) -> pd.DataFrame:
    """Priority, reasons, SLA clock, latency, tags and duplicate count of these items (any status)."""
    if not len(item_ids):
        return pd.DataFrame(columns=list(QUEUE_COLUMNS))
    with store.read() as connection:
        rows = [
            dict(r)
            for r in connection.execute(sa.select(items).where(items.c.id.in_([int(i) for i in item_ids]))).mappings()
        ]
    return _annotated(store, rows, now=now, keep=lambda row, needs: True)


def _annotated(store: Store, rows: list[dict[str, Any]], *, now: datetime, keep: Any) -> pd.DataFrame:
    sla, vip = load_sla(store), load_vip(store)
    records = []
    for row in rows:
        needs = needs_for(row)
        if not keep(row, needs):
            continue
        priority = prioritise(row, now=now, policy=sla.policy_for(row["channel"]), vip=vip)
        clock = priority.clock
        assert clock is not None
        latency = row["ingested_at"] - row["posted_at"]
        records.append({
            **{c: row.get(c) for c in QUEUE_COLUMNS if c in row},
            "priority": priority.score, "tier": priority.tier, "priority_reasons": list(priority.reasons),
            "sla_state": clock.state.label, "sla_left": clock.left_text, "due_at": clock.due_at,
            "source_latency": format_duration(latency) if latency > timedelta(0) else "0 min",
            "needs": ", ".join(needs) or "chatter", "tags": list(row.get("tags") or []),
            "sentiment_reasons": list(row.get("sentiment_reasons") or []),
        })  # fmt: skip
    frame = pd.DataFrame(records, columns=list(QUEUE_COLUMNS))
    if frame.empty:
        return frame
    return frame.sort_values(["priority", "posted_at"], ascending=[False, True], kind="stable").reset_index(drop=True)
