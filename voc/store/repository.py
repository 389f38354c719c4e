"""The `Store`: every read and write the app and the listeners make, in portable SQL.

One code path for SQLite and PostgreSQL; the only dialect-specific piece is the choice of
`INSERT ... ON CONFLICT DO NOTHING` construct, which both backends support. Domain: no Streamlit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Engine

from voc.access.roles import Actor, Permission, require
from voc.inbox.duplicates import WINDOW as DUPLICATE_WINDOW
from voc.inbox.duplicates import fingerprint
from voc.inbox.triage import INBOX_COLUMNS, WORKFLOW_TIMES, validate_change
from voc.models import NewItem, SourceState, TriageChange
from voc.sources.costs import Usage, utc_day
from voc.sources.coverage import CoverageGap
from voc.store.engine import WRITE_OPTION, create_engine_for
from voc.store.migrate import migrate
from voc.store.schema import (
    app_settings,
    audit_log,
    coverage_gaps,
    item_embeddings,
    item_notes,
    item_viewers,
    items,
    jobs,
    sentiment_labels,
    sentiment_models,
    source_skips,
    source_usage,
    sources,
    triage_events,
)

# (model, dimension, float32 little-endian bytes), as stored in `item_embeddings`.
ItemEmbedding = tuple[str, int, bytes]


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
        with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as connection, connection.begin():
            yield connection

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as connection:
            yield connection

    # ---- audit -----------------------------------------------------------------------------

    @staticmethod
    def record_audit(
        connection: sa.Connection,
        actor: Actor,
        action: str,
        *,
        now: datetime,
        subject: str | int | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """One audit-log row, in the caller's write transaction (so a rolled-back write leaves none).

        `detail` holds names and counts, never secret values: the log is exported by admins.
        """
        connection.execute(
            audit_log.insert().values(
                at=now,
                actor=actor.name,
                role=actor.role_label,
                action=action,
                subject=None if subject is None else str(subject)[:300],
                detail=dict(detail) if detail else None,
            )
        )

    def audit_entries(
        self, *, since: datetime | None = None, actor: str | None = None, action: str | None = None, limit: int = 1000
    ) -> list[dict[str, Any]]:
        """Audit-log rows, newest first."""
        query = sa.select(audit_log)
        if since is not None:
            query = query.where(audit_log.c.at >= since)
        if actor:
            query = query.where(audit_log.c.actor == actor)
        if action:
            query = query.where(audit_log.c.action == action)
        with self.read() as connection:
            rows = connection.execute(query.order_by(audit_log.c.id.desc()).limit(limit)).mappings()
            return [dict(row) for row in rows]

    # ---- items -----------------------------------------------------------------------------

    def _insert_ignoring_duplicates(self) -> Any:
        insert = pg_dialect.insert if self.dialect == "postgresql" else sqlite_dialect.insert
        statement = insert(items).on_conflict_do_nothing(index_elements=["source", "external_id"])
        return statement.returning(items.c.id)

    def _insert_items(
        self,
        connection: sa.Connection,
        new_items: Iterable[NewItem],
        embeddings: Mapping[str, ItemEmbedding] | None = None,
    ) -> int:
        statement = self._insert_ignoring_duplicates()
        inserted = 0
        for item in new_items:
            # One row per statement with RETURNING: a returned id says reliably that it was new
            # (drivers disagree on rowcount for ON CONFLICT DO NOTHING).
            values = asdict(item)
            values["content_hash"] = fingerprint(item.text) if isinstance(item.text, str) else None
            row = connection.execute(statement, values).first()
            if row is not None:
                inserted += 1
                if values["content_hash"] is not None:
                    _collapse_duplicate(connection, int(row[0]), values["content_hash"], item.posted_at)
                vector = embeddings.get(item.external_id) if embeddings else None
                if vector is not None:  # computed once by the analysis, kept for themes and duplicates
                    connection.execute(
                        item_embeddings.insert().values(
                            item_id=row[0], model=vector[0], dim=vector[1], vector=vector[2]
                        )
                    )
        return inserted

    def add_items(self, new_items: Sequence[NewItem], embeddings: Mapping[str, ItemEmbedding] | None = None) -> int:
        """Store items not seen before (by source and external id); returns how many were new.

        `embeddings` (by external id: model, dimension, float32 bytes) are stored with new items.
        """
        with self.write() as connection:
            return self._insert_items(connection, new_items, embeddings)

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

    def add_source(
        self,
        name: str,
        kind: str,
        config: dict[str, Any],
        *,
        poll_interval_s: float,
        enabled: bool = True,
        actor: Actor,
        now: datetime,
        test_failure: str | None = None,
    ) -> None:
        """Register a new source (from the Sources page); a name already taken is a ValueError.

        `test_failure` is what its connection test said when it was added anyway: the card shows it.
        """
        require(actor, Permission.CONFIGURE_SOURCES)
        with self.write() as connection:
            taken = connection.execute(sa.select(sources.c.name).where(sources.c.name == name)).first()
            if taken is not None:
                raise ValueError(f"a source called {name!r} already exists")
            connection.execute(
                sources.insert().values(
                    name=name,
                    kind=kind,
                    config=config,
                    enabled=enabled,
                    poll_interval_s=poll_interval_s,
                    test_failed_at=now if test_failure else None,
                    test_failure=test_failure[:2000] if test_failure else None,
                )
            )
            detail = {"kind": kind, **({"connection_test": "failed"} if test_failure else {})}
            self.record_audit(connection, actor, "source.add", now=now, subject=name, detail=detail)

    def delete_source(self, name: str, *, actor: Actor, now: datetime) -> int:
        """Remove a source so it is no longer polled; its items stay (erase them on the Privacy page).

        Its skip counts and coverage gaps go with it; its cost history stays (money spent is history).
        Returns how many items it leaves behind. An unknown name is a ValueError.
        """
        require(actor, Permission.CONFIGURE_SOURCES)
        with self.write() as connection:
            deleted = connection.execute(sources.delete().where(sources.c.name == name))
            if deleted.rowcount != 1:
                raise ValueError(f"there is no source called {name!r}")
            connection.execute(source_skips.delete().where(source_skips.c.source == name))
            connection.execute(coverage_gaps.delete().where(coverage_gaps.c.source == name))
            kept = int(
                connection.execute(
                    sa.select(sa.func.count()).select_from(items).where(items.c.source == name)
                ).scalar_one()
            )
            self.record_audit(connection, actor, "source.delete", now=now, subject=name, detail={"items_kept": kept})
            return kept

    def usage_by_source(self, day: date) -> dict[str, Usage]:
        """Every source's reads and estimated cost on one UTC day (sources that read nothing are absent)."""
        with self.read() as connection:
            rows = connection.execute(sa.select(source_usage).where(source_usage.c.day == day)).mappings().all()
        return {row["source"]: _usage(row) for row in rows}

    def update_source(self, name: str, *, actor: Actor, now: datetime, **values: Any) -> None:
        """Change a source's configuration (enabled, poll_interval_s, config); audited by field name
        only, since a config may hold credentials."""
        require(actor, Permission.CONFIGURE_SOURCES)
        allowed = {"enabled", "poll_interval_s", "config"}
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"cannot change {', '.join(sorted(unknown))} of a source")
        with self.write() as connection:
            connection.execute(sources.update().where(sources.c.name == name).values(**values))
            self.record_audit(
                connection, actor, "source.update", now=now, subject=name, detail={"fields": sorted(values)}
            )

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

    def take_over_lease(self, name: str, gone: str, owner: str, now: datetime, ttl: timedelta) -> bool:
        """Take the lease from `gone`, a runner known to be dead, before its lease runs out.

        Compare-and-set on the dead owner's name: if anyone else took it meanwhile, nothing changes.
        """
        with self.write() as connection:
            result = connection.execute(
                sources.update()
                .where(sources.c.name == name, sources.c.enabled.is_(True), sources.c.lease_owner == gone)
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
        usage: Usage | None = None,
        gap: CoverageGap | None = None,
        embeddings: Mapping[str, ItemEmbedding] | None = None,
        skipped: Mapping[str, int] | None = None,
    ) -> int:
        """Store a page of items and the cursor that follows it in one transaction.

        A crash before commit loses neither (the page is fetched again from the old cursor and
        its items are ignored as duplicates); a crash after commit duplicates nothing. What the
        page read (`usage`), a coverage gap it revealed and the entries it could not store
        (`skipped`, reason -> count, added to the source's running counts) are recorded in the
        same transaction, so each page is counted once. A long page's earlier chunks go through
        `save_items` first; this call carries the last chunk and the cursor.
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
                    paused_until=None,
                    pause_reason=None,
                )
            )
            if held.rowcount != 1:
                raise LeaseLostError(f"source {name!r} is no longer leased to {owner}")
            if usage is not None:
                self._add_usage(connection, name, utc_day(now), usage)
            if gap is not None:
                connection.execute(
                    coverage_gaps.insert().values(
                        source=name, detected_at=now, gap_start=gap.start, gap_end=gap.end, reason=gap.reason
                    )
                )
            for reason, count in (skipped or {}).items():
                if count > 0:
                    self._add_skips(connection, name, reason, int(count), now)
            return self._insert_counted(connection, name, new_items, embeddings)

    def save_items(
        self,
        name: str,
        new_items: Sequence[NewItem],
        *,
        owner: str,
        now: datetime,
        embeddings: Mapping[str, ItemEmbedding] | None = None,
    ) -> int:
        """Store one chunk of a long page, without its cursor, in its own transaction.

        The lease is checked in the same transaction (`LeaseLostError` if another runner has the
        source now). A crash after this commit loses nothing: the page is fetched again from the
        old cursor and the chunks already stored are ignored as duplicates.
        """
        with self.write() as connection:
            held = connection.execute(
                sources.update().where(sources.c.name == name, sources.c.lease_owner == owner).values(heartbeat_at=now)
            )
            if held.rowcount != 1:
                raise LeaseLostError(f"source {name!r} is no longer leased to {owner}")
            return self._insert_counted(connection, name, new_items, embeddings)

    def _insert_counted(
        self,
        connection: sa.Connection,
        name: str,
        new_items: Sequence[NewItem],
        embeddings: Mapping[str, ItemEmbedding] | None,
    ) -> int:
        inserted = self._insert_items(connection, new_items, embeddings)
        if inserted:
            connection.execute(
                sources.update().where(sources.c.name == name).values(items_total=sources.c.items_total + inserted)
            )
        return inserted

    def _add_skips(self, connection: sa.Connection, name: str, reason: str, count: int, now: datetime) -> None:
        insert = pg_dialect.insert if self.dialect == "postgresql" else sqlite_dialect.insert
        statement = insert(source_skips).values(
            source=name, reason=reason[:200], count=count, first_at=now, last_at=now
        )
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["source", "reason"],
                set_={"count": source_skips.c.count + statement.excluded.count, "last_at": statement.excluded.last_at},
            )
        )

    def skipped_entries(self) -> dict[str, dict[str, int]]:
        """Entries each source could not store, by reason (source -> reason -> count), largest first."""
        query = sa.select(source_skips.c.source, source_skips.c.reason, source_skips.c.count).order_by(
            source_skips.c.source, source_skips.c.count.desc(), source_skips.c.reason
        )
        found: dict[str, dict[str, int]] = {}
        with self.read() as connection:
            for source, reason, count in connection.execute(query):
                found.setdefault(source, {})[reason] = int(count)
        return found

    def record_failure(
        self,
        name: str,
        *,
        kind: str,
        message: str,
        now: datetime,
        next_poll_at: datetime | None,
        paused_until: datetime | None = None,
    ) -> None:
        """Remember a failed poll: shown on the Sources page, never swallowed.

        With `paused_until` (e.g. a usage cap) the source is also paused, the message its reason.
        """
        values: dict[str, Any] = {}
        if paused_until is not None:
            values = {"paused_until": paused_until, "pause_reason": message[:2000]}
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
                    **values,
                )
            )

    def pause_source(self, name: str, *, until: datetime, reason: str) -> None:
        """Hold a source back until `until` (not a failure: e.g. its daily budget is spent)."""
        with self.write() as connection:
            connection.execute(
                sources.update().where(sources.c.name == name).values(paused_until=until, pause_reason=reason[:2000])
            )

    def resume_source(self, name: str, *, actor: Actor, now: datetime) -> None:
        """Lift a pause or a failure's wait: the source is polled on the runner's next tick."""
        require(actor, Permission.CONFIGURE_SOURCES)
        with self.write() as connection:
            connection.execute(
                sources.update()
                .where(sources.c.name == name)
                .values(paused_until=None, pause_reason=None, next_poll_at=None)
            )
            self.record_audit(connection, actor, "source.resume", now=now, subject=name)

    # ---- cost meter and coverage ---------------------------------------------------------------

    def _add_usage(self, connection: sa.Connection, name: str, day: date, usage: Usage) -> None:
        insert = pg_dialect.insert if self.dialect == "postgresql" else sqlite_dialect.insert
        statement = insert(source_usage).values(
            source=name,
            day=day,
            requests=usage.requests,
            posts_read=usage.posts_read,
            users_read=usage.users_read,
            cost_usd=usage.cost_usd,
        )
        added = statement.excluded
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["source", "day"],
                set_={
                    "requests": source_usage.c.requests + added.requests,
                    "posts_read": source_usage.c.posts_read + added.posts_read,
                    "users_read": source_usage.c.users_read + added.users_read,
                    "cost_usd": source_usage.c.cost_usd + added.cost_usd,
                },
            )
        )

    def record_usage(self, name: str, day: date, usage: Usage) -> None:
        """Add reads to a source's day (pages the runner saves are counted by `save_batch`)."""
        with self.write() as connection:
            self._add_usage(connection, name, day, usage)

    def usage_on(self, name: str, day: date) -> Usage:
        """What a source read on one UTC day, and its estimated cost."""
        query = sa.select(source_usage).where(source_usage.c.source == name, source_usage.c.day == day)
        with self.read() as connection:
            row = connection.execute(query).mappings().first()
        return _usage(row) if row is not None else Usage()

    def usage_frame(self, since: date) -> pd.DataFrame:
        """Reads and estimated cost per source per UTC day from `since` on, newest day first."""
        columns = ["source", "day", "requests", "posts_read", "users_read", "cost_usd"]
        query = (
            sa.select(*(source_usage.c[name] for name in columns))
            .where(source_usage.c.day >= since)
            .order_by(source_usage.c.day.desc(), source_usage.c.source)
        )
        with self.read() as connection:
            rows = connection.execute(query).mappings().all()
        return pd.DataFrame([dict(row) for row in rows], columns=columns)

    def coverage_gaps(self, name: str | None = None, *, limit: int = 100) -> list[dict[str, Any]]:
        """Recorded coverage gaps, newest first (all sources, or one)."""
        query = sa.select(coverage_gaps).order_by(coverage_gaps.c.detected_at.desc(), coverage_gaps.c.id.desc())
        if name is not None:
            query = query.where(coverage_gaps.c.source == name)
        with self.read() as connection:
            return [dict(row) for row in connection.execute(query.limit(limit)).mappings()]

    def beat(
        self, names: Iterable[str], now: datetime, *, owner: str | None = None, lease_ttl: timedelta | None = None
    ) -> set[str]:
        """Heartbeat: the runner that holds these sources is alive. Returns the names beaten.

        With `owner` and `lease_ttl` only the sources still leased to `owner` are beaten, and their
        leases are renewed, so a poll that takes longer than the lease keeps it.
        """
        names = list(names)
        if not names:
            return set()
        where: sa.ColumnElement[bool] = sources.c.name.in_(names)
        values: dict[str, Any] = {"heartbeat_at": now}
        if owner is not None:
            where = sa.and_(where, sources.c.lease_owner == owner)
            if lease_ttl is not None:
                values["lease_expires_at"] = now + lease_ttl
        with self.write() as connection:
            beaten = connection.execute(sources.update().where(where).values(**values).returning(sources.c.name))
            return {row[0] for row in beaten}

    # ---- triage ----------------------------------------------------------------------------

    def inbox_frame(
        self,
        *,
        statuses: Sequence[str],
        labels: Sequence[str] = ("negative",),
        channel: str | None = None,
        language: str | None = None,
        limit: int = 500,
        with_review: bool = False,
    ) -> pd.DataFrame:
        """Items waiting for an answer: very unhappy customers first, then newest first.

        A very unhappy survey respondent belongs here whatever the tone of the comment ("I want a
        refund" can read as neutral; a CSAT of 1 may come with no comment at all).

        `with_review`: also the items whose sentiment needs a person's review (low confidence, or
        a language the scorers do not read), with their label, confidence and scorer, so a weak
        "neutral" is checked rather than silently trusted (see docs/sentiment.md).
        """
        from voc.sentiment.multilingual import REVIEW_BELOW, SUPPORTED_LANGUAGES

        columns = list(INBOX_COLUMNS)
        wanted = [sa.or_(items.c.sentiment_label.in_(list(labels)), items.c.very_unhappy.is_(True))]
        if with_review:
            columns += [c for c in ("sentiment_label", "sentiment_confidence", "scorer") if c not in columns]
            wanted += [
                sa.and_(items.c.scorer != "correction", items.c.sentiment_confidence < REVIEW_BELOW),
                sa.and_(items.c.scorer != "correction", items.c.language.not_in(list(SUPPORTED_LANGUAGES))),
            ]
        query = sa.select(*(items.c[name] for name in columns)).where(
            sa.or_(*wanted),
            items.c.triage_status.in_(list(statuses)),
            items.c.is_competitor.is_(False),
        )
        if channel:
            query = query.where(items.c.channel == channel)
        if language:
            query = query.where(items.c.language == language)
        query = query.order_by(items.c.very_unhappy.desc(), items.c.posted_at.desc(), items.c.id.desc()).limit(limit)
        with self.read() as connection:
            rows = connection.execute(query).mappings().all()
        frame = pd.DataFrame([dict(row) for row in rows], columns=columns)
        frame["sentiment_reasons"] = frame["sentiment_reasons"].map(_as_list)
        if with_review:
            from voc.sentiment.review import with_review_flag

            frame = with_review_flag(frame)
            corrected = frame["scorer"] == "correction"
            frame.loc[corrected, "needs_review"] = False
        return frame

    def apply_triage(self, changes: Sequence[TriageChange], *, actor: Actor, now: datetime) -> int:
        """Apply agents' changes and write each to the item's history; returns how many changed."""
        require(actor, Permission.TRIAGE)
        for change in changes:
            validate_change(change)
        applied = 0
        touched: list[int] = []
        with self.write() as connection:
            for change in changes:
                column = items.c[change.field]
                old = connection.execute(sa.select(column).where(items.c.id == change.item_id)).scalar_one_or_none()
                if old == change.value:
                    continue
                connection.execute(
                    items.update().where(items.c.id == change.item_id).values({change.field: change.value})
                )
                if change.field == "triage_status":
                    self._record_workflow_times(connection, change.item_id, str(change.value), now)
                connection.execute(
                    triage_events.insert().values(
                        item_id=change.item_id,
                        actor=actor.name,
                        at=now,
                        field=change.field,
                        old_value=old,
                        new_value=change.value,
                    )
                )
                touched.append(change.item_id)
                applied += 1
            if applied:
                _audit_items(connection, actor, "triage.apply", touched, now, fields=sorted({c.field for c in changes}))
        return applied

    def _record_workflow_times(self, connection: sa.Connection, item_id: int, status: str, now: datetime) -> None:
        """First response and resolution are stamped the first time an agent's status says so."""
        stamped = connection.execute(
            sa.select(items.c.first_response_at, items.c.resolved_at).where(items.c.id == item_id)
        ).one()
        for column, statuses in WORKFLOW_TIMES.items():
            if status in statuses and getattr(stamped, column) is None:
                # The status event in the history already says who and when.
                connection.execute(items.update().where(items.c.id == item_id).values({column: now}))

    def mark_responded(self, item_ids: Sequence[int], *, actor: Actor, now: datetime) -> int:
        """Record the first response to items not answered yet (the SLA clock stops); returns how many."""
        require(actor, Permission.TRIAGE)
        changed: list[int] = []
        with self.write() as connection:
            for item_id in item_ids:
                done = connection.execute(
                    items.update()
                    .where(items.c.id == item_id, items.c.first_response_at.is_(None))
                    .values(first_response_at=now)
                )
                if done.rowcount:
                    connection.execute(
                        triage_events.insert().values(
                            item_id=item_id,
                            actor=actor.name,
                            at=now,
                            field="first_response_at",
                            old_value=None,
                            new_value=now.isoformat(),
                        )
                    )
                    changed.append(item_id)
            if changed:
                _audit_items(connection, actor, "triage.responded", changed, now)
        return len(changed)

    def set_tags(
        self, item_ids: Sequence[int], tags: Sequence[str], *, actor: Actor, now: datetime, mode: str = "add"
    ) -> int:
        """Add (`mode="add"`), remove or replace tags on items, audited; returns how many changed."""
        require(actor, Permission.TRIAGE)
        wanted = [t.strip().lower() for t in tags if t.strip()]
        changed: list[int] = []
        with self.write() as connection:
            for item_id in item_ids:
                current = _as_list(connection.execute(sa.select(items.c.tags).where(items.c.id == item_id)).scalar())
                if mode == "add":
                    new = current + [t for t in wanted if t not in current]
                elif mode == "remove":
                    new = [t for t in current if t not in wanted]
                else:
                    new = list(dict.fromkeys(wanted))
                if new == current:
                    continue
                connection.execute(items.update().where(items.c.id == item_id).values(tags=new))
                connection.execute(
                    triage_events.insert().values(
                        item_id=item_id,
                        actor=actor.name,
                        at=now,
                        field="tags",
                        old_value=", ".join(current),
                        new_value=", ".join(new),
                    )
                )
                changed.append(item_id)
            if changed:
                _audit_items(connection, actor, f"triage.tags.{mode}", changed, now, tags=wanted)
        return len(changed)

    def add_note(self, item_id: int, text: str, *, actor: Actor, now: datetime) -> None:
        """An internal note on an item (never sent to the customer), also in its history."""
        require(actor, Permission.NOTE)
        text = text.strip()
        if not text:
            raise ValueError("a note needs some text")
        with self.write() as connection:
            connection.execute(item_notes.insert().values(item_id=item_id, actor=actor.name, at=now, text=text[:5000]))
            connection.execute(
                triage_events.insert().values(
                    item_id=item_id, actor=actor.name, at=now, field="note", old_value=None, new_value=text[:500]
                )
            )
            self.record_audit(connection, actor, "note.add", now=now, subject=item_id)

    def notes(self, item_id: int) -> list[dict[str, Any]]:
        with self.read() as connection:
            query = sa.select(item_notes).where(item_notes.c.item_id == item_id).order_by(item_notes.c.id)
            return [dict(row) for row in connection.execute(query).mappings()]

    def touch_viewer(self, item_id: int, actor: Actor, now: datetime) -> None:
        """Remember that `actor` has `item_id` open (presence for the "someone else is on it" warning).

        Presence is not audited: it is rewritten on every rerun and says nothing was changed."""
        require(actor, Permission.VIEW)
        name = actor.name
        with self.write() as connection:
            updated = connection.execute(
                item_viewers.update()
                .where(item_viewers.c.item_id == item_id, item_viewers.c.actor == name)
                .values(seen_at=now)
            )
            if not updated.rowcount:
                connection.execute(item_viewers.insert().values(item_id=item_id, actor=name, seen_at=now))

    def other_viewers(
        self, item_id: int, actor: str, now: datetime, within: timedelta = timedelta(minutes=2)
    ) -> list[str]:
        """Other agents who had `item_id` open in the last `within`."""
        query = sa.select(item_viewers.c.actor).where(
            item_viewers.c.item_id == item_id, item_viewers.c.actor != actor, item_viewers.c.seen_at >= now - within
        )
        with self.read() as connection:
            return sorted(str(a) for a in connection.execute(query).scalars())

    def get_setting(self, key: str, default: Any = None) -> Any:
        """A workspace setting (JSON) from `app_settings`, or `default`."""
        with self.read() as connection:
            value = connection.execute(sa.select(app_settings.c.value).where(app_settings.c.key == key)).scalar()
        if value is None:
            return default
        return json.loads(value) if isinstance(value, str) else value

    def put_setting(self, key: str, value: Any, *, actor: Actor, permission: Permission, now: datetime) -> None:
        """Store a workspace setting (JSON), replacing the previous value: `actor` needs `permission`,
        and the change is audited as `setting.<key>` (the value is not copied: it may hold secrets)."""
        require(actor, permission)
        with self.write() as connection:
            connection.execute(app_settings.delete().where(app_settings.c.key == key))
            connection.execute(
                app_settings.insert().values(key=key, value=value, updated_at=now, updated_by=actor.name)
            )
            self.record_audit(connection, actor, f"setting.{key}", now=now, subject=key)

    def triage_history(self, item_id: int) -> list[dict[str, Any]]:
        with self.read() as connection:
            rows = connection.execute(
                sa.select(triage_events).where(triage_events.c.item_id == item_id).order_by(triage_events.c.id)
            ).mappings()
            return [dict(row) for row in rows]

    # ---- sentiment: labels, models, embeddings, re-scoring jobs ---------------------------------

    def add_sentiment_labels(self, rows: Sequence[Mapping[str, Any]], *, actor: Actor, now: datetime) -> int:
        """Store labels (imports, weak labels); each row has the table's columns. Audited by origin and count."""
        require(actor, Permission.CORRECT_SENTIMENT)
        if not rows:
            return 0
        with self.write() as connection:
            connection.execute(sentiment_labels.insert(), [dict(row) for row in rows])
            origins = sorted({str(row.get("origin")) for row in rows})
            self.record_audit(
                connection, actor, "sentiment.labels", now=now, detail={"count": len(rows), "origins": origins}
            )
        return len(rows)

    def sentiment_labels(self, origins: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Every stored label, oldest first (optionally only some origins)."""
        query = sa.select(sentiment_labels).order_by(sentiment_labels.c.id)
        if origins is not None:
            query = query.where(sentiment_labels.c.origin.in_(list(origins)))
        with self.read() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    def count_sentiment_labels(self) -> dict[str, int]:
        """How many labels of each origin the workspace has."""
        query = sa.select(sentiment_labels.c.origin, sa.func.count()).group_by(sentiment_labels.c.origin)
        with self.read() as connection:
            return {str(origin): int(n) for origin, n in connection.execute(query)}

    def items_without_weak_label(self) -> list[dict[str, Any]]:
        """Survey items with an NPS or CSAT score and no weak label yet."""
        labelled = sa.select(sentiment_labels.c.item_id).where(
            sentiment_labels.c.origin == "weak", sentiment_labels.c.item_id.is_not(None)
        )
        query = sa.select(items.c.id, items.c.text, items.c.language, items.c.nps, items.c.csat).where(
            sa.or_(items.c.nps.is_not(None), items.c.csat.is_not(None)), items.c.id.not_in(labelled)
        )
        with self.read() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    def correct_sentiment(self, item_ids: Sequence[int], label: str, *, actor: Actor, now: datetime) -> int:
        """An agent's correction: store it as a label (with the item's text and language) and
        set the items' label; a corrected item keeps its label through re-scoring."""
        require(actor, Permission.CORRECT_SENTIMENT)
        if label not in ("negative", "neutral", "positive"):
            raise ValueError(f"unknown sentiment {label!r}; expected negative, neutral or positive")
        changed = 0
        with self.write() as connection:
            rows = (
                connection.execute(
                    sa.select(items.c.id, items.c.text, items.c.language, items.c.sentiment_label).where(
                        items.c.id.in_(list(item_ids))
                    )
                )
                .mappings()
                .all()
            )
            for row in rows:
                connection.execute(
                    sentiment_labels.insert().values(
                        item_id=row["id"], text=row["text"], language=row["language"], label=label,
                        origin="correction", actor=actor.name, created_at=now,
                    )
                )  # fmt: skip
                connection.execute(
                    items.update()
                    .where(items.c.id == row["id"])
                    .values(sentiment_label=label, sentiment_confidence=1.0, scorer="correction")
                )
                connection.execute(
                    triage_events.insert().values(
                        item_id=row["id"], actor=actor.name, at=now, field="sentiment_label",
                        old_value=row["sentiment_label"], new_value=label,
                    )
                )  # fmt: skip
                changed += 1
            if changed:
                _audit_items(connection, actor, "sentiment.correct", [r["id"] for r in rows], now, label=label)
        return changed

    def save_sentiment_model(
        self,
        *,
        version: str,
        created_at: datetime,
        trained_on: int,
        metrics: dict[str, Any],
        active_languages: list[str],
        blob: bytes,
        activate: bool = True,
        actor: Actor,
    ) -> None:
        """Store a trained model; with `activate`, it becomes the only active one."""
        require(actor, Permission.RETRAIN)
        with self.write() as connection:
            self.record_audit(
                connection, actor, "sentiment.model", now=created_at, subject=version,
                detail={"trained_on": trained_on, "active_languages": list(active_languages), "activated": activate},
            )  # fmt: skip
            if activate:
                connection.execute(sentiment_models.update().values(active=False))
            connection.execute(
                sentiment_models.insert().values(
                    version=version, created_at=created_at, trained_on=trained_on, metrics=metrics,
                    active_languages=active_languages, active=activate, blob=blob,
                )
            )  # fmt: skip

    def active_sentiment_model(self) -> dict[str, Any] | None:
        """The active model's row (with its blob), or None when the built-in model is in use."""
        query = (
            sa.select(sentiment_models)
            .where(sentiment_models.c.active.is_(True))
            .order_by(sentiment_models.c.id.desc())
        )
        with self.read() as connection:
            row = connection.execute(query.limit(1)).mappings().first()
        return dict(row) if row else None

    def active_sentiment_version(self) -> str | None:
        """The active model's version (a cheap check for a change), or None for the built-in one."""
        query = (
            sa.select(sentiment_models.c.version)
            .where(sentiment_models.c.active.is_(True))
            .order_by(sentiment_models.c.id.desc())
        )
        with self.read() as connection:
            row = connection.execute(query.limit(1)).first()
        return str(row[0]) if row else None

    def sentiment_models(self) -> list[dict[str, Any]]:
        """Every stored model, newest first, without its blob."""
        columns = [c for c in sentiment_models.c if c.name != "blob"]
        query = sa.select(*columns).order_by(sentiment_models.c.id.desc())
        with self.read() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    def save_item_embeddings(self, vectors: Mapping[int, bytes], *, model: str, dim: int) -> None:
        """Store (or replace) items' embeddings."""
        if not vectors:
            return
        with self.write() as connection:
            connection.execute(item_embeddings.delete().where(item_embeddings.c.item_id.in_(list(vectors))))
            connection.execute(
                item_embeddings.insert(),
                [{"item_id": item_id, "model": model, "dim": dim, "vector": blob} for item_id, blob in vectors.items()],
            )

    def item_embeddings(self, item_ids: Sequence[int], *, model: str) -> dict[int, bytes]:
        """Stored embeddings of these items made by `model` (float32 bytes by item id)."""
        if not item_ids:
            return {}
        query = sa.select(item_embeddings.c.item_id, item_embeddings.c.vector).where(
            item_embeddings.c.item_id.in_(list(item_ids)), item_embeddings.c.model == model
        )
        with self.read() as connection:
            return {int(item_id): bytes(vector) for item_id, vector in connection.execute(query)}

    def items_for_rescoring(self, *, after_id: int, limit: int) -> list[dict[str, Any]]:
        """The next items by id (text, language, current scorer) for a re-scoring pass."""
        query = (
            sa.select(items.c.id, items.c.text, items.c.language, items.c.scorer)
            .where(items.c.id > after_id)
            .order_by(items.c.id)
            .limit(limit)
        )
        with self.read() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    def update_item_sentiments(self, updates: Sequence[Mapping[str, Any]]) -> None:
        """Write re-scored sentiments (id plus the sentiment columns and scorer)."""
        if not updates:
            return
        with self.write() as connection:
            for update in updates:
                values = {k: v for k, v in update.items() if k != "id"}
                connection.execute(items.update().where(items.c.id == update["id"]).values(**values))

    def scorer_counts(self) -> dict[str, int]:
        """How many items each scorer (and version) labelled."""
        query = sa.select(items.c.scorer, sa.func.count()).group_by(items.c.scorer)
        with self.read() as connection:
            return {str(scorer): int(n) for scorer, n in connection.execute(query)}

    def enqueue_job(self, kind: str, params: dict[str, Any], *, total: int, now: datetime) -> int:
        """Queue background work; an older queued job of the same kind is superseded."""
        with self.write() as connection:
            connection.execute(
                jobs.update()
                .where(jobs.c.kind == kind, jobs.c.status.in_(["queued", "running"]))
                .values(status="failed", error="superseded by a newer job", finished_at=now)
            )
            row = connection.execute(
                jobs.insert()
                .values(kind=kind, status="queued", params=params, total=total, done=0, created_at=now)
                .returning(jobs.c.id)
            ).first()
        assert row is not None
        return int(row[0])

    def claim_job(self, kind: str, owner: str, now: datetime) -> dict[str, Any] | None:
        """Take the oldest queued (or this owner's running) job of `kind`; None when there is none."""
        with self.write() as connection:
            row = (
                connection.execute(
                    sa.select(jobs)
                    .where(
                        jobs.c.kind == kind,
                        sa.or_(
                            jobs.c.status == "queued", sa.and_(jobs.c.status == "running", jobs.c.lease_owner == owner)
                        ),
                    )
                    .order_by(jobs.c.id)
                    .limit(1)
                )
                .mappings()
                .first()
            )
            if row is None:
                return None
            if row["status"] == "queued":
                claimed = connection.execute(
                    jobs.update()
                    .where(jobs.c.id == row["id"], jobs.c.status == "queued")
                    .values(status="running", lease_owner=owner, started_at=now)
                )
                if claimed.rowcount != 1:
                    return None
            job = dict(row)
        job["params"] = _as_dict(job["params"])
        job["status"], job["lease_owner"] = "running", owner
        return job

    def advance_job(self, job_id: int, *, done: int, params: dict[str, Any] | None = None) -> None:
        """Add `done` to a job's progress (and save where it got to)."""
        values: dict[str, Any] = {"done": jobs.c.done + done}
        if params is not None:
            values["params"] = params
        with self.write() as connection:
            connection.execute(jobs.update().where(jobs.c.id == job_id).values(**values))

    def finish_job(self, job_id: int, *, now: datetime, error: str | None = None) -> None:
        """Mark a job done (or failed with `error`)."""
        with self.write() as connection:
            connection.execute(
                jobs.update()
                .where(jobs.c.id == job_id)
                .values(status="failed" if error else "done", finished_at=now, error=error[:2000] if error else None)
            )

    def latest_job(self, kind: str) -> dict[str, Any] | None:
        """The newest job of `kind` (for progress bars)."""
        with self.read() as connection:
            row = (
                connection.execute(sa.select(jobs).where(jobs.c.kind == kind).order_by(jobs.c.id.desc()).limit(1))
                .mappings()
                .first()
            )
        if row is None:
            return None
        job = dict(row)
        job["params"] = _as_dict(job["params"])
        return job


