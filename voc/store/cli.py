"""`python -m voc rollups rebuild | check`: recount the rollup tables, or say where they are off.

`rebuild` recomputes every registered rollup (`voc.store.rollups`) from its rows in one
transaction, with a progress line on standard error for long runs; `check` prints each
difference and exits 1 when there is one. Domain: no Streamlit.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from typing import Any, Final

from voc.settings import Settings
from voc.store import rollups
from voc.store.facade import Store

# Modules that register a rollup when imported (voc.store.rollups.register).
ROLLUP_MODULES: Final = ("voc.store.rollups", "voc.themes.rollups")
# Seconds between two progress lines.
PROGRESS_EVERY_S: Final = 5.0


def add_parser(commands: Any) -> None:
    """Add `rollups rebuild` and `rollups check` to the `python -m voc` command parser."""
    parser = commands.add_parser("rollups", help="rollup tables (hourly counts): rebuild them, or check them")
    actions = parser.add_subparsers(dest="rollups_command", required=True)
    rebuild = actions.add_parser("rebuild", help="recompute the rollups from the stored items, in one transaction")
    check = actions.add_parser("check", help="print where the rollups differ from the stored items; exit 1 if they do")
    for action in (rebuild, check):
        action.add_argument("names", nargs="*", metavar="NAME", help="only these rollups (default: all)")
    rebuild.set_defaults(func=cmd_rebuild)
    check.set_defaults(func=cmd_check)


def _store() -> Store:
    for module in ROLLUP_MODULES:
        importlib.import_module(module)
    return Store.from_url(Settings.load().database_url)


def cmd_rebuild(args: argparse.Namespace) -> int:
    store = _store()
    started = time.monotonic()
    shown = [started]

    def progress(name: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - shown[0] >= PROGRESS_EVERY_S or done == total:
            shown[0] = now
            print(f"{name}: {done:,} of {total:,} steps", file=sys.stderr, flush=True)

    try:
        written = rollups.rebuild_rollups(store, args.names or None, progress)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    for name, rows in written.items():
        print(f"{name}: rebuilt, {rows:,} rows")
    print(f"done in {time.monotonic() - started:,.1f} s")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    store = _store()
    try:
        differences = rollups.check_rollups(store, args.names or None)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    for difference in differences:
        print(difference)
    if differences:
        print(f"{len(differences):,} difference(s): run `python -m voc rollups rebuild`", file=sys.stderr)
        return 1
    print(f"rollups match the stored items ({', '.join(rollups.registered())})")
    return 0
