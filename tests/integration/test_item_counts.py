"""`item_counts` (revision 0014), `item_counts_daily` (0017), `item_counts_quarters` (0021) and
`item_counts_monthly` (0022) stay equal to a recount of `items`
after every write path, on SQLite and PostgreSQL, because triggers keep them, not the writers; the
rebuild command restores them; concurrent writers on PostgreSQL do not deadlock on their hot rows.
"""

from __future__ import annotations

import random
import threading
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from tests.factories import BASE_TIME, new_item
from tests.privacy_workspace import NOW, fill
from voc.__main__ import main
from voc.access.roles import Actor, Role
from voc.inbox.storing import store_items
from voc.privacy.erasure import Subject, erase
from voc.privacy.policy import save_retention
from voc.privacy.retention import sweep
from voc.store.facade import Store
from voc.store.migrate import step_to
from voc.store.rollups import check_rollups, rebuild_rollups
from voc.store.schema import item_counts, item_counts_daily, item_counts_monthly, item_counts_quarters, items

ADMIN = Actor("olga@northwind.example", Role.ADMIN)
AGENT = Actor("sam@northwind.example", Role.AGENT)
LEVELS = (item_counts, item_counts_daily, item_counts_quarters, item_counts_monthly)
COPY = "Still no signal in Leeds since this morning, fix it please"


def _page(n: int, *, seed: int, prefix: str) -> list:
    """Mentions with copies and retweets over two weeks, several brands, channels and languages."""
    rng = random.Random(seed)
    texts = [COPY, f"RT @someone: {COPY}", "The app crashes at login every single time", "ok"]
    return [
        new_item(
            f"{prefix}{i}",
            text=rng.choice(texts),
            posted_at=BASE_TIME + timedelta(days=rng.uniform(0, 14)),
            brand=rng.choice(["Northwind Mobile", "Contoso", None]),
            is_competitor=False,
            channel=rng.choice(["x", "reddit", "mastodon"]),
            language=rng.choice(["en", "de"]),
            sentiment_label=rng.choice(["negative", "neutral", "positive"]),
        )
        for i in range(n)
    ]


def _counts_match(store: Store) -> None:
    levels = ["item_counts", "item_counts_daily", "item_counts_quarters", "item_counts_monthly"]
    differences = check_rollups(store, levels)  # each against a recount of items
    assert differences == [], "\n".join(map(str, differences[:10]))


def _stored_rows(store: Store, table: sa.Table = item_counts) -> int:
    with store.read() as connection:
        return int(connection.execute(sa.select(sa.func.sum(table.c["items"]))).scalar() or 0)


def test_every_write_path_keeps_the_counts_exact(store: Store, tmp_path: Path) -> None:
    workspace = fill(store, tmp_path / "exports")  # save path, notes, triage, a correction, themes, alerts
    _counts_match(store)
    per_level = {_stored_rows(store, table) for table in LEVELS}
    assert per_level == {4 * store.count_items()}  # once per facet, at every level

    store.add_items(_page(60, seed=1, prefix="a"))  # the batched save path, copies collapsed
    store.add_items(_page(60, seed=2, prefix="b"))
    _counts_match(store)
    again = _page(60, seed=1, prefix="a")
    assert store.add_items(again + again[:5]) == 0  # a page fetched twice: nothing new, nothing counted twice
    _counts_match(store)

    survey = [
        new_item(f"s{n}", kind="survey", channel="survey", survey="nps", response_id=f"r{n}", nps=n % 11, text=COPY)
        for n in range(12)
    ]
    assert store.add_items(survey) == 12  # survey answers (the importer stores its chunks so)
    _counts_match(store)

    with store.read() as connection:
        some = list(connection.execute(sa.select(items.c.id).order_by(items.c.id).limit(9)).scalars())
    store.correct_sentiment(some[:3], "positive", actor=AGENT, now=NOW)
    _counts_match(store)

    store.update_item_sentiments(  # re-scoring (voc.sentiment.worker.rescore_batch)
        [{"id": i, "sentiment_label": "neutral", "sentiment_score": 0.0, "scorer": "rescored-2"} for i in some]
    )
    _counts_match(store)

    with store.write() as connection:  # duplicate marking by hand, as a migration would
        connection.execute(items.update().where(items.c.id.in_(some[3:6])).values(duplicate_of=some[0]))
        connection.execute(items.update().where(items.c.id == some[6]).values(posted_at=NOW, brand="Contoso"))
    _counts_match(store)

    erase(store, Subject.author("@lena@social.example"), actor=ADMIN, now=NOW, exports_dir=workspace.exports_dir)
    _counts_match(store)

    save_retention(store, {"test-source": 1}, actor=ADMIN, now=NOW)
    report = sweep(store, now=NOW + timedelta(days=30), exports_dir=workspace.exports_dir, batch_size=50)
    assert report  # the sweep deleted the expired test-source items
    _counts_match(store)

    with store.write() as connection:
        connection.execute(items.delete())
    _counts_match(store)
    assert {_stored_rows(store, table) for table in LEVELS} == {0}


