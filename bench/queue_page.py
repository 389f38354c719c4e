"""The care queue's page calls at scale (issue #21, item 2): `open_queue` page 1 of each view, a
deep page by key, the page before it, and `next_item_id`, with and without a VIP list.

The data is `bench/scale.py`'s (`scale.build`: a year of items through the save path, every item of
the last 30 days open), built once into `--database` (a SQLite file, kept and reused: building a
million items takes a while) and upgraded to the code's latest revision when opened. Figures are
medians of `--rounds`, printed, never asserted; each call is timed now and as it was before revision 0016 (`bench/_baseline_queue.py`, the same
database), alternately, with the ratio (docs/inbox.md "At scale" keeps the figures).

    python bench/queue_page.py --items 300000 --database /tmp/queue-300k.db

`--two-calls` times only the two page calls of issue #21's 10M check (the Inbox's page data and the
team metrics over 14 days); with `--postgres URL --schema NAME` on an existing `bench/scale.py`
schema instead of the SQLite file (opening it upgrades it to this code's revision):

    python bench/queue_page.py --two-calls --postgres postgresql+psycopg://postgres@127.0.0.1:5432/voc_scale \
        --schema bench_keep_m10
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import _baseline_queue
import _common  # noqa: F401 - puts the repository on sys.path
import scale
import sqlalchemy as sa

from voc.access.roles import LOCAL_ACTOR, Permission
from voc.inbox import queue as care_queue
from voc.inbox import team_metrics as metrics
from voc.inbox.vip import VIP_SETTINGS_KEY
from voc.store.facade import Store
from voc.store.schema import items


def median_ms(call: Callable[[], Any], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def set_vips(store: Store, handles: int) -> None:
    """The VIP list: `handles` of the generated authors (@user0 …), tiers in turn."""
    tiers = ("platinum", "gold", "silver", "vip")
    value = {"handles": {f"user{n}": tiers[n % len(tiers)] for n in range(handles)}, "keys": {}}
    store.put_setting(VIP_SETTINGS_KEY, value, actor=LOCAL_ACTOR, permission=Permission.CONFIGURE_CARE, now=scale.NOW)


def calls(store: Store, rounds: int) -> None:
    """Each call now and before revision 0016 (`_baseline_queue`), alternately, and the ratio."""
    everyone = care_queue.QueueFilter()
    first = care_queue.open_queue(store, everyone, now=scale.NOW)
    deep = 40
    before_deep = care_queue.open_queue(store, everyone, now=scale.NOW, page=deep - 1)
    at_deep = care_queue.open_queue(store, everyone, now=scale.NOW, page=deep, after=before_deep.last_key)
    top_id = int(first.rows.iloc[0]["id"])
    unassigned = care_queue.QueueFilter(view=care_queue.View.UNASSIGNED)
    mine = care_queue.QueueFilter(view=care_queue.View.MINE, agent="ana")
    chatter = care_queue.QueueFilter(channel="x", include_chatter=True)
    measured: dict[str, Callable[[Any], Any]] = {
        "page 1, All open": lambda m: m.open_queue(store, everyone, now=scale.NOW),
        "page 1, Unassigned": lambda m: m.open_queue(store, unassigned, now=scale.NOW),
        "page 1, Mine (agent with none)": lambda m: m.open_queue(store, mine, now=scale.NOW),
        "page 1, one channel, with chatter": lambda m: m.open_queue(store, chatter, now=scale.NOW),
        f"page {deep}, by key": lambda m: m.open_queue(
            store, everyone, now=scale.NOW, page=deep, after=before_deep.last_key
        ),
        f"page {deep - 1}, back by key": lambda m: m.open_queue(
            store, everyone, now=scale.NOW, page=deep - 1, before=at_deep.first_key
        ),
        "next item after the top one": lambda m: m.next_item_id(store, top_id, everyone),
    }
    print(f"   {first.counts[care_queue.View.ALL]:,} in the queue")
    print(f"   {'call':<40} {'now':>9} {'before':>9} {'ratio':>6}")
    for name, call in measured.items():
        now, before = [], []
        for _ in range(rounds):
            now.append(median_ms(lambda call=call: call(care_queue), 1))  # type: ignore[misc]
            before.append(median_ms(lambda call=call: call(_baseline_queue), 1))  # type: ignore[misc]
        a, b = statistics.median(now), statistics.median(before)
        print(f"   {name:<40} {a:6.1f} ms {b:6.1f} ms {a / b:6.2f}")


def two_calls(store: Store, rounds: int) -> None:
    """The Inbox's page data and the team metrics (14 days): each round's time and the median.
    Nothing here needs this branch's code, so the same function times an older checkout."""
    calls = {
        "Inbox page data": lambda: care_queue.open_queue(store, care_queue.QueueFilter(), now=scale.NOW),
        "team metrics 14 days": lambda: metrics.team_metrics(store, now=scale.NOW, days=14),
    }
    for name, call in calls.items():
        times = [median_ms(call, 1) for _ in range(rounds)]
        rounds_text = ", ".join(f"{t:.0f}" for t in times)
        print(f"   {name:<24} median {statistics.median(times):6.0f} ms  ({rounds_text})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000, help="items to build when the file is new")
    parser.add_argument(
        "--database", type=Path, default=Path("queue.db"), help="SQLite file: built when missing, else reused"
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--vips", type=int, default=200, help="VIP handles for the second run (0: skip it)")
    parser.add_argument("--two-calls", action="store_true", help="only the two page calls of issue #21's 10M check")
    parser.add_argument("--postgres", help="with --two-calls: a PostgreSQL URL instead of --database")
    parser.add_argument("--schema", default="bench_keep_m10", help="with --postgres: the scale schema")
    args = parser.parse_args()
    if args.two_calls:
        where = args.schema if args.postgres else str(args.database)
        store = (
            scale.schema_store(args.postgres, args.schema)
            if args.postgres
            else Store.from_url(f"sqlite:///{args.database}")
        )
        print(f"## {where}, median of {args.rounds}")
        two_calls(store, args.rounds)
        return
    new = not args.database.exists()
    store = Store.from_url(f"sqlite:///{args.database}")
    if new:
        scale.build(store, args.items)
    with store.read() as connection:
        count = connection.execute(sa.select(sa.func.count()).select_from(items)).scalar_one()
    print(f"## sqlite, {count:,} items, median of {args.rounds}")
    set_vips(store, 0)
    print("\nno VIP list")
    calls(store, args.rounds)
    if args.vips:
        set_vips(store, args.vips)
        print(f"\n{args.vips} VIP handles")
        calls(store, args.rounds)
        set_vips(store, 0)


if __name__ == "__main__":
    main()
