"""The sources' reads and writes: configuration, leases (one runner per source), batches saved
with their cursor, skips with their reasons, failures, the cost meter and coverage gaps.

It must not know about triage or sentiment. Domain module: no Streamlit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
import sqlalchemy as sa

from voc.access.roles import Actor, Permission, require
from voc.inbox.repository import InboxRepository, ItemEmbedding
from voc.inbox.storing import execute_locking_items
from voc.models import NewItem, SourceState
from voc.sources.costs import Usage, utc_day
from voc.sources.coverage import CoverageGap
from voc.store.core import upsert
from voc.store.schema import (
    coverage_gaps,
    items,
    source_skips,
    source_usage,
    sources,
)


class LeaseLostError(RuntimeError):
    """Another runner took over the source while this one was fetching; its batch is dropped."""


class SourcesRepository(InboxRepository):
    """Sources, their leases, skipped entries, failures, cost meter and coverage gaps; a page of
    items is saved with the source's cursor in one transaction."""

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
            # The lease re-check also takes the item writers' lock (one round trip on PostgreSQL).
            held = execute_locking_items(
                connection,
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
                ),
                lock=bool(new_items),
            )
            if held != 1:
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
            held = execute_locking_items(
                connection,
                sources.update().where(sources.c.name == name, sources.c.lease_owner == owner).values(heartbeat_at=now),
                lock=bool(new_items),
            )
            if held != 1:
                raise LeaseLostError(f"source {name!r} is no longer leased to {owner}")
            return self._insert_counted(connection, name, new_items, embeddings)

    def _insert_counted(
        self,
        connection: sa.Connection,
        name: str,
        new_items: Sequence[NewItem],
        embeddings: Mapping[str, ItemEmbedding] | None,
    ) -> int:
        def count(inserted: int) -> sa.Update:
            return sources.update().where(sources.c.name == name).values(items_total=sources.c.items_total + inserted)

        return self._insert_items(connection, new_items, embeddings, count_new=count)

    def _add_skips(self, connection: sa.Connection, name: str, reason: str, count: int, now: datetime) -> None:
        values = {"source": name, "reason": reason[:200], "count": count, "first_at": now, "last_at": now}
        update = {"count": lambda added: source_skips.c.count + added.count, "last_at": lambda added: added.last_at}
        connection.execute(upsert(connection, source_skips, values, ["source", "reason"], update))

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

    def _add_usage(self, connection: sa.Connection, name: str, day: date, usage: Usage) -> None:
        counted = ("requests", "posts_read", "users_read", "cost_usd")
        values = {"source": name, "day": day, **{key: getattr(usage, key) for key in counted}}
        update = {key: (lambda added, key=key: source_usage.c[key] + added[key]) for key in counted}
        connection.execute(upsert(connection, source_usage, values, ["source", "day"], update))

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


def _usage(row: Any) -> Usage:
    return Usage(
        requests=int(row["requests"]),
        posts_read=int(row["posts_read"]),
        users_read=int(row["users_read"]),
        cost_usd=float(row["cost_usd"]),
    )
