"""The inbox's reads and writes: items (stored once each, duplicates collapsed), triage,
notes, tags and presence.

It must not know about sources' leases or sentiment models. Domain module: no Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from voc.access.repository import AccessRepository, audit_items
from voc.access.roles import Actor, Permission, require
from voc.inbox.storing import ItemEmbedding, store_items
from voc.inbox.triage import WORKFLOW_TIMES, validate_change
from voc.models import NewItem, TriageChange
from voc.store.core import json_list
from voc.store.schema import (
    item_notes,
    item_viewers,
    items,
    triage_events,
)

# Someone has an item open while their page keeps touching it (every rerun) within this time.
PRESENCE_WINDOW = timedelta(minutes=2)


def record_history(
    connection: sa.Connection, item_id: int, *, actor: Actor, at: datetime, field: str, old: str | None, new: str | None
) -> None:
    """One line of an item's history (`triage_events`): who changed which field from what to what."""
    connection.execute(
        triage_events.insert().values(
            item_id=item_id, actor=actor.name, at=at, field=field, old_value=old, new_value=new
        )
    )


class InboxRepository(AccessRepository):
    """Items and what agents do to them: status, owner, tags, notes, who is looking."""

    def _insert_items(
        self,
        connection: sa.Connection,
        new_items: Iterable[NewItem],
        embeddings: Mapping[str, ItemEmbedding] | None = None,
        *,
        count_new: Callable[[int], sa.Update] | None = None,
    ) -> int:
        """One page in the caller's transaction, batched (`voc.inbox.storing`)."""
        return store_items(connection, new_items, embeddings, count_new=count_new)

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

    def apply_triage(self, changes: Sequence[TriageChange], *, actor: Actor, now: datetime) -> int:
        """Apply agents' changes and write each to the item's history; returns how many changed."""
        require(actor, Permission.TRIAGE)
        for change in changes:
            validate_change(change)
        applied = 0
        touched: list[int] = []
        with self.write() as connection:
            # In id order (stable: one item's changes keep theirs), as every writer locks items:
            # a theme batch holding two of them in the other order would deadlock (docs/themes.md).
            for change in sorted(changes, key=lambda c: c.item_id):
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
                audit_items(connection, actor, "triage.apply", touched, now, fields=sorted({c.field for c in changes}))
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
        """Record that items not answered yet were answered elsewhere (a call, an e-mail; the SLA clock
        stops); returns how many. A reply posted from the app stamps its own time (docs/replies.md)."""
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
                            new_value=f"{now.isoformat()} (answered elsewhere)",
                        )
                    )
                    changed.append(item_id)
            if changed:
                audit_items(connection, actor, "triage.responded", changed, now)
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
                current = json_list(connection.execute(sa.select(items.c.tags).where(items.c.id == item_id)).scalar())
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
                audit_items(connection, actor, f"triage.tags.{mode}", changed, now, tags=wanted)
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

    def touch_viewer(self, item_id: int, actor: Actor, now: datetime, within: timedelta = PRESENCE_WINDOW) -> None:
        """Remember that `actor` has `item_id` open (presence for the "someone else is on it" warning).

        `opened_at` is kept while they stay (each rerun within `within` refreshes only `seen_at`)
        and starts again when they come back after leaving it. Presence is not audited: it is
        rewritten on every rerun and says nothing was changed."""
        require(actor, Permission.VIEW)
        name = actor.name
        mine = sa.and_(item_viewers.c.item_id == item_id, item_viewers.c.actor == name)
        with self.write() as connection:
            seen = connection.execute(sa.select(item_viewers.c.seen_at).where(mine)).scalar()
            if seen is None:
                connection.execute(
                    item_viewers.insert().values(item_id=item_id, actor=name, seen_at=now, opened_at=now)
                )
                return
            values: dict[str, Any] = {"seen_at": now}
            if seen < now - within:
                values["opened_at"] = now
            connection.execute(item_viewers.update().where(mine).values(values))

    def viewers(
        self, item_id: int, *, besides: str, now: datetime, within: timedelta = PRESENCE_WINDOW
    ) -> list[tuple[str, datetime]]:
        """Who else had `item_id` open in the last `within`, and since when, longest first."""
        since = sa.func.coalesce(item_viewers.c.opened_at, item_viewers.c.seen_at)
        query = (
            sa.select(item_viewers.c.actor, since)
            .where(
                item_viewers.c.item_id == item_id,
                item_viewers.c.actor != besides,
                item_viewers.c.seen_at >= now - within,
            )
            .order_by(since, item_viewers.c.actor)
        )
        with self.read() as connection:
            return [(str(actor), opened) for actor, opened in connection.execute(query)]

    def undo_status(
        self,
        item_id: int,
        *,
        status: str,
        first_response_at: datetime | None,
        resolved_at: datetime | None,
        actor: Actor,
        now: datetime,
    ) -> None:
        """Put an item back as it was before a status change (the Inbox's Undo): its status and
        the first-response and resolution times that change stamped, with an "undo" in its history."""
        require(actor, Permission.TRIAGE)
        validate_change(TriageChange(item_id, "triage_status", status))
        with self.write() as connection:
            current = connection.execute(sa.select(items.c.triage_status).where(items.c.id == item_id)).scalar_one()
            connection.execute(
                items.update()
                .where(items.c.id == item_id)
                .values(triage_status=status, first_response_at=first_response_at, resolved_at=resolved_at)
            )
            connection.execute(
                triage_events.insert().values(
                    item_id=item_id, actor=actor.name, at=now, field="undo", old_value=current, new_value=status
                )
            )
            audit_items(connection, actor, "triage.undo", [item_id], now)

    def triage_history(self, item_id: int) -> list[dict[str, Any]]:
        with self.read() as connection:
            rows = connection.execute(
                sa.select(triage_events).where(triage_events.c.item_id == item_id).order_by(triage_events.c.id)
            ).mappings()
            return [dict(row) for row in rows]
