"""Redaction: leaks and false redactions per kind on the team's PII corpus, and speed, in one run for

- ours: `voc.analysis.redaction.redact`;
- the previous redactor (`bench/_baseline_redaction.py`, the module as it was before issue 18);
- Microsoft Presidio's analyzer, its pattern recognizers only (no spaCy model, offline), where
  installed: `bench/_presidio_spans.py` runs them in the interpreter given.

The corpus is `tests/pii_corpus.py` (labelled personal values in the languages we support, and
1,200 ordinary texts full of harmless numbers). A case *leaks* when any letter or digit of its
value is left in clear; an ordinary text is *falsely redacted* when anything in it is replaced.
Speed is measured on the corpus and on the demo feed (806 posts, most without personal data),
best of five, and printed as texts per second and as a ratio to the previous redactor.

Presidio is a bench-only dependency, never installed with the app. Give it a virtualenv of its own
(its spaCy pins must not meet the app's):

    python3 -m venv ../presidio-env && ../presidio-env/bin/pip install presidio-analyzer==2.2.366
    python bench/redaction.py --presidio-python ../presidio-env/bin/python   # or PRESIDIO_PYTHON=...

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import _baseline_redaction as baseline
from _common import REPO

from listeners.replay import SCENARIO_PATH
from tests.pii_corpus import OrdinaryText, PiiCase, ordinary_texts, pii_cases
from voc.analysis.redaction import redact

Spans = list[tuple[int, int]]
THRESHOLDS = (0.0, 0.5)  # Presidio's default (every result) and a usual cut-off


def ours_spans(text: str) -> Spans:
    return [(f.start, f.end) for f in redact(text).findings]


_PLACEHOLDER_RE = re.compile(r"\[(?:email|iban|card|phone)\]")


def baseline_spans(text: str) -> Spans:
    """What the previous redactor replaced: its output is the input with placeholders for spans,
    so the text between placeholders, anchored at both ends, pins each span down."""
    out = baseline.redact(text).text
    if out == text:
        return []
    pieces = _PLACEHOLDER_RE.split(out)
    pattern = "(.+)".join(re.escape(p) for p in pieces)
    match = re.fullmatch(pattern, text, re.DOTALL)
    if match is None:  # cannot happen for a redactor that only replaces spans; count all as covered
        return [(0, len(text))]
    return [match.span(i) for i in range(1, len(pieces))]


def leaked(case: PiiCase, spans: Spans) -> bool:
    """True when a letter or digit of the value is outside every replaced span."""
    covered = set()
    for start, end in spans:
        covered.update(range(start, end))
    return any(case.text[i].isalnum() and i not in covered for i in range(case.start, case.end))


def presidio(python: str | None, texts: list[str]) -> tuple[list[list[tuple[int, int, str, float]]], dict] | str:
    """Presidio's spans per text and its timing, or why it could not run."""
    if not python:
        return "not installed here (pass --presidio-python or set PRESIDIO_PYTHON; see the docstring)"
    payload = "".join(json.dumps({"text": t}) + "\n" for t in texts)
    try:
        done = subprocess.run(
            [python, str(Path(__file__).with_name("_presidio_spans.py"))],
            input=payload, capture_output=True, text=True, timeout=1800, check=True,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError) as error:
        return f"could not run ({type(error).__name__}: {str(error)[:200]})"
    lines = done.stdout.strip().splitlines()
    results = [[tuple(s) for s in json.loads(line)["spans"]] for line in lines[:-1]]
    return results, json.loads(lines[-1])  # type: ignore[return-value]


