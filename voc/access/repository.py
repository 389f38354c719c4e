"""The audit log's reads and writes (users and roles are settings: see `voc.access.users`).

Every other repository records its writes through `AccessRepository.record_audit`, in its own
transaction. It must not know any feature's tables. Domain module: no Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from voc.access.roles import Actor
from voc.store.core import Database
from voc.store.schema import (
    audit_log,
)


class AccessRepository(Database):
    """The audit log: written in every writer's transaction, read by the Audit page and its export."""

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


def audit_items(
    connection: sa.Connection, actor: Actor, action: str, item_ids: Sequence[int], now: datetime, **detail: Any
) -> None:
    """One audit row for a change to one or many items (the ids, capped, and how many)."""
    ids = [int(i) for i in item_ids]
    subject = str(ids[0]) if len(ids) == 1 else f"{len(ids)} items"
    AccessRepository.record_audit(
        connection, actor, action, now=now, subject=subject, detail={"items": ids[:200], "count": len(ids), **detail}
    )