def test_rebuild_recounts_a_table_gone_wrong(store: Store) -> None:
    store.add_items(_page(80, seed=3, prefix="c"))
    with store.write() as connection:
        connection.execute(item_counts.update().values(items=item_counts.c["items"] + 5))
        connection.execute(item_counts.delete().where(item_counts.c.facet == "language"))
    assert len(check_rollups(store)) > 0

    written = rebuild_rollups(store)
    assert written["item_counts"] > 0
    _counts_match(store)


def test_the_commands_check_and_rebuild(store: Store, database_url: str, monkeypatch, capsys) -> None:
    monkeypatch.setenv("VOC_DATABASE_URL", database_url)
    store.add_items(_page(30, seed=4, prefix="d"))
    assert main(["rollups", "check"]) == 0
    with store.write() as connection:
        connection.execute(item_counts.delete().where(item_counts.c.facet == "channel"))

    assert main(["rollups", "check"]) == 1
    out = capsys.readouterr()
    assert "item_counts ('channel'" in out.out and "rollups rebuild" in out.err

    assert main(["rollups", "rebuild"]) == 0
    assert "item_counts: rebuilt" in capsys.readouterr().out
    assert main(["rollups", "check"]) == 0
    assert main(["rollups", "rebuild", "no-such-table"]) == 2


def test_the_migration_counts_items_stored_before_it_and_goes_back(database_url: str) -> None:
    store = Store.from_url(database_url)
    store.add_items(_page(40, seed=5, prefix="e"))
    step_to(store.engine, "0013", down=True)
    assert "item_counts" not in sa.inspect(store.engine).get_table_names()
    with store.engine.connect() as connection:
        store_items_without_counts = connection.execute(sa.select(sa.func.count()).select_from(items)).scalar()
    step_to(store.engine, "head")
    assert store_items_without_counts == 40
    _counts_match(store)
    store.engine.dispose()


