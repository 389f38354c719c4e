"""Sentiment's reads and writes: labels, models, item embeddings and re-scoring.

It must not know about the inbox's workflow. Domain module: no Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from voc.access.repository import AccessRepository, audit_items
from voc.access.roles import Actor, Permission, require
from voc.inbox.storing import lock_item_writers
from voc.store.schema import (
    item_counts_monthly,
    item_embeddings,
    items,
    sentiment_labels,
    sentiment_models,
    triage_events,
)


class SentimentRepository(AccessRepository):
    """Sentiment labels (corrections, imports, weak labels), trained models, item embeddings and
    the re-scoring of stored items."""

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
        from voc.inbox.priority import stored_priority_of  # here: the inbox's priority imports the store

        require(actor, Permission.CORRECT_SENTIMENT)
        if label not in ("negative", "neutral", "positive"):
            raise ValueError(f"unknown sentiment {label!r}; expected negative, neutral or positive")
        changed = 0
        with self.write() as connection:
            lock_item_writers(connection)  # the item counts' turn (voc.inbox.storing)
            rows = (
                connection.execute(
                    sa.select(
                        items.c.id,
                        items.c.text,
                        items.c.language,
                        items.c.sentiment_label,
                        items.c.author_reach,
                        items.c.nps,
                        items.c.csat,
                        items.c.very_unhappy,
                    )  # fmt: skip
                    .where(items.c.id.in_(list(item_ids)))
                    .order_by(items.c.id)  # rows locked in id order, as every writer does: no wait cycle
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
                corrected = {"sentiment_label": label, "sentiment_confidence": 1.0, "scorer": "correction"}
                # The stored priority follows the person's label, as it follows a re-score: the
                # queue's order is the corrected one at once.
                priority = stored_priority_of({**row, **corrected})
                connection.execute(items.update().where(items.c.id == row["id"]).values(**corrected, priority=priority))
                connection.execute(
                    triage_events.insert().values(
                        item_id=row["id"], actor=actor.name, at=now, field="sentiment_label",
                        old_value=row["sentiment_label"], new_value=label,
                    )
                )  # fmt: skip
                changed += 1
            if changed:
                audit_items(connection, actor, "sentiment.correct", [r["id"] for r in rows], now, label=label)
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

    def items_for_rescoring(
        self, *, after_id: int, limit: int, skip_scorers: Sequence[str] = ()
    ) -> list[dict[str, Any]]:
        """The next items by id (text, language, current scorer, and what their stored priority
        reads besides the sentiment) for a re-scoring pass; with
        `skip_scorers`, only items none of those scorers labelled (the database skips the rest, so
        a pass that has caught up finds a new item at once however many are done)."""
        query = (
            sa.select(
                items.c.id,
                items.c.text,
                items.c.language,
                items.c.scorer,
                items.c.author_reach,
                items.c.nps,
                items.c.csat,
                items.c.very_unhappy,
            )  # fmt: skip
            .where(items.c.id > after_id)
            .order_by(items.c.id)
            .limit(limit)
        )
        if skip_scorers:
            query = query.where(sa.or_(items.c.scorer.is_(None), items.c.scorer.not_in(list(skip_scorers))))
        with self.read() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    def update_item_sentiments(self, updates: Sequence[Mapping[str, Any]]) -> None:
        """Write re-scored sentiments (id plus the sentiment columns, scorer and the stored priority
        that follows from them). An item a person
        corrected meanwhile keeps its correction: the update skips it in the same statement."""
        if not updates:
            return
        with self.write() as connection:
            lock_item_writers(connection)  # the item counts' turn (voc.inbox.storing)
            for update in updates:
                values = {k: v for k, v in update.items() if k != "id"}
                connection.execute(
                    items.update()
                    .where(items.c.id == update["id"], sa.or_(items.c.scorer.is_(None), items.c.scorer != "correction"))
                    .values(**values)
                )

    def scorer_counts(self) -> dict[str, int]:
        """How many items each scorer (and version) labelled: from the monthly counts' scorer facet
        (`item_counts_monthly`, kept by triggers in the writers' own transactions; all of time is
        whole months), so the Settings page's precise-pass backlog costs the same at a million
        items as at a thousand (the hourly facet took 40 ms at a million, the months 1 ms)."""
        total = sa.func.sum(item_counts_monthly.c["items"])  # `.c.items` is the collection's method
        query = (
            sa.select(item_counts_monthly.c.value, total)
            .where(item_counts_monthly.c.facet == "scorer")
            .group_by(item_counts_monthly.c.value)
            .having(total > 0)
        )
        with self.read() as connection:
            return {str(scorer): int(n) for scorer, n in connection.execute(query)}
