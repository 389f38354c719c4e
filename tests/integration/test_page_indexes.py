"""Revision 0011's indexes and the index-skipping read of the filter bars' options."""

from __future__ import annotations

import sqlalchemy as sa

from tests.factories import new_item
from voc.store.core import distinct_values
from voc.store.facade import Store
from voc.store.schema import items


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