def test_concurrent_writers_of_the_same_hours_neither_deadlock_nor_miscount(store: Store) -> None:
    """Save paths, survey answers, corrections and re-scoring at once, all in the same
    hours (the rollup's hot rows); on PostgreSQL each takes the item writers' lock first."""
    store.add_items(_page(120, seed=6, prefix="f"))
    with store.read() as connection:
        ids = list(connection.execute(sa.select(items.c.id).order_by(items.c.id)).scalars())
    errors: list[BaseException] = []
    start = threading.Barrier(5)

    def run(work) -> None:
        try:
            start.wait()
            for _ in range(4):
                work()
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)

    rng = random.Random(7)
    pages = iter(range(100))
    workers = [
        lambda: store.add_items(_page(40, seed=next(pages), prefix=f"g{rng.random()}")),
        lambda: store.add_items([new_item(f"s{rng.random()}", kind="survey", channel="survey") for _ in range(30)]),
        lambda: store.correct_sentiment(
            rng.sample(ids, 20), rng.choice(["negative", "positive"]), actor=AGENT, now=NOW
        ),
        lambda: store.update_item_sentiments(
            [
                {"id": i, "sentiment_label": rng.choice(["neutral", "positive"]), "scorer": "r"}
                for i in rng.sample(ids, 40)
            ]
        ),
        lambda: store_pages_directly(store, rng),
    ]
    threads = [threading.Thread(target=run, args=(work,)) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    _counts_match(store)


def store_pages_directly(store: Store, rng: random.Random) -> None:
    """`store_items` inside a transaction of one's own (the runner's save_batch does the same)."""
    with store.write() as connection:
        store_items(connection, _page(25, seed=rng.randrange(10**6), prefix=f"h{rng.random()}"))


def test_the_check_finds_a_day_gone_wrong_and_a_rebuild_of_the_days_alone_mends_it(
    store: Store, database_url: str, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("VOC_DATABASE_URL", database_url)
    store.add_items(_page(50, seed=8, prefix="k"))
    with store.write() as connection:  # one day of one language off by one; the hours stay right
        day = connection.execute(
            sa.select(item_counts_daily.c.day).where(item_counts_daily.c.facet == "language").limit(1)
        ).scalar_one()
        connection.execute(
            item_counts_daily.update()
            .where(item_counts_daily.c.facet == "language", item_counts_daily.c.day == day)
            .values(items=item_counts_daily.c["items"] + 1)
        )
    differences = check_rollups(store)
    assert differences and {d.rollup for d in differences} == {"item_counts_daily"}
    assert all(d.key[0] == "language" and d.key[2] == day for d in differences)
    assert main(["rollups", "check"]) == 1
    assert "item_counts_daily ('language'" in capsys.readouterr().out

    assert main(["rollups", "rebuild", "item_counts_daily"]) == 0
    assert main(["rollups", "check"]) == 0
    _counts_match(store)


def test_the_daily_migration_fills_from_the_hours_and_goes_back_to_the_hourly_triggers(database_url: str) -> None:
    store = Store.from_url(database_url)
    store.add_items(_page(40, seed=9, prefix="m"))
    step_to(store.engine, "0016", down=True)
    assert "item_counts_daily" not in sa.inspect(store.engine).get_table_names()
    store.add_items(_page(30, seed=10, prefix="n"))  # counted by 0014's triggers alone
    with store.write() as connection:
        connection.execute(items.update().where(items.c.external_id.like("m1%")).values(sentiment_label="positive"))
    assert check_rollups(store, ["item_counts"]) == []
    step_to(store.engine, "head")
    _counts_match(store)  # the days filled from the hours
    assert _stored_rows(store, item_counts_daily) == 4 * 70
    store.add_items(_page(20, seed=11, prefix="p"))  # and kept by the new triggers
    _counts_match(store)
    store.engine.dispose()


def test_the_quarter_migration_fills_from_the_items_and_goes_back_to_the_daily_triggers(database_url: str) -> None:
    store = Store.from_url(database_url)
    store.add_items(_page(40, seed=12, prefix="q"))
    step_to(store.engine, "0020", down=True)
    assert "item_counts_quarters" not in sa.inspect(store.engine).get_table_names()
    store.add_items(_page(30, seed=13, prefix="r"))  # counted by 0017's triggers alone
    with store.write() as connection:
        connection.execute(items.update().where(items.c.external_id.like("q1%")).values(sentiment_label="positive"))
    assert check_rollups(store, ["item_counts", "item_counts_daily"]) == []
    step_to(store.engine, "head")
    _counts_match(store)  # the quarters filled from the items (and the months from the days)
    assert _stored_rows(store, item_counts_quarters) == 4 * 70
    store.add_items(_page(20, seed=14, prefix="s"))  # and kept by the new triggers
    _counts_match(store)
    with store.write() as connection:  # a quarter gone wrong is found, and rebuilt alone
        connection.execute(item_counts_quarters.update().values(items=item_counts_quarters.c["items"] + 1))
    assert {d.rollup for d in check_rollups(store)} == {"item_counts_quarters"}
    rebuild_rollups(store, ["item_counts_quarters"])
    _counts_match(store)
    store.engine.dispose()


def test_the_monthly_migration_fills_from_the_days_and_goes_back_to_the_quarter_triggers(database_url: str) -> None:
    store = Store.from_url(database_url)
    store.add_items(_page(40, seed=15, prefix="t"))
    with store.write() as connection:  # the last hour of a year: the months' edges
        connection.execute(
            items.update()
            .where(items.c.external_id.like("t1%"))
            .values(posted_at=NOW.replace(month=12, day=31, hour=23))
        )
    step_to(store.engine, "0021", down=True)
    assert "item_counts_monthly" not in sa.inspect(store.engine).get_table_names()
    store.add_items(_page(30, seed=16, prefix="u"))  # counted by 0021's triggers alone
    step_to(store.engine, "head")
    _counts_match(store)  # the months filled from the days
    assert _stored_rows(store, item_counts_monthly) == 4 * 70
    store.add_items(_page(20, seed=17, prefix="v"))  # and kept by the new triggers
    with store.write() as connection:
        connection.execute(items.update().where(items.c.external_id.like("v%")).values(sentiment_label="negative"))
    _counts_match(store)
    with store.write() as connection:
        connection.execute(item_counts_monthly.delete().where(item_counts_monthly.c.facet == "language"))
    assert {d.rollup for d in check_rollups(store)} == {"item_counts_monthly"}
    rebuild_rollups(store, ["item_counts_monthly"])
    _counts_match(store)
    store.engine.dispose()
