"""The data rows of an export: every item in the period with its themes, streamed in chunks.

Items are read by keyset pagination on (posted_at, id), one short read transaction per chunk, so
a range of millions of items never sits in memory and never holds a long read open against the
listeners' writes. Theme ids are resolved through the taxonomy (a merged theme's old id becomes
the id that absorbed it), so ids stay stable week over week; the ids as stored are kept too.
A repost or pasted copy of an earlier post is left out (`voc.trends.counting`; the summary
says how many), so a row is one customer saying something once; survey responses always stay.
Personal data: the text is stored redacted, and author, assignee and respondent key are left out.
Domain module: no Streamlit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import sqlalchemy as sa

from voc.exports.periods import ExportPeriod, zone
from voc.inbox.priority import queue_priority
from voc.inbox.vip import VIP_SETTINGS_KEY, VipList
from voc.store.facade import Store
from voc.store.schema import item_themes, items
from voc.themes.taxonomy import Taxonomy
from voc.trends.counting import counted_once

CHUNK_SIZE: Final = 5_000


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # int | float | bool | text | timestamp
    width: float  # characters, for the XLSX data sheet


COLUMNS: Final = (
    Column("item_id", "int", 9),
    Column("posted_at_utc", "timestamp", 20),
    Column("local_date", "text", 11),
    Column("source", "text", 16),
    Column("channel", "text", 11),
    Column("kind", "text", 9),
    Column("brand", "text", 18),
    Column("is_competitor", "bool", 8),
    Column("language", "text", 8),
    Column("text", "text", 80),
    Column("sentiment", "text", 10),
    Column("sentiment_score", "float", 9),
    Column("sentiment_confidence", "float", 9),
    Column("scorer", "text", 16),
    Column("theme_ids", "text", 24),
    Column("themes", "text", 32),
    Column("theme_ids_as_assigned", "text", 24),
    Column("nps", "int", 6),
    Column("csat", "int", 6),
    Column("ces", "int", 6),
    Column("priority", "float", 8),
    Column("triage_status", "text", 13),
    Column("recovery_outcome", "text", 14),
    Column("link", "text", 40),
    Column("taxonomy_version", "int", 9),
)
COLUMN_NAMES: Final = tuple(c.name for c in COLUMNS)

Row = tuple[Any, ...]

_SELECTED = (
    items.c.id, items.c.posted_at, items.c.source, items.c.channel, items.c.kind, items.c.brand, items.c.is_competitor,
    items.c.language, items.c.text, items.c.sentiment_label, items.c.sentiment_score, items.c.sentiment_confidence,
    items.c.scorer, items.c.nps, items.c.csat, items.c.ces, items.c.priority, items.c.triage_status,
    items.c.recovery_outcome, items.c.link,
)  # fmt: skip
_PRIORITY_AT: Final = next(i for i, column in enumerate(_SELECTED) if column is items.c.priority)


def _selected(vip: VipList) -> list[Any]:
    """The exported columns, priority as agents see it in the queue (times the VIP tier)."""
    chosen: list[Any] = list(_SELECTED)
    chosen[_PRIORITY_AT] = queue_priority(items.c.priority, items.c.author, items.c.respondent_key, vip)
    return chosen


def count_items(store: Store, period: ExportPeriod) -> int:
    """How many items the period holds (the progress bar's total)."""
    query = (
        sa.select(sa.func.count())
        .select_from(items)
        .where(items.c.posted_at >= period.start, items.c.posted_at < period.end, counted_once())
    )
    with store.read() as connection:
        return int(connection.execute(query).scalar_one())


def iter_row_chunks(
    store: Store, period: ExportPeriod, taxonomy: Taxonomy, *, chunk_size: int = CHUNK_SIZE, links: bool = True
) -> Iterator[list[Row]]:
    """Rows (in `COLUMNS` order) of every item posted in the period, oldest first, `chunk_size` at a time.

    `links=False` leaves the link column empty: a post's link names its author on most networks.
    """
    local = zone(period.tz)  # the local date is the team's, like the week bounds
    selected = _selected(VipList.from_json(store.get_setting(VIP_SETTINGS_KEY)))
    after: tuple[datetime, int] | None = None
    while True:
        query = sa.select(*selected).where(
            items.c.posted_at >= period.start, items.c.posted_at < period.end, counted_once()
        )
        if after is not None:
            posted, item_id = after
            query = query.where(
                sa.or_(items.c.posted_at > posted, sa.and_(items.c.posted_at == posted, items.c.id > item_id))
            )
        query = query.order_by(items.c.posted_at, items.c.id).limit(chunk_size)
        with store.read() as connection:
            rows = connection.execute(query).all()
            if not rows:
                return
            stored = _stored_themes(connection, [int(r[0]) for r in rows])
        yield [_row(r, stored.get(int(r[0]), []), taxonomy, local, links) for r in rows]
        last = rows[-1]
        after = (last[1], int(last[0]))
        if len(rows) < chunk_size:
            return


def _stored_themes(connection: sa.Connection, ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    query = sa.select(item_themes.c.item_id, item_themes.c.theme_id).where(item_themes.c.item_id.in_(ids))
    for item_id, theme_id in connection.execute(query.order_by(item_themes.c.item_id, item_themes.c.theme_id)):
        found[int(item_id)].append(str(theme_id))
    return found


def _row(r: Any, stored: list[str], taxonomy: Taxonomy, local: Any, links: bool = True) -> Row:
    (item_id, posted_at, source, channel, kind, brand, competitor, language, text, sentiment, score, confidence,
     scorer, nps, csat, ces, priority, triage_status, recovery, link) = r  # fmt: skip
    resolved: dict[str, str] = {}
    for theme_id in stored:
        theme = taxonomy.resolve(theme_id)
        if theme is not None:
            resolved.setdefault(theme.id, taxonomy.label(theme.id))
    ordered = sorted(resolved)
    return (
        int(item_id), posted_at, posted_at.astimezone(local).date().isoformat(), source, channel, kind, brand,
        bool(competitor), language, text, sentiment, _float(score), _float(confidence), scorer,
        "; ".join(ordered), "; ".join(resolved[i] for i in ordered), "; ".join(stored),
        nps, csat, ces, _float(priority), triage_status, recovery, link if links else None, taxonomy.version,
    )  # fmt: skip


def _float(value: Any) -> float | None:
    return None if value is None else round(float(value), 4)
