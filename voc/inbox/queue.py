"""The care queue: everything a customer is waiting on, in the order to answer it, one SQL query.

An item is in the queue when it is open (new, assigned, waiting on customer), ours (not a
competitor's), not a collapsed copy, and needs a person: negative, very unhappy, a question, an
urgent request (urgent words found at ingest), or a sentiment to review (low confidence, or a
language the scorers do not read); neutral chatter only when asked for. The order is
`voc.inbox.priority.queue_priority` (stored severity × reach, times the VIP tier) and then the
oldest first (the one due first). The database keeps the open items in that order by stored
priority (`ix_items_open_queue`, revision 0016), so a page of twelve walks the index from the top
or from a key and stops after twelve, however long the queue is; the VIP weight, which no index can
hold, is applied to the VIP authors' few open items read apart, and the two merged (`_read`).
Clocks and reasons are then worked out for those twelve only. Views: *Mine*, *Unassigned*,
*All open*, counted in one more query.

Pages go by key, not by position (issue #21): the next page is the twelve after the last one shown
in the queue's order (`QueueKey`: priority as agents see it, posting time, id), the previous page
the twelve before the first one shown. The queue moves while an agent pages (items answered by
colleagues leave it, new ones arrive at the top): by position an entry would then be skipped or
shown twice; by key it never is.

The item workspace's reads are here too: the author's earlier items, the conversation (the post
an item answers and its thread's earlier messages, where the source names them), the other
answers of the same survey response, the item's themes, and the team with each member's open count.
Domain: no Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final

import pandas as pd
import sqlalchemy as sa

from voc.access.roles import Role
from voc.inbox.priority import needs_for, prioritise, queue_priority
from voc.inbox.sla import SETTINGS_KEY as SLA_KEY
from voc.inbox.sla import SlaSettings, format_duration
from voc.inbox.triage import OPEN_STATUSES
from voc.inbox.vip import VIP_SETTINGS_KEY, VipList
from voc.sentiment.multilingual import (
    PRECISE_REVIEW_BELOW,
    PRECISE_SCORER_PREFIXES,
    REVIEW_BELOW,
    SUPPORTED_LANGUAGES,
)
from voc.sentiment.review import with_review_flag
from voc.store.core import json_list
from voc.store.facade import Store
from voc.store.schema import item_themes, items, role_assignments, themes

PAGE_SIZE: Final = 12
HISTORY_SHOWN: Final = 10
THREAD_SHOWN: Final = 10
# Networks whose post ids are only unique on one server (a Mastodon status id is the instance's
# own): a parent is looked up in the same source there, across the network's sources elsewhere.
SERVER_LOCAL_IDS: Final = frozenset({"mastodon"})
THREAD_COLUMNS: Final = ("id", "external_id", "author", "text", "posted_at", "sentiment_label", "link")
CARE_ROLES: Final = (str(Role.AGENT), str(Role.ADMIN))


class View(StrEnum):
    MINE = "mine"
    UNASSIGNED = "unassigned"
    ALL = "all"

    @property
    def label(self) -> str:
        return {"mine": "Mine", "unassigned": "Unassigned", "all": "All open"}[self.value]


@dataclass(frozen=True)
class QueueFilter:
    """Which slice of the open queue an agent looks at (hashable: it keys the page's cache)."""

    view: View = View.ALL
    agent: str = ""  # whose "Mine"
    channel: str | None = None
    language: str | None = None
    include_chatter: bool = False


@dataclass(frozen=True)
class QueueKey:
    """Where an entry stands in the queue's order: the keyset pages continue from."""

    rank: float  # the priority agents see (stored severity × reach, times the VIP tier)
    posted_at: datetime
    id: int


@dataclass(frozen=True)
class QueuePage:
    rows: pd.DataFrame  # one page, annotated (see `annotate`)
    counts: Mapping[View, int]  # every view's size under the same channel/language filters
    view: View
    page: int  # 1-based, clamped to the pages there are
    pages: int
    page_size: int = PAGE_SIZE
    first_key: QueueKey | None = None  # the first and last entries shown: "previous" and "next" go from them
    last_key: QueueKey | None = None

    @property
    def total(self) -> int:
        """How many items the page's view holds."""
        return self.counts[self.view]


@dataclass(frozen=True)
class TeamMember:
    name: str
    open_items: int


def load_sla(store: Store) -> SlaSettings:
    return SlaSettings.from_json(store.get_setting(SLA_KEY))


def load_vip(store: Store) -> VipList:
    return VipList.from_json(store.get_setting(VIP_SETTINGS_KEY))


def _review_threshold() -> sa.ColumnElement[float]:
    """`review_threshold(scorer)` in SQL: the precise models' calibrated confidence has its own."""
    precise = sa.or_(*(items.c.scorer.startswith(prefix, autoescape=True) for prefix in PRECISE_SCORER_PREFIXES))
    return sa.case((precise, PRECISE_REVIEW_BELOW), else_=REVIEW_BELOW)


def _needs_a_person(include_chatter: bool) -> sa.ColumnElement[bool]:
    wanted: list[sa.ColumnElement[bool]] = [
        items.c.sentiment_label == "negative",
        items.c.very_unhappy.is_(True),
        sa.and_(items.c.urgent_request.is_(True), items.c.sentiment_label != "positive"),
        sa.and_(  # `sentiment_to_review`: a score a person should check
            items.c.scorer != "correction",
            sa.or_(items.c.sentiment_confidence < _review_threshold(), items.c.language.not_in(SUPPORTED_LANGUAGES)),
        ),
    ]
    if include_chatter:
        wanted.append(items.c.sentiment_label == "neutral")
    # A question mark in the text, as stored at ingest (revision 0019): every term is then in
    # `ix_items_open_queue`, and the counts read the index alone.
    wanted.append(items.c.asks_question.is_(True))
    return sa.or_(*wanted)


def _open_ours() -> list[sa.ColumnElement[bool]]:
    """Open, ours, not a collapsed copy: the rows `ix_items_open_queue` holds."""
    return [
        # Written out, not bound: SQLite uses a partial index only for the very terms it holds.
        items.c.triage_status.in_(
            sa.bindparam("open", OPEN_STATUSES, expanding=True, literal_execute=True, unique=True)
        ),
        items.c.is_competitor.is_(False),
        items.c.duplicate_of.is_(None),
    ]


def _open(chosen: QueueFilter) -> list[sa.ColumnElement[bool]]:
    """The queue under the channel and language filters, whatever the view."""
    where = [*_open_ours(), _needs_a_person(chosen.include_chatter)]
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


def _is_vip(vip: VipList) -> sa.ColumnElement[bool] | None:
    """Whether an item's author is on the VIP list (as `VipList.tier_of` says); None: no list."""
    terms = []
    if vip.handles:
        terms.append(sa.func.lower(sa.func.ltrim(items.c.author, "@")).in_(list(vip.handles)))
    if vip.keys:
        terms.append(items.c.respondent_key.in_(list(vip.keys)))
    return sa.or_(*terms) if terms else None


def _after(rank: sa.ColumnElement[Any], key: QueueKey) -> sa.ColumnElement[bool]:
    """Entries after `key` in the queue's order (priority down, then the oldest, then the id).
    The first term bounds the index range a read by stored priority starts from."""
    return sa.and_(
        rank <= key.rank,
        sa.or_(
            rank < key.rank,
            sa.and_(rank == key.rank, items.c.posted_at > key.posted_at),
            sa.and_(rank == key.rank, items.c.posted_at == key.posted_at, items.c.id > key.id),
        ),
    )


def _before(rank: sa.ColumnElement[Any], key: QueueKey) -> sa.ColumnElement[bool]:
    """Entries before `key` in the queue's order."""
    return sa.and_(
        rank >= key.rank,
        sa.or_(
            rank > key.rank,
            sa.and_(rank == key.rank, items.c.posted_at < key.posted_at),
            sa.and_(rank == key.rank, items.c.posted_at == key.posted_at, items.c.id < key.id),
        ),
    )


_QUEUE_ORDER: Final = (items.c.priority.desc(), items.c.posted_at.asc(), items.c.id.asc())


def _read(
    connection: sa.Connection,
    where: Sequence[sa.ColumnElement[bool]],
    vip: VipList,
    *,
    limit: int,
    after: QueueKey | None = None,
    before: QueueKey | None = None,
) -> list[dict[str, Any]]:
    """The first `limit` entries of the queue in its order (after `after`), or the last `limit`
    before `before` (in the queue's order), each with its `queue_rank`.

    The rank is the stored priority times the author's VIP weight, which no index can hold in
    order: the items of authors not on the list are read by `ix_items_open_queue` (their rank is
    the stored priority, so the read stops after `limit` rows), the VIP authors' few items apart
    with their weight, and the two merged here in the same order the database would give."""
    is_vip = _is_vip(vip)
    # The open queue's index, in its order, from the key on: with a key, SQLite's planner took
    # `ix_items_queue`'s range of priorities and sorted every open item below the key (300 ms at
    # a million items for page 40, against under 1 ms; PostgreSQL walks the index by itself).
    plain = sa.select(items, items.c.priority.label("queue_rank")).with_hint(
        items, "INDEXED BY ix_items_open_queue", "sqlite"
    )
    parts: list[tuple[sa.ColumnElement[Any], sa.Select[Any]]] = [(items.c.priority, plain.where(*where))]
    if is_vip is not None:
        rank = _rank(vip)
        # The VIP authors' open items from the index alone first (a few among many), then their rows;
        # in the index's order, so that SQLite walks it (10x faster than `ix_items_queue` at 300k items).
        theirs = sa.select(items.c.id).where(is_vip, *_open_ours()).order_by(*_QUEUE_ORDER)
        their_ids = list(connection.execute(theirs).scalars())
        parts = [
            (items.c.priority, plain.where(*where, sa.case((is_vip, 1), else_=0) == 0)),
            (
                rank,
                sa.select(items, rank.label("queue_rank")).where(
                    items.c.id.in_(sa.bindparam("vip_ids", their_ids, expanding=True, literal_execute=True)), *where
                ),
            ),
        ]
    rows: list[dict[str, Any]] = []
    for rank, query in parts:
        if before is not None:
            query = query.where(_before(rank, before)).order_by(rank.asc(), items.c.posted_at.desc(), items.c.id.desc())
        else:
            query = query.where(_after(rank, after)) if after is not None else query
            query = query.order_by(rank.desc(), items.c.posted_at.asc(), items.c.id.asc())
        rows += [dict(r) for r in connection.execute(query.limit(limit)).mappings()]
    rows.sort(key=lambda r: (-float(r["queue_rank"]), r["posted_at"], int(r["id"])))
    return rows[-limit:] if before is not None else rows[:limit]


def _counts_query(chosen: QueueFilter, dialect: str) -> sa.Select[Any]:
    """Every view's size under the filters, in one query over the open queue.

    On SQLite the rows are read from a subquery in the index's order: the planner then walks
    `ix_items_open_queue` (it would rather take `ix_items_queue`, reading every open row, the
    competitors' and copies' too, from the table: 2-3x slower at a million items). PostgreSQL
    picks the partial index by itself, and would sort for an order it does not need."""
    rows = sa.select(items.c.assignee).where(*_open(chosen))
    if dialect == "sqlite":
        rows = rows.order_by(*_QUEUE_ORDER)
    open_rows = rows.subquery("open_rows")
    assignee = open_rows.c.assignee
    return sa.select(
        sa.func.count(),
        sa.func.coalesce(sa.func.sum(sa.case((assignee == chosen.agent, 1), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case((sa.or_(assignee.is_(None), assignee == ""), 1), else_=0)), 0),
    ).select_from(open_rows)


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
    where = _in_view(chosen)
    with store.read() as connection:
        everyone, mine, unassigned = connection.execute(_counts_query(chosen, connection.dialect.name)).one()
        counts = {View.ALL: int(everyone), View.MINE: int(mine), View.UNASSIGNED: int(unassigned)}
        pages = max(1, -(-counts[chosen.view] // page_size))
        page = min(max(1, page), pages)
        rows: list[dict[str, Any]] = []
        if after is not None:
            rows = _read(connection, where, vip, limit=page_size, after=after)
        elif before is not None:
            rows = _read(connection, where, vip, limit=page_size, before=before)
            if len(rows) < page_size:  # back at the top: show a whole first page
                rows, page = [], 1
        if not rows:
            page = 1 if after is not None or before is not None else page
            rows = _read(connection, where, vip, limit=page * page_size)[(page - 1) * page_size :]
    keys = [QueueKey(float(r.pop("queue_rank")), r["posted_at"], int(r["id"])) for r in rows]
    return QueuePage(
        annotate(store, rows, now=now, vip=vip), counts, chosen.view, page, pages, page_size,
        keys[0] if keys else None, keys[-1] if keys else None,
    )  # fmt: skip


def next_item_id(store: Store, current: int | None, chosen: QueueFilter) -> int | None:
    """The item after `current` in the queue's order (the top one when `current` is not in it any
    more, wrapping round at the end); None when nothing else is waiting."""
    vip = load_vip(store)
    where = _in_view(chosen)
    if current is not None:
        where.append(items.c.id != current)
    with store.read() as connection:
        found: list[dict[str, Any]] = []
        if current is not None:
            key = connection.execute(
                sa.select(_rank(vip), items.c.posted_at, items.c.id).where(items.c.id == current)
            ).first()
            if key is not None:
                found = _read(connection, where, vip, limit=1, after=QueueKey(float(key[0]), key[1], int(key[2])))
        found = found or _read(connection, where, vip, limit=1)
    return int(found[0]["id"]) if found else None


def annotate(
    store: Store, rows: Sequence[Mapping[str, Any]], *, now: datetime, vip: VipList | None = None
) -> pd.DataFrame:
    """Rows of `items` with what an agent reads first: priority and why, VIP tier, SLA clock and
    time left, what the customer needs, themes, and whether the sentiment needs review."""
    if not rows:
        return pd.DataFrame(columns=[*items.c.keys(), *ANNOTATIONS])
    sla, vip = load_sla(store), vip if vip is not None else load_vip(store)
    names = themes_of(store, [int(r["id"]) for r in rows])
    records = []
    for row in rows:
        priority = prioritise(row, now=now, policy=sla.policy_for(row["channel"]), vip=vip)
        clock = priority.clock
        assert clock is not None  # every stored item has its posting time
        latency = row["ingested_at"] - row["posted_at"]
        records.append({
            **row,
            "priority": priority.score, "tier": priority.tier, "vip_tier": priority.vip_tier,
            "priority_reasons": list(priority.reasons), "why_first": why_first(priority.reasons),
            "sla_state": clock.state.label, "sla_left": clock.left_text, "due_at": clock.due_at,
            "source_latency": format_duration(latency) if latency > timedelta(0) else "0 min",
            "needs": ", ".join(needs_for(row)) or "chatter", "tags": json_list(row.get("tags")),
            "sentiment_reasons": json_list(row.get("sentiment_reasons")), "themes": names.get(int(row["id"]), []),
        })  # fmt: skip
    return with_review_flag(pd.DataFrame(records))


ANNOTATIONS: Final = (
    "tier", "vip_tier", "priority_reasons", "why_first", "sla_state", "sla_left", "due_at", "source_latency",
    "needs", "themes", "needs_review",
)  # fmt: skip


def why_first(reasons: Sequence[str]) -> str:
    """The two strongest reasons, for the queue's line ("very unhappy customer · CSAT 1"): a very
    unhappy customer and urgent words lead, then the rest in the order the formula found them."""
    leading = [r for r in reasons if r == "very unhappy customer" or r.startswith("urgent:")]
    ordered = leading + [r for r in reasons if r not in leading]
    return " · ".join(ordered[:2]) if ordered else "oldest waiting"


def item_row(store: Store, item_id: int, *, now: datetime) -> dict[str, Any] | None:
    """One item, annotated like a queue row, whatever its status (the workspace shows closed ones too)."""
    row = store.item(item_id)
    if row is None:
        return None
    return dict(annotate(store, [row], now=now).iloc[0])


def themes_of(store: Store, item_ids: Sequence[int]) -> dict[int, list[str]]:
    if not item_ids:
        return {}
    query = (
        sa.select(item_themes.c.item_id, themes.c.name)
        .join(themes, themes.c.id == item_themes.c.theme_id)
        .where(item_themes.c.item_id.in_(list(item_ids)))
        .order_by(item_themes.c.confidence.desc())
    )
    found: dict[int, list[str]] = {}
    with store.read() as connection:
        for item_id, name in connection.execute(query):
            found.setdefault(int(item_id), []).append(str(name))
    return found


def author_history(store: Store, item: Mapping[str, Any], *, limit: int = HISTORY_SHOWN) -> pd.DataFrame:
    """The same customer's earlier items here (same handle on the same channel, or the same hashed
    respondent), newest first, with what became of them."""
    same: list[sa.ColumnElement[bool]] = []
    if item.get("author"):
        same.append(sa.and_(items.c.author == item["author"], items.c.channel == item["channel"]))
    if item.get("respondent_key"):
        same.append(items.c.respondent_key == item["respondent_key"])
    columns = ["id", "posted_at", "channel", "text", "triage_status", "first_response_at", "resolved_at"]
    if not same:
        return pd.DataFrame(columns=columns)
    query = (
        sa.select(*(items.c[c] for c in columns))
        .where(sa.or_(*same), items.c.id != int(item["id"]), items.c.posted_at <= item["posted_at"])
        .order_by(items.c.posted_at.desc())
        .limit(limit)
    )
    with store.read() as connection:
        return pd.DataFrame([dict(r) for r in connection.execute(query).mappings()], columns=columns)


class ThreadState(StrEnum):
    """What the source says about an item's conversation, for the workspace's plain sentence."""

    SURVEY = "survey"  # a survey answer has no thread
    NOT_GIVEN = "not given"  # the source names no parent and no thread (feeds, reviews, older items)
    STARTS = "starts"  # the item answers nothing: it starts its conversation
    PARENT_NOT_COLLECTED = "parent not collected"  # it answers a post the app did not store
    FOUND = "found"  # the post it answers is stored


@dataclass(frozen=True)
class Conversation:
    """The post an item answers (when stored) and the thread's earlier messages, oldest first,
    each with author, words (redacted as stored), time and sentiment."""

    state: ThreadState
    parent: dict[str, Any] | None
    earlier: list[dict[str, Any]]


def conversation(store: Store, item: Mapping[str, Any], *, limit: int = THREAD_SHOWN) -> Conversation:
    """The conversation of `item` where its source names it: the stored post it answers (same
    network, external id = `in_reply_to`) and the other stored messages of its thread posted
    before it (same `conversation_id`, the thread's first post included), the `limit` latest of
    them oldest first. Mastodon names only the parent, so there the thread is the chain of
    stored parents, walked up to `limit` posts."""
    if item.get("kind") == "survey" or item.get("survey"):
        return Conversation(ThreadState.SURVEY, None, [])
    parent_id, thread_id = _text_or_none(item.get("in_reply_to")), _text_or_none(item.get("conversation_id"))
    same_network = [items.c.channel == item["channel"]]
    if item["channel"] in SERVER_LOCAL_IDS:
        same_network.append(items.c.source == item["source"])
    columns = [items.c[c] for c in (*THREAD_COLUMNS, "in_reply_to")]
    with store.read() as connection:

        def stored(external_id: str) -> dict[str, Any] | None:
            query = sa.select(*columns).where(*same_network, items.c.external_id == external_id)
            row = connection.execute(query.order_by(items.c.id).limit(1)).mappings().first()
            return dict(row) if row is not None else None

        parent = stored(parent_id) if parent_id else None
        if thread_id:
            query = (
                sa.select(*columns)
                .where(
                    *same_network,
                    sa.or_(items.c.conversation_id == thread_id, items.c.external_id == thread_id),
                    items.c.posted_at < item["posted_at"],
                    items.c.id != int(item["id"]),
                )
                .order_by(items.c.posted_at.desc(), items.c.id.desc())
                .limit(limit + 1)  # the parent may be among them, shown on its own
            )
            earlier = [dict(r) for r in connection.execute(query).mappings()]
        else:  # only the parent is named: walk up the stored chain
            earlier, above = [], parent
            seen = {int(item["id"])}
            while above is not None and len(earlier) <= limit and int(above["id"]) not in seen:
                seen.add(int(above["id"]))
                earlier.append(above)
                grandparent = _text_or_none(above.get("in_reply_to"))
                above = stored(grandparent) if grandparent else None
    if parent is not None:
        earlier = [row for row in earlier if row["id"] != parent["id"]]
    earlier = [{c: row[c] for c in THREAD_COLUMNS} for row in reversed(earlier[:limit])]
    if parent is not None:
        state, parent = ThreadState.FOUND, {c: parent[c] for c in THREAD_COLUMNS}
    elif parent_id:
        state = ThreadState.PARENT_NOT_COLLECTED
    elif thread_id:
        state = ThreadState.STARTS
    else:
        state = ThreadState.NOT_GIVEN
    return Conversation(state, parent, earlier)


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def same_response(store: Store, item: Mapping[str, Any]) -> pd.DataFrame:
    """The other answers of the survey response an item comes from (empty for mentions)."""
    columns = ["id", "survey_field", "text", "nps", "csat", "ces"]
    if not item.get("survey") or not item.get("response_id"):
        return pd.DataFrame(columns=columns)
    query = (
        sa.select(*(items.c[c] for c in columns))
        .where(
            items.c.source == item["source"],
            items.c.survey == item["survey"],
            items.c.response_id == item["response_id"],
            items.c.id != int(item["id"]),
        )
        .order_by(items.c.id)
    )
    with store.read() as connection:
        return pd.DataFrame([dict(r) for r in connection.execute(query).mappings()], columns=columns)


def team(store: Store, me: str) -> list[TeamMember]:
    """Who can take an item: people with a care role (agent, admin), whoever holds open items
    now, and `me`; each with their open count (of the queue's items: ours, not a collapsed copy),
    `me` first, then the least busy."""
    # Read from `ix_items_open_queue` alone: in the index's order, SQLite has no reason to prefer
    # `ix_items_queue` (every open item, competitors' too, then the table's rows: 183-213 ms at a
    # million items, against 6 ms).
    held = (
        sa.select(items.c.assignee)
        .where(*_open_ours(), items.c.assignee.is_not(None), items.c.assignee != "")
        .order_by(items.c.priority.desc(), items.c.posted_at, items.c.id)
        .subquery()
    )
    open_counts = sa.select(held.c.assignee, sa.func.count()).group_by(held.c.assignee)
    people = sa.select(role_assignments.c.principal).where(
        role_assignments.c.role.in_(CARE_ROLES), role_assignments.c.principal.not_like("@%")
    )
    with store.read() as connection:
        counts = {str(name): int(n) for name, n in connection.execute(open_counts)}
        names = {str(p) for p in connection.execute(people).scalars()}
    names |= set(counts) | {me}
    members = [TeamMember(name, counts.get(name, 0)) for name in names]
    return sorted(members, key=lambda m: (m.name != me, m.open_items, m.name))
