"""Trends can be filtered by the scorer (and version) that labelled the items."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import BASE_TIME, new_item
from voc.store.facade import Store
from voc.trends import queries as trends


def test_trends_count_only_the_items_of_the_chosen_scorer(store: Store) -> None:
    store.add_items(
        [
            new_item("a", scorer="vader-3.3.2", text="my bill is wrong again this month"),
            new_item("b", scorer="learned-builtin-abc", text="my bill is wrong again, second time"),
            new_item(
                "c", scorer="learned-builtin-abc", sentiment_label="positive", text="billing fixed it quickly, thanks"
            ),
        ]
    )
    window = {"now": BASE_TIME + timedelta(hours=1)}
    everything = trends.report(store, trends.TrendFilters.last("7d", **window))
    learned = trends.report(store, trends.TrendFilters.last("7d", scorer="learned-builtin-abc", **window))
    assert (everything.summary.items, learned.summary.items, learned.summary.negative) == (3, 2, 1)
    assert trends.filter_options(store).scorers == ("learned-builtin-abc", "vader-3.3.2")
