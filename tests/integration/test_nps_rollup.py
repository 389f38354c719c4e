"""`nps_responses` and `nps_counts` (revision 0020) stay equal to a recount of `items` after every
write path, on SQLite and PostgreSQL, because triggers keep them; the Trends headline's NPS read
from them for long ranges is the NPS of the items, in whole-hour and half- and quarter-hour zones;
`rollups check` finds drift and `rollups rebuild` mends it; the migration fills and goes back.
"""

from __future__ import annotations

import random
import threading
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from tests.actors import admin
from tests.factories import new_item
from tests.privacy_workspace import NOW, fill
from voc.__main__ import main
from voc.access.roles import Actor, Role
from voc.inbox.storing import lock_item_writers
from voc.privacy.erasure import Subject, erase
from voc.privacy.policy import save_retention
from voc.privacy.retention import sweep
from voc.store.facade import Store
from voc.store.migrate import step_to
from voc.store.rollups import check_rollups, rebuild_rollups
from voc.store.schema import items, nps_counts, nps_responses, nps_spread
from voc.surveys.importer import import_path
from voc.trends import queries as trends
from voc.trends.queries import TrendFilters

ADMIN = Actor("olga@northwind.example", Role.ADMIN)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "surveys"
START = datetime(2025, 1, 1, tzinfo=UTC)
END = datetime(2026, 3, 1, 7, 41, tzinfo=UTC)  # not on an hour: both edges are read from the items
ZONES = ("UTC", "Europe/Berlin", "Asia/Kolkata", "Asia/Kathmandu")
BRANDS = ("Northwind Mobile", "Contoso", None)


def _responses(n: int, *, seed: int, prefix: str, start: datetime = START, days: float = 430) -> list:
    """Survey responses of one to three comment fields each (one item a field, sharing the
    response's time, brand and score, as the importer stores them), some with one field rescored,
    and a few mentions with an NPS-less copy."""
    rng = random.Random(seed)
    out = []
    for r in range(n):
        posted = start + timedelta(seconds=rng.randrange(int(days * 86400)))
        brand, score, survey = rng.choice(BRANDS), rng.randrange(11), rng.choice(["rel", "tx"])
        for field in range(rng.randint(1, 3)):
            nps = score if field == 0 or rng.random() < 0.8 else rng.randrange(11)  # a field may differ
            out.append(
                new_item(f"{prefix}{r}-{field}", kind="survey", channel="survey", survey=survey,
                         response_id=f"{prefix}{r}", nps=nps, posted_at=posted, brand=brand, text=f"answer {field}")
            )  # fmt: skip
    return out


def _exact(store: Store) -> None:
    differences = check_rollups(store, ["nps_responses"])
    assert differences == [], "\n".join(map(str, differences[:10]))


def _responses_stored(store: Store) -> int:
    with store.read() as connection:
        return int(connection.execute(sa.select(sa.func.sum(nps_counts.c.responses))).scalar() or 0)


def test_the_importer_gives_every_item_of_a_response_its_time_and_brand(store: Store, clock) -> None:
    """The invariant the hourly counts rely on: a response lies in one hour and one brand."""
    import_path(store, FIXTURES / "qualtrics_relationship_nps.csv", survey="Relationship NPS", brand="Northwind",
                clock=clock, actor=admin("importer"))  # fmt: skip
    with store.read() as connection:
        rows = connection.execute(
            sa.select(items.c.survey, items.c.response_id, items.c.posted_at, items.c.brand).where(
                items.c.survey.is_not(None)
            )
        ).all()
    by_response: dict[tuple[str, str], set] = defaultdict(set)
    for survey, response, posted_at, brand in rows:
        by_response[(survey, response)].add((posted_at, brand))
    assert len(rows) > len(by_response) > 1  # some response has several comment items
    assert all(len(found) == 1 for found in by_response.values())
    _exact(store)
    assert _responses_stored(store) == len(by_response)


