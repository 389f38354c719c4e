"""Revision 0011's indexes and the index-skipping read of the filter bars' options."""

from __future__ import annotations

import sqlalchemy as sa

from tests.factories import new_item
from voc.store.core import distinct_values
from voc.store.facade import Store
from voc.store.schema import items
from voc.surveys.recovery import recovery_query


def test_distinct_values_are_those_select_distinct_gives_in_order(store: Store) -> None:
    brands = ["Northwind", None, "Contoso", "Northwind", "Ácme", None, "contoso", "Zed"]
    store.add_items([new_item(str(n), brand=brand, channel=f"c{n % 3}") for n, brand in enumerate(brands)])
    with store.read() as connection:
        for column in (items.c.brand, items.c.channel, items.c.language, items.c.scorer):
            expected = sorted(connection.execute(sa.select(column).where(column.is_not(None)).distinct()).scalars())
            assert sorted(distinct_values(connection, column)) == expected
            assert len(distinct_values(connection, column, limit=2)) == min(2, len(expected))


def test_distinct_values_of_an_empty_table_are_none(store: Store) -> None:
    with store.read() as connection:
        assert distinct_values(connection, items.c.channel) == []


def test_filter_probes_and_filtered_ranges_use_the_indexes(sqlite_store: Store) -> None:
    sqlite_store.add_items([new_item(str(n), channel=f"c{n % 5}") for n in range(50)])
    with sqlite_store.read() as connection:
        connection.exec_driver_sql("ANALYZE")
        plans = {  # any index led by the column answers the probe (0013 adds one for replies' parents)
            "ix_items_channel_": "SELECT min(channel) FROM items WHERE channel > 'c1'",
            "ix_items_language_sentiment_posted_at": (
                "SELECT language, sentiment_label, count(*) FROM items WHERE posted_at >= '2026-01-01' "
                "GROUP BY language, sentiment_label"
            ),
        }
        for index, sql in plans.items():
            plan = " ".join(str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
            # The index alone, read in order: no table row, no sort into a temporary tree.
            assert f"COVERING INDEX {index}" in plan and "TEMP B-TREE" not in plan, plan


def test_the_call_back_lists_read_the_very_unhappy_index_not_every_item(sqlite_store: Store) -> None:
    """Revision 0023: the Surveys page's two lists (`recovery.recoveries`) read the few very unhappy
    responses from their own index; the open list walks it in due order and needs no sort."""
    sqlite_store.add_items([new_item(str(n), channel=f"c{n % 5}") for n in range(400)])
    with sqlite_store.write() as connection:  # a few very unhappy, some of them called back
        connection.execute(items.update().where(items.c.id % 40 == 0).values(very_unhappy=True))
        connection.execute(items.update().where(items.c.id % 80 == 0).values(recovery_outcome="recovered"))
    sqlite_store.refresh_planner_statistics()  # as every opening does
    open_list = recovery_query(open_only=True, limit=800)
    with sqlite_store.read() as connection:
        for query, sorted_by_index in ((open_list, True), (recovery_query(open_only=False, limit=800), False)):
            sql = str(query.compile(connection, compile_kwargs={"literal_binds": True}))
            plan = " ".join(str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
            assert "INDEX ix_items_very_unhappy" in plan, plan
            assert ("TEMP B-TREE" not in plan) == sorted_by_index, plan
