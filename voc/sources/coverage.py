"""Coverage gaps: periods a source could not fetch, so the team knows where the data has holes.

A gap is recorded when a source learns it cannot reach back far enough, e.g. an X cursor older
than the seven days recent search covers. The Sources page lists them; trends over a gap
undercount. Domain: no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CoverageGap:
    """Posts between `start` and `end` (either may be unknown) were not fetched, and why."""

    start: datetime | None
    end: datetime | None
    reason: str
