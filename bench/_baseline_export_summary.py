"""The export summary's per-theme figures as they were read before issue #21, frozen for
`bench/scale.py`'s comparison: the stored-to-counted theme ids as a joined mapping, which SQLite
made the outer loop (the period's items read once per theme id)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from voc.exports.summary import Mix, _mix, _mix_columns
from voc.store.facade import Store
from voc.store.schema import item_themes, items
from voc.themes.taxonomy import Taxonomy
from voc.trends.counting import counted_once


def _counted_pairs(taxonomy: Taxonomy) -> list[tuple[str, str]]:
    pairs = []
    for theme in taxonomy.themes:
        resolved = taxonomy.resolve(theme.id)
        if resolved is None or not resolved.active:
            continue
        for counted in {resolved.id, resolved.parent_id} - {None}:
            pairs.append((theme.id, str(counted)))
    return pairs


def theme_mixes_before_21(
    store: Store,
    taxonomy: Taxonomy,
    start: datetime,
    end: datetime,
    conditions: tuple[Any, ...] = (),
    *,
    once: bool = False,
    brand: str | None = None,
) -> dict[str, Mix]:
    """`once` and `brand` (which today's signature takes) as conditions on the rows."""
    conditions = (*conditions, *([counted_once()] if once else []), *([items.c.brand == brand] if brand else []))
    pairs = _counted_pairs(taxonomy)
    if not pairs:
        return {}
    mapping = sa.union_all(
        *(sa.select(sa.cast(sa.literal(s), sa.String(80)).label("stored"), sa.cast(sa.literal(c), sa.String(80)).label("counted"))
          for s, c in pairs)
    ).subquery("mapping")  # fmt: skip
    distinct = (
        sa.select(mapping.c.counted, items.c.id, items.c.sentiment_label, items.c.nps, items.c.csat)
        .distinct()
        .select_from(
            item_themes.join(mapping, mapping.c.stored == item_themes.c.theme_id).join(
                items, items.c.id == item_themes.c.item_id
            )
        )
        .where(items.c.posted_at >= start, items.c.posted_at < end, *conditions)
        .subquery("counted_items")
    )
    query = sa.select(distinct.c.counted, *_mix_columns(distinct)).group_by(distinct.c.counted)
    with store.read() as connection:
        return {str(row[0]): _mix(row[1:]) for row in connection.execute(query)}
