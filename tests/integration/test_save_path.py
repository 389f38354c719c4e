"""The batched save path (voc.inbox.storing) keeps every guarantee of the item-by-item one, on
SQLite and PostgreSQL: new items counted exactly, duplicates collapsed as before, concurrent
writers, a crash mid-page and a lost lease."""

from __future__ import annotations

import random
import threading
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command

from tests.factories import BASE_TIME, new_item
from voc.inbox import storing
from voc.inbox.duplicates import WINDOW
from voc.models import NewItem
from voc.sources.repository import LeaseLostError
from voc.store.facade import Store
from voc.store.migrate import _config, migrate
from voc.store.rollups import check_rollups
from voc.store.schema import item_embeddings, items

COPY = "Still no signal in Leeds since this morning, fix it please"


def _grouping(store: Store) -> dict[str, tuple[str | None, int]]:
    """external id -> (external id of the original it points at, duplicate count)."""
    with store.read() as connection:
        rows = connection.execute(
            sa.select(items.c.id, items.c.external_id, items.c.duplicate_of, items.c.duplicate_count)
        ).all()
    by_id = {row.id: row.external_id for row in rows}
    return {row.external_id: (by_id.get(row.duplicate_of), row.duplicate_count) for row in rows}


def _as_if_stored_one_by_one(store: Store) -> dict[int, int | None]:
    """item id -> the original it should point at had every item been stored alone, in id order:
    the first original (lowest id) with its key posted within the window, else none."""
    with store.read() as connection:
        rows = connection.execute(sa.select(items.c.id, items.c.content_hash, items.c.posted_at).order_by(items.c.id))
        expected: dict[int, int | None] = {}
        originals: dict[str, list[tuple[int, datetime]]] = {}
        for item_id, content_hash, posted_at in rows:
            candidates = originals.setdefault(content_hash, []) if content_hash else []
            expected[item_id] = next((other for other, when in candidates if abs(when - posted_at) <= WINDOW), None)
            if content_hash and expected[item_id] is None:
                candidates.append((item_id, posted_at))
    return expected


def _pointers(store: Store) -> dict[int, int | None]:
    with store.read() as connection:
        return {
            item_id: points_at for item_id, points_at in connection.execute(sa.select(items.c.id, items.c.duplicate_of))
        }


def _page(n: int, *, seed: int, prefix: str = "") -> list[NewItem]:
    """Items with repeated texts (copies, retweets, short ones) spread over two weeks."""
    rng = random.Random(seed)
    texts = [COPY, f"RT @someone: {COPY}", "The app crashes at login every single time", "ok", "+1"]
    return [
        new_item(
            f"{prefix}{i}",
            text=rng.choice(texts) + ("" if rng.random() < 0.7 else f" case {rng.randrange(3)} here"),
            posted_at=BASE_TIME + timedelta(days=rng.uniform(0, 14)),
        )
        for i in range(n)
    ]


def test_a_page_stores_each_new_item_once_and_counts_them(store: Store) -> None:
    assert store.add_items([new_item("1"), new_item("2"), new_item("1")]) == 2  # a key twice in one page
    assert store.add_items([new_item("2"), new_item("3"), new_item("4")]) == 2
    assert store.add_items([]) == 0
    assert store.count_items() == 4


def test_duplicates_collapse_exactly_as_when_stored_one_by_one(store: Store, database_url: str, tmp_path) -> None:
    pages = [_page(40, seed=1), _page(40, seed=2, prefix="b"), _page(3, seed=3, prefix="c")]
    for page in pages:
        store.add_items(page)
    one_by_one = Store.from_url(f"sqlite:///{tmp_path}/one-by-one.db")
    for page in pages:
        for item in page:
            one_by_one.add_items([item])
    grouping = _grouping(store)
    assert grouping == _grouping(one_by_one)
    assert sum(count for _, count in grouping.values()) > 20  # the copies did collapse
    assert grouping["0"][0] is None or grouping["0"][0] == "0"  # never points at a later item
    one_by_one.engine.dispose()


def test_copies_collapse_within_the_window_only(store: Store) -> None:
    store.add_items([new_item("first", text=COPY)])
    store.add_items(
        [
            new_item("copy", text=f"RT @x: {COPY}", posted_at=BASE_TIME + timedelta(days=6)),
            new_item("late", text=COPY, posted_at=BASE_TIME + timedelta(days=9)),
            new_item("late-copy", text=COPY.upper(), posted_at=BASE_TIME + timedelta(days=10)),
        ]
    )
    assert _grouping(store) == {
        "first": (None, 1),
        "copy": ("first", 0),
        "late": (None, 1),  # outside the first one's window: a new original, within this page
        "late-copy": ("late", 0),
    }


