"""Delete items and everything derived from them: the one code path behind retention and erasure.

What an item leaves behind, table by table (voc/store/schema.py):

- `item_embeddings`, `item_themes`, `theme_assessments`, `item_notes`, `item_viewers`,
  `triage_events`: rows keyed by the item;
- `sentiment_labels`: corrections, weak labels and imported labels tied to the item; they hold a
  copy of its text, and the foreign key only sets `item_id` to NULL, so they are deleted first;
- `alerts` raised for the item (negative and high reach, urgent words, a very unhappy
  respondent) and their `alert_deliveries`;
- `theme_proposals`: the item's id leaves `member_item_ids` and `representative_item_ids`, the
  size and sentiment counts follow, and a proposal left with no member is dropped;
- duplicates: an item collapsed into a deleted one (`duplicate_of`) is someone else's copy and
  stays; the oldest surviving copy becomes the original and the others point at it, so nothing
  points at a missing row; a deleted copy is taken off its original's `duplicate_count`.

Everything happens in the caller's transaction, so a batch is deleted whole or not at all, and a
second run over the same ids finds nothing left to do. Domain: no Streamlit.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import sqlalchemy as sa

from voc.inbox.storing import lock_item_writers
from voc.store.core import json_value
from voc.store.schema import (
    alert_deliveries,
    alerts,
    item_embeddings,
    item_notes,
    item_themes,
    item_viewers,
    items,
    reply_drafts,
    sentiment_labels,
    sources,
    theme_assessments,
    theme_proposals,
    triage_events,
)

ITEM_TABLES: Final = (
    item_embeddings,
    sentiment_labels,
    triage_events,
    item_notes,
    item_viewers,
    item_themes,
    theme_assessments,
    reply_drafts,
)
# The order counts are shown in (previews, audit details, the CLI).
COUNTED: Final = (
    "items", "item_embeddings", "sentiment_labels", "triage_events", "item_notes", "item_viewers", "alerts",
    "alert_deliveries", "item_themes", "theme_assessments", "theme_proposals", "reply_drafts", "duplicates_relinked",
)  # fmt: skip


@dataclass(frozen=True)
class GoneItem:
    """What is kept in memory of a deleted item for the rest of the batch (never stored)."""

    id: int
    posted_at: datetime
    text: str
    sentiment_label: str
    duplicate_of: int | None


# What each count is called where a person reads it (the Privacy page, the CLI): the keys are tables
# and internal names ("triage_events"), which said nothing to the admin about to erase someone.
COUNT_NAMES: Final = {
    "items": "Items",
    "item_embeddings": "Embeddings (for themes and similar items)",
    "sentiment_labels": "Sentiment labels and corrections",
    "triage_events": "Workflow history entries",
    "item_notes": "Internal notes",
    "item_viewers": "Who-is-viewing marks",
    "alerts": "Alerts",
    "alert_deliveries": "Alert deliveries",
    "item_themes": "Theme assignments",
    "theme_assessments": "Theme checks",
    "theme_proposals": "Theme proposals citing them",
    "reply_drafts": "Replies and drafts",
    "duplicates_relinked": "Copies moved to another original",
    "theme_examples": "Theme examples",
    "taxonomy_snapshots": "Taxonomy versions rewritten",
    "theme_reasons": "Theme reasons rewritten",
    "vip_list": "VIP list rewritten",
    "spike_alerts": "Spike explanations rewritten",
    "raw_survey_files": "Raw survey exports deleted",
}


def count_name(key: str) -> str:
    """`key` of a count as a person reads it ("triage_events" -> "Workflow history entries")."""
    return COUNT_NAMES.get(key) or key.replace("_", " ").capitalize()


def add_counts(total: dict[str, int], more: dict[str, int]) -> dict[str, int]:
    """`total` plus `more`, in `COUNTED` order, zeros left out."""
    summed = Counter(total)
    summed.update(more)
    return {name: summed[name] for name in (*COUNTED, *sorted(set(summed) - set(COUNTED))) if summed[name]}


def count_matching(connection: sa.Connection, conditions: Sequence[Any]) -> dict[str, int]:
    """How many rows each table would lose if the items matching `conditions` were purged."""
    ids = sa.select(items.c.id).where(*conditions)
    counts = {
        "items": int(connection.execute(sa.select(sa.func.count()).select_from(items).where(*conditions)).scalar_one())
    }
    if not counts["items"]:
        return {}
    for table in ITEM_TABLES:
        query = sa.select(sa.func.count()).select_from(table).where(table.c.item_id.in_(ids))
        counts[table.name] = int(connection.execute(query).scalar_one())
    counts["alerts"] = int(
        connection.execute(sa.select(sa.func.count()).select_from(alerts).where(alerts.c.item_id.in_(ids))).scalar_one()
    )
    alert_ids = sa.select(alerts.c.id).where(alerts.c.item_id.in_(ids))
    counts["alert_deliveries"] = int(
        connection.execute(
            sa.select(sa.func.count()).select_from(alert_deliveries).where(alert_deliveries.c.alert_id.in_(alert_ids))
        ).scalar_one()
    )
    counts["theme_proposals"] = _proposals_touching(connection, conditions)
    copies = sa.select(sa.func.count()).select_from(items).where(items.c.duplicate_of.in_(ids), items.c.id.not_in(ids))
    counts["duplicates_relinked"] = int(connection.execute(copies).scalar_one())
    return add_counts({}, counts)


def _proposals_touching(connection: sa.Connection, conditions: Sequence[Any]) -> int:
    proposals = connection.execute(
        sa.select(theme_proposals.c.member_item_ids, theme_proposals.c.representative_item_ids)
    ).all()
    mentioned = {int(i) for row in proposals for column in row for i in (json_value(column) or [])}
    if not mentioned:
        return 0
    matching: set[int] = set()
    ordered = sorted(mentioned)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        query = sa.select(items.c.id).where(items.c.id.in_(chunk), *conditions)
        matching.update(int(i) for i in connection.execute(query).scalars())
    return sum(1 for row in proposals if matching & {int(i) for column in row for i in (json_value(column) or [])})


def purge_items(connection: sa.Connection, item_ids: Sequence[int]) -> tuple[dict[str, int], list[GoneItem]]:
    """Delete these items and what derives from them; returns the counts and what was deleted.

    Ids already gone are skipped, so a batch repeated after a crash counts only what it deleted.
    """
    wanted = sorted({int(i) for i in item_ids})
    if not wanted:
        return {}, []
    lock_item_writers(connection)  # the item counts' turn (voc.inbox.storing)
    rows = connection.execute(
        sa.select(items.c.id, items.c.posted_at, items.c.text, items.c.sentiment_label, items.c.duplicate_of)
        .where(items.c.id.in_(wanted))
        .order_by(items.c.id)
    ).all()
    gone = [GoneItem(int(r.id), r.posted_at, str(r.text or ""), str(r.sentiment_label), r.duplicate_of) for r in rows]
    ids = [g.id for g in gone]
    if not ids:
        return {}, []
    counts: dict[str, int] = {}
    raised = sa.select(alerts.c.id).where(alerts.c.item_id.in_(ids))
    counts["alert_deliveries"] = connection.execute(
        alert_deliveries.delete().where(alert_deliveries.c.alert_id.in_(raised))
    ).rowcount
    counts["alerts"] = connection.execute(alerts.delete().where(alerts.c.item_id.in_(ids))).rowcount
    for table in ITEM_TABLES:
        counts[table.name] = connection.execute(table.delete().where(table.c.item_id.in_(ids))).rowcount
    counts["theme_proposals"] = _drop_from_proposals(connection, gone)
    counts["duplicates_relinked"] = _relink_duplicates(connection, gone)
    per_source = connection.execute(
        sa.select(items.c.source, sa.func.count()).where(items.c.id.in_(ids)).group_by(items.c.source)
    ).all()
    counts["items"] = connection.execute(items.delete().where(items.c.id.in_(ids))).rowcount
    for source, n in per_source:  # the Sources page's "items so far" counts what is still stored
        connection.execute(
            sources.update()
            .where(sources.c.name == source)
            .values(items_total=sa.case((sources.c.items_total > n, sources.c.items_total - n), else_=0))
        )
    return add_counts({}, counts), gone


def _drop_from_proposals(connection: sa.Connection, gone: list[GoneItem]) -> int:
    """Take deleted items out of discovery's proposals; a proposal with no member left goes."""
    labels = {g.id: g.sentiment_label for g in gone}
    changed = 0
    for row in connection.execute(sa.select(theme_proposals)).mappings().all():
        members = [int(i) for i in json_value(row["member_item_ids"]) or []]
        representatives = [int(i) for i in json_value(row["representative_item_ids"]) or []]
        if not (set(members) | set(representatives)) & labels.keys():
            continue
        changed += 1
        kept = [i for i in members if i not in labels]
        if not kept:
            connection.execute(theme_proposals.delete().where(theme_proposals.c.id == row["id"]))
            continue
        sentiment = Counter({str(k): int(v) for k, v in (json_value(row["sentiment"]) or {}).items()})
        sentiment.subtract(labels[i] for i in members if i in labels)
        connection.execute(
            theme_proposals.update()
            .where(theme_proposals.c.id == row["id"])
            .values(
                member_item_ids=kept,
                representative_item_ids=[i for i in representatives if i not in labels],
                size=len(kept),
                sentiment={k: v for k, v in sentiment.items() if v > 0},
            )
        )
    return changed


