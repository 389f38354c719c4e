"""Shared fixtures: stores on both databases, a frozen clock, and a loopback-only network guard."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from voc.store.facade import Store

POSTGRES_URL = os.environ.get("VOC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach the network beyond loopback: other connects fail loudly."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else None
        if host is not None and host not in LOOPBACK:
            raise OSError(f"test tried to reach {host}: only loopback is allowed in tests")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


def _postgres_reachable() -> str | None:
    try:
        engine = sa.create_engine(POSTGRES_URL)
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        engine.dispose()
        return None
    except Exception as error:  # noqa: BLE001 - the reason is shown in the skip message
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {type(error).__name__}: {error}"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A URL whose search_path is a fresh schema, dropped afterwards; skips when no server."""
    reason = _postgres_reachable()
    if reason:
        if os.environ.get("VOC_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason + " (VOC_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    yield POSTGRES_URL


def _fresh_postgres_schema(base_url: str) -> tuple[str, str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(base_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine.dispose()
    separator = "&" if "?" in base_url else "?"
    return schema, f"{base_url}{separator}options=-csearch_path%3D{schema}"


def _drop_postgres_schema(base_url: str, schema: str) -> None:
    engine = sa.create_engine(base_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    """The URL of an empty database on each backend in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/voc.db"
        return
    base = request.getfixturevalue("postgres_url")
    schema, url = _fresh_postgres_schema(base)
    try:
        yield url
    finally:
        _drop_postgres_schema(base, schema)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """A migrated store on each backend in turn."""
    opened = Store.from_url(database_url)
    yield opened
    opened.engine.dispose()


@pytest.fixture
def sqlite_store(tmp_path: object) -> Iterator[Store]:
    """A migrated SQLite store, for tests that need only one backend."""
    opened = Store.from_url(f"sqlite:///{tmp_path}/voc.db")
    yield opened
    opened.engine.dispose()


class FrozenClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
