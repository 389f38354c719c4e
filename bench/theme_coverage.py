"""Theme coverage of the demo feed under each starter set: the care set (the one every install had
before issue 16) against the industry sets, on the same stored items, in one run.

The demo's back-filled week (the hand-written scenario with its outage and the generated days
around it) is stored once through the product's runner, without themes; then, per set, a copy of
that database picks the set as an admin would and the listener's theme step assigns every item.
Printed per set: coverage (share of assessed items with at least one theme) over the week and over
the scenario's own 806 items, and how many outage-window complaints land in a network theme.
Figures are printed, never asserted.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from _common import REPO  # noqa: F401  (puts the checkout on sys.path)

from listeners.registry import DEMO_SOURCES
from listeners.replay import ReplayListener, scenario_start
from listeners.runner import Runner
from voc.access.roles import LOCAL_ACTOR
from voc.store.facade import Store
from voc.store.schema import item_themes, items, theme_assessments
from voc.themes import reports, service
from voc.themes.industries import INDUSTRIES
from voc.themes.worker import ThemeWorker

INSTALLED = datetime(2026, 11, 25, 10, 20, tzinfo=UTC)
BRAND = "Northwind Mobile"


def backfilled(folder: Path) -> Path:
    """The demo week stored by the runner (no theme step), in a SQLite file."""
    path = folder / "demo.db"
    store = Store.from_url(f"sqlite:///{path}")
    listeners = {}
    for name, part in DEMO_SOURCES.items():
        store.ensure_source(name, "replay", {"part": part})
        listeners[name] = ReplayListener(name, part, brand=BRAND, clock=lambda: INSTALLED)
    runner = Runner(store, listeners, owner="bench", clock=lambda: INSTALLED, workers=[])
    while runner.run_once():
        pass
    store.engine.dispose()
    return path


def measure(path: Path, name: str) -> tuple[reports.Coverage, reports.Coverage, int, int]:
    store = Store.from_url(f"sqlite:///{path}")
    service.apply_starter_set(store, name, actor=LOCAL_ACTOR, now=INSTALLED)
    worker = ThemeWorker(store, "bench", clock=lambda: INSTALLED, every_s=0)
    while worker.tick():
        pass
    week = reports.coverage(store, INSTALLED - timedelta(days=8), INSTALLED + timedelta(days=1))
    scenario_items = items.c.external_id.like("s%")  # the hand-written scenario; generated ones are "g-…"
    outage_start = scenario_start(INSTALLED) + timedelta(minutes=2400)
    in_network = sa.select(item_themes.c.item_id).where(item_themes.c.theme_id.like("network%"))
    complaints = sa.and_(
        items.c.posted_at >= outage_start,
        items.c.posted_at < outage_start + timedelta(minutes=300),
        items.c.sentiment_label == "negative",
    )
    with store.read() as connection:
        total, themed = connection.execute(
            sa.select(sa.func.count(), sa.func.sum(sa.case((theme_assessments.c.themes > 0, 1), else_=0)))
            .select_from(items.join(theme_assessments, theme_assessments.c.item_id == items.c.id))
            .where(scenario_items)
        ).one()
        outage = connection.execute(sa.select(sa.func.count()).where(complaints)).scalar_one()
        caught = connection.execute(
            sa.select(sa.func.count()).where(complaints, items.c.id.in_(in_network))
        ).scalar_one()
    store.engine.dispose()
    scenario = reports.Coverage(int(total), int(total), int(themed or 0))
    return week, scenario, int(caught), int(outage)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = backfilled(Path(tmp))
        print(f"demo week installed {INSTALLED:%Y-%m-%d %H:%M} UTC")
        print(
            f"{'starter set':<12} {'week coverage':>14} {'scenario coverage':>18} {'outage complaints in network':>30}"
        )
        for name in INDUSTRIES:
            copy = Path(tmp) / f"{name}.db"
            shutil.copy(source, copy)
            week, scenario, in_network, outage = measure(copy, name)
            print(
                f"{name:<12} {week.share:>14.1%} {scenario.share:>18.1%} {f'{in_network} of {outage}':>30}"
                f"   ({week.assessed} items)"
            )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
