"""theme_counts (revision 0015) on SQLite and PostgreSQL: every write path keeps it exact, and the
Themes overview, theme series and the export's theme mix read from it the figures the rows give."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import sqlalchemy as sa

from tests.actors import admin
from tests.factories import new_item
from tests.integration.test_theme_store import bag_of_words
from voc.exports.summary import theme_mixes_between, theme_mixes_from_rows
from voc.privacy.erasure import Subject, erase
from voc.privacy.purge import purge_items
from voc.store.facade import Store
from voc.store.migrate import migrate, step_to
from voc.store.rollups import check_rollups, rebuild_rollups
from voc.store.schema import (
    coverage_counts,
    item_themes,
    items,
    theme_assessments,
    theme_counts,
    theme_counts_brand_daily,
    theme_counts_daily,
    themes,
)
from voc.themes import reports, service
from voc.themes import repository as repo
from voc.themes.assign import Method, ThemeHit
from voc.themes.rollups import (
    check_coverage_counts,
    check_theme_counts,
    compact_theme_counts,
    pending_changes,
    rebuild_theme_counts,
)
from voc.themes.taxonomy import Theme, ThemeStatus
from voc.themes.worker import ThemeWorker
from voc.trends import queries as trends
from voc.trends.queries import TrendFilters

T0 = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)  # a Monday
ADMIN = admin("ana")
BRANDS = ("Northwind Mobile", "Contoso Telecom", None)


def differences(store: Store) -> list[str]:
    """What check_theme_counts finds, before and after folding the appended changes (both: none)."""
    with store.read() as connection:
        before = [str(d) for d in check_theme_counts(connection) + check_coverage_counts(connection)]
    with store.write() as connection:
        compact_theme_counts(connection)
    with store.read() as connection:
        assert not pending_changes(connection)
        return before + [str(d) for d in check_theme_counts(connection) + check_coverage_counts(connection)]


def make_taxonomy(store: Store) -> dict[str, str]:
    """Two top-level themes with sub-themes, and two more that will be merged away later."""
    ids = {}
    ids["billing"] = service.create_theme(store, name="Billing", actor=ADMIN, now=T0)
    ids["network"] = service.create_theme(store, name="Network", actor=ADMIN, now=T0)
    ids["refunds"] = service.create_theme(store, name="Refunds", parent_id=ids["billing"], actor=ADMIN, now=T0)
    ids["outage"] = service.create_theme(store, name="Outage", parent_id=ids["network"], actor=ADMIN, now=T0)
    ids["charges"] = service.create_theme(store, name="Charges", actor=ADMIN, now=T0)
    ids["signal"] = service.create_theme(store, name="Signal", parent_id=ids["network"], actor=ADMIN, now=T0)
    ids["roaming"] = service.create_theme(store, name="Roaming", actor=ADMIN, now=T0)
    return ids


def random_items(store: Store, rng: random.Random, n: int, prefix: str = "r") -> list[int]:
    """Mentions and survey answers over ten days at any minute, some of them copies of others."""
    rows = []
    for k in range(n):
        survey = rng.random() < 0.3
        rows.append(
            new_item(
                f"{prefix}{k}",
                kind="survey" if survey else "mention",
                channel="survey" if survey else rng.choice(["x", "reddit"]),
                brand=rng.choice(BRANDS),
                posted_at=T0 + timedelta(minutes=rng.randrange(10 * 24 * 60), seconds=rng.randrange(60)),
                sentiment_label=rng.choice(["negative", "neutral", "positive"]),
                nps=rng.choice([None, 0, 3, 6, 7, 8, 9, 10]) if survey else None,
                csat=rng.choice([None, 1, 2, 3, 4, 5]) if survey else None,
                author=rng.choice(["@lena", "@omar", "@kim"]),
            )
        )
    store.add_items(rows)
    with store.read() as connection:
        found = connection.execute(
            sa.select(items.c.id).where(items.c.external_id.like(f"{prefix}%")).order_by(items.c.id)
        ).scalars()
        item_ids = [int(i) for i in found]
    with store.write() as connection:  # a tenth are copies of an earlier item (surveys never are, but may say so)
        for item_id in item_ids[1:]:
            if rng.random() < 0.1:
                connection.execute(items.update().where(items.c.id == item_id).values(duplicate_of=item_ids[0]))
    return item_ids


def assign_randomly(store: Store, rng: random.Random, item_ids: list[int], theme_ids: list[str]) -> None:
    hits = {
        item_id: [ThemeHit(t, 0.9, "test", Method.RULE) for t in rng.sample(theme_ids, rng.choice([0, 1, 2, 3]))]
        for item_id in item_ids
    }
    repo.write_assignments(store, hits, taxonomy=repo.load_taxonomy(store), now=T0)


@pytest.fixture
def themed(store: Store) -> tuple[Store, dict[str, str], list[int]]:
    rng = random.Random(21)
    ids = make_taxonomy(store)
    item_ids = random_items(store, rng, 400)
    assign_randomly(store, rng, item_ids, list(ids.values()))
    # Merged ids stay stored: an item may hold "charges" and "billing", which count as one.
    service.merge_themes(store, ids["charges"], ids["billing"], actor=ADMIN, now=T0)
    service.merge_themes(store, ids["signal"], ids["outage"], actor=ADMIN, now=T0)
    return store, ids, item_ids


RANGES = [
    (T0 + timedelta(hours=5, minutes=17), T0 + timedelta(days=6, hours=3, minutes=41)),
    (T0, T0 + timedelta(days=7)),
    (T0 + timedelta(days=1, minutes=30), T0 + timedelta(days=1, hours=2, minutes=10)),
    (T0 + timedelta(days=3, minutes=5), T0 + timedelta(days=3, minutes=50)),  # no whole hour inside
]


def assert_functions_agree(store: Store) -> None:
    taxonomy = repo.load_taxonomy(store)
    for start, end in RANGES:
        assert reports.coverage(store, start, end) == reports.coverage_from_rows(store, start, end)
        pd.testing.assert_frame_equal(
            reports.theme_summary(store, taxonomy, start, end),
            reports.theme_summary_from_rows(store, taxonomy, start, end),
        )
        for once in (False, True):
            for brand in (None, BRANDS[0]):
                assert theme_mixes_between(store, taxonomy, start, end, once=once, brand=brand) == (
                    theme_mixes_from_rows(store, taxonomy, start, end, once=once, brand=brand)
                )
        for theme_id in ("billing", "network.outage", "charges", "network.signal"):  # parent, sub, merged ids
            for freq, tz in (("D", "UTC"), ("D", "Asia/Kolkata"), ("W-MON", "Asia/Kolkata"), ("h", "Asia/Kolkata"),
                             ("h", "Europe/Paris")):  # fmt: skip
                pd.testing.assert_frame_equal(
                    reports.theme_series(store, taxonomy, theme_id, start, end, freq=freq, tz=tz),
                    reports.theme_series_from_rows(store, taxonomy, theme_id, start, end, freq=freq, tz=tz),
                )


def test_each_taxonomy_change_leaves_the_counts_exact_and_the_pages_equal(themed) -> None:
    store, ids, _ = themed
    assert differences(store) == []
    with store.read() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(theme_counts)).scalar_one() > 0
    assert_functions_agree(store)

    service.move_theme(store, ids["roaming"], ids["network"], actor=ADMIN, now=T0)  # re-parent
    assert differences(store) == []
    service.merge_themes(store, ids["outage"], ids["network"], actor=ADMIN, now=T0)  # a sub-theme into its parent
    assert differences(store) == []
    assert_functions_agree(store)

    service.archive_theme(store, ids["refunds"], actor=ADMIN, now=T0)  # retire a sub-theme
    assert differences(store) == []
    assert_functions_agree(store)


def test_every_write_path_keeps_the_counts_exact(themed) -> None:
    store, ids, item_ids = themed
    rng = random.Random(7)
    assign_randomly(store, rng, item_ids[:50], [ids["billing"], ids["refunds"], ids["network"]])  # assign more
    assert differences(store) == []

    taxonomy = repo.load_taxonomy(store)
    repo.write_assignments(  # re-assignment drops automatic themes: unassign
        store, {i: [] for i in item_ids[50:120]}, taxonomy=taxonomy, now=T0, replace=True
    )
    assert differences(store) == []

    store.correct_sentiment(item_ids[120:160], "positive", actor=ADMIN, now=T0)  # an agent's correction
    assert differences(store) == []

    with store.write() as connection:  # re-scoring, a late survey score, a moved timestamp, a brand fix
        connection.execute(items.update().where(items.c.id.in_(item_ids[160:200])).values(sentiment_label="negative"))
        connection.execute(items.update().where(items.c.id.in_(item_ids[200:220])).values(nps=10, csat=5))
        connection.execute(
            items.update().where(items.c.id.in_(item_ids[220:240])).values(posted_at=T0 + timedelta(days=2, minutes=7))
        )
        connection.execute(items.update().where(items.c.id.in_(item_ids[240:260])).values(brand=None))
        connection.execute(items.update().where(items.c.id.in_(item_ids[260:280])).values(duplicate_of=item_ids[0]))
    assert differences(store) == []

    erase(store, Subject.author("@lena"), actor=ADMIN, now=T0 + timedelta(days=30))  # deletes the items
    assert differences(store) == []
    with store.write() as connection:  # a plain delete: the themes go by cascade
        connection.execute(items.delete().where(items.c.id.in_(item_ids[300:320])))
    assert differences(store) == []
    with store.write() as connection:  # retention's purge
        purge_items(connection, item_ids[320:340])
    assert differences(store) == []
    with store.write() as connection:  # an assessment rewritten in place, and one dropped alone
        connection.execute(theme_assessments.update().where(theme_assessments.c.item_id.in_(item_ids[340:360]))
                           .values(themes=theme_assessments.c.themes + 1))  # fmt: skip
        connection.execute(theme_assessments.delete().where(theme_assessments.c.item_id.in_(item_ids[360:370])))
    assert differences(store) == []
    assert_functions_agree(store)


def test_promoting_a_proposal_counts_its_items_in_the_new_theme(themed) -> None:
    store, ids, item_ids = themed
    with store.write() as connection:
        version = repo.current_version(connection)
        repo.add_items_to_theme(connection, item_ids[:30], ids["refunds"], reason="test", method=Method.MANUAL,
                                version=version, now=T0)  # fmt: skip
    assert differences(store) == []


def test_a_rebuild_restores_counts_that_were_tampered_with(themed) -> None:
    store, _, _ = themed
    with store.write() as connection:
        for table in (theme_counts, theme_counts_daily, theme_counts_brand_daily):
            connection.execute(table.update().values(items=table.c["items"] + 1))
    assert differences(store) != []
    taxonomy, (start, end) = repo.load_taxonomy(store), RANGES[1]
    read = reports.theme_summary(store, taxonomy, start, end)  # the pages read the rollup: they see the damage
    assert not read.equals(reports.theme_summary_from_rows(store, taxonomy, start, end))
    assert theme_mixes_between(store, taxonomy, start, end) != theme_mixes_from_rows(store, taxonomy, start, end)
    for brand in BRANDS[:1]:  # one brand's days from theme_counts_brand_daily (revision 0024)
        by_brand = theme_mixes_between(store, taxonomy, start, end, brand=brand)
        assert by_brand != theme_mixes_from_rows(store, taxonomy, start, end, brand=brand)
    assert {d.rollup for d in check_rollups(store, ["theme_counts"])} == {
        "theme_counts",
        "theme_counts_daily",
        "theme_counts_brand_daily",
    }
    assert rebuild_rollups(store, ["theme_counts"])["theme_counts"] > 0  # python -m voc rollups rebuild
    assert check_rollups(store) == []
    with store.write() as connection:
        assert rebuild_theme_counts(connection) > 0
    assert differences(store) == []


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata", "America/St_Johns"])
def test_coverage_from_the_rollup_equals_the_rows_for_any_range(themed, zone: str) -> None:
    store, _, item_ids = themed
    tz = ZoneInfo(zone)
    local = datetime(2026, 11, 2, 0, 0, tzinfo=tz)  # local midnights: partial UTC hours in a :30 zone
    spans = [(local, local + timedelta(days=d)) for d in (1, 3, 7, 10)] + [
        (local + timedelta(hours=h, minutes=m), local + timedelta(days=9, hours=h))
        for h, m in ((0, 0), (5, 30), (13, 45))
    ]
    for start, end in [*RANGES, *spans]:
        assert reports.coverage(store, start, end) == reports.coverage_from_rows(store, start, end), (start, end)
    assert reports.coverage(store, T0, T0 + timedelta(days=10)).assessed == len(item_ids)


def test_a_rebuild_restores_coverage_counts_that_were_tampered_with(themed) -> None:
    store, _, _ = themed
    start, end = RANGES[1]
    with store.write() as connection:
        compact_theme_counts(connection)
        connection.execute(coverage_counts.update().values(themed=coverage_counts.c.themed + 1))
    assert reports.coverage(store, start, end) != reports.coverage_from_rows(store, start, end)
    assert {d.rollup for d in check_rollups(store, ["coverage_counts"])} == {"coverage_counts"}
    assert rebuild_rollups(store, ["coverage_counts"])["coverage_counts"] > 0
    assert check_rollups(store) == []
    assert reports.coverage(store, start, end) == reports.coverage_from_rows(store, start, end)


def test_the_trends_comparison_counts_themes_as_before(themed) -> None:
    store, _, _ = themed
    start, end = RANGES[0]
    taxonomy = repo.load_taxonomy(store)
    for filters in (
        TrendFilters(start, end),
        TrendFilters(start, end, brand=BRANDS[1], count_duplicates=True),
        TrendFilters(start, end, channel="x"),  # not in the rollup: read from the rows
    ):
        counted = trends.theme_counts(store, filters)
        from_rows = theme_mixes_from_rows(store, taxonomy, start, end, trends._conditions(filters))
        assert {k: (v.items, v.negative) for k, v in counted.items() if v.items} == {
            k: (m.items, m.negative) for k, m in from_rows.items() if k in counted
        }


def test_concurrent_writers_neither_deadlock_nor_miscount(themed) -> None:
    store, ids, item_ids = themed
    errors: list[BaseException] = []

    def reassign(seed: int) -> None:  # two theme workers, each on its own items (as their leases make them)
        rng = random.Random(seed)
        mine = item_ids[seed::2]
        try:
            for _ in range(6):
                chosen = sorted(rng.sample(mine, 60))  # in id order, as the worker takes them
                assign_randomly(store, rng, chosen, list(ids.values()))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    def correct(seed: int) -> None:  # agents correcting any item meanwhile
        rng = random.Random(seed)
        try:
            for _ in range(6):
                store.correct_sentiment(rng.sample(item_ids, 40), rng.choice(["negative", "positive"]), actor=ADMIN,
                                        now=T0)  # fmt: skip
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    def fold(_seed: int) -> None:  # the worker folding changes meanwhile
        try:
            for _ in range(10):
                with store.write() as connection:
                    compact_theme_counts(connection)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    jobs = (reassign, reassign, correct, correct, fold)
    workers = [threading.Thread(target=f, args=(s,)) for s, f in enumerate(jobs)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert differences(store) == []


def test_the_migration_counts_what_is_stored_and_steps_back_cleanly(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    try:
        step_to(engine, "0014")
        taxonomy = [  # stored before the counts exist: a theme, a sub-theme, an id merged into the theme
            Theme("billing", "Billing"),
            Theme("billing.refunds", "Refunds", parent_id="billing"),
            Theme("charges", "Charges", status=ThemeStatus.ARCHIVED, alias_of="billing"),
        ]
        with engine.begin() as connection:
            connection.execute(themes.insert(), [{**t.to_row(), "created_at": T0, "updated_at": T0} for t in taxonomy])
        store = Store.from_url(database_url, upgrade=False)
        rng = random.Random(3)
        item_ids = random_items(store, rng, 120)
        with engine.begin() as connection:
            connection.execute(
                item_themes.insert(),
                [
                    {"item_id": i, "theme_id": t, "confidence": 1.0, "reason": "", "method": "rule",
                     "taxonomy_version": 1, "assigned_at": T0}
                    for i in item_ids for t in rng.sample([t.id for t in taxonomy], rng.choice([0, 1, 2, 3]))
                ],
            )  # fmt: skip

        migrate(engine)

        assert differences(store) == []
        with store.read() as connection:
            assert connection.execute(sa.select(sa.func.count()).select_from(theme_counts)).scalar_one() > 0
        step_to(engine, "0014", down=True)
        with engine.begin() as connection:
            assert not sa.inspect(connection).has_table("theme_counts")
            assert not sa.inspect(connection).has_table("theme_count_map")
            assert not sa.inspect(connection).has_table("theme_counts_daily")
            connection.execute(item_themes.delete().where(item_themes.c.item_id == item_ids[0]))  # no trigger left
            connection.execute(items.update().values(sentiment_label="neutral"))
        store.engine.dispose()
    finally:
        engine.dispose()


def test_the_theme_worker_re_assigns_and_then_folds_the_changes(themed, monkeypatch: pytest.MonkeyPatch) -> None:
    store, _, _ = themed
    monkeypatch.setattr(service, "default_embed", bag_of_words)  # no model: a hashed bag of words
    worker = ThemeWorker(store, "test", clock=lambda: T0 + timedelta(days=12), every_s=0)
    for _ in range(4):  # the re-assignment the merges queued, then an idle tick that folds
        worker.tick()
    with store.read() as connection:
        assert not pending_changes(connection)
        assert check_theme_counts(connection) == []


def test_the_coverage_migration_counts_what_is_stored_and_steps_back_cleanly(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    try:
        step_to(engine, "0017")
        # Today's theme code writes `theme_counts_brand_daily` (revision 0024) too: it stands in for
        # the writes of the code of 0017 here, and goes before 0024 makes it again.
        theme_counts_brand_daily.create(engine)
        store = Store.from_url(database_url, upgrade=False)
        ids = make_taxonomy(store)
        rng = random.Random(5)
        item_ids = random_items(store, rng, 150)
        assign_randomly(store, rng, item_ids, list(ids.values()))  # assessed before the counts exist
        theme_counts_brand_daily.drop(engine)

        migrate(engine)

        assert differences(store) == []
        start, end = RANGES[0]
        assert reports.coverage(store, start, end) == reports.coverage_from_rows(store, start, end)
        assert reports.coverage(store, T0, T0 + timedelta(days=10)).assessed == len(item_ids)
        step_to(engine, "0017", down=True)
        with engine.begin() as connection:
            assert not sa.inspect(connection).has_table("coverage_counts")
            assert not sa.inspect(connection).has_table("coverage_count_changes")
            connection.execute(theme_assessments.delete().where(theme_assessments.c.item_id == item_ids[0]))
            connection.execute(items.delete().where(items.c.id == item_ids[1]))  # no trigger left
        store.engine.dispose()
    finally:
        engine.dispose()


def test_one_brand_s_whole_days_come_from_the_brand_daily_counts(themed) -> None:
    """Revision 0024: a range read for one brand takes its whole days from
    `theme_counts_brand_daily` (the Trends page's default is the own brand), the rest as before."""
    store, _, _ = themed
    taxonomy, (start, end) = repo.load_taxonomy(store), (T0, T0 + timedelta(days=12, hours=5))
    for brand in BRANDS:
        assert theme_mixes_between(store, taxonomy, start, end, once=True, brand=brand) == (
            theme_mixes_from_rows(store, taxonomy, start, end, once=True, brand=brand)
        )
    with store.write() as connection:  # the brand days alone doubled: one brand's read follows them
        table = theme_counts_brand_daily
        connection.execute(table.update().values(items=table.c["items"] * 2))
    brand = BRANDS[0]
    assert theme_mixes_between(store, taxonomy, start, end, brand=brand) != (
        theme_mixes_from_rows(store, taxonomy, start, end, brand=brand)
    )
    assert theme_mixes_between(store, taxonomy, start, end) == theme_mixes_from_rows(store, taxonomy, start, end)
    assert {d.rollup for d in check_rollups(store, ["theme_counts"])} == {"theme_counts_brand_daily"}
