"""Persistence: schema, migrations and the `Store` (SQLite by default, PostgreSQL for teams)."""

from voc.store.engine import create_engine_for
from voc.store.migrate import migrate
from voc.store.repository import Store

__all__ = ["Store", "create_engine_for", "migrate"]
