"""The `Store`: every read and write the app and the listeners make, in portable SQL.

One code path for SQLite and PostgreSQL; the only dialect-specific piece is the choice of
`INSERT ... ON CONFLICT DO NOTHING` construct, which both backends support. Domain: no Streamlit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Engine

from voc.models import NewItem, SourceState, TriageChange
from voc.store.engine import WRITE_OPTION, create_engine_for
from voc.store.migrate import migrate
from voc.store.schema import items, sources, triage_events
from voc.triage import INBOX_COLUMNS, validate_change


class LeaseLostError(RuntimeError):
    """Another runner took over the source while this one was fetching; its batch is dropped."""


class Store:
    """Reads and writes over one SQLAlchemy engine (thread-safe; share one per process)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def from_url(cls, url: str, *, upgrade: bool = True) -> Store:
        """Open the database at `url`, bringing its schema up to date unless told not to."""
        engine = create_engine_for(url)
        if upgrade:
            migrate(engine)
        return cls(engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """A write transaction (SQLite: BEGIN IMMEDIATE, so it never fails half-way on a lock)."""
        with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as connection:
            with connection.begin():
                yield connection

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as connection:
            yield connection

    # ---- items -----------------------------------------------------------------------------

    def _insert_ignoring_duplicates(self) -> Any:
        insert = pg_dialect.insert if self.dialect == "postgresql" else sqlite_dialect.insert
        statement = insert(items).on_conflict_do_nothing(index_elements=["source", "external_id"])
        return statement.returning(items.c.id)

    def _insert_items(self, connection: sa.Connection, new_items: Iterable[NewItem]) -> int:
        statement = self._insert_ignoring_duplicates()
        inserted = 0
        for item in new_items:
            # One row per statement with RETURNING: a returned id says reliably that it was new
            # (drivers disagree on rowcount for ON CONFLICT DO NOTHING).
            if connection.execute(statement, asdict(item)).first() is not None:
                inserted += 1
        return inserted

    def add_items(self, new_items: Sequence[NewItem]) -> int:
        """Store items not seen before (by source and external id); returns how many were new."""
        with self.write() as connection:
            return self._insert_items(connection, new_items)

    def count_items(self, source: str | None = None) -> int:
        query = sa.select(sa.func.count()).select_from(items)
        if source is not None:
            query = query.where(items.c.source == source)
        with self.read() as connection:
            return int(connection.execute(query).scalar_one())

    def item(self, item_id: int) -> dict[str, Any] | None:
        with self.read() as connection:
            row = connection.execute(sa.select(items).where(items.c.id == item_id)).mappings().first()
        return dict(row) if row else None

    # ---- sources ---------------------------------------------------------------------------

    def ensure_source(
        self,
        name: str,
        kind: str,
        config: dict[str, Any] | None = None,
        *,
        poll_interval_s: float = 60.0,
        enabled: bool = True,
    ) -> None:
        """Register a source once; an existing row (its cursor and edits) is left alone."""
        with self.write() as connection:
            exists = connection.execute(sa.select(sources.c.name).where(sources.c.name == name)).first()
            if exists is None:
                connection.execute(
                    sources.insert().values(
                        name=name,
                        kind=kind,
                        config=config or {},
                        enabled=enabled,
                        poll_interval_s=poll_interval_s,
                    )
                )

    def update_source(self, name: str, **values: Any) -> None:
        """Change a source's configuration (enabled, poll_interval_s, config)."""
        allowed = {"enabled", "poll_interval_s", "config"}
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"cannot change {', '.join(sorted(unknown))} of a source")
        with self.write() as connection:
            connection.execute(sources.update().where(sources.c.name == name).values(**values))

    def sources(self) -> list[SourceState]:
        with self.read() as connection:
            rows = connection.execute(sa.select(sources).order_by(sources.c.name)).mappings().all()
        return [SourceState(**dict(row)) for row in rows]

    def source(self, name: str) -> SourceState | None:
        with self.read() as connection:
            row = connection.execute(sa.select(sources).where(sources.c.name == name)).mappings().first()
        return SourceState(**dict(row)) if row else None

    def try_acquire_lease(self, name: str, owner: str, now: datetime, ttl: timedelta) -> bool:
        """Compare-and-set lease: true when `owner` now holds the source until now + ttl."""
        free = sa.or_(
            sources.c.lease_owner.is_(None),
            sources.c.lease_owner == owner,
            sources.c.lease_expires_at < now,
        )
        with self.write() as connection:
            result = connection.execute(
                sources.update()
                .where(sources.c.name == name, sources.c.enabled.is_(True), free)
                .values(lease_owner=owner, lease_expires_at=now + ttl)
            )
            return result.rowcount == 1

    def release_lease(self, name: str, owner: str) -> None:
        with self.write() as connection:
            connection.execute(
                sources.update()
                .where(sources.c.name == name, sources.c.lease_owner == owner)
                .values(lease_owner=None, lease_expires_at=None)
            )

    def save_batch(
        self,
        name: str,
        new_items: Sequence[NewItem],
        cursor: str | None,
        *,
        owner: str,
        now: datetime,
        next_poll_at: datetime,
    ) -> int:
        """Store a page of items and the cursor that follows it in one transaction.

        A crash before commit loses neither (the page is fetched again from the old cursor and
        its items are ignored as duplicates); a crash after commit duplicates nothing.
        """
        with self.write() as connection:
            held = connection.execute(
                sources.update()
                .where(sources.c.name == name, sources.c.lease_owner == owner)
                .values(
                    cursor=cursor,
                    heartbeat_at=now,
                    last_ok_at=now,
                    consecutive_failures=0,
                    error_kind=None,
                    next_poll_at=next_poll_at,
                )
            )
            if held.rowcount != 1:
                raise LeaseLostError(f"source {name!r} is no longer leased to {owner}")
            inserted = self._insert_items(connection, new_items)
            if inserted:
                connection.execute(
                    sources.update()
                    .where(sources.c.name == name)
                    .values(items_total=sources.c.items_total + inserted)
                )
            return inserted

    def record_failure(
        self, name: str, *, kind: str, message: str, now: datetime, next_poll_at: datetime | None
    ) -> None:
        """Remember a failed poll: shown on the Sources page, never swallowed."""
        with self.write() as connection:
            connection.execute(
                sources.update()
                .where(sources.c.name == name)
                .values(
                    heartbeat_at=now,
                    last_error_at=now,
                    last_error=message[:2000],
                    error_kind=kind,
                    consecutive_failures=sources.c.consecutive_failures + 1,
                    next_poll_at=next_poll_at,
                )
            )

    def beat(self, names: Iterable[str], now: datetime) -> None:
        """Heartbeat: the runner that holds these sources is alive."""
        names = list(names)
        if not names:
            return
        with self.write() as connection:
            connection.execute(sources.update().where(sources.c.name.in_(names)).values(heartbeat_at=now))

    # ---- triage ----------------------------------------------------------------------------

    def inbox_frame(
        self,
        *,
        statuses: Sequence[str],
        labels: Sequence[str] = ("negative",),
        channel: str | None = None,
        language: str | None = None,
        limit: int = 500,
    ) -> pd.DataFrame:
        """Items waiting for an answer, newest first, with the reasons behind their score."""
        query = sa.select(*(items.c[name] for name in INBOX_COLUMNS)).where(
            items.c.sentiment_label.in_(list(labels)),
            items.c.triage_status.in_(list(statuses)),
            items.c.is_competitor.is_(False),
        )
        if channel:
            query = query.where(items.c.channel == channel)
        if language:
            query = query.where(items.c.language == language)
        query = query.order_by(items.c.posted_at.desc(), items.c.id.desc()).limit(limit)
        with self.read() as connection:
            rows = connection.execute(query).mappings().all()
        frame = pd.DataFrame([dict(row) for row in rows], columns=list(INBOX_COLUMNS))
        frame["sentiment_reasons"] = frame["sentiment_reasons"].map(_as_list)
        return frame

    def apply_triage(self, changes: Sequence[TriageChange], *, actor: str, now: datetime) -> int:
        """Apply agents' changes and write each to the audit trail; returns how many changed."""
        for change in changes:
            validate_change(change)
        applied = 0
        with self.write() as connection:
            for change in changes:
                column = items.c[change.field]
                old = connection.execute(sa.select(column).where(items.c.id == change.item_id)).scalar_one_or_none()
                if old == change.value:
                    continue
                connection.execute(items.update().where(items.c.id == change.item_id).values({change.field: change.value}))
                connection.execute(
                    triage_events.insert().values(
                        item_id=change.item_id,
                        actor=actor,
                        at=now,
                        field=change.field,
                        old_value=old,
                        new_value=change.value,
                    )
                )
                applied += 1
        return applied

    def triage_history(self, item_id: int) -> list[dict[str, Any]]:
        with self.read() as connection:
            rows = connection.execute(
                sa.select(triage_events).where(triage_events.c.item_id == item_id).order_by(triage_events.c.id)
            ).mappings()
            return [dict(row) for row in rows]


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return list(json.loads(value))
    return list(value)
