"""Helpers shared by the benchmarks: where the measurement data lives, and a timer."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as `python bench/x.py` from anywhere
    sys.path.insert(0, str(REPO))

T = TypeVar("T")


def shared_data_dir() -> Path:
    """The team's measurement data: ../shared/data next to the repo, or $VOC_SHARED_DATA."""
    override = os.environ.get("VOC_SHARED_DATA")
    return Path(override) if override else REPO.parent / "shared" / "data"


def skip(message: str) -> None:
    """Print why a benchmark cannot run here and exit successfully."""
    print(f"SKIPPED: {message}")
    raise SystemExit(0)


def timed(fn: Callable[[Iterable[str]], T], texts: list[str]) -> tuple[T, float]:
    """Run `fn(texts)` once and return its result and the wall time in seconds."""
    start = time.perf_counter()
    result = fn(texts)
    return result, time.perf_counter() - start
