"""The Inbox's queue as it was read before issue #15, frozen for `bench/inbox.py`'s comparison.

Two reads merged with pandas on every open: `Store.inbox_frame` (negative or very unhappy items,
500 newest) and `voc.inbox.queue.care_queue` (2,000 newest open rows, each prioritised in Python
with its clock, filtered by need, sorted, 500 kept), joined on id and re-sorted. Today's
`prioritise` stands in for the old one (same per-row work, without the time factor).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pandas as pd
import sqlalchemy as sa

from voc.inbox.priority import needs_for, prioritise
from voc.inbox.queue import load_sla, load_vip
from voc.inbox.triage import OPEN_STATUSES
from voc.store.facade import Store
from voc.store.schema import items

INBOX_COLUMNS = ("id", "posted_at", "priority", "source", "channel", "language", "author", "author_reach", "text",
                 "sentiment_score", "sentiment_reasons", "nps", "csat", "link", "triage_status", "assignee")  # fmt: skip


def _inbox_frame(store: Store, limit: int = 500) -> pd.DataFrame:
    query = (
        sa.select(*(items.c[c] for c in INBOX_COLUMNS))
        .where(
            sa.or_(items.c.sentiment_label == "negative", items.c.very_unhappy.is_(True)),
            items.c.triage_status.in_(OPEN_STATUSES),
            items.c.is_competitor.is_(False),
        )
        .order_by(items.c.very_unhappy.desc(), items.c.posted_at.desc(), items.c.id.desc())
        .limit(limit)
    )
    with store.read() as connection:
        return pd.DataFrame([dict(r) for r in connection.execute(query).mappings()], columns=list(INBOX_COLUMNS))


def _care_queue(store: Store, now: datetime, limit: int = 500) -> pd.DataFrame:
    query = (
        sa.select(items)
        .where(
            items.c.triage_status.in_(OPEN_STATUSES),
            items.c.is_competitor.is_(False),
            items.c.duplicate_of.is_(None),
            items.c.posted_at >= now - timedelta(days=30),
        )
        .order_by(items.c.posted_at.desc())
        .limit(limit * 4)
    )
    with store.read() as connection:
        rows = [dict(r) for r in connection.execute(query).mappings()]
    sla, vip = load_sla(store), load_vip(store)
    records: list[dict[str, Any]] = []
    for row in rows:
        needs = needs_for(row)
        if not needs:
            continue
        priority = prioritise(row, now=now, policy=sla.policy_for(row["channel"]), vip=vip)
        assert priority.clock is not None
        records.append({"id": row["id"], "priority": priority.score, "reasons": priority.reasons,
                        "sla_state": priority.clock.state.label, "due_at": priority.clock.due_at,
                        "posted_at": row["posted_at"], "needs": ", ".join(needs)})  # fmt: skip
    frame = pd.DataFrame(records)
    return frame.sort_values(["priority", "posted_at"], ascending=[False, True]).head(limit)


def old_inbox(store: Store, *, now: datetime) -> pd.DataFrame:
    """Both reads, merged and re-sorted as `ui/inbox.py` did."""
    queue, care = _inbox_frame(store), _care_queue(store, now)
    merged = pd.concat([queue, care[~care["id"].isin(queue["id"])]], ignore_index=True)
    keyed = care.drop_duplicates("id").set_index("id")[["priority", "sla_state", "due_at"]]
    merged = merged.drop(columns=["priority"]).join(keyed, on="id", rsuffix="_care")
    return merged.sort_values(["priority", "due_at"], ascending=[False, True], kind="stable")
