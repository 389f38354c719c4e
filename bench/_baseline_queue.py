"""The care queue's page read before revision 0016 (issue #21 item 2), frozen for bench/queue_page.py's
same-run ratio: one query ordering every open item by `queue_priority` (the VIP CASE over the
author) and paging by key or position, the counts in one more query. Domain types, `annotate` and
`load_vip` are today's (unchanged)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import _common  # noqa: F401 - puts the repository on sys.path
import sqlalchemy as sa

from voc.inbox.priority import QUESTION_MARKS, queue_priority
from voc.inbox.queue import QueueFilter, QueueKey, QueuePage, View, annotate, load_vip
from voc.inbox.triage import OPEN_STATUSES
from voc.inbox.vip import VipList
from voc.sentiment.multilingual import PRECISE_REVIEW_BELOW, PRECISE_SCORER_PREFIXES, REVIEW_BELOW, SUPPORTED_LANGUAGES
from voc.store.facade import Store
from voc.store.schema import items

PAGE_SIZE = 12


def _review_threshold() -> sa.ColumnElement[float]:
    """`review_threshold(scorer)` in SQL: the precise models' calibrated confidence has its own."""
    precise = sa.or_(*(items.c.scorer.startswith(prefix, autoescape=True) for prefix in PRECISE_SCORER_PREFIXES))
    return sa.case((precise, PRECISE_REVIEW_BELOW), else_=REVIEW_BELOW)


def _needs_a_person(include_chatter: bool) -> sa.ColumnElement[bool]:
    wanted: list[sa.ColumnElement[bool]] = [
        items.c.sentiment_label == "negative",
        items.c.very_unhappy.is_(True),
        sa.and_(items.c.urgent_request.is_(True), items.c.sentiment_label != "positive"),
        *(items.c.text.contains(mark, autoescape=True) for mark in QUESTION_MARKS),
        sa.and_(  # `sentiment_to_review`: a score a person should check
            items.c.scorer != "correction",
            sa.or_(items.c.sentiment_confidence < _review_threshold(), items.c.language.not_in(SUPPORTED_LANGUAGES)),
        ),
    ]
    if include_chatter:
        wanted.append(items.c.sentiment_label == "neutral")
    return sa.or_(*wanted)


def _open(chosen: QueueFilter) -> list[sa.ColumnElement[bool]]:
    """The queue under the channel and language filters, whatever the view."""
    where = [
        items.c.triage_status.in_(OPEN_STATUSES),
        items.c.is_competitor.is_(False),
        items.c.duplicate_of.is_(None),
        _needs_a_person(chosen.include_chatter),
    ]
    if chosen.channel:
        where.append(items.c.channel == chosen.channel)
    if chosen.language:
        where.append(items.c.language == chosen.language)
    return where


def _unassigned() -> sa.ColumnElement[bool]:
    return sa.or_(items.c.assignee.is_(None), items.c.assignee == "")


def _in_view(chosen: QueueFilter) -> list[sa.ColumnElement[bool]]:
    where = _open(chosen)
    if chosen.view is View.MINE:
        where.append(items.c.assignee == chosen.agent)
    elif chosen.view is View.UNASSIGNED:
        where.append(_unassigned())
    return where


def _rank(vip: VipList) -> sa.ColumnElement[Any]:
    return queue_priority(items.c.priority, items.c.author, items.c.respondent_key, vip)


def _order(vip: VipList) -> tuple[sa.ColumnElement[Any], ...]:
    return _rank(vip).desc(), items.c.posted_at.asc(), items.c.id.asc()


def _after(rank: sa.ColumnElement[Any], key: QueueKey) -> sa.ColumnElement[bool]:
    """Entries after `key` in the queue's order (priority down, then the oldest, then the id)."""
    return sa.or_(
        rank < key.rank,
        sa.and_(rank == key.rank, items.c.posted_at > key.posted_at),
        sa.and_(rank == key.rank, items.c.posted_at == key.posted_at, items.c.id > key.id),
    )


def _before(rank: sa.ColumnElement[Any], key: QueueKey) -> sa.ColumnElement[bool]:
    """Entries before `key` in the queue's order."""
    return sa.or_(
        rank > key.rank,
        sa.and_(rank == key.rank, items.c.posted_at < key.posted_at),
        sa.and_(rank == key.rank, items.c.posted_at == key.posted_at, items.c.id < key.id),
    )


def open_queue(
    store: Store,
    chosen: QueueFilter,
    *,
    now: datetime,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    after: QueueKey | None = None,
    before: QueueKey | None = None,
) -> QueuePage:
    """One page of the queue in the order to answer it, with every view's count.

    With `after` (the last entry of the page shown), the page that follows it; with `before` (the
    first entry shown), the page that precedes it; `page` is then only the number to show. Without
    either, the page at position `page` (1: the top). When the entries around the key have all
    left the queue, the top page is shown."""
    vip = load_vip(store)
    rank = _rank(vip)
    counts_query = sa.select(
        sa.func.count(),
        sa.func.coalesce(sa.func.sum(sa.case((items.c.assignee == chosen.agent, 1), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case((_unassigned(), 1), else_=0)), 0),
    ).where(*_open(chosen))
    selected = sa.select(items, rank.label("queue_rank")).where(*_in_view(chosen))
    with store.read() as connection:
        everyone, mine, unassigned = connection.execute(counts_query).one()
        counts = {View.ALL: int(everyone), View.MINE: int(mine), View.UNASSIGNED: int(unassigned)}
        pages = max(1, -(-counts[chosen.view] // page_size))
        page = min(max(1, page), pages)
        rows: list[dict[str, Any]] = []
        if after is not None:
            query = selected.where(_after(rank, after)).order_by(*_order(vip)).limit(page_size)
            rows = [dict(r) for r in connection.execute(query).mappings()]
        elif before is not None:
            backwards = (rank.asc(), items.c.posted_at.desc(), items.c.id.desc())
            query = selected.where(_before(rank, before)).order_by(*backwards).limit(page_size)
            rows = [dict(r) for r in connection.execute(query).mappings()][::-1]
            if len(rows) < page_size:  # back at the top: show a whole first page
                rows, page = [], 1
        if not rows:
            page = 1 if after is not None or before is not None else page
            query = selected.order_by(*_order(vip)).limit(page_size).offset((page - 1) * page_size)
            rows = [dict(r) for r in connection.execute(query).mappings()]
    keys = [QueueKey(float(r.pop("queue_rank")), r["posted_at"], int(r["id"])) for r in rows]
    return QueuePage(
        annotate(store, rows, now=now, vip=vip), counts, chosen.view, page, pages, page_size,
        keys[0] if keys else None, keys[-1] if keys else None,
    )  # fmt: skip


def next_item_id(store: Store, current: int | None, chosen: QueueFilter) -> int | None:
    """The item after `current` in the queue's order (the top one when `current` is not in it any
    more, wrapping round at the end); None when nothing else is waiting."""
    vip = load_vip(store)
    rank = _rank(vip)
    base = sa.select(items.c.id).where(*_in_view(chosen)).order_by(*_order(vip)).limit(1)
    if current is not None:
        base = base.where(items.c.id != current)
    with store.read() as connection:
        key = None
        if current is not None:
            key = connection.execute(
                sa.select(rank, items.c.posted_at, items.c.id).where(items.c.id == current)
            ).first()
        if key is not None:
            found = connection.execute(base.where(_after(rank, QueueKey(float(key[0]), key[1], int(key[2]))))).scalar()
            if found is not None:
                return int(found)
        found = connection.execute(base).scalar()
    return None if found is None else int(found)
