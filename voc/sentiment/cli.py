"""`python -m voc sentiment ...`: train the scorer and import labelled data (see docs/sentiment.md).

    python -m voc sentiment train              # retrain from the workspace's labels, switch it on
    python -m voc sentiment train --builtin    # rebuild the shipped model from the team's set
    python -m voc sentiment import-labels FILE # a CSV of text,label -> labels for the next train
    python -m voc sentiment status             # the active model and its per-language evaluation

Domain: no Streamlit.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from voc.access.roles import COMMAND_LINE
from voc.sentiment import precise
from voc.sentiment import training as sentiment_training
from voc.sentiment import worker as sentiment_worker
from voc.sentiment.training import evaluation_rows
from voc.settings import Settings
from voc.store.facade import Store

BUILTIN_PATH = Path(__file__).resolve().parent / "data" / "model" / "builtin.npz"
PRECISE_PATH = BUILTIN_PATH.with_name(precise.PRECISE_MODEL)
# Next to the repository, as the team's machines have it (docs/sentiment.md).
AFRISENTI_DEFAULT = Path(__file__).resolve().parents[3] / "shared" / "data" / "afrisenti"


def add_parser(commands: Any) -> None:
    """Register `sentiment` and its subcommands on the main parser's subparsers."""
    sentiment = commands.add_parser("sentiment", help="train the sentiment scorer, import labels")
    sub = sentiment.add_subparsers(dest="sentiment_command", required=True)
    train = sub.add_parser("train", help="retrain from the workspace's labels and switch the better model on")
    train.add_argument("--builtin", action="store_true", help="rebuild the shipped model from the team-written set")
    train.add_argument("--out", type=Path, default=BUILTIN_PATH, help="where --builtin writes the model")
    train.add_argument(
        "--precise",
        action="store_true",
        help="rebuild the shipped precise model (e5 vectors) from AfriSenti tweets and the team-written set",
    )
    train.add_argument(
        "--afrisenti",
        type=Path,
        default=AFRISENTI_DEFAULT,
        help="the AfriSenti-SemEval folder (<lang>_train.tsv) for --precise",
    )
    train.add_argument(
        "--e5-cache",
        type=Path,
        help="an .npz of e5 vectors by text for --precise: read first, texts not in it embedded and added",
    )
    train.add_argument(
        "--lexicon-readings",
        action="store_true",
        help="with --precise, offer the texts' lexicon readings to cross-validation next to the e5 vectors "
        "(measured, not shipped: docs/sentiment.md)",
    )
    train.set_defaults(func=cmd_train)
    labels = sub.add_parser("import-labels", help="import a CSV of text,label as labels for training")
    labels.add_argument("file", type=Path)
    labels.set_defaults(func=cmd_import_labels)
    sub.add_parser("status", help="show the active model and its evaluation").set_defaults(func=cmd_status)


def _progress(step: str, fraction: float) -> None:
    print(f"[{fraction:4.0%}] {step}", file=sys.stderr, flush=True)


def _store() -> Any:
    return Store.from_url(Settings.load().database_url)


def cmd_train(args: argparse.Namespace) -> int:
    if args.precise:
        if not args.afrisenti.is_dir():
            print("AfriSenti folder not found: pass --afrisenti DIR (the <lang>_train.tsv files)", file=sys.stderr)
            return 2
        embed = precise.cached_embedder(args.e5_cache) if args.e5_cache else None
        model = sentiment_training.train_builtin_precise(
            args.afrisenti,
            PRECISE_PATH,
            PRECISE_PATH.with_name(precise.PRECISE_BASE),
            embed=embed,
            progress=_progress,
            lexicon_readings=args.lexicon_readings,
        )
        print(f"wrote {PRECISE_PATH.name} ({model.version}), recipe {model.metrics['recipe']}")
        _print_metrics(model.metrics)
        return 0
    if args.builtin:
        model = sentiment_training.train_builtin(args.out, progress=_progress)
        print(f"wrote {args.out} ({model.version}); active for: {', '.join(sorted(model.active_languages)) or 'none'}")
        _print_metrics(model.metrics)
        return 0
    result = sentiment_training.train_workspace(_store(), progress=_progress, actor=COMMAND_LINE)
    print(f"trained {result.version} on {result.trained_on} labelled texts")
    print(f"switched on for: {', '.join(sorted(result.active_languages)) or 'no language (the rules stay)'}")
    _print_metrics(result.metrics)
    print(f"re-scoring queued as job {result.rescore_job}; the listener process runs it")
    return 0


def cmd_import_labels(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        print(f"cannot read {args.file}: no such file", file=sys.stderr)
        return 2
    try:
        report = sentiment_training.import_labels(_store(), args.file, actor=COMMAND_LINE)
    except OSError as error:
        print(f"cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 2
    if report.refused_file is not None:
        print(f"cannot import {args.file.name}: {report.refused_file}", file=sys.stderr)
        return 1
    languages = ", ".join(f"{lang} {n}" for lang, n in sorted(report.languages.items(), key=lambda kv: -kv[1]))
    print(f"imported {report.imported} labels ({languages})")
    for line, reason in report.refused[:20]:
        print(f"line {line}: {reason}", file=sys.stderr)
    if len(report.refused) > 20:
        print(f"... and {len(report.refused) - 20} more refused lines", file=sys.stderr)
    print("run `python -m voc sentiment train` to use them")
    return 0 if report.imported or not report.refused else 1


def cmd_status(_args: argparse.Namespace) -> int:
    store = _store()
    model = sentiment_worker.active_model(store)
    if model is None:
        print("no learned model: the rules (VADER and the lexicons) score everything")
        return 0
    print(f"active model: {model.version}, trained on {model.trained_on} texts")
    print(f"switched on for: {', '.join(sorted(model.active_languages)) or 'none'}")
    _print_metrics(model.metrics)
    print(f"labels: {store.count_sentiment_labels() or 'none yet'}")
    return 0


def _print_metrics(metrics: dict[str, Any]) -> None:
    rows = evaluation_rows(metrics)
    if not rows:
        return
    print(f"evaluation: {metrics.get('method', '')}")
    print(f"{'language':>8} {'n':>5} {'learned F1':>10} {'rules F1':>9} {'neg recall':>10} {'neg prec':>9}  on")
    for row in rows:
        print(
            f"{row['language']:>8} {row['n']:>5} {row['learned_f1']:>10} {row['rules_f1']:>9} "
            f"{row['learned_negative_recall']:>10} {row['learned_negative_precision']:>9}  { {True: 'yes', False: 'no'}.get(row['active'], '-') }"
        )