def _relink_duplicates(connection: sa.Connection, gone: list[GoneItem]) -> int:
    """Keep duplicate links pointing at rows that exist; returns how many surviving copies moved."""
    ids = [g.id for g in gone]
    deleted = set(ids)
    removed_copies = Counter(
        g.duplicate_of for g in gone if g.duplicate_of is not None and g.duplicate_of not in deleted
    )
    for original, n in removed_copies.items():
        current = connection.execute(sa.select(items.c.duplicate_count).where(items.c.id == original)).scalar()
        if current is not None:
            connection.execute(
                items.update().where(items.c.id == original).values(duplicate_count=max(int(current) - n, 0))
            )
    survivors: dict[int, list[int]] = defaultdict(list)
    query = (
        sa.select(items.c.id, items.c.duplicate_of)
        .where(items.c.duplicate_of.in_(ids), items.c.id.not_in(ids))
        .order_by(items.c.id)
    )
    for item_id, original in connection.execute(query):
        survivors[int(original)].append(int(item_id))
    for copies in survivors.values():
        first, rest = copies[0], copies[1:]
        connection.execute(
            items.update().where(items.c.id == first).values(duplicate_of=None, duplicate_count=len(rest))
        )
        if rest:
            connection.execute(items.update().where(items.c.id.in_(rest)).values(duplicate_of=first))
    return sum(len(copies) for copies in survivors.values())