def test_every_write_path_keeps_the_nps_rollup_exact(store: Store, tmp_path: Path, clock) -> None:
    workspace = fill(store, tmp_path / "exports")  # save path, a survey respondent, notes, triage
    _exact(store)
    import_path(store, FIXTURES / "qualtrics_relationship_nps.csv", survey="Relationship NPS", clock=clock,
                actor=admin("importer"))  # fmt: skip
    _exact(store)
    store.add_items(_responses(80, seed=1, prefix="a", start=NOW - timedelta(days=40), days=60))
    _exact(store)
    assert store.add_items(_responses(80, seed=1, prefix="a", start=NOW - timedelta(days=40), days=60)) == 0
    _exact(store)

    with store.read() as connection:
        some = list(
            connection.execute(sa.select(items.c.id).where(items.c.nps.is_not(None)).order_by(items.c.id).limit(30))
        .scalars())  # fmt: skip
    edits = [
        ({"nps": 10}, some[0:3]),
        ({"nps": None}, some[3:5]),
        ({"nps": 2}, some[5:7]),
        ({"posted_at": NOW - timedelta(days=3, minutes=7)}, some[7:9]),
        ({"brand": "Contoso"}, some[9:11]),
        ({"brand": None}, some[11:12]),
        ({"is_competitor": True}, some[12:13]),
        ({"kind": "mention", "duplicate_of": some[0]}, some[13:15]),  # a copy: left out of the NPS
        ({"kind": "survey"}, some[13:14]),  # back to a survey answer: counted again
        ({"duplicate_of": None}, some[14:15]),
        ({"response_id": None}, some[15:17]),  # keyed by external id then
        ({"survey": None}, some[17:18]),
    ]
    for values, ids in edits:
        with store.write() as connection:
            connection.execute(items.update().where(items.c.id.in_(ids)).values(**values))
        _exact(store)
    with store.write() as connection:  # one statement moving many responses at once
        connection.execute(items.update().where(items.c.nps.is_not(None)).values(nps=(items.c.nps + 3) % 11))
    _exact(store)

    erase(store, Subject.author("@lena@social.example"), actor=ADMIN, now=NOW, exports_dir=workspace.exports_dir)
    _exact(store)
    save_retention(store, {"test-source": 1}, actor=ADMIN, now=NOW)
    assert sweep(store, now=NOW + timedelta(days=30), exports_dir=workspace.exports_dir, batch_size=50)
    _exact(store)

    with store.write() as connection:
        connection.execute(items.delete())
    _exact(store)
    with store.read() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(nps_responses)).scalar() == 0
        left = connection.execute(sa.select(nps_counts.c.responses, nps_counts.c.promoters, nps_counts.c.detractors))
        assert all(row == (0, 0, 0) for row in left)  # an hour's row stays, at zero


def test_the_headline_nps_from_the_hours_is_the_nps_of_the_items(store: Store) -> None:
    store.add_items(_responses(1500, seed=2, prefix="b"))
    with store.write() as connection:  # not the importer's way: some responses spread over hours and brands
        moved = connection.execute(sa.select(items.c.id, items.c.posted_at).where(items.c.external_id.like("b1%-1")))
        for item_id, posted_at in list(moved):
            later = posted_at + timedelta(minutes=50)
            connection.execute(items.update().where(items.c.id == item_id).values(posted_at=later))
        connection.execute(items.update().where(items.c.external_id.like("b2%-2")).values(brand="Contoso"))
    with store.read() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(nps_spread)).scalar_one() > 20
    _exact(store)
    for days in (1, 2, 3, 4, 7, 30, 90, 365):
        for tz in ZONES:
            for brand in (None, "Contoso"):
                filters = TrendFilters(END - timedelta(days=days, minutes=13), END, tz=tz, brand=brand)
                rolled = trends.summary(store, filters)
                assert rolled == trends.summary(store, filters, use_rollup=False), (days, tz, brand)
                assert rolled.survey_responses > 0 or days < 7
    filters = TrendFilters(END - timedelta(days=365), END, tz="Asia/Kathmandu")  # whole report and its comparison
    with_rollups, from_items = trends.report(store, filters), trends.report(store, filters, use_rollup=False)
    assert with_rollups.summary == from_items.summary and with_rollups.comparison == from_items.comparison
    aligned = TrendFilters(datetime(2025, 6, 1, tzinfo=UTC), datetime(2025, 9, 1, tzinfo=UTC))  # no edge at all
    assert trends.summary(store, aligned) == trends.summary(store, aligned, use_rollup=False)
    with store.write() as connection:  # the hours are what the long range reads: spoil them and it shows
        connection.execute(nps_counts.update().values(responses=nps_counts.c.responses + 1))
    assert (
        trends.summary(store, aligned).survey_responses
        > trends.summary(store, aligned, use_rollup=False).survey_responses
    )


