"""The one claim mechanism for single-runner work: the `jobs` table.

Two shapes of work use it, and nothing else in the code base claims work another way:
- **queued jobs** (re-scoring, theme re-assignment, export regeneration): `queue_job` (inside the
  caller's transaction) or `enqueue_job`, then `claim_job`, a compare-and-set from `queued` to
  `running` that one process wins; a running job whose process died is taken over after
  `stale_after`; `advance_job` and `finish_job` record progress and the outcome.
- **runs** (the weekly export, the retention sweep, theme discovery, the precise sentiment pass):
  `start_run` inserts a `running` row for `kind` unless another run is running (younger than
  `stale_after`) or, with `once_every`, one started less than that ago; a long-lived run (the
  precise pass, held while its process lives) keeps it with `renew_run`. The check and the insert are one write
  transaction, serialised per kind (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock), so
  exactly one of several listener processes wins.

Source leases stay on `sources` (a lease is held for a source's whole life, renewed by heartbeats,
not a piece of work). Domain module: no Streamlit.
"""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from voc.store.core import Database, json_dict
from voc.store.schema import (
    jobs,
)


def queue_job(connection: sa.Connection, kind: str, params: dict[str, Any], *, now: datetime, total: int = 0) -> int:
    """Queue a job inside the caller's write transaction (so it commits, or not, with the change
    that made it necessary); returns its id."""
    row = connection.execute(
        jobs.insert()
        .values(kind=kind, status="queued", params=params, total=total, done=0, created_at=now)
        .returning(jobs.c.id)
    ).first()
    assert row is not None
    return int(row[0])


def _serialise_kind(connection: sa.Connection, kind: str) -> None:
    """Make concurrent claimers of `kind` take turns for the rest of this transaction (SQLite's
    write transactions already do: BEGIN IMMEDIATE)."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(zlib.crc32(kind.encode("utf-8")))))


class JobsRepository(Database):
    """Queued work with progress, and single-runner runs; every claim is one compare-and-set."""

    def enqueue_job(self, kind: str, params: dict[str, Any], *, total: int, now: datetime) -> int:
        """Queue background work; an older queued job of the same kind is superseded."""
        with self.write() as connection:
            connection.execute(
                jobs.update()
                .where(jobs.c.kind == kind, jobs.c.status.in_(["queued", "running"]))
                .values(status="failed", error="superseded by a newer job", finished_at=now)
            )
            return queue_job(connection, kind, params, now=now, total=total)

    def claim_job(
        self, kind: str, owner: str, now: datetime, *, stale_after: timedelta | None = None
    ) -> dict[str, Any] | None:
        """Take the oldest queued (or this owner's running) job of `kind`; None when there is none.

        With `stale_after`, a job another owner started longer ago than that (its process died)
        is taken over too."""
        running = sa.and_(jobs.c.status == "running", jobs.c.lease_owner == owner)
        if stale_after is not None:
            running = sa.or_(running, sa.and_(jobs.c.status == "running", jobs.c.started_at < now - stale_after))
        with self.write() as connection:
            row = (
                connection.execute(
                    sa.select(jobs)
                    .where(jobs.c.kind == kind, sa.or_(jobs.c.status == "queued", running))
                    .order_by(jobs.c.id)
                    .limit(1)
                )
                .mappings()
                .first()
            )
            if row is None:
                return None
            if row["status"] == "queued" or row["lease_owner"] != owner:
                claimed = connection.execute(
                    jobs.update()
                    .where(
                        jobs.c.id == row["id"],
                        jobs.c.status == row["status"],
                        jobs.c.lease_owner.is_(None)
                        if row["lease_owner"] is None
                        else jobs.c.lease_owner == row["lease_owner"],
                    )
                    .values(status="running", lease_owner=owner, started_at=now)
                )
                if claimed.rowcount != 1:
                    return None
            job = dict(row)
        job["params"] = json_dict(job["params"])
        job["status"], job["lease_owner"] = "running", owner
        return job

    def start_run(
        self,
        kind: str,
        owner: str,
        now: datetime,
        *,
        stale_after: timedelta,
        once_every: timedelta | None = None,
        params: dict[str, Any] | None = None,
    ) -> int | None:
        """Claim a single-runner run of `kind` for `owner`; its job id, or None when another has it.

        Refused while another run is `running` and started less than `stale_after` ago (after
        that its process is taken for dead), and, with `once_every`, while any run started less
        than `once_every` ago, whatever became of it. End the run with `finish_job`."""
        with self.write() as connection:
            _serialise_kind(connection, kind)
            busy = sa.and_(jobs.c.status == "running", jobs.c.started_at > now - stale_after)
            if once_every is not None:
                busy = sa.or_(busy, jobs.c.started_at > now - once_every)
            taken = connection.execute(sa.select(jobs.c.id).where(jobs.c.kind == kind, busy).limit(1)).first()
            if taken is not None:
                return None
            row = connection.execute(
                jobs.insert()
                .values(kind=kind, status="running", params=params or {}, total=0, done=0, created_at=now,
                        started_at=now, lease_owner=owner)
                .returning(jobs.c.id)
            ).first()  # fmt: skip
        assert row is not None
        return int(row[0])

    def renew_run(self, job_id: int, kind: str, now: datetime) -> bool:
        """Keep holding a long-lived run (move its `started_at` to `now`); False when it was lost.

        A run is lost when another process took `kind` over meanwhile (this one was silent longer
        than its `stale_after`: suspended, stalled): a newer run of `kind` is running. The lost run
        is then closed, so exactly one holder goes on."""
        with self.write() as connection:
            _serialise_kind(connection, kind)
            newer = connection.execute(
                sa.select(jobs.c.id).where(jobs.c.kind == kind, jobs.c.status == "running", jobs.c.id > job_id).limit(1)
            ).first()
            if newer is not None:
                connection.execute(
                    jobs.update()
                    .where(jobs.c.id == job_id, jobs.c.status == "running")
                    .values(status="done", finished_at=now)
                )
                return False
            renewed = connection.execute(
                jobs.update().where(jobs.c.id == job_id, jobs.c.status == "running").values(started_at=now)
            )
            return renewed.rowcount == 1

    def advance_job(self, job_id: int, *, done: int, params: dict[str, Any] | None = None) -> None:
        """Add `done` to a job's progress (and save where it got to)."""
        values: dict[str, Any] = {"done": jobs.c.done + done}
        if params is not None:
            values["params"] = params
        with self.write() as connection:
            connection.execute(jobs.update().where(jobs.c.id == job_id).values(**values))

    def report_progress(self, job_id: int, *, done: int, total: int, alive_at: datetime) -> None:
        """Set a running job's progress to `done` of `total`, and move its `started_at` to `alive_at`:
        `claim_job` takes a running job for dead by that column's age, and a long job that keeps
        reporting is alive however long it runs (an export of a million rows takes minutes)."""
        with self.write() as connection:
            connection.execute(
                jobs.update()
                .where(jobs.c.id == job_id, jobs.c.status == "running")
                .values(done=done, total=total, started_at=alive_at)
            )

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
        job["params"] = json_dict(job["params"])
        return job
