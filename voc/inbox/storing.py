"""Storing a page of items near the database's own speed: a few statements per page, not per item.

Before issue #21 each item was one `INSERT ... RETURNING` plus, when new, one duplicate query and
two updates: 0.27x (SQLite) and 0.15x (PostgreSQL) of a plain `executemany` of the same rows.
Now, inside the caller's write transaction (which already re-checked the source's lease), item
writers take turns: SQLite's `BEGIN IMMEDIATE` holds the one write lock, and on PostgreSQL every
writer takes `ITEMS_LOCK` (a transaction-level advisory lock) first, in the lease re-check's own
statement when there is one (`execute_locking_items`). So no other writer's rows land, nor do
the originals change, while a page goes in. Then:

- on SQLite, one query asks for the stored originals the page's fingerprints
  (`voc.inbox.duplicates`) could point at; the rows go in with multi-row `INSERT ... ON CONFLICT
  DO NOTHING RETURNING` statements (`voc.store.core.insert_ignoring`; SQLAlchemy's
  "insertmanyvalues": a page is one statement), which name the new rows. An `executemany` of
  the same insert (a statement execution per row, then a range query for the new ids) measured
  half as fast with the `item_counts` triggers (revision 0014) present;
- on PostgreSQL, one statement does all three, where each round trip costs a wait for the server
  process: the page goes in as one JSON parameter (`json_to_recordset`: serialised in C, where
  psycopg would adapt an array per column value by value in Python, and no per-row parameters
  to plan), `INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING` says which rows were new,
  and the originals are read in the same statement (its one snapshot is taken before its own
  insert, and after the lock: the lock is always taken by an earlier statement);
- duplicates are decided in Python exactly as item-by-item insertion would (first original by id
  within the window, earlier items of the same page included) and written with one update, which
  on PostgreSQL also carries the caller's count of new items (`count_new`, a source's total);
- the new items' embeddings go in with one `executemany`.

On PostgreSQL a listener's page is thus BEGIN, lease re-check with the lock, the page, the
duplicates with the count, COMMIT: five round trips where the first batched version had eight
and a plain `executemany` needs three.

Everything is in the caller's transaction: a crash mid-page rolls all of it back, and the page
fetched again stores each item once. Database triggers on `items` (row counts kept by `AFTER
INSERT` triggers) see the same rows either way. Domain module: no Streamlit.
"""

from __future__ import annotations

import json
import math
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields
from datetime import datetime
from typing import Any, Final

import sqlalchemy as sa

from voc.inbox.duplicates import WINDOW, duplicate_key
from voc.models import NewItem
from voc.store.core import insert_ignoring
from voc.store.schema import UTCDateTime, item_embeddings, items

# (model, dimension, float32 little-endian bytes), as stored in `item_embeddings`.
ItemEmbedding = tuple[str, int, bytes]
# A page's new items: (id, the row stored), in id order.
NewRows = list[tuple[int, dict[str, Any]]]
# Stored originals per fingerprint: (id, posted at), in id order.
Originals = dict[str, list[tuple[int, datetime]]]

# Taken for the rest of the transaction by every PostgreSQL item writer (see the module docstring);
# the migration lock is 73190001.
ITEMS_LOCK: Final = 73190011
# Fingerprints per duplicate query on SQLite (well under its bound-parameter limit).
HASHES_PER_QUERY: Final = 500
_FIELDS: Final = tuple(field.name for field in fields(NewItem))
_COLUMNS: Final = (*_FIELDS, "content_hash")
# Where a connection remembers the transaction that holds ITEMS_LOCK (a weak reference to it).
_LOCK_HELD: Final = "voc.inbox.storing.items_lock"
_PAGE_STATEMENTS: dict[str, sa.TextualSelect] = {}
_JSON_COLUMNS: Final = frozenset(name for name in _COLUMNS if isinstance(items.c[name].type, sa.JSON))
_UTC: Final = UTCDateTime()


