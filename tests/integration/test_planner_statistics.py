"""SQLite's query planner gets statistics when the store opens and every hour from the listeners
(`voc.store.maintenance.PlannerStatistics`): without them it read the rollups' few keyed rows by
scanning a facet (docs/store.md). PostgreSQL keeps its own (autovacuum): there it does nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from tests.factories import BASE_TIME, new_item
from voc.store.facade import Store
from voc.store.maintenance import PlannerStatistics


def _analysed_rows(store: Store, table: str) -> int | None:
    """The row count sqlite_stat1 holds for `table`'s primary key (None: never analysed)."""
    with store.read() as connection:
        stats = connection.execute(sa.text("SELECT stat FROM sqlite_stat1 WHERE tbl = :t AND idx = :t"), {"t": table})
        stat = stats.scalar()
    return None if stat is None else int(str(stat).split()[0])


def _items(n: int, prefix: str) -> list:
    return [
        new_item(f"{prefix}{i}", text=f"bill {i}", posted_at=BASE_TIME + timedelta(minutes=7 * i)) for i in range(n)
    ]


def test_sqlite_statistics_follow_the_items_hourly_and_at_each_opening(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/voc.db"
    store = Store.from_url(url)
    store.add_items(_items(120, "a"))
    assert _analysed_rows(store, "item_counts_quarters") is None  # empty when the store opened

    now = [BASE_TIME]
    worker = PlannerStatistics(store, clock=lambda: now[0])
    now[0] += timedelta(minutes=59)
    assert worker.tick() is False  # not due yet
    now[0] += timedelta(minutes=1)
    assert worker.tick() is True
    with store.read() as connection:
        quarters = connection.execute(sa.text("SELECT COUNT(*) FROM item_counts_quarters")).scalar_one()
    assert _analysed_rows(store, "item_counts_quarters") == quarters > 0

    store.add_items(_items(200, "b"))
    reopened = Store.from_url(url)  # the app's or the listeners' next start
    with reopened.read() as connection:
        quarters = connection.execute(sa.text("SELECT COUNT(*) FROM item_counts_quarters")).scalar_one()
    assert _analysed_rows(reopened, "item_counts_quarters") == quarters
    reopened.engine.dispose()
    store.engine.dispose()


def test_refreshing_does_nothing_on_postgresql_and_never_fails(store: Store) -> None:
    store.add_items(_items(10, "c"))
    store.refresh_planner_statistics()
    assert store.count_items() == 10


def test_a_store_that_cannot_write_them_goes_on_and_says_so(tmp_path: Path, caplog) -> None:
    """A speed-up, never a reason not to open: a read-only connection (or a writer past the busy
    timeout) leaves the old statistics and a warning without any value in it."""
    store = Store.from_url(f"sqlite:///{tmp_path}/voc.db")
    store.add_items(_items(20, "d"))

    @sa.event.listens_for(store.engine, "connect")
    def read_only(dbapi_connection, _record) -> None:
        dbapi_connection.execute("PRAGMA query_only = ON")

    store.engine.dispose()  # new connections, read-only
    store.refresh_planner_statistics()
    assert "planner statistics not refreshed: OperationalError" in caplog.text
    assert store.count_items() == 20
    store.engine.dispose()
