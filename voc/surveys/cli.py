"""`python -m voc surveys import FILE [--survey NAME]`: the importer from a shell.

Prints what landed and every refused row with its line number; exits 1 when the file is refused
entirely (wrong format, no mapping for a generic table, every row broken), 2 when it cannot be read.
Domain: no Streamlit.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from voc.access.roles import COMMAND_LINE
from voc.settings import Settings
from voc.store.facade import Store
from voc.surveys.formats import FormatError, open_path
from voc.surveys.importer import ImportProgress, import_survey, sample_rows, shown_name, survey_name_for
from voc.surveys.mapping import ColumnMapping, suggest_mapping


def add_parser(commands: Any) -> None:
    """Add `surveys import` to the `python -m voc` command parser."""
    surveys = commands.add_parser("surveys", help="survey exports: import a file")
    actions = surveys.add_subparsers(dest="surveys_command", required=True)
    command = actions.add_parser(
        "import",
        help="import a Qualtrics, SurveyMonkey, Typeform, Google Forms or mapped CSV/TSV/XLSX export",
        description="Import a survey export. Re-importing a file adds nothing (dedupe by survey, response id, field).",
    )
    command.add_argument("file", help="the export: .csv, .tsv or .xlsx")
    command.add_argument("--survey", help="survey name (default: the file name without extension)")
    command.add_argument(
        "--mapping",
        metavar="JSON",
        help="column mapping as a JSON file (saved for the survey); needed once for a generic table",
    )
    command.add_argument(
        "--timezone", help="IANA zone of times without one in the file (default: the saved mapping's, else UTC)"
    )
    command.set_defaults(func=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    mapping = None
    if args.mapping:
        try:
            mapping = ColumnMapping.from_json(json.loads(Path(args.mapping).read_text(encoding="utf-8-sig")))
        except OSError as error:
            print(f"cannot read {args.mapping}: {error.strerror}", file=sys.stderr)
            return 2
        except (ValueError, TypeError) as error:
            print(f"{args.mapping} is not a usable column mapping: {error}", file=sys.stderr)
            return 2
    settings = Settings.load()
    survey = shown_name(args.survey) if args.survey else survey_name_for(path)
    filename = shown_name(path.name)
    show_progress = sys.stderr.isatty()

    def progress(step: ImportProgress) -> None:
        if show_progress:
            print(f"\r  {step.rows_read:,} rows read ({step.fraction:.0%})", end="", file=sys.stderr, flush=True)

    try:
        stream = path.open("rb")
    except OSError as error:
        print(f"cannot read {path}: {error.strerror}", file=sys.stderr)
        return 2
    store = Store.from_url(settings.database_url)
    try:
        with stream:
            report = import_survey(
                store,
                stream,
                filename,
                survey=survey,
                via="cli",
                mapping=mapping,
                timezone=args.timezone,
                brand=settings.brand,
                progress=progress,
                actor=COMMAND_LINE,
            )
    except ValueError as error:  # e.g. an unknown --timezone
        print(f"cannot import {filename}: {error}", file=sys.stderr)
        return 2
    finally:
        store.engine.dispose()
    if show_progress:
        print(file=sys.stderr)
    if report.refused is not None and report.rows_total == 0:
        print(f"Refused {filename}: {report.refused}", file=sys.stderr)
        _print_suggestion(path, survey)
        return 1
    for line in report.lines():
        print(line)
    return 1 if report.refused_entirely else 0


def _print_suggestion(path: Path, survey: str) -> None:
    """For a generic table, the mapping the importer would guess, ready to save and pass with --mapping."""
    try:
        with open_path(path) as table:
            suggested = suggest_mapping(
                table.vendor, table.columns, sample_rows(table), table.questions, table.import_ids, table.open_ended
            )
    except (FormatError, OSError):
        return
    if suggested is not None:
        print(
            f"A guess at the mapping for survey {survey!r}: check it, save it as JSON and pass it with --mapping:",
            file=sys.stderr,
        )
        print(json.dumps(suggested.to_json(), indent=2, ensure_ascii=False), file=sys.stderr)
