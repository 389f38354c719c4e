"""The care queue read through its own index (revision 0016), on both databases: the same order as
one query ordering by `queue_priority` (the VIP weight applied in SQL), whatever the VIP list, the
filters and the view, paging forward and back by key while items arrive and leave; and the page
query walks `ix_items_open_queue` instead of sorting every open item."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import event

from tests.actors import admin
from tests.factories import new_item
from voc.access.roles import Permission
from voc.inbox.queue import QueueFilter, View, _in_view, _rank, next_item_id, open_queue, team
from voc.inbox.vip import VIP_SETTINGS_KEY, VipList
from voc.models import TriageChange
from voc.store.facade import Store
from voc.store.schema import items

VIPS = VipList({"ana": "platinum", "bo": "gold", "cy": "silver"}).with_entry("Dee@example.com", "vip")
FILTERS = (
    QueueFilter(agent="sam"),
    QueueFilter(view=View.UNASSIGNED, agent="sam"),
    QueueFilter(view=View.MINE, agent="sam"),
    QueueFilter(channel="reddit", agent="sam"),
    QueueFilter(language="es", include_chatter=True, agent="sam"),
    QueueFilter(include_chatter=True, agent="sam"),
)


def set_vips(store: Store, vip: VipList, now: datetime) -> None:
    store.put_setting(
        VIP_SETTINGS_KEY, vip.to_json(), actor=admin("lead"), permission=Permission.CONFIGURE_CARE, now=now
    )


def add_random_items(store: Store, rng: random.Random, count: int, now: datetime, prefix: str) -> None:
    """Items with few distinct priorities and times (many ties), VIP and other authors, any status."""
    authors = ["@Ana", "ana", "@BO", "@cy", "@zed", "@yan", None, "@xi", "@wu"]
    store.add_items([
        new_item(
            f"{prefix}{n}",
            author=rng.choice(authors),
            respondent_key=rng.choice([None, None, _dee_key()]),
            priority=rng.choice([10.0, 25.0, 40.0, 40.0, 60.0, 100.0]),
            posted_at=now - timedelta(minutes=rng.choice([5, 10, 10, 30, 60])),
            channel=rng.choice(["x", "reddit"]),
            language=rng.choice(["en", "es"]),
            sentiment_label=rng.choice(["negative", "neutral", "positive"]),
            sentiment_confidence=rng.choice([0.2, 0.9]),
            text=rng.choice(["my bill is wrong", "is roaming included?", "thanks, all good"]),
            is_competitor=rng.random() < 0.1,
            triage_status=rng.choice(["new", "new", "assigned", "waiting_on_customer", "resolved"]),
        )
        for n in range(count)
    ])  # fmt: skip
    with store.write() as connection:  # some taken by an agent
        connection.execute(
            items.update().where(items.c.external_id.like(f"{prefix}%"), items.c.id % 4 == 0).values(assignee="sam")
        )


def _dee_key() -> str:
    return next(iter(VipList().with_entry("Dee@example.com").keys))


def expected(store: Store, chosen: QueueFilter) -> list[int]:
    """The queue's order as one query ordering by the VIP-weighted priority (what the page read before 0016)."""
    vip = VipList.from_json(store.get_setting(VIP_SETTINGS_KEY))
    rank = _rank(vip)
    query = sa.select(items.c.id).where(*_in_view(chosen)).order_by(rank.desc(), items.c.posted_at, items.c.id)
    with store.read() as connection:
        return [int(i) for i in connection.execute(query).scalars()]


def ids(page) -> list[int]:  # noqa: ANN001 - a QueuePage
    return [int(i) for i in page.rows["id"]]


def walk_forward(store: Store, chosen: QueueFilter, now: datetime) -> list[int]:
    page = open_queue(store, chosen, now=now, page_size=5)
    seen = ids(page)
    while page.last_key is not None and len(seen) < page.total:
        page = open_queue(store, chosen, now=now, page=page.page + 1, page_size=5, after=page.last_key)
        seen += ids(page)
    return seen


def test_the_order_is_the_vip_weighted_one_for_every_filter_and_direction(store: Store, clock) -> None:
    rng = random.Random(16)
    add_random_items(store, rng, 160, clock.now, "a")
    set_vips(store, VIPS, clock.now)
    for chosen in FILTERS:
        whole = expected(store, chosen)
        assert whole, chosen
        assert walk_forward(store, chosen, clock.now) == whole, chosen
        counts = open_queue(store, chosen, now=clock.now).counts
        for view in View:  # every view's count under the same filters
            assert counts[view] == len(expected(store, replace(chosen, view=view, agent="sam"))), (chosen, view)
        for page in range(1, 4):  # by position
            assert (
                ids(open_queue(store, chosen, now=clock.now, page=page, page_size=5)) == whole[5 * page - 5 : 5 * page]
            )
        if len(whole) > 10:  # back by key from the third page
            third = open_queue(store, chosen, now=clock.now, page=3, page_size=5)
            back = open_queue(store, chosen, now=clock.now, page=2, page_size=5, before=third.first_key)
            assert ids(back) == whole[5:10], chosen
        current, chain = None, []
        for _ in range(len(whole)):  # "next item" goes through the whole queue in order
            current = next_item_id(store, current, chosen)
            chain.append(current)
        assert chain == whole, chosen
    set_vips(store, VipList(), clock.now)
    assert walk_forward(store, QueueFilter(), clock.now) == expected(store, QueueFilter())


