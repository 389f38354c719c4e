"""Background jobs in the `jobs` table: queued by one process, claimed by exactly one runner.

Domain module: no Streamlit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from voc.store.core import Database, json_dict
from voc.store.schema import (
    jobs,
)


class JobsRepository(Database):
    """Queued work (re-scoring, ...) with progress; a claim is an atomic compare-and-set."""

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
        job["params"] = json_dict(job["params"])
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
        job["params"] = json_dict(job["params"])
        return job
