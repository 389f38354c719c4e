"""The one wall clock: timezone-aware UTC "now". Every class or function that takes a `clock`
defaults to `utcnow`, and tests pass their own. Domain: no Streamlit."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, timezone-aware, in UTC (the store refuses naive times)."""
    return datetime.now(UTC)
