"""The demo feed run through the product's own runner for its week of history and on for twice as
long: no text stored twice as distinct items, the only spike alerts are on the outage, and the week
before install is exported with content."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from listeners.registry import DEMO_SOURCES, register_demo_sources
from listeners.replay import SCENARIO_DAYS, ReplayListener, scenario_start
from listeners.runner import Runner, standard_workers
from tests.conftest import FrozenClock
from voc.exports import ExportScheduler, list_exports, week_of
from voc.settings import Settings
from voc.store.facade import Store
from voc.store.schema import alerts, items
from voc.trends.spikes import RULES

BRAND = "Northwind Mobile"
OUTAGE = (timedelta(minutes=2400), timedelta(minutes=2700))  # listeners/demo/README.md
STEP = timedelta(minutes=30)


def test_a_fortnight_of_demo_feed_stores_every_text_once_and_alerts_on_the_outage(store: Store, tmp_path) -> None:
    clock = FrozenClock(datetime(2026, 11, 25, 10, 20, tzinfo=UTC))  # a Wednesday morning
    settings = Settings.load({"VOC_DEMO_FEED": "on", "VOC_DATA_DIR": str(tmp_path), "VOC_BRAND": BRAND})
    register_demo_sources(store, settings)
    listeners = {name: ReplayListener(name, part, brand=BRAND, clock=clock) for name, part in DEMO_SOURCES.items()}
    exports = ExportScheduler(store, tmp_path / "exports", clock=clock, background=False)
    runner = Runner(
        store,
        listeners,
        owner="demo-week",
        clock=clock,
        workers=[*standard_workers(store, "demo-week", clock), exports],
    )
    while runner.run_once():  # the back-filled week, a page per poll
        pass
    installed = clock.now
    anchor = scenario_start(installed)
    backfilled = store.count_items()
    # The scenario's three days, then twice as long again, half an hour at a time.
    end = installed + 2 * timedelta(days=SCENARIO_DAYS)
    while clock.now < end:
        clock.advance(seconds=STEP.total_seconds())
        runner.run_once()

    with store.read() as connection:
        repeated = connection.execute(
            sa.select(items.c.text, sa.func.count()).group_by(items.c.text).having(sa.func.count() > 1)
        ).all()
        posted = connection.execute(sa.select(items.c.posted_at)).scalars().all()
        spikes = connection.execute(sa.select(alerts.c.rule, alerts.c.details).where(alerts.c.rule.in_(RULES))).all()
    assert repeated == []
    assert backfilled > 1000 and len(posted) > backfilled + 800  # alive: hundreds of new items since
    full_days = {(installed + timedelta(days=n)).date() for n in range(1, 2 * SCENARIO_DAYS)}
    per_day = Counter(moment.date() for moment in posted if moment.date() in full_days)
    assert len(per_day) == len(full_days) and min(per_day.values()) >= 60, per_day  # weekends too
    assert max(posted) <= clock.now  # nothing stamped in the future
    outage_start, outage_end = anchor + OUTAGE[0], anchor + OUTAGE[1]
    hours = [datetime.fromisoformat(details["hour"]) for _, details in spikes]
    assert {rule for rule, _ in spikes} >= {"volume_spike"}
    assert all(outage_start - timedelta(hours=1) <= hour < outage_end for hour in hours), hours
    # A report from day one: the week before install is exported with content, and no week without.
    produced = {export.label: export.items for export in list_exports(tmp_path / "exports")}
    assert produced[week_of(installed.date() - timedelta(days=7)).label] > 300
    assert all(count > 0 for count in produced.values())
