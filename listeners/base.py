"""The one interface every source implements, and the error every source raises.

A listener fetches one page at a time from an opaque cursor; the runner owns scheduling, leases,
backoff, cursor and heartbeat persistence. No Streamlit import here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from voc.models import ItemKind, RawItem
from voc.sources.costs import Usage
from voc.sources.coverage import CoverageGap

__all__ = ["Batch", "CoverageGap", "ErrorKind", "ItemKind", "Listener", "RawItem", "SourceError", "Usage"]


@dataclass(frozen=True)
class Batch:
    """One page from a source and the cursor that resumes after it."""

    items: list[RawItem]
    cursor: str | None  # stored in the same transaction as the items
    more: bool = False  # another page is ready now: poll again without waiting
    usage: Usage | None = None  # what the page read and its estimated cost (paid APIs)
    gap: CoverageGap | None = None  # a period this source could not fetch, learnt on this page
    # Entries the source sent that could not be stored, reason -> count: the runner saves the counts
    # with the page and the Sources page shows them (nothing is dropped with only a log line).
    skipped: Mapping[str, int] = field(default_factory=dict)


class ErrorKind(StrEnum):
    RATE_LIMITED = "rate_limited"
    USAGE_CAP = "usage_cap"
    AUTH = "auth"
    INVALID_QUERY = "invalid_query"
    TRANSIENT = "transient"
    BAD_DATA = "bad_data"
    UNEXPECTED = "unexpected"


RETRYABLE = frozenset(
    {ErrorKind.RATE_LIMITED, ErrorKind.USAGE_CAP, ErrorKind.TRANSIENT, ErrorKind.BAD_DATA, ErrorKind.UNEXPECTED}
)


class SourceError(Exception):
    """A classified failure: the runner decides from `kind` whether and when to retry."""

    def __init__(self, kind: ErrorKind, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retry_after_s = retry_after_s

    @property
    def retryable(self) -> bool:
        return self.kind in RETRYABLE


class Listener(Protocol):
    name: str

    def fetch(self, cursor: str | None) -> Batch:
        """One page after `cursor`; raise SourceError(kind=...) on failure."""
        ...
