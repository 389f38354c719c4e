"""What the ingest path stores for the PII corpus: each value replaced, nothing of it in any column
of the item's row, and ordinary texts stored with their numbers, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import sqlalchemy as sa

from tests.pii_corpus import ordinary_texts, pii_cases
from voc.models import RawItem
from voc.sources.ingest import build_items_with_embeddings
from voc.store.facade import Store
from voc.store.schema import items

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def compact(text: str) -> str:
    """Letters and digits only, so a value is found in a column however it was spaced."""
    return re.sub(r"[\W_]+", "", text).lower()


def test_stored_rows_hold_no_personal_value_from_the_corpus(store: Store) -> None:
    cases = pii_cases()
    raws = [RawItem(external_id=f"pii-{i}", text=case.text, posted_at=NOW) for i, case in enumerate(cases)]
    new_items, vectors = build_items_with_embeddings("corpus", raws, ingested_at=NOW)
    assert store.add_items(new_items, vectors) == len(cases)

    with store.read() as connection:
        rows = {row.external_id: row for row in connection.execute(sa.select(items).where(items.c.source == "corpus"))}
    assert len(rows) == len(cases)
    for i, case in enumerate(cases):
        row = rows[f"pii-{i}"]
        assert row.text == case.text[: case.start] + f"[{case.kind}]" + case.text[case.end :], case.form
        assert case.kind in (json.loads(row.redactions) if isinstance(row.redactions, str) else row.redactions)
        value = compact(case.value)
        stored = [compact(str(v)) for v in row._mapping.values() if v is not None]
        assert not any(value in column for column in stored), case.form


def test_ordinary_texts_are_stored_with_their_numbers(store: Store) -> None:
    texts = ordinary_texts()[:300]
    raws = [RawItem(external_id=f"ok-{i}", text=t.text, posted_at=NOW) for i, t in enumerate(texts)]
    new_items, vectors = build_items_with_embeddings("ordinary", raws, ingested_at=NOW)
    store.add_items(new_items, vectors)
    with store.read() as connection:
        stored = dict(
            connection.execute(sa.select(items.c.external_id, items.c.text).where(items.c.source == "ordinary")).all()
        )
    changed = [t.text for i, t in enumerate(texts) if stored[f"ok-{i}"] != t.text]
    assert len(changed) < 0.01 * len(texts), changed
