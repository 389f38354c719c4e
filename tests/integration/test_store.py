"""The store against the real databases: SQLite and PostgreSQL through the same code."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from tests.actors import admin
from tests.factories import BASE_TIME, new_item, queued_ids
from voc.inbox.queue import QueueFilter, open_queue
from voc.models import TriageChange
from voc.sources.repository import LeaseLostError
from voc.store.engine import create_engine_for
from voc.store.facade import Store
from voc.store.migrate import current_revision, head_revision, migrate
from voc.store.schema import metadata


def test_a_fresh_database_is_migrated_to_the_newest_revision(database_url: str) -> None:
    engine = create_engine_for(database_url)
    assert current_revision(engine) is None
    migrate(engine)
    assert current_revision(engine) == head_revision()
    migrate(engine)  # a second start is a no-op
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_migrations_create_exactly_the_schema_the_code_uses(database_url: str) -> None:
    store = Store.from_url(database_url)  # migrated here, not the `store` fixture's copy of a migrated database
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    store.engine.dispose()
    assert differences == []


def test_the_same_item_delivered_twice_is_stored_once(store: Store) -> None:
    assert store.add_items([new_item("1"), new_item("2")]) == 2
    assert store.add_items([new_item("2"), new_item("3")]) == 1
    assert store.count_items() == 3


def test_external_ids_are_unique_per_source_not_globally(store: Store) -> None:
    store.add_items([new_item("7", source="a"), new_item("7", source="b")])
    assert store.count_items() == 2


def test_datetimes_come_back_timezone_aware_utc(store: Store) -> None:
    local = datetime(2026, 11, 23, 10, 30, tzinfo=timezone(timedelta(hours=1)))
    store.add_items([new_item("1", posted_at=local)])
    with store.read() as connection:
        item_id = connection.execute(sa.text("SELECT id FROM items")).scalar_one()
    stored = store.item(item_id)
    assert stored is not None
    assert stored["posted_at"] == local
    assert stored["posted_at"].tzinfo is not None
    assert stored["posted_at"].utcoffset() == timedelta(0)


def test_a_naive_datetime_is_refused(store: Store) -> None:
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        store.add_items([new_item("1", posted_at=datetime(2026, 1, 1))])


def test_a_lease_is_held_by_one_owner_until_it_expires(store: Store, clock) -> None:
    store.ensure_source("x", "replay")
    ttl = timedelta(seconds=60)
    assert store.try_acquire_lease("x", "runner-a", clock.now, ttl)
    assert not store.try_acquire_lease("x", "runner-b", clock.now, ttl)
    assert store.try_acquire_lease("x", "runner-a", clock.now, ttl)  # renewal
    clock.advance(seconds=61)
    assert store.try_acquire_lease("x", "runner-b", clock.now, ttl)


def test_a_released_lease_is_free_at_once(store: Store, clock) -> None:
    store.ensure_source("x", "replay")
    store.try_acquire_lease("x", "runner-a", clock.now, timedelta(minutes=5))
    store.release_lease("x", "runner-a")
    assert store.try_acquire_lease("x", "runner-b", clock.now, timedelta(minutes=5))


def test_a_disabled_source_cannot_be_leased(store: Store, clock) -> None:
    store.ensure_source("x", "replay", enabled=False)
    assert not store.try_acquire_lease("x", "runner-a", clock.now, timedelta(minutes=1))


def test_a_batch_and_its_cursor_are_saved_together(store: Store, clock) -> None:
    store.ensure_source("x", "replay")
    store.try_acquire_lease("x", "me", clock.now, timedelta(minutes=1))
    stored = store.save_batch(
        "x",
        [new_item("1", source="x"), new_item("2", source="x")],
        "page-2",
        owner="me",
        now=clock.now,
        next_poll_at=clock.now,
    )
    source = store.source("x")
    assert stored == 2
    assert source is not None
    assert (source.cursor, source.items_total, source.heartbeat_at) == ("page-2", 2, clock.now)


def test_a_batch_failing_half_way_stores_neither_items_nor_cursor(store: Store, clock) -> None:
    store.ensure_source("x", "replay")
    store.try_acquire_lease("x", "me", clock.now, timedelta(minutes=1))
    broken = new_item("2", source="x", text=None)  # NOT NULL violation after item 1 went in
    with pytest.raises(sa.exc.IntegrityError):
        store.save_batch(
            "x", [new_item("1", source="x"), broken], "page-2", owner="me", now=clock.now, next_poll_at=clock.now
        )
    source = store.source("x")
    assert source is not None and source.cursor is None
    assert store.count_items() == 0


def test_a_runner_that_lost_its_lease_cannot_save(store: Store, clock) -> None:
    store.ensure_source("x", "replay")
    store.try_acquire_lease("x", "old", clock.now, timedelta(seconds=10))
    clock.advance(seconds=11)
    store.try_acquire_lease("x", "new", clock.now, timedelta(seconds=10))
    with pytest.raises(LeaseLostError):
        store.save_batch("x", [new_item("1", source="x")], "c", owner="old", now=clock.now, next_poll_at=clock.now)
    assert store.count_items() == 0


def test_a_failure_is_recorded_on_the_source(store: Store, clock) -> None:
    store.ensure_source("x", "replay")
    store.record_failure(
        "x", kind="transient", message="503 Service Unavailable", now=clock.now, next_poll_at=clock.now
    )
    store.record_failure("x", kind="transient", message="503 again", now=clock.now, next_poll_at=clock.now)
    source = store.source("x")
    assert source is not None
    assert (source.error_kind, source.last_error, source.consecutive_failures) == ("transient", "503 again", 2)


def test_triage_changes_persist_and_are_audited(store: Store, clock) -> None:
    store.add_items([new_item("1")])
    item_id = queued_ids(store)[0]
    applied = store.apply_triage(
        [TriageChange(item_id, "triage_status", "resolved"), TriageChange(item_id, "assignee", "ana")],
        actor=admin("ana@example.com"),
        now=clock.now,
    )
    assert applied == 2
    stored = store.item(item_id)
    assert stored is not None and (stored["triage_status"], stored["assignee"]) == ("resolved", "ana")
    history = store.triage_history(item_id)
    assert [(e["field"], e["old_value"], e["new_value"], e["actor"]) for e in history] == [
        ("triage_status", "new", "resolved", "ana@example.com"),
        ("assignee", None, "ana", "ana@example.com"),
    ]


def test_an_unknown_triage_status_is_refused(store: Store, clock) -> None:
    store.add_items([new_item("1")])
    with pytest.raises(ValueError, match="unknown triage status"):
        store.apply_triage([TriageChange(1, "triage_status", "deleted")], actor=admin("x"), now=clock.now)


def test_the_queue_holds_negative_open_items_the_longest_waiting_first(store: Store) -> None:
    store.add_items(
        [
            new_item("old", text="my bill is wrong again", posted_at=BASE_TIME - timedelta(hours=2)),
            new_item("new", text="my bill is wrong once more", posted_at=BASE_TIME),
            new_item("happy", sentiment_label="positive"),
            new_item("done", triage_status="resolved"),
            new_item("rival", is_competitor=True, brand="Bluepeak"),
        ]
    )
    frame = open_queue(store, QueueFilter(), now=BASE_TIME).rows
    with store.read() as connection:
        ids = dict(connection.execute(sa.text("SELECT external_id, id FROM items")).all())
    assert list(frame["id"]) == [ids["old"], ids["new"]]  # equal priority: the one waiting longest
    assert frame["sentiment_reasons"].iloc[0] == ["wrong"]


def test_very_unhappy_customers_lead_the_inbox_whatever_their_tone(store: Store) -> None:
    store.add_items(
        [
            new_item("angry-tweet", posted_at=BASE_TIME),
            new_item(
                "csat-1-no-comment",
                kind="survey",
                channel="survey",
                text="",
                sentiment_label="neutral",
                csat=1,
                very_unhappy=True,
                posted_at=BASE_TIME - timedelta(hours=3),
            ),
        ]
    )
    frame = open_queue(store, QueueFilter(), now=BASE_TIME).rows
    with store.read() as connection:
        ids = dict(connection.execute(sa.text("SELECT external_id, id FROM items")).all())
    assert list(frame["id"]) == [ids["csat-1-no-comment"], ids["angry-tweet"]]


def test_postgresql_sessions_run_without_jit_even_after_a_rollback(postgres_url: str) -> None:
    """JIT compiling the pages' short aggregates cost more than running them (docs/store.md)."""
    from voc.store.engine import create_engine_for

    engine = create_engine_for(postgres_url)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SHOW jit").scalar() == "off"
            connection.rollback()
            assert connection.exec_driver_sql("SHOW jit").scalar() == "off"
        engine.dispose()  # a new connection gets it too
        with engine.begin() as connection:
            assert connection.exec_driver_sql("SHOW jit").scalar() == "off"
    finally:
        engine.dispose()
