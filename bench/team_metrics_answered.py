"""Team metrics over 14 days on a kept `bench/scale.py` database when most of the window was
answered, around the clock and in business hours, now and as a git revision had them (issue #21).

`scale.py`'s data has no answered item; `--answer` first records a first response on a share of
the items posted since 15 November (posted + 0-30 h at random), as a team that answers most of
its queue would, and `VACUUM ANALYZE`s on PostgreSQL. It writes: run it on a copy (a SQLite file
copied first, or a PostgreSQL database made with `CREATE DATABASE copy TEMPLATE voc_scale`).
The SLA settings are set for each measurement (the default, then weekdays 9:00-17:30 in Berlin
for every channel) and left at the default. Each call now and at `--before` (the module's text at
that revision, run against this code's other modules), alternately, median of `--rounds`; the
figures of both must be the same, and are checked. Printed, never asserted.

    python bench/team_metrics_answered.py --keep teamtime --database sqlite --answer
    python bench/team_metrics_answered.py --keep m10 --answer \
        --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/voc_teamtime
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from types import ModuleType
from typing import Any

import _common
import sqlalchemy as sa
from scale import DEFAULT_POSTGRES, NOW, open_kept

from voc.access.roles import Actor, Role
from voc.inbox import care_settings as cs
from voc.inbox import team_metrics as now_module
from voc.inbox.sla import SlaSettings
from voc.store.facade import Store
from voc.store.schema import items

ADMIN = Actor("bench@northwind.example", Role.ADMIN)
ANSWERED_SINCE = datetime(2026, 11, 15, tzinfo=UTC)


def module_at(revision: str) -> ModuleType:
    """`voc/inbox/team_metrics.py` as it was at `revision`, importable beside today's modules."""
    source = subprocess.run(
        ["git", "show", f"{revision}:voc/inbox/team_metrics.py"],
        cwd=_common.REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    spec = importlib.util.spec_from_loader(f"team_metrics_at_{revision}", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    exec(compile(source, f"team_metrics.py@{revision}", "exec"), module.__dict__)  # noqa: S102 - our own file
    return module


def answer(store: Store, share: float) -> int:
    """A first response on `share` of the items posted since `ANSWERED_SINCE`, 0-30 h after posting."""
    with store.write() as connection:
        if store.dialect == "postgresql":
            count = connection.execute(
                sa.text(
                    "UPDATE items SET first_response_at = posted_at + random() * INTERVAL '30 hours'"
                    " WHERE posted_at >= :since AND random() < :share"
                ),
                {"since": ANSWERED_SINCE, "share": share},
            ).rowcount
        else:
            rng = random.Random(21)
            rows = connection.execute(
                sa.select(items.c.id, items.c.posted_at).where(items.c.posted_at >= ANSWERED_SINCE)
            )
            chosen = [
                {"row": row_id, "answered": posted + timedelta(seconds=rng.uniform(0, 30 * 3600))}
                for row_id, posted in rows
                if rng.random() < share
            ]
            update = items.update().where(items.c.id == sa.bindparam("row"))
            connection.execute(update.values(first_response_at=sa.bindparam("answered")), chosen)
            count = len(chosen)
    if store.dialect == "postgresql":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE items")
    return count


def office_hours() -> SlaSettings:
    berlin = cs.team_policy(
        targets_hours={"urgent": 1, "high": 4, "normal": 24}, tz="Europe/Berlin", days=range(5),
        opens=clock_time(9), closes=clock_time(17, 30),
    )  # fmt: skip
    return cs.with_team(SlaSettings(), "default", berlin)


def same_figures(one: Any, other: Any) -> bool:
    """Every figure equal, the daily and breach tables to the last bit."""
    scalars = ("median_first_response_min", "answered_within_sla", "answered", "breached_open")
    return (
        all(getattr(one, name) == getattr(other, name) for name in scalars)
        and one.daily.equals(other.daily)
        and one.breaches.equals(other.breaches)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", required=True, metavar="NAME", help="the kept database's name (scale.py --keep)")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--before", default="main", help="the git revision to compare with")
    parser.add_argument("--answer", action="store_true", help="first record answers (writes: a copy only)")
    parser.add_argument("--share", type=float, default=0.6, help="the share of items --answer answers")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    store = open_kept(args.database, args.postgres_url, args.keep)
    if args.answer:
        print(f"answered {answer(store, args.share):,} items posted since {ANSWERED_SINCE:%d %B}")
    before = module_at(args.before)
    print(f"| team metrics, 14 days, {args.database} | answered | {args.before} | now | same figures |")
    print("|---|---|---|---|---|")
    for name, settings in (("around the clock", SlaSettings()), ("weekdays 9:00-17:30, Berlin", office_hours())):
        cs.save_sla_settings(store, settings, actor=ADMIN, now=NOW)
        times: dict[str, list[float]] = {"before": [], "now": []}
        results: dict[str, Any] = {}
        for _ in range(args.rounds):
            for label, module in (("before", before), ("now", now_module)):
                started = time.perf_counter()
                results[label] = module.team_metrics(store, now=NOW, days=14)
                times[label].append(time.perf_counter() - started)
        medians = {label: f"{statistics.median(each) * 1000:,.0f} ms" for label, each in times.items()}
        same = same_figures(results["before"], results["now"])
        answered = results["now"].answered
        print(f"| {name} | {answered:,} | {medians['before']} | {medians['now']} | {same} |", flush=True)
    cs.save_sla_settings(store, SlaSettings(), actor=ADMIN, now=NOW)


if __name__ == "__main__":
    main()