def test_the_check_finds_drift_and_the_rebuild_mends_it(store: Store, database_url: str, monkeypatch, capsys) -> None:
    monkeypatch.setenv("VOC_DATABASE_URL", database_url)
    store.add_items(_responses(60, seed=3, prefix="c"))
    assert main(["rollups", "check"]) == 0
    with store.write() as connection:
        hour = connection.execute(sa.select(nps_counts.c.hour).limit(1)).scalar_one()
        connection.execute(
            nps_counts.update().where(nps_counts.c.hour == hour).values(promoters=nps_counts.c.promoters + 1)
        )
        connection.execute(nps_responses.delete().where(nps_responses.c.hour != hour))
    differences = check_rollups(store, ["nps_responses"])
    assert {d.rollup for d in differences} == {"nps_responses", "nps_counts"}
    assert main(["rollups", "check"]) == 1
    assert "nps_counts (" in capsys.readouterr().out

    assert rebuild_rollups(store, ["nps_responses"])["nps_responses"] > 0
    assert main(["rollups", "check"]) == 0
    _exact(store)


def test_the_migration_fills_from_the_items_and_goes_back(database_url: str) -> None:
    store = Store.from_url(database_url)
    store.add_items(_responses(50, seed=4, prefix="d"))
    step_to(store.engine, "0019", down=True)
    tables = sa.inspect(store.engine).get_table_names()
    assert "nps_responses" not in tables and "nps_counts" not in tables
    store.add_items(_responses(30, seed=5, prefix="e"))  # no trigger left behind to fail
    with store.write() as connection:
        connection.execute(items.update().where(items.c.external_id.like("d1%")).values(nps=0))
        connection.execute(items.delete().where(items.c.external_id.like("d2%")))
    step_to(store.engine, "head")
    _exact(store)
    responses = sa.select(items.c.survey, items.c.response_id).where(items.c.nps.is_not(None)).distinct().subquery()
    with store.read() as connection:
        assert (
            _responses_stored(store) == connection.execute(sa.select(sa.func.count()).select_from(responses)).scalar()
        )
    store.add_items(_responses(20, seed=6, prefix="f"))  # and kept by the triggers
    _exact(store)
    store.engine.dispose()


def test_concurrent_importers_and_corrections_of_the_same_hours_stay_exact(store: Store) -> None:
    """Survey answers stored by several writers at once in the same hours, one answer's score
    corrected meanwhile (each takes the item writers' turn, as the importer does)."""
    store.add_items(_responses(40, seed=7, prefix="g", start=NOW - timedelta(hours=6), days=0.25))
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def run(work: Callable[[int], object]) -> None:
        try:
            start.wait()
            for round_ in range(4):
                work(round_)
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)

    def correct(round_: int) -> None:
        with store.write() as connection:
            lock_item_writers(connection)
            connection.execute(items.update().where(items.c.external_id.like("g1%")).values(nps=round_))

    workers = [
        lambda r, w=w: store.add_items(
            _responses(25, seed=100 * w + r, prefix=f"h{w}-{r}-", start=NOW - timedelta(hours=6), days=0.25)
        )
        for w in range(3)
    ] + [correct]
    threads = [threading.Thread(target=run, args=(work,)) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    _exact(store)
