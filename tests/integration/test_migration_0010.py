"""Revision 0010 on a database with items: the urgent flag found and every stored priority
recomputed with the one formula, on both databases."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from tests.factories import BASE_TIME
from voc.inbox.priority import stored_priority_of
from voc.store.migrate import _config, current_revision, migrate
from voc.store.schema import items


def test_0010_finds_urgent_requests_and_recomputes_priorities(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    try:
        config = _config()
        with engine.connect() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0008")
            connection.commit()
        row = {
            "source": "old", "external_id": "1", "kind": "mention", "channel": "x", "author_reach": 250_000,
            "posted_at": BASE_TIME, "ingested_at": BASE_TIME, "text": "Cancel my contract and refund me",
            "redactions": [], "language": "en", "sentiment_label": "neutral", "sentiment_score": 0.0,
            "sentiment_confidence": 0.6, "sentiment_reasons": [], "scorer": "vader-3.3.2", "priority": 12.5,
        }  # fmt: skip
        with engine.begin() as connection:
            connection.execute(items.insert().values(row))

        migrate(engine)

        assert current_revision(engine) is not None
        with engine.connect() as connection:
            stored = connection.execute(sa.select(items.c.priority, items.c.urgent_request)).one()
        assert stored.urgent_request is True
        assert stored.priority == stored_priority_of(row) != 12.5  # the urgent words count now
    finally:
        engine.dispose()
