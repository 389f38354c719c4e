"""Engine factory: one place that knows how SQLite and PostgreSQL differ at connection level.

SQLite gets WAL (readers never block the writer), a busy timeout, and `BEGIN IMMEDIATE` for
write transactions, so the UI and the listener process write side by side without
"database is locked" (a deferred transaction that upgrades to a write can fail at once in WAL
mode, whatever the busy timeout). PostgreSQL sessions run with JIT compilation off: the pages'
queries are short aggregates whose cost estimates cross `jit_above_cost` at a few million items,
and compiling them cost more than running them (the Trends headline's NPS read at 10M items:
4.7 s of JIT for 0.9 s of work; docs/store.md). Domain: no Streamlit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.engine import Engine, make_url

SQLITE_BUSY_TIMEOUT_MS = 15_000
WRITE_OPTION = "voc_write"


def create_engine_for(url: str) -> Engine:
    """Create an engine for `url`, configured for concurrent use by the app and the listeners."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    engine = sa.create_engine(parsed, pool_pre_ping=True, future=True)
    if parsed.get_backend_name() == "postgresql":
        event.listen(engine, "connect", _postgres_session)
    return engine


def _postgres_session(dbapi_connection: Any, _record: Any) -> None:
    """Session settings for every PostgreSQL connection (committed: a SET is undone by a rollback).

    UTC whatever the server's default zone: psycopg returns instants in the session's zone, and
    Python subtracts two instants of one zone as wall time (an hour short over a clock change);
    an interval's days are the session zone's calendar days too."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
        cursor.execute("SET TIME ZONE 'UTC'")
    dbapi_connection.commit()


def _sqlite_engine(url: sa.URL) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})
    engine.dialect.statement_compiler = _SQLiteIndexHints

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is always deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class _SQLiteIndexHints(SQLiteCompiler):
    """SQLite's compiler, rendering `Select.with_hint(table, "INDEXED BY name", "sqlite")` after the
    table (SQLAlchemy renders table hints only where a dialect says how; SQLite's is `INDEXED BY`).
    For the rare query whose index SQLite's planner misjudges: the care queue's page after a key
    read a range of `ix_items_queue` and sorted it (300 ms at a million items) instead of walking
    `ix_items_open_queue` from the key (under 1 ms; voc/inbox/queue.py)."""

    def get_from_hint_text(self, table: Any, text: str | None) -> str | None:
        return text