def _audit_items(
    connection: sa.Connection, actor: Actor, action: str, item_ids: Sequence[int], now: datetime, **detail: Any
) -> None:
    """One audit row for a change to one or many items (the ids, capped, and how many)."""
    ids = [int(i) for i in item_ids]
    subject = str(ids[0]) if len(ids) == 1 else f"{len(ids)} items"
    Store.record_audit(
        connection, actor, action, now=now, subject=subject, detail={"items": ids[:200], "count": len(ids), **detail}
    )


def _collapse_duplicate(connection: sa.Connection, item_id: int, content_hash: str, posted_at: datetime) -> None:
    """Point a new item at the first one with the same text nearby in time, and count it there."""
    original = connection.execute(
        sa.select(items.c.id)
        .where(
            items.c.content_hash == content_hash,
            items.c.id != item_id,
            items.c.duplicate_of.is_(None),
            items.c.posted_at >= posted_at - DUPLICATE_WINDOW,
            items.c.posted_at <= posted_at + DUPLICATE_WINDOW,
        )
        .order_by(items.c.id)
        .limit(1)
    ).scalar()
    if original is None:
        return
    connection.execute(items.update().where(items.c.id == item_id).values(duplicate_of=original))
    connection.execute(items.update().where(items.c.id == original).values(duplicate_count=items.c.duplicate_count + 1))


def _as_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        return dict(json.loads(value))
    return dict(value or {})


def _usage(row: Any) -> Usage:
    return Usage(
        requests=int(row["requests"]),
        posts_read=int(row["posts_read"]),
        users_read=int(row["users_read"]),
        cost_usd=float(row["cost_usd"]),
    )


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return list(json.loads(value))
    return list(value)