def test_only_mentions_about_the_same_brand_are_copies(store: Store) -> None:
    """A survey answer is one customer's own words, a post repeating it is still a post, and a
    rival's post with the same words is not a copy of ours."""
    survey = {"kind": "survey", "channel": "survey", "survey": "nps-q4", "author": None}
    store.add_items([new_item("answer-1", text=COPY, **survey)])
    store.add_items(
        [
            new_item("answer-2", text=COPY, **survey),
            new_item("post", text=COPY, posted_at=BASE_TIME + timedelta(hours=1)),
            new_item("rival", text=COPY, brand="Contoso Telecom", is_competitor=True),
            new_item("repost", text=f"RT @x: {COPY}", posted_at=BASE_TIME + timedelta(hours=2)),
        ]
    )
    assert _grouping(store) == {
        "answer-1": (None, 0),
        "answer-2": (None, 0),
        "post": (None, 1),
        "rival": (None, 0),
        "repost": ("post", 0),
    }


def test_embeddings_are_kept_for_new_items_only(store: Store) -> None:
    vector = ("model-x", 2, b"\x00\x00\x80?\x00\x00\x00\x00")
    store.add_items([new_item("1")], {"1": vector})
    store.add_items([new_item("1"), new_item("2"), new_item("3")], {"1": vector, "2": vector})
    with store.read() as connection:
        stored = connection.execute(
            sa.select(items.c.external_id).join(item_embeddings, item_embeddings.c.item_id == items.c.id)
        ).scalars()
        assert sorted(stored) == ["1", "2"]


