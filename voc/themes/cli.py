"""Themes on the command line: `python -m voc themes discover FILE`, and themes for `analyse`.

`themes discover FILE` (one text per line, "-" for standard input) clusters the lines with the same
discovery the app runs and writes, on standard output, one proposal id per input line (an empty
line for a text in no proposal), so the ids line up with the file; the proposals themselves (id,
size, main language, label, three representative texts) go to standard error, or as JSON lines to
`--proposals FILE`. Texts are redacted before anything is printed.

Domain module: no Streamlit.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from voc.analysis import embeddings
from voc.analysis.language import detect_language
from voc.analysis.redaction import redact
from voc.store.facade import Store
from voc.textlines import open_lines, strip_line_end
from voc.themes.assign import Assigner
from voc.themes.discovery import discover, proposal_id
from voc.themes.repository import load_taxonomy
from voc.themes.service import build_assigner
from voc.themes.starter import starter_themes
from voc.themes.taxonomy import Taxonomy

BATCH = 256


def add_parser(commands: Any) -> None:
    """Register `themes discover` on the `python -m voc` parser."""
    themes = commands.add_parser("themes", help="theme discovery on a file")
    sub = themes.add_subparsers(dest="themes_command", required=True)
    discover = sub.add_parser("discover", help="cluster one text per line into theme proposals")
    discover.add_argument(
        "file",
        help="a text file, one text per line (UTF-8, else Windows-1252 line by line; a BOM decides); '-' for stdin",
    )
    discover.add_argument("--proposals", help="also write the proposals as JSON lines to this file")
    discover.set_defaults(func=cmd_discover)


def cmd_discover(args: argparse.Namespace) -> int:
    # Bytes, decoded as `analyse` decodes them (voc.textlines): a BOM decides (Excel's UTF-16 "Unicode
    # text" too), else each line is UTF-8 or Windows-1252, so an accent is never a replacement mark.
    try:
        if args.file == "-":
            source: IO[bytes] = getattr(sys.stdin, "buffer", None) or io.BytesIO(sys.stdin.read().encode("utf-8"))
        else:
            source = open(args.file, "rb")  # noqa: SIM115 - closed below
    except OSError as error:
        print(f"cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 2
    with source:
        lines = [redact(strip_line_end(line)).text for line in open_lines(source)]
    present = [i for i, text in enumerate(lines) if text.strip()]
    texts = [lines[i] for i in present]
    clusters = discover(texts, embeddings.embed(texts), [detect_language(t) for t in texts]) if texts else []
    assigned = [""] * len(lines)
    found: list[dict[str, Any]] = []
    for cluster in clusters:
        pid = proposal_id([texts[i] for i in cluster.members])
        for i in cluster.members:
            assigned[present[i]] = pid
        found.append(
            {
                "id": pid,
                "size": cluster.size,
                "language": cluster.stored_languages,
                "label": cluster.label,
                "keywords": list(cluster.keywords),
                "representatives": [texts[i] for i in cluster.representatives],
            }
        )
    sys.stdout.write("".join(f"{pid}\n" for pid in assigned))
    for proposal in found:
        examples = " | ".join(text[:80] for text in proposal["representatives"])
        print(
            f"{proposal['id']}\t{proposal['size']}\t{proposal['language']}\t{proposal['label']}\t{examples}",
            file=sys.stderr,
        )
    print(f"{len(found)} proposals; {sum(1 for p in assigned if p)} of {len(texts)} texts in one", file=sys.stderr)
    if args.proposals:
        Path(args.proposals).write_text(
            "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in found), encoding="utf-8"
        )
    return 0


def workspace_taxonomy(database_url: str) -> Taxonomy:
    """The workspace's taxonomy when its database exists and has one, else the starter set."""
    starter = Taxonomy(0, starter_themes())
    if database_url.startswith("sqlite:///") and not Path(database_url.removeprefix("sqlite:///")).is_file():
        return starter
    try:
        store = Store.from_url(database_url, upgrade=False)
        try:
            taxonomy = load_taxonomy(store)
        finally:
            store.engine.dispose()
    except Exception:  # no themes table yet, or the database is unreachable
        return starter
    return taxonomy if taxonomy.version > 0 else starter


def with_themes(analyses: Iterable[Any], taxonomy: Taxonomy) -> Iterator[dict[str, Any]]:
    """Each analysis as its JSON dict plus `themes` (id, name, confidence, reason, method), in order.

    Embeddings the analysis already computed are reused; the rest are computed in batches.
    """
    import numpy as np

    assigner: Assigner = build_assigner(None, taxonomy, embeddings.embed)
    batch: list[Any] = []

    def flush() -> Iterator[dict[str, Any]]:
        missing = [i for i, a in enumerate(batch) if getattr(a, "embedding", None) is None]
        fresh = embeddings.embed([batch[i].text for i in missing]) if missing else None
        rows = []
        for i, analysis in enumerate(batch):
            vector = getattr(analysis, "embedding", None)
            rows.append(fresh[missing.index(i)] if vector is None and fresh is not None else vector)
        vectors = np.vstack([np.asarray(r, dtype=np.float32) for r in rows]) if rows else None
        results = assigner.assign([a.text for a in batch], [a.language for a in batch], vectors)
        for analysis, hits in zip(batch, results, strict=True):
            row = analysis.to_json_dict()
            row["themes"] = [{**hit.to_json(), "name": taxonomy.label(hit.theme_id)} for hit in hits]
            yield row
        batch.clear()

    for analysis in analyses:
        batch.append(analysis)
        if len(batch) >= BATCH:
            yield from flush()
    if batch:
        yield from flush()
