"""Bring a database's schema up to date with Alembic; every entry point calls `migrate` on start.

Migrations live in `voc/store/migrations/versions/` as plain, ordered revision files. Domain: no
Streamlit.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest revision the code knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine) -> str:
    """Upgrade `engine`'s database to the newest revision; a no-op when it is already there."""
    if current_revision(engine) == head_revision():
        return head_revision()
    config = _config()
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            # Several processes may start at once: one migrates, the others wait for it.
            connection.exec_driver_sql("SELECT pg_advisory_lock(73190001)")
        try:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
        finally:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SELECT pg_advisory_unlock(73190001)")
                connection.commit()
    return head_revision()


def step_to(engine: Engine, revision: str, *, down: bool = False) -> None:
    """Move `engine`'s database to `revision` ("head" included), upwards or with `down` backwards:
    what the migration tests do to store rows at an older schema and then upgrade over them."""
    config = _config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)
        connection.commit()