def test_pages_by_key_follow_the_order_while_items_arrive_and_leave(store: Store, clock) -> None:
    rng = random.Random(21)
    add_random_items(store, rng, 120, clock.now, "a")
    set_vips(store, VIPS, clock.now)
    first = open_queue(store, QueueFilter(), now=clock.now, page_size=6)
    shown = ids(first)
    add_random_items(store, rng, 40, clock.now, "b")  # new ones, some VIP, some above the page shown
    leaving = expected(store, QueueFilter())[8:12]
    store.apply_triage(
        [TriageChange(i, "triage_status", "resolved") for i in leaving], actor=admin("lead"), now=clock.now
    )
    whole = expected(store, QueueFilter())
    after = whole[whole.index(shown[-1]) + 1 :] if shown[-1] in whole else None
    second = open_queue(store, QueueFilter(), now=clock.now, page=2, page_size=6, after=first.last_key)
    assert after is not None and ids(second) == after[:6]
    back = open_queue(store, QueueFilter(), now=clock.now, page=1, page_size=6, before=second.first_key)
    position = whole.index(ids(second)[0])
    assert ids(back) == (whole[position - 6 : position] if position >= 6 else whole[:6])


def test_the_page_query_walks_the_open_queue_index(store: Store, clock) -> None:
    store.add_items([
        new_item(str(n), text=f"bill {n} is wrong", priority=float(n % 50), triage_status=status,
                 posted_at=clock.now - timedelta(minutes=n))
        for n in range(400) for status in (["new"] if n % 5 else ["resolved"])
    ])  # fmt: skip
    statements: list[tuple[str, object]] = []

    def capture(connection, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        first = open_queue(store, QueueFilter(), now=clock.now, page_size=12)
        second = open_queue(store, QueueFilter(), now=clock.now, page=2, page_size=12, after=first.last_key)
        open_queue(store, QueueFilter(), now=clock.now, page=1, page_size=12, before=second.first_key)
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)
    # The top page, the page after a key and the page before one (SQLite's planner, left alone,
    # read a range of `ix_items_queue` for a key and sorted it: 300 ms at a million items).
    page_queries = [s for s in statements if s[0].lstrip().startswith("SELECT items.id")]
    assert len(page_queries) == 3
    counts_query = next(s for s in statements if "count(*)" in s[0])
    with store.read() as connection:
        for statement, parameters in (*page_queries, counts_query):
            if store.dialect == "postgresql":
                connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a handful of rows would be read whole
                rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)  # type: ignore[arg-type]
                plan = " ".join(str(r[0]) for r in rows)
                assert "ix_items_open_queue" in plan and "Sort" not in plan, plan
            else:
                connection.exec_driver_sql("ANALYZE")
                # The statistics SQLite kept at a million items (bench/scale.py, most of the year
                # closed): they made a range of `ix_items_queue` look cheap for a page by key.
                for index, stat in MILLION_ITEM_STATISTICS.items():
                    connection.exec_driver_sql(f"UPDATE sqlite_stat1 SET stat = '{stat}' WHERE idx = '{index}'")
                connection.exec_driver_sql("ANALYZE sqlite_schema")  # read them again
                rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)  # type: ignore[arg-type]
                plan = " ".join(str(r[-1]) for r in rows)
                assert "ix_items_open_queue" in plan and "TEMP B-TREE" not in plan, plan


# `sqlite_stat1` of `items` in bench/scale.py's million items (sampled, as the product refreshes it).
MILLION_ITEM_STATISTICS = {
    "ix_items_open_queue": "32130" + " 1" * 17,
    "ix_items_nps_posted_at": "96600 1",
    "ix_items_conversation": "507104 1001 1",
    "ix_items_channel_external_id": "1073688 1001 1",
    "ix_items_scorer_sentiment_posted_at": "800565 1001 1001 1",
    "ix_items_brand_sentiment_posted_at": "941886 1001 1001 1",
    "ix_items_language_sentiment_posted_at": "743256 1001 1001 1",
    "ix_items_channel_sentiment_posted_at": "761244 1001 1001 1",
    "ix_items_queue": "921024 1001 1 1",
    "ix_items_inbox": "745200 1001 1001 1",
    "ix_items_posted_at": "1076920 1",
    "ix_items_content_hash": "16237260 3",
    "sqlite_autoindex_items_1": "924375 1001 1",
}


def test_the_assign_list_counts_each_person_s_open_items_from_the_open_queue_index(sqlite_store: Store, clock) -> None:
    """`team()` (the assign menu, on every Inbox visit): each person's open items counted from
    `ix_items_open_queue` alone, not by reading every open item, competitors' and copies too."""
    sqlite_store.add_items([
        new_item(str(n), text=f"bill {n} is wrong", priority=float(n % 50), is_competitor=n % 7 == 0,
                 posted_at=clock.now - timedelta(minutes=n))
        for n in range(600)
    ])  # fmt: skip
    with sqlite_store.write() as connection:  # two people hold a third of the items each
        for remainder, person in ((0, "ana@northwind.example"), (1, "bo@northwind.example")):
            connection.execute(
                items.update().where(items.c.id % 3 == remainder).values(assignee=person, triage_status="assigned")
            )
    counted = {member.name: member.open_items for member in team(sqlite_store, "me")}
    with sqlite_store.read() as connection:
        expected = dict(
            connection.execute(
                sa.select(items.c.assignee, sa.func.count())
                .where(items.c.assignee.is_not(None), items.c.is_competitor.is_(False))
                .group_by(items.c.assignee)
            ).all()
        )
    assert {name: counted[name] for name in expected} == expected and counted["me"] == 0

    statements: list[str] = []
    event.listen(sqlite_store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    team(sqlite_store, "me")
    sqlite_store.refresh_planner_statistics()  # as every opening does
    statement = next(s for s in statements if "count(*)" in s)
    with sqlite_store.read() as connection:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", ("",))
        plan = " ".join(str(r[-1]) for r in rows)
    assert "COVERING INDEX ix_items_open_queue" in plan, plan
