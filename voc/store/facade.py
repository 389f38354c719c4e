"""The `Store`: one object the app, the listeners and the commands hold, composed of the
features' repositories over one engine.

Each repository lives with its feature (`voc/sources/repository.py`, `voc/inbox/repository.py`,
`voc/sentiment/repository.py`, `voc/access/repository.py`) or in the store core (settings,
jobs); this class only puts them together and opens the database. One code path for SQLite and
PostgreSQL: the dialect-specific statements are in `voc.store.core`. Domain: no Streamlit.
"""

from __future__ import annotations

from voc.inbox.replies.repository import ReplyRepository
from voc.sentiment.repository import SentimentRepository
from voc.sources.repository import SourcesRepository
from voc.store.core import Database
from voc.store.jobs import JobsRepository
from voc.store.settings import SettingsRepository


class Store(SourcesRepository, SentimentRepository, SettingsRepository, JobsRepository, ReplyRepository):
    """Reads and writes over one SQLAlchemy engine (thread-safe; share one per process)."""

    @classmethod
    def from_url(cls, url: str, *, upgrade: bool = True) -> Store:
        """Open the database at `url`, bringing its schema up to date unless told not to."""
        return cls(Database.open(url, upgrade=upgrade))