def execute_locking_items(connection: sa.Connection, statement: sa.Update, *, lock: bool = True) -> int:
    """Run `statement` (an update of one row, such as a source's lease re-check) and, on
    PostgreSQL when `lock`, take the item writers' lock in the same round trip; returns how many
    rows it matched. The lock is taken only when a row matched: a lost lease waits for no one."""
    if not lock or connection.dialect.name != "postgresql":
        return int(connection.execute(statement).rowcount)
    matched = len(connection.execute(statement.returning(sa.func.pg_advisory_xact_lock(ITEMS_LOCK))).all())
    if matched:
        connection.info[_LOCK_HELD] = weakref.ref(connection.get_transaction())
    return matched


def lock_item_writers(connection: sa.Connection) -> None:
    """Take the item writers' turn for the rest of the transaction (PostgreSQL: `ITEMS_LOCK`;
    SQLite's write transaction already holds its one lock); a no-op if this transaction holds it.

    The save path needs it so that each page sees every earlier page's originals. Every other writer that changes counted columns of
    many items in one transaction (the survey importer, re-scoring, corrections, erasure and
    retention) takes it first too: the `item_counts` triggers (revision 0014) upsert a
    statement's hour rows in key order, but rows a transaction locked in an earlier statement
    could cross another writer's order and deadlock; taking turns rules that out."""
    if connection.dialect.name != "postgresql":
        return
    held = connection.info.get(_LOCK_HELD)
    if held is not None and held() is connection.get_transaction():
        return
    connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": ITEMS_LOCK})
    connection.info[_LOCK_HELD] = weakref.ref(connection.get_transaction())


def store_items(
    connection: sa.Connection,
    new_items: Iterable[NewItem],
    embeddings: Mapping[str, ItemEmbedding] | None = None,
    *,
    count_new: Callable[[int], sa.Update] | None = None,
) -> int:
    """Insert the items not stored yet (by source and external id) in the caller's write
    transaction, collapse duplicates and keep their embeddings; returns how many were new.

    `count_new(n)`, when given, is the caller's update recording that `n` items were new (a
    source's running count): sent with the duplicates' update, one round trip on PostgreSQL."""
    rows = []
    for item in new_items:
        row = {name: getattr(item, name) for name in _FIELDS}
        row["content_hash"] = duplicate_key(item.kind, item.brand, item.text)
        rows.append(row)
    if not rows:
        return 0
    if connection.dialect.name == "postgresql":
        lock_item_writers(connection)
        new, originals = _insert_in_one_statement(connection, rows)
    else:
        new, originals = _insert_many(connection, rows)
    if not new:
        return 0
    collapse = _collapse_duplicates(
        [(item_id, row["content_hash"], row["posted_at"]) for item_id, row in new], originals
    )
    _execute_together(connection, [collapse, count_new(len(new)) if count_new else None])
    if embeddings:
        vectors = [
            {"item_id": item_id, "model": vector[0], "dim": vector[1], "vector": vector[2]}
            for item_id, row in new
            if (vector := embeddings.get(row["external_id"])) is not None
        ]
        if vectors:  # computed once by the analysis, kept for themes and duplicates
            connection.execute(item_embeddings.insert(), vectors)
    return len(new)


