"""`python -m voc export`: build a week's (or any range's) export from a shell, like the Exports page."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from voc.access.roles import COMMAND_LINE
from voc.exports import PeriodError, build_export, date_range, iso_week, load_schedule, parse_formats
from voc.settings import Settings
from voc.store.facade import Store


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("export", help="write a week's or a date range's export (xlsx, csv, parquet, html)")
    when = parser.add_mutually_exclusive_group(required=True)
    when.add_argument("--week", help="an ISO week, e.g. 2026-W47 (Monday–Sunday in --tz)")
    when.add_argument("--from", dest="first", help="first local day of a range, e.g. 2026-11-01 (needs --to)")
    parser.add_argument("--to", dest="last", help="last local day of the range, included")
    parser.add_argument(
        "--format",
        action="append",
        default=[],
        help="xlsx, csv, parquet, html or all (repeat or comma-separate; default all)",
    )
    parser.add_argument("--tz", help="the team's IANA time zone (default: the schedule's, set on the Exports page)")
    parser.add_argument("--out", type=Path, help="exports folder (default: data/exports)")
    parser.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    settings = Settings.load()
    store = Store.from_url(settings.database_url)
    try:
        formats = parse_formats(args.format or ["all"])
        tz = args.tz or load_schedule(store).tz
        if args.week:
            period = iso_week(args.week, tz)
        else:
            if not args.last:
                print("--from needs --to", file=sys.stderr)
                return 2
            period = date_range(args.first, args.last, tz)
    except (PeriodError, ValueError) as error:
        print(str(error), file=sys.stderr)
        return 2
    out = args.out or settings.data_dir / "exports"

    def progress(done: int, total: int) -> None:
        if total and sys.stderr.isatty():
            print(f"\r{done}/{total} items", end="", file=sys.stderr)

    export = build_export(store, period, out, formats=formats, requested_by=COMMAND_LINE, progress=progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"{export.label}: {export.items} items, taxonomy version {export.taxonomy_version}")
    for file in export.files:
        print(out / export.slug / file.name)
    return 0
