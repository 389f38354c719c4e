"""The store's own step in the listener loop: the query planner's statistics kept current.

SQLite gathers no statistics by itself, and a database that grows from a few items to a million
would keep the ones its first opening took (`voc.store.core.refresh_planner_statistics`), so the
listeners refresh them every hour (22 ms at a million items). Domain: no Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from voc.store.core import Database


class PlannerStatistics:
    """Refreshes the planner's statistics every `every`; the store's opening took the first."""

    def __init__(
        self, store: Database, *, clock: Callable[[], datetime], every: timedelta = timedelta(hours=1)
    ) -> None:
        self.store = store
        self.clock = clock
        self.every = every
        self._at = clock()

    def tick(self) -> bool:
        """True when it refreshed them."""
        now = self.clock()
        if now - self._at < self.every:
            return False
        self.store.refresh_planner_statistics()
        self._at = now
        return True