def _first_of_each_key(rows: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    wanted: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:  # a key twice in one page: the first row is the one stored
        wanted.setdefault((row["source"], row["external_id"]), row)
    return wanted


def _insert_many(connection: sa.Connection, rows: list[dict[str, Any]]) -> tuple[NewRows, Originals]:
    """SQLite: the originals, then the rows in multi-row `INSERT ... RETURNING` statements (as
    many rows a statement as SQLite's parameter limit allows: SQLAlchemy's "insertmanyvalues")."""
    originals = _originals(connection, rows)
    statement = insert_ignoring(connection, items, ["source", "external_id"]).returning(
        items.c.id, items.c.source, items.c.external_id
    )
    wanted = _first_of_each_key(rows)
    stored = connection.execute(statement, rows).all()
    return sorted((int(item_id), wanted[(source, external_id)]) for item_id, source, external_id in stored), originals


def _insert_in_one_statement(connection: sa.Connection, rows: list[dict[str, Any]]) -> tuple[NewRows, Originals]:
    """PostgreSQL: the page in, the new rows and the originals out, in one round trip."""
    dialect = connection.dialect
    hashed = [row for row in rows if row["content_hash"]]
    parameters = {
        "page": _page_as_json(rows, dialect),
        "hashes": sorted({row["content_hash"] for row in hashed}),
    }
    wanted = _first_of_each_key(rows)
    new: NewRows = []
    found: list[tuple[int, str, datetime]] = []
    for item_id, source, external_id, content_hash, posted_at in connection.execute(
        _page_statement(dialect), parameters
    ):
        if content_hash is None:
            new.append((int(item_id), wanted[(source, external_id)]))
        else:
            found.append((int(item_id), content_hash, posted_at))
    new.sort(key=lambda pair: pair[0])
    return new, _within_window(found, hashed)


def _page_as_json(rows: list[dict[str, Any]], dialect: sa.Dialect) -> str:
    """The page as one JSON array of objects: serialised in C, parsed by the server, where
    psycopg would adapt each of the page's several thousand values in Python. Datetimes go as UTC
    ISO text; a float JSON cannot carry (NaN, infinities) as the text PostgreSQL reads it from."""

    def utc_text(value: object) -> str:
        try:
            utc = _UTC.process_bind_param(value, dialect) if isinstance(value, datetime) else None
        except ValueError as error:  # refused as SQLAlchemy refuses a bound value: a naive time
            raise sa.exc.StatementError(str(error), "INSERT INTO items", None, error) from error
        if utc is None:
            raise TypeError(f"{type(value).__name__} in an item's column")
        return utc.isoformat()

    try:
        return json.dumps(rows, default=utc_text, allow_nan=False, ensure_ascii=False)
    except ValueError:
        finite = [
            {key: str(value) if isinstance(value, float) and not math.isfinite(value) else value
             for key, value in row.items()}
            for row in rows
        ]  # fmt: skip
        return json.dumps(finite, default=utc_text, allow_nan=False, ensure_ascii=False)


def _page_statement(dialect: sa.Dialect) -> sa.TextualSelect:
    """The statement for `dialect`, built once."""
    statement = _PAGE_STATEMENTS.get(dialect.name)
    if statement is None:
        statement = _PAGE_STATEMENTS[dialect.name] = _build_page_statement(dialect)
    return statement


def _build_page_statement(dialect: sa.Dialect) -> sa.TextualSelect:
    """`INSERT ... SELECT FROM json_to_recordset(the page) ... RETURNING`, with the originals the
    page's fingerprints could point at read in the same statement (before its own rows: a
    statement's parts share one snapshot)."""
    quote = dialect.identifier_preparer.quote
    table = dialect.identifier_preparer.format_table(items)
    names = ", ".join(quote(name) for name in _COLUMNS)
    record = ", ".join(f"{quote(name)} {_record_type(items.c[name], dialect)}" for name in _COLUMNS)
    # A JSON column's None comes out of the page as NULL; executemany stores it as JSON null.
    values = ", ".join(
        f"COALESCE({quote(name)}, CAST('null' AS JSON))" if name in _JSON_COLUMNS else quote(name) for name in _COLUMNS
    )
    return sa.text(
        f"WITH stored AS (INSERT INTO {table} ({names}) SELECT {values} "
        f"FROM ROWS FROM (json_to_recordset(CAST(:page AS JSON)) AS ({record})) WITH ORDINALITY AS page({names}, page_order) "
        f"ORDER BY page_order ON CONFLICT (source, external_id) DO NOTHING RETURNING id, source, external_id) "
        f"SELECT id, source, external_id, NULL AS content_hash, NULL AS posted_at FROM stored "
        f"UNION ALL SELECT id, NULL, NULL, content_hash, posted_at FROM {table} "
        f"WHERE content_hash = ANY(CAST(:hashes AS TEXT[])) AND duplicate_of IS NULL"
    ).columns(
        sa.column("id", sa.Integer),
        sa.column("source", sa.String),
        sa.column("external_id", sa.String),
        sa.column("content_hash", sa.String),
        sa.column("posted_at", UTCDateTime),
    )


def _record_type(column: sa.Column[Any], dialect: sa.Dialect) -> str:
    """The type a column is read from the page as: strings as TEXT, so the insert, not a cast,
    checks their length (a cast to VARCHAR(n) would cut them silently)."""
    if isinstance(column.type, sa.String):
        return "TEXT"
    return column.type.compile(dialect=dialect)


def _within_window(found: list[tuple[int, str, datetime]], hashed: list[dict[str, Any]]) -> Originals:
    """The originals posted within the window of the page's items, per fingerprint in id order
    (the window is checked here: in SQL the planner may pick the time index)."""
    if not hashed:
        return {}
    earliest = min(row["posted_at"] for row in hashed) - WINDOW
    latest = max(row["posted_at"] for row in hashed) + WINDOW
    originals: Originals = {}
    for item_id, content_hash, posted_at in found:
        if earliest <= posted_at <= latest:
            originals.setdefault(content_hash, []).append((item_id, posted_at))
    for candidates in originals.values():
        candidates.sort()
    return originals


def _originals(connection: sa.Connection, rows: list[dict[str, Any]]) -> Originals:
    """The stored originals (not duplicates themselves) sharing a fingerprint with the page and
    posted within the window of its items."""
    hashed = [row for row in rows if row["content_hash"]]
    hashes = sorted({row["content_hash"] for row in hashed})
    found: list[tuple[int, str, datetime]] = []
    for start in range(0, len(hashes), HASHES_PER_QUERY):
        query = sa.select(items.c.id, items.c.content_hash, items.c.posted_at).where(
            items.c.content_hash.in_(hashes[start : start + HASHES_PER_QUERY]), items.c.duplicate_of.is_(None)
        )
        found += [
            (int(item_id), content_hash, posted_at) for item_id, content_hash, posted_at in connection.execute(query)
        ]
    return _within_window(found, hashed)


def _execute_together(connection: sa.Connection, updates: list[sa.Update | None]) -> None:
    """Run updates of different tables: on PostgreSQL as one statement (the first ones as
    data-modifying CTEs of the last), elsewhere one after the other."""
    present = [update for update in updates if update is not None]
    if not present:
        return
    if connection.dialect.name != "postgresql":
        for update in present:
            connection.execute(update)
        return
    *first, last = present
    for number, update in enumerate(first):
        last = last.add_cte(update.cte(f"step_{number}"))
    connection.execute(last)


def _collapse_duplicates(
    new: list[tuple[int, str | None, datetime]], originals: dict[str, list[tuple[int, datetime]]]
) -> sa.Update | None:
    """The update pointing each new item at the first item (lowest id) with its fingerprint
    posted within the window, and counting it there; new items of the same page count as
    candidates for later ones, as when they were inserted one by one. One update for the page,
    or None when the page has no copy."""
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
        return None
    # One statement (CASEs on the id), not one per row: a round trip costs more than the row. The
    # copies and the originals they count towards are different rows (an original is never a copy).
    return (
        items.update()
        .where(items.c.id.in_([*pointers, *counts]))
        .values(
            duplicate_of=sa.case(pointers, value=items.c.id, else_=items.c.duplicate_of),
            duplicate_count=items.c.duplicate_count + sa.case(dict(counts), value=items.c.id, else_=0),
        )
    )
