"""Builders for test data: items as the store receives them, without going through a source."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from voc.inbox.priority import stored_priority_of
from voc.inbox.queue import QueueFilter, open_queue
from voc.models import NewItem
from voc.store.facade import Store
from voc.surveys.recovery import urgent_words_in

BASE_TIME = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def new_item(external_id: str, **overrides: Any) -> NewItem:
    """A stored-ready item with sensible defaults; override any column."""
    values: dict[str, Any] = {
        "source": "test-source",
        "external_id": external_id,
        "kind": "mention",
        "channel": "x",
        "brand": "Northwind Mobile",
        "is_competitor": False,
        "author": "@someone",
        "author_reach": 120,
        "link": f"https://x.com/someone/status/{external_id}",
        "posted_at": BASE_TIME,
        "ingested_at": BASE_TIME,
        "text": "my bill is wrong again",
        "redactions": [],
        "language": "en",
        "sentiment_label": "negative",
        "sentiment_score": -0.5,
        "sentiment_confidence": 0.7,
        "sentiment_reasons": ["wrong"],
        "scorer": "vader-3.3.2",
        "triage_status": "new",
        "survey": None,
        "response_id": None,
        "respondent_key": None,
        "nps": None,
        "csat": None,
    }
    values.update(overrides)
    # As ingest does: the stored priority and the urgent flag from the item's own words and scores.
    values.setdefault("priority", stored_priority_of(values))
    values.setdefault("urgent_request", bool(urgent_words_in(values["text"] or "", values["language"])))
    return NewItem(**values)


def queued_ids(store: Store, limit: int = 500) -> list[int]:
    """The ids of the open care queue, in its order (`voc.inbox.queue.open_queue`)."""
    return [int(i) for i in open_queue(store, QueueFilter(), now=datetime.now(UTC), page_size=limit).rows["id"]]