def test_concurrent_writers_store_each_item_once_and_count_exactly(database_url: str) -> None:
    """Four writers save overlapping pages at once: every item once, the counts add up."""
    stores = [Store.from_url(database_url) for _ in range(4)]
    everything = _page(400, seed=7)
    counted: list[int] = []
    failures: list[BaseException] = []
    start = threading.Barrier(len(stores))

    def write(store: Store, seed: int) -> None:
        rng = random.Random(seed)
        start.wait()
        try:
            for _ in range(10):
                page = rng.sample(everything, 60)
                counted.append(store.add_items(page))
        except BaseException as error:  # noqa: BLE001 - reported by the test
            failures.append(error)

    threads = [threading.Thread(target=write, args=(store, n)) for n, store in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    stored = stores[0].count_items()
    assert sum(counted) == stored
    grouping = _grouping(stores[0])
    originals = {external_id for external_id, (points_at, _) in grouping.items() if points_at is None}
    # Every count is the number of items pointing at that original; no chain of duplicates.
    for external_id, (points_at, count) in grouping.items():
        assert count == sum(1 for other in grouping.values() if other[0] == external_id)
        assert points_at is None or points_at in originals
    assert _pointers(stores[0]) == _as_if_stored_one_by_one(stores[0])
    for store in stores:
        store.engine.dispose()


def test_concurrent_listeners_saving_copies_store_each_once_and_count_their_sources(database_url: str) -> None:
    """Four listeners, each with its own source and lease, save pages of the same words at once
    (copies across sources): every item once, every duplicate count right, no chains, and each
    source's running total is what it stored. On PostgreSQL the lease re-check takes the item
    writers' lock here, in the same statement."""
    stores = [Store.from_url(database_url) for _ in range(4)]
    names = [f"listener-{n}" for n in range(len(stores))]
    for n, name in enumerate(names):
        stores[0].ensure_source(name, "test")
        assert stores[0].try_acquire_lease(name, f"runner-{n}", BASE_TIME, timedelta(hours=1))
    counted: list[int] = []
    failures: list[BaseException] = []
    start = threading.Barrier(len(stores))

    def listen(n: int) -> None:
        start.wait()
        try:
            for number in range(6):
                page = [
                    replace(item, source=names[n], external_id=f"{n}-{number}-{item.external_id}")
                    for item in _page(40, seed=100 * n + number)
                ]
                saved = stores[n].save_batch(
                    names[n], page, str(number), owner=f"runner-{n}", now=BASE_TIME, next_poll_at=BASE_TIME
                )
                counted.append(saved)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            failures.append(error)

    threads = [threading.Thread(target=listen, args=(n,)) for n in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sum(counted) == stores[0].count_items() == 4 * 6 * 40
    for name in names:
        source = stores[0].source(name)
        assert source is not None and source.items_total == stores[0].count_items(name) == 6 * 40
    grouping = _grouping(stores[0])
    originals = {external_id for external_id, (points_at, _) in grouping.items() if points_at is None}
    for external_id, (points_at, count) in grouping.items():
        assert count == sum(1 for other in grouping.values() if other[0] == external_id)
        assert points_at is None or points_at in originals
    assert sum(count for _, count in grouping.values()) > 100  # copies across the sources did collapse
    # Writers took turns: each page saw every earlier page's originals (the test fails on
    # PostgreSQL without the lock: two pages at once each make an original of the same words).
    assert _pointers(stores[0]) == _as_if_stored_one_by_one(stores[0])
    # The hourly counts kept by triggers on items (revision 0014) saw every row and every copy.
    assert check_rollups(stores[0]) == []
    for store in stores:
        store.engine.dispose()


def test_a_crash_mid_page_stores_nothing_and_the_page_again_stores_it_once(store: Store, clock, monkeypatch) -> None:
    store.ensure_source("test-source", "test")
    assert store.try_acquire_lease("test-source", "r1", clock.now, timedelta(minutes=1))
    page = _page(30, seed=4)

    def dies(*_args: object) -> None:  # the process dies after the rows went in, before commit
        raise KeyboardInterrupt

    monkeypatch.setattr(storing, "_collapse_duplicates", dies)
    with pytest.raises(KeyboardInterrupt):
        store.save_batch("test-source", page, "cursor-1", owner="r1", now=clock.now, next_poll_at=clock.now)
    assert store.count_items() == 0
    source = store.source("test-source")
    assert source is not None and source.cursor is None  # the cursor did not move without its items
    monkeypatch.undo()
    saved = store.save_batch("test-source", page, "cursor-1", owner="r1", now=clock.now, next_poll_at=clock.now)
    assert saved == store.count_items() == 30
    again = store.save_batch("test-source", page, "cursor-1", owner="r1", now=clock.now, next_poll_at=clock.now)
    assert again == 0
    source = store.source("test-source")
    assert source is not None and source.cursor == "cursor-1" and source.items_total == 30


def test_a_writer_that_lost_its_lease_stores_nothing(store: Store, clock) -> None:
    store.ensure_source("test-source", "test")
    assert store.try_acquire_lease("test-source", "r1", clock.now, timedelta(minutes=1))
    clock.advance(minutes=2)
    assert store.try_acquire_lease("test-source", "r2", clock.now, timedelta(minutes=1))
    page = _page(10, seed=5)
    with pytest.raises(LeaseLostError):
        store.save_batch("test-source", page, "c", owner="r1", now=clock.now, next_poll_at=clock.now)
    with pytest.raises(LeaseLostError):
        store.save_items("test-source", page, owner="r1", now=clock.now)
    assert store.count_items() == 0
    assert store.save_batch("test-source", page, "c", owner="r2", now=clock.now, next_poll_at=clock.now) == 10


def test_the_upgrade_unmarks_survey_and_cross_brand_copies_an_older_ingest_made(store: Store) -> None:
    """Before revision 0012 any item with the same words was a copy: the upgrade undoes the wrong
    marks, recounts the originals and keys recent mentions the new way."""
    survey = {"kind": "survey", "channel": "survey", "survey": "nps-q4", "author": None}
    store.add_items(
        [
            new_item("answer-1", text=COPY, **survey),
            new_item("answer-2", text=COPY, **survey),
            new_item("post", text=COPY),
            new_item("rival", text=COPY, brand="Contoso Telecom", is_competitor=True),
            new_item("repost", text=f"RT @x: {COPY}"),
        ]
    )
    with store.write() as connection:  # what the old ingest stored: everything a copy of the first answer
        ids = dict(connection.execute(sa.select(items.c.external_id, items.c.id)).all())
        connection.execute(
            sa.update(items).where(items.c.external_id != "answer-1").values(duplicate_of=ids["answer-1"])
        )
        connection.execute(sa.update(items).where(items.c.id == ids["answer-1"]).values(duplicate_count=4))
    with store.engine.connect() as connection:  # back to 0011 (0012's downgrade keeps the marks), then up
        config = _config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0011")
        connection.commit()
    migrate(store.engine)
    grouping = _grouping(store)
    assert grouping["answer-1"] == (None, 0) and grouping["answer-2"] == (None, 0)
    assert grouping["post"] == (None, 0) and grouping["rival"] == (None, 0) and grouping["repost"] == (None, 0)
    store.add_items([new_item("later", text=COPY, posted_at=BASE_TIME + timedelta(days=1))])
    assert _grouping(store)["later"] == ("post", 0)  # recent mentions carry the new key
