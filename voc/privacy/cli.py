"""`python -m voc privacy ...`: the retention sweep and erasure on request, from a shell.

    python -m voc privacy sweep                       # delete what retention says is expired, now
    python -m voc privacy sweep --dry-run             # only say what that would delete
    python -m voc privacy erase --author @name        # preview what erasing them would remove
    python -m voc privacy erase --author @name --yes  # ... and erase it
    python -m voc privacy erase --respondent jo@example.com --yes

Without `--yes`, `erase` changes nothing and exits 1 when there is something to erase, so a
script that forgot the flag does not mistake a preview for an erasure. The command line acts as
`system:command-line` (sweeps as `system:retention`), and the audit log says so. Domain: no Streamlit.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from voc.access.roles import COMMAND_LINE
from voc.privacy.erasure import Subject, erase, preview_erasure
from voc.privacy.purge import count_name
from voc.privacy.raw_files import survey_folders
from voc.privacy.retention import SWEEP_ACTOR, preview_retention, sweep
from voc.settings import Settings
from voc.store.facade import Store


def add_parser(commands: Any) -> None:
    """Register `privacy` and its subcommands on the main parser's subparsers."""
    privacy = commands.add_parser("privacy", help="retention sweep and erasure of one person's data")
    sub = privacy.add_subparsers(dest="privacy_command", required=True)
    sweep = sub.add_parser("sweep", help="delete items older than each source's retention, and all derived data")
    sweep.add_argument("--dry-run", action="store_true", help="only show what would be deleted")
    sweep.add_argument("--batch-size", type=_positive, default=500, help="items per transaction (default 500)")
    sweep.add_argument("--exports", type=Path, help="exports folder to keep in step (default: data/exports)")
    sweep.set_defaults(func=cmd_sweep)
    erase = sub.add_parser("erase", help="preview, then with --yes erase, one author's or respondent's data")
    who = erase.add_mutually_exclusive_group(required=True)
    who.add_argument(
        "--author", metavar="HANDLE", help="a social handle as the inbox shows it, e.g. @name@instance.example"
    )
    who.add_argument(
        "--respondent", metavar="EMAIL_OR_ID", help="the e-mail address or customer id a survey respondent used"
    )
    erase.add_argument("--yes", action="store_true", help="erase after the preview (without it nothing changes)")
    erase.add_argument("--batch-size", type=_positive, default=500, help="items per transaction (default 500)")
    erase.add_argument("--exports", type=Path, help="exports folder to regenerate (default: data/exports)")
    erase.set_defaults(func=cmd_erase)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _open(args: argparse.Namespace) -> tuple[Any, Path]:
    settings = Settings.load()
    return Store.from_url(settings.database_url), args.exports or settings.data_dir / "exports"


def cmd_sweep(args: argparse.Namespace) -> int:
    store, exports_dir = _open(args)
    now = datetime.now(UTC)
    if args.dry_run:
        for preview in preview_retention(store, now=now, actor=SWEEP_ACTOR):
            if preview.days is None:
                print(f"{preview.source}: retention off")
                continue
            detail = ", ".join(f"{count_name(name)}: {n}" for name, n in preview.counts.items()) or "nothing"
            print(f"{preview.source}: keeps {preview.days} days; would delete {detail}")
        return 0
    report = sweep(store, now=now, exports_dir=exports_dir, batch_size=args.batch_size)
    for line in report.lines():
        print(line)
    print(f"deleted {report.items} items")
    return 0


def cmd_erase(args: argparse.Namespace) -> int:
    try:
        subject = Subject.author(args.author) if args.author is not None else Subject.respondent(args.respondent)
    except ValueError as error:
        print(str(error), file=sys.stderr)
        return 2
    actor = COMMAND_LINE
    store, exports_dir = _open(args)
    folders = survey_folders(store, Settings.load().data_dir)
    preview = preview_erasure(store, subject, actor=actor, exports_dir=exports_dir, survey_folders=folders)
    who = "author" if args.author is not None else "respondent"
    if preview.empty:
        print(f"nothing stored for that {who}")
        return 0
    print(f"would erase for {who} {preview.masked}:")
    for name, n in preview.counts.items():
        print(f"  {count_name(name)}: {n}")
    if preview.exports:
        print("  exports regenerated without them: " + ", ".join(preview.exports))
    if preview.raw_files:
        print("  raw survey exports naming them, deleted: " + ", ".join(preview.raw_files))
    for sample in preview.samples:
        print(f"  #{sample.id} {sample.posted_at:%Y-%m-%d %H:%M} {sample.source}/{sample.channel}: {sample.text[:80]}")
    if not args.yes:
        print("nothing erased: run again with --yes to erase", file=sys.stderr)
        return 1
    result = erase(
        store, subject, actor=actor, now=datetime.now(UTC), exports_dir=exports_dir, survey_folders=folders,
        batch_size=args.batch_size,
    )  # fmt: skip
    print(f"erased ({result.audit_subject} in the audit log):")
    for line in result.lines():
        print(f"  {line}")
    return 0
