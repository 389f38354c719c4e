"""Storing a page of items near the database's own speed: one statement per page, not per item.

Before issue #21 each item was one `INSERT ... RETURNING` plus, when new, one duplicate query and
two updates: 0.27x (SQLite) and 0.15x (PostgreSQL) of a plain `executemany` of the same rows.
Now, inside the caller's write transaction (which already re-checked the source's lease):

1. the rows go in with one `executemany` of `INSERT ... ON CONFLICT DO NOTHING`
   (`voc.store.core.insert_ignoring`, the store's one insert-ignoring statement);
2. which of them were new is read back with one range query: ids above the largest id before the
   insert. That is exact because item writers are serialised: SQLite's `BEGIN IMMEDIATE` holds the
   one write lock, and on PostgreSQL every writer takes `ITEMS_LOCK` (a transaction-level advisory
   lock) first, so no other writer's rows can land in the range while this one is open;
3. duplicates (`voc.inbox.duplicates`) are collapsed with one query for the whole page's
   fingerprints, decided in Python exactly as item-by-item insertion would (first original by id
   within the window, earlier items of the same page included), then written with two
   `executemany` updates;
4. the new items' embeddings go in with one `executemany`.

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

from voc.inbox.duplicates import WINDOW, fingerprint
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
        row["content_hash"] = fingerprint(item.text) if isinstance(item.text, str) else None
        rows.append(row)
    if not rows:
        return 0
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": ITEMS_LOCK})
    before = connection.execute(sa.select(sa.func.coalesce(sa.func.max(items.c.id), 0))).scalar_one()
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
    _collapse_duplicates(connection, [(item_id, row["content_hash"], row["posted_at"]) for item_id, row in new])
    if embeddings:
        vectors = [
            {"item_id": item_id, "model": vector[0], "dim": vector[1], "vector": vector[2]}
            for item_id, row in new
            if (vector := embeddings.get(row["external_id"])) is not None
        ]
        if vectors:  # computed once by the analysis, kept for themes and duplicates
            connection.execute(item_embeddings.insert(), vectors)
    return len(new)


def _collapse_duplicates(connection: sa.Connection, new: list[tuple[int, str | None, datetime]]) -> None:
    """Point each new item at the first item (lowest id) with its fingerprint posted within the
    window, and count it there; new items of the same page count as candidates for later ones,
    as when they were inserted one by one."""
    hashed = [(item_id, content_hash, posted_at) for item_id, content_hash, posted_at in new if content_hash]
    if not hashed:
        return
    new_ids = {item_id for item_id, _, _ in hashed}
    earliest = min(posted_at for _, _, posted_at in hashed) - WINDOW
    latest = max(posted_at for _, _, posted_at in hashed) + WINDOW
    # Originals already stored, per fingerprint, in id order: (id, posted_at).
    originals: dict[str, list[tuple[int, datetime]]] = {}
    hashes = sorted({content_hash for _, content_hash, _ in hashed})
    for start in range(0, len(hashes), HASHES_PER_QUERY):
        query = (
            sa.select(items.c.id, items.c.content_hash, items.c.posted_at)
            .where(
                items.c.content_hash.in_(hashes[start : start + HASHES_PER_QUERY]),
                items.c.duplicate_of.is_(None),
                items.c.posted_at >= earliest,
                items.c.posted_at <= latest,
            )
            .order_by(items.c.id)
        )
        for item_id, content_hash, posted_at in connection.execute(query):
            if item_id not in new_ids:
                originals.setdefault(content_hash, []).append((int(item_id), posted_at))
    pointers: list[dict[str, Any]] = []
    counts: Counter[int] = Counter()
    for item_id, content_hash, posted_at in hashed:  # in id order, as inserted
        candidates = originals.setdefault(content_hash, [])
        original = next(
            (other for other, when in candidates if other < item_id and abs(when - posted_at) <= WINDOW), None
        )
        if original is None:
            candidates.append((item_id, posted_at))  # an original for the page's later copies
            candidates.sort()
            continue
        pointers.append({"item": item_id, "original": original})
        counts[original] += 1
    if not pointers:
        return
    connection.execute(
        items.update().where(items.c.id == sa.bindparam("item")).values(duplicate_of=sa.bindparam("original")),
        pointers,
    )
    connection.execute(
        items.update()
        .where(items.c.id == sa.bindparam("original"))
        .values(duplicate_count=items.c.duplicate_count + sa.bindparam("added")),
        [{"original": original, "added": added} for original, added in counts.items()],
    )
