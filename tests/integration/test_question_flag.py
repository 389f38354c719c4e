"""The stored question flag (`items.asks_question`, revision 0019) on both databases: the database's
triggers set it from the text's question marks on every write (the save path, a plain insert, an
edit of the text), the revision fills it for the items stored before, the care queue's rule reads
it, and the queue's counts read `ix_items_open_queue` alone."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy import event

from tests.factories import BASE_TIME, new_item
from voc.inbox.priority import QUESTION_MARKS
from voc.inbox.queue import QueueFilter, View, open_queue
from voc.store.facade import Store
from voc.store.migrate import migrate, step_to
from voc.store.schema import items

TEXTS = {
    "plain": ("my bill is wrong", False),
    "ascii": ("is roaming included?", True),
    "fullwidth": ("ローミングは含まれますか？", True),
    "inverted": ("¿incluye el roaming", True),
}


def stored_flags(connection: sa.Connection) -> dict[str, bool]:
    return {str(e): bool(f) for e, f in connection.execute(sa.select(items.c.external_id, items.c.asks_question))}


def test_the_save_path_stores_whether_the_text_asks_a_question(store: Store, clock) -> None:
    assert set(QUESTION_MARKS) == {"?", "？", "¿"}  # every mark has its case above
    store.add_items([new_item(key, text=text, sentiment_label="positive") for key, (text, _) in TEXTS.items()])
    with store.read() as connection:
        assert stored_flags(connection) == {key: asks for key, (_, asks) in TEXTS.items()}


def test_any_write_keeps_the_flag(store: Store, clock) -> None:
    with store.write() as connection:  # not the save path: a plain insert, then edits of the text
        connection.execute(
            items.insert(),
            [
                {"source": "raw", "external_id": key, "kind": "mention", "channel": "x", "posted_at": BASE_TIME,
                 "ingested_at": BASE_TIME, "text": text, "redactions": [], "language": "en",
                 "sentiment_label": "neutral", "sentiment_score": 0.0, "sentiment_confidence": 0.9,
                 "sentiment_reasons": [], "scorer": "vader-3.3.2"}
                for key, (text, _) in TEXTS.items()
            ],
        )  # fmt: skip
    with store.read() as connection:
        assert stored_flags(connection) == {key: asks for key, (_, asks) in TEXTS.items()}
    with store.write() as connection:
        connection.execute(items.update().where(items.c.external_id == "plain").values(text="is it wrong?"))
        connection.execute(items.update().where(items.c.external_id == "ascii").values(text="roaming is included"))
        connection.execute(items.update().where(items.c.external_id == "inverted").values(sentiment_label="negative"))
    with store.read() as connection:
        assert stored_flags(connection) == {"plain": True, "ascii": False, "fullwidth": True, "inverted": True}


def test_the_queue_takes_questions_from_the_flag(store: Store, clock) -> None:
    # Positive, confident, not urgent: only the question mark puts an item in the queue.
    store.add_items([
        new_item(key, text=text, sentiment_label="positive", sentiment_confidence=0.95, posted_at=clock.now)
        for key, (text, _) in TEXTS.items()
    ])  # fmt: skip
    page = open_queue(store, QueueFilter(), now=clock.now)
    assert sorted(page.rows["external_id"]) == sorted(k for k, (_, asks) in TEXTS.items() if asks)
    assert page.counts[View.ALL] == 3
    assert all(page.rows["needs"].str.contains("question"))


def test_0019_fills_the_flag_for_items_stored_before(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    try:
        step_to(engine, "0018")
        with engine.begin() as connection:
            for key, (text, _) in TEXTS.items():
                connection.execute(
                    items.insert().values(
                        source="old", external_id=key, kind="mention", channel="x", posted_at=BASE_TIME,
                        ingested_at=BASE_TIME, text=text, redactions=[], language="en", sentiment_label="neutral",
                        sentiment_score=0.0, sentiment_confidence=0.9, sentiment_reasons=[], scorer="vader-3.3.2",
                    )
                )  # fmt: skip

        migrate(engine)

        with engine.connect() as connection:
            assert stored_flags(connection) == {key: asks for key, (_, asks) in TEXTS.items()}
    finally:
        engine.dispose()


def test_the_counts_read_the_open_queue_index_alone(store: Store, clock) -> None:
    store.add_items([
        new_item(str(n), text="is roaming included?" if n % 3 else "my bill is wrong", priority=float(n % 50),
                 triage_status="new" if n % 5 else "resolved", posted_at=clock.now - timedelta(minutes=n))
        for n in range(400)
    ])  # fmt: skip
    statements: list[tuple[str, object]] = []

    def capture(connection, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        open_queue(store, QueueFilter(), now=clock.now)
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)
    statement, parameters = next(s for s in statements if "count(*)" in s[0])
    with store.read() as connection:
        if store.dialect == "postgresql":
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)  # type: ignore[arg-type]
            plan = " ".join(str(r[0]) for r in rows)
            assert "Index Only Scan using ix_items_open_queue" in plan, plan
        else:
            connection.exec_driver_sql("ANALYZE")
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)  # type: ignore[arg-type]
            plan = " ".join(str(r[-1]) for r in rows)
            assert "COVERING INDEX ix_items_open_queue" in plan, plan