def best_of(fn: Callable[[str], object], texts: list[str], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for text in texts:
            fn(text)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--presidio-python", default=os.environ.get("PRESIDIO_PYTHON"))
    args = parser.parse_args()

    cases = pii_cases()
    ordinary = ordinary_texts()
    demo = [json.loads(line)["text"] for line in SCENARIO_PATH.read_text(encoding="utf-8").splitlines()]
    print(f"corpus: {len(cases)} personal values in {len({c.form for c in cases})} formats, "
          f"{len(ordinary)} ordinary texts; demo feed: {len(demo)} texts ({REPO.name})\n")  # fmt: skip

    systems: dict[str, Callable[[str], Spans]] = {"ours": ours_spans, "previous": baseline_spans}
    spans_of: dict[str, list[Spans]] = {name: [fn(c.text) for c in cases] for name, fn in systems.items()}
    ordinary_spans: dict[str, list[Spans]] = {name: [fn(t.text) for t in ordinary] for name, fn in systems.items()}

    found = presidio(args.presidio_python, [c.text for c in cases] + [t.text for t in ordinary] + demo)
    presidio_note = found if isinstance(found, str) else None
    presidio_seconds = None
    if not isinstance(found, str):
        results, meta = found
        presidio_seconds = meta["seconds"]
        n = len(cases)
        for threshold in THRESHOLDS:
            name = f"presidio≥{threshold:g}"
            spans_of[name] = [[(s, e) for s, e, _, score in r if score >= threshold] for r in results[:n]]
            ordinary_spans[name] = [
                [(s, e) for s, e, _, score in r if score >= threshold] for r in results[n : n + len(ordinary)]
            ]
        print(f"Presidio {meta['version']}, {meta['recognizers']} pattern recognizers, no NLP model\n")

    names = list(spans_of)
    print_leaks(cases, spans_of, names)
    print_false_redactions(ordinary, ordinary_spans, names)
    print_speed(cases, ordinary, demo, presidio_seconds)
    if presidio_note:
        print(f"\nPresidio: {presidio_note}")


def print_leaks(cases: list[PiiCase], spans_of: dict[str, list[Spans]], names: list[str]) -> None:
    by_kind: dict[str, list[int]] = defaultdict(list)
    for i, case in enumerate(cases):
        by_kind[case.kind].append(i)
    print("LEAKS: personal values left (partly) in clear, per kind")
    print(f"{'kind':<8}{'cases':>7}" + "".join(f"{n:>16}" for n in names))
    for kind, indexes in by_kind.items():
        row = f"{kind:<8}{len(indexes):>7}"
        for name in names:
            count = sum(leaked(cases[i], spans_of[name][i]) for i in indexes)
            row += f"{count:>7} ({count / len(indexes):5.1%})"
        print(row)
    total = len(cases)
    row = f"{'all':<8}{total:>7}"
    for name in names:
        count = sum(leaked(c, s) for c, s in zip(cases, spans_of[name], strict=True))
        row += f"{count:>7} ({count / total:5.1%})"
    print(row)
    for name in names:
        forms: Counter[str] = Counter()
        sizes = Counter(c.form for c in cases)
        for case, spans in zip(cases, spans_of[name], strict=True):
            if leaked(case, spans):
                forms[case.form] += 1
        always = sorted(f for f, n in forms.items() if n == sizes[f])
        print(f"  {name}: formats that always leaked ({len(always)}): {', '.join(always) or 'none'}")
        partly = sorted(f"{f} {n}/{sizes[f]}" for f, n in forms.items() if n < sizes[f])
        if partly:
            print(f"  {name}: formats that sometimes leaked: {', '.join(partly)}")
    print()


def print_false_redactions(ordinary: list[OrdinaryText], spans_of: dict[str, list[Spans]], names: list[str]) -> None:
    by_form: dict[str, list[int]] = defaultdict(list)
    for i, text in enumerate(ordinary):
        by_form[text.form].append(i)
    print("FALSE REDACTIONS: ordinary texts that lost something")
    print(f"{'numbers':<26}{'texts':>6}" + "".join(f"{n:>16}" for n in names))
    for form, indexes in sorted(by_form.items()):
        row = f"{form:<26}{len(indexes):>6}"
        for name in names:
            count = sum(bool(spans_of[name][i]) for i in indexes)
            row += f"{count:>7} ({count / len(indexes):5.1%})"
        print(row)
    row = f"{'all':<26}{len(ordinary):>6}"
    for name in names:
        count = sum(bool(s) for s in spans_of[name])
        row += f"{count:>7} ({count / len(ordinary):5.1%})"
    print(row + "\n")


def print_speed(
    cases: list[PiiCase], ordinary: list[OrdinaryText], demo: list[str], presidio_seconds: float | None
) -> None:
    corpus = [c.text for c in cases] + [t.text for t in ordinary]
    print("SPEED (best of 5, one core)")
    for label, texts in (("corpus", corpus), ("demo feed", demo)):
        ours = best_of(redact, texts)
        previous = best_of(baseline.redact, texts)
        print(
            f"  {label:<10} {len(texts):>5} texts: ours {len(texts) / ours:>9,.0f}/s ({ours / len(texts) * 1e6:6.1f} µs/text), "
            f"previous {len(texts) / previous:>9,.0f}/s ({previous / len(texts) * 1e6:6.1f} µs/text), "
            f"ours/previous time ×{ours / previous:.2f}"
        )
    # The ingest path the redactor sits on: what share of it is redaction?
    from voc.analysis.pipeline import analyse_batch

    analyse_batch(demo[:50], with_embeddings=True)  # load the models outside the timing
    start = time.perf_counter()
    analyse_batch(demo, with_embeddings=True)
    ingest = time.perf_counter() - start
    ours = best_of(redact, demo)
    print(
        f"  ingest     analysis of the demo feed as listeners run it (redact, language, sentiment, embeddings): "
        f"{ingest / len(demo) * 1e6:,.0f} µs/text; redaction is {ours / ingest:.1%} of it"
    )
    if presidio_seconds is not None:
        total = len(corpus) + len(demo)
        ours_all = best_of(redact, corpus + demo)
        print(
            f"  presidio   {total:>5} texts (corpus and demo feed): {total / presidio_seconds:,.0f}/s "
            f"({presidio_seconds / total * 1e6:.1f} µs/text); ours on the same texts {total / ours_all:,.0f}/s, "
            f"×{presidio_seconds / ours_all:.1f} faster"
        )


if __name__ == "__main__":
    main()
