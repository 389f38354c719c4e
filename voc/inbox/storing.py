"""Storing a page of items near the database's own speed: one statement per page, not per item.

Before issue #21 each item was one `INSERT ... RETURNING` plus, when new, one duplicate query and
two updates: 0.27x (SQLite) and 0.15x (PostgreSQL) of a plain `executemany` of the same rows.
Now, inside the caller's write transaction (which already re-checked the source's lease):

1. one query asks for the largest item id and for the stored originals the page's fingerprints
   (`voc.inbox.duplicates`) could point at;
2. the rows go in with one `executemany` of `INSERT ... ON CONFLICT DO NOTHING`
   (`voc.store.core.insert_ignoring`, the store's one insert-ignoring statement);
3. which of them were new is read back with one range query: ids above that largest id. That is
   exact because item writers are serialised: SQLite's `BEGIN IMMEDIATE` holds the one write
   lock, and on PostgreSQL every writer takes `ITEMS_LOCK` (a transaction-level advisory lock)
   first, so no other writer's rows can land in the range, or change the originals, meanwhile;
4. duplicates are decided in Python exactly as item-by-item insertion would (first original by
   id within the window, earlier items of the same page included) and written with one update;
5. the new items' embeddings go in with one `executemany`.

Everything is in the caller's transaction: a crash mid-page rolls all of it back, and the page
fetched again stores each item once. Domain module: no Streamlit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import fields
from datetime import datetime
from typing import Any, Final

import sqlalchemy as sa

from voc.inbox.duplicates import WINDOW, duplicate_key
from voc.models import NewItem
from voc.store.core import insert_ignoring
from voc.store.schema import item_embeddings, items

# (model, dimension, float32 little-endian bytes), as stored in `item_embeddings`.
ItemEmbedding = tuple[str, int, bytes]

# Taken for the rest of the transaction by every PostgreSQL item writer (see the module docstring);
# the migration lock is 73190001.
ITEMS_LOCK: Final = 73190011
# Fingerprints per duplicate query (well under both databases' bound-parameter limits).
HASHES_PER_QUERY: Final = 500
_FIELDS: Final = tuple(field.name for field in fields(NewItem))


def store_items(
    connection: sa.Connection,
    new_items: Iterable[NewItem],
    embeddings: Mapping[str, ItemEmbedding] | None = None,
) -> int:
    """Insert the items not stored yet (by source and external id) in the caller's write
    transaction, collapse duplicates and keep their embeddings; returns how many were new."""
    rows = []
    for item in new_items:
        row = {name: getattr(item, name) for name in _FIELDS}
        row["content_hash"] = duplicate_key(item.kind, item.brand, item.text)
        rows.append(row)
    if not rows:
        return 0
    lock_item_writers(connection)
    before, originals = _largest_id_and_originals(connection, rows)
    connection.execute(insert_ignoring(connection, items, ["source", "external_id"]), rows)
    wanted: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:  # a key twice in one page: the first row is the one stored
        wanted.setdefault((row["source"], row["external_id"]), row)
    stored = connection.execute(
        sa.select(items.c.id, items.c.source, items.c.external_id).where(items.c.id > before).order_by(items.c.id)
    ).all()
    # Keyed by this page's (source, external id): a row another writer added cannot be counted.
    new = [(int(item_id), wanted[(source, external_id)]) for item_id, source, external_id in stored
           if (source, external_id) in wanted]  # fmt: skip
    if not new:
        return 0
    _collapse_duplicates(
        connection, [(item_id, row["content_hash"], row["posted_at"]) for item_id, row in new], originals
    )
    if embeddings:
        vectors = [
            {"item_id": item_id, "model": vector[0], "dim": vector[1], "vector": vector[2]}
            for item_id, row in new
            if (vector := embeddings.get(row["external_id"])) is not None
        ]
        if vectors:  # computed once by the analysis, kept for themes and duplicates
            connection.execute(item_embeddings.insert(), vectors)
    return len(new)


def lock_item_writers(connection: sa.Connection) -> None:
    """Take the item writers' turn for the rest of the transaction (PostgreSQL: `ITEMS_LOCK`;
    SQLite's write transaction already holds its one lock).

    The save path needs it for its id range (step 3). Every other writer that changes counted
    columns of many items in one transaction (the survey importer, re-scoring, corrections,
    erasure and retention) takes it first too: the `item_counts` triggers (revision 0014) upsert
    a statement's hour rows in key order, but rows a transaction locked in an earlier statement
    could cross another writer's order and deadlock; taking turns rules that out."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": ITEMS_LOCK})


