"""The database core every repository builds on: the engine, read and write transactions, the two
dialect-specific statements (insert-ignoring and upsert, written once here for SQLite and
PostgreSQL alike), and decoding of JSON columns.

It must not know any feature's tables or rules: repositories (`voc/<feature>/repository.py`) hold
those. Domain module: no Streamlit.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Engine

from voc.store.engine import WRITE_OPTION, create_engine_for
from voc.store.migrate import migrate

log = logging.getLogger(__name__)


def _dialect_insert(bind: sa.Connection | str, table: sa.Table) -> Any:
    """The dialect's own INSERT (both have ON CONFLICT; SQLAlchemy's generic one has not)."""
    name = bind if isinstance(bind, str) else bind.dialect.name
    return (pg_dialect.insert if name == "postgresql" else sqlite_dialect.insert)(table)


def insert_ignoring(bind: sa.Connection | str, table: sa.Table, conflict: Sequence[str]) -> Any:
    """`INSERT ... ON CONFLICT (conflict) DO NOTHING`: a row already there is kept, not an error.

    `bind` is the connection the statement runs on, or the dialect's name."""
    return _dialect_insert(bind, table).on_conflict_do_nothing(index_elements=list(conflict))


def upsert(
    bind: sa.Connection | str,
    table: sa.Table,
    values: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    conflict: Sequence[str],
    update: Mapping[str, Any] | None = None,
) -> Any:
    """`INSERT ... ON CONFLICT (conflict) DO UPDATE`: insert `values`, or update the row already there
    with `update` (by default the inserted values of every column not in `conflict`). An entry of
    `update` may be a callable taking the `excluded` row, for sums such as `col + excluded.col`."""
    statement = _dialect_insert(bind, table).values(values)
    excluded = statement.excluded
    if update is None:
        first = values if isinstance(values, Mapping) else values[0]
        update = {key: excluded[key] for key in first if key not in conflict}
    else:
        update = {key: value(excluded) if callable(value) else value for key, value in update.items()}
    return statement.on_conflict_do_update(index_elements=list(conflict), set_=dict(update))


def distinct_values(connection: sa.Connection, column: sa.Column[Any], *, limit: int = 1000) -> list[Any]:
    """The distinct non-NULL values of an indexed `column`, in order (at most `limit`), without
    reading every row: the filter bars' options cost the same at ten rows or ten million.

    SQLite's planner does this itself for `SELECT DISTINCT` over an index led by the column (it
    seeks past each value: 0.5 ms for four columns at a million items). PostgreSQL's reads the
    whole index, so there the values are read by skipping: `min(column) WHERE column > previous`,
    one index probe per value."""
    if connection.dialect.name != "postgresql":
        query = sa.select(column).where(column.is_not(None)).distinct().order_by(column).limit(limit)
        return list(connection.execute(query).scalars())
    probe = sa.select(sa.func.min(column)).where(column > sa.bindparam("previous", type_=column.type))
    found: list[Any] = []
    value = connection.execute(sa.select(sa.func.min(column))).scalar()
    while value is not None and len(found) < limit:
        found.append(value)
        value = connection.execute(probe, {"previous": value}).scalar()
    return found


def json_value(value: Any) -> Any:
    """A JSON column's value as Python (SQLite may hand back the text, PostgreSQL the object)."""
    return json.loads(value) if isinstance(value, str) else value


def json_dict(value: Any) -> dict[str, Any]:
    """A JSON object column as a dict (`{}` for NULL)."""
    return dict(json_value(value) or {})


def json_list(value: Any) -> list[Any]:
    """A JSON array column as a list (`[]` for NULL)."""
    return list(json_value(value) or [])


# Rows ANALYZE reads per index on SQLite: enough for the planner to tell a key's stretch from a
# scan; 22 ms for the whole of a 1.5 GB database of a million items.
ANALYSIS_LIMIT = 1000


def refresh_planner_statistics(engine: Engine) -> None:
    """Give SQLite's query planner current statistics (`ANALYZE`, sampled; sqlite_stat1).

    Without them it guesses, and for the rollups it guessed badly: a Kolkata year's hours and
    quarter hours, each a few rows found by key, were read by scanning a facet of the table,
    657 ms for the Trends grouped read at a million items against 55 ms with statistics
    (docs/store.md). SQLite never gathers them by itself; PostgreSQL's autovacuum does, so there
    this does nothing."""
    if engine.dialect.name != "sqlite":
        return
    try:
        with engine.connect().execution_options(**{WRITE_OPTION: True}) as connection, connection.begin():
            connection.exec_driver_sql(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
            connection.exec_driver_sql("ANALYZE")
    except sa.exc.OperationalError as error:  # a read-only copy, or a writer past the busy timeout
        # A speed-up, not a condition of opening: the next opening or hourly refresh tries again.
        log.warning("planner statistics not refreshed: %s", type(error.orig).__name__)


class Database:
    """One SQLAlchemy engine and its transactions (thread-safe; share one per process)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True) -> Engine:
        """The engine for `url`, its schema brought up to date unless told not to."""
        engine = create_engine_for(url)
        if upgrade:
            migrate(engine)
            refresh_planner_statistics(engine)
        return engine

    def refresh_planner_statistics(self) -> None:
        """See `refresh_planner_statistics`: the listeners run it hourly (`PlannerStatistics`)."""
        refresh_planner_statistics(self.engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """A write transaction (SQLite: BEGIN IMMEDIATE, so it never fails half-way on a lock)."""
        with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as connection, connection.begin():
            yield connection

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as connection:
            yield connection