def _largest_id_and_originals(
    connection: sa.Connection, rows: list[dict[str, Any]]
) -> tuple[int, dict[str, list[tuple[int, datetime]]]]:
    """The largest item id before the insert, and the stored originals (not duplicates themselves)
    sharing a fingerprint with the page and posted within the window of its items, per
    fingerprint in id order: one round trip for a page (a UNION ALL of both questions)."""
    hashed = [row for row in rows if row["content_hash"]]
    largest = sa.select(sa.func.coalesce(sa.func.max(items.c.id), 0), sa.null(), sa.null())
    if not hashed:
        return int(connection.execute(largest).one()[0]), {}
    earliest = min(row["posted_at"] for row in hashed) - WINDOW
    latest = max(row["posted_at"] for row in hashed) + WINDOW
    hashes = sorted({row["content_hash"] for row in hashed})
    before = 0
    originals: dict[str, list[tuple[int, datetime]]] = {}
    for start in range(0, len(hashes), HASHES_PER_QUERY):
        candidates = sa.select(items.c.id, items.c.content_hash, items.c.posted_at).where(
            items.c.content_hash.in_(hashes[start : start + HASHES_PER_QUERY]),
            items.c.duplicate_of.is_(None),
        )
        # The candidates first: the union's columns take their types (UTC datetimes) from them.
        query = sa.union_all(candidates, largest) if start == 0 else candidates
        for item_id, content_hash, posted_at in connection.execute(query):
            if content_hash is None:  # the largest id's row
                before = int(item_id)
            elif earliest <= posted_at <= latest:  # filtered here: in SQL the planner may pick the time index
                originals.setdefault(content_hash, []).append((int(item_id), posted_at))
    for found in originals.values():
        found.sort()
    return before, originals


def _collapse_duplicates(
    connection: sa.Connection,
    new: list[tuple[int, str | None, datetime]],
    originals: dict[str, list[tuple[int, datetime]]],
) -> None:
    """Point each new item at the first item (lowest id) with its fingerprint posted within the
    window, and count it there; new items of the same page count as candidates for later ones,
    as when they were inserted one by one. One update for the page."""
    pointers: dict[int, int] = {}
    counts: Counter[int] = Counter()
    for item_id, content_hash, posted_at in new:  # in id order, as inserted
        if not content_hash:
            continue
        candidates = originals.setdefault(content_hash, [])
        original = next(
            (other for other, when in candidates if other < item_id and abs(when - posted_at) <= WINDOW), None
        )
        if original is None:
            candidates.append((item_id, posted_at))  # an original for the page's later copies
            candidates.sort()
            continue
        pointers[item_id] = original
        counts[original] += 1
    if not pointers:
        return
    # One statement (CASEs on the id), not one per row: a round trip costs more than the row. The
    # copies and the originals they count towards are different rows (an original is never a copy).
    connection.execute(
        items.update()
        .where(items.c.id.in_([*pointers, *counts]))
        .values(
            duplicate_of=sa.case(pointers, value=items.c.id, else_=items.c.duplicate_of),
            duplicate_count=items.c.duplicate_count + sa.case(dict(counts), value=items.c.id, else_=0),
        )
    )
